"""Stories of retention: a tip closed longer ago than the retention period is deleted with
everything that hangs off it and the deletion is in the audit log (its id and dates, nothing
else); tips closed recently and tips still open stay; two workers never purge or audit twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core import accounts
from core.models import AuditEntry
from core.settings import reset_settings
from tips import followup, inbox, intake, receipts, retention
from tips.models import Receipt, Tip, TipKey, TipMessage, TipStatus

from .helpers import PASSWORD, unit_with_focal_point
from .test_intake import SFAX_BOAT

NOW = datetime(2028, 6, 1, 9, 30, tzinfo=UTC)


async def closed(tip_id: int, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    await Tip.filter(id=tip_id).update(status=TipStatus.CLOSED, closed_at=at, updated_at=at)


async def test_closed_tips_are_purged_after_retention_and_audited(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMAN_TIP_RETENTION_DAYS", "30")
    reset_settings()
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    old = await intake.submit(SFAX_BOAT)
    recent = await intake.submit(SFAX_BOAT)
    still_open = await intake.submit(SFAX_BOAT)
    # The reporter of the old tip added something, and the unit replied.
    followed = await receipts.open_tip(old.receipt)
    assert followed is not None
    await followup.add_information(followed, "The boat is blue and white")
    private = await accounts.unlock_private_key(tunis, PASSWORD)
    await inbox.reply(await inbox.open_tip(old.tip_id, tunis, private), tunis, "Thank you")
    await closed(old.tip_id, days_ago=31)
    await closed(recent.tip_id, days_ago=29)
    await Tip.filter(id=still_open.tip_id).update(created_at=NOW - timedelta(days=400))

    assert await retention.run(NOW) == 1

    assert not await Tip.exists(id=old.tip_id)
    for table in (TipKey, TipMessage, Receipt):
        assert not await table.filter(tip_id=old.tip_id).exists(), table.__name__
    assert await receipts.open_tip(old.receipt) is None  # the receipt finds nothing any more
    assert {t.id for t in await Tip.all()} == {recent.tip_id, still_open.tip_id}
    purged = await AuditEntry.get(action="tip.purged")
    assert (purged.actor, purged.target) == ("system", f"tip:{old.tip_id}")
    received = (await AuditEntry.get(action="tip.routed", target=f"tip:{old.tip_id}")).at.date()
    assert purged.details == {
        "received": received.isoformat(),
        "closed": (NOW - timedelta(days=31)).date().isoformat(),
    }

    # A day later the recent one is past the period too; the open one never is.
    assert await retention.run(NOW + timedelta(days=2)) == 1
    assert {t.id for t in await Tip.all()} == {still_open.tip_id}
    assert await AuditEntry.filter(action="tip.purged").count() == 2


async def test_two_workers_purge_and_audit_a_tip_once(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    tips = [await intake.submit(SFAX_BOAT) for _ in range(3)]
    for tip in tips:
        await closed(tip.tip_id, days_ago=366)  # the default period is 365 days

    purged = await asyncio.gather(retention.run(NOW), retention.run(NOW))

    assert sum(purged) == 3
    assert not await Tip.exists()
    entries = await AuditEntry.filter(action="tip.purged").values_list("target", flat=True)
    assert sorted(entries) == sorted(f"tip:{t.tip_id}" for t in tips)
