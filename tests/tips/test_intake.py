"""Stories of a tip from submission to the focal point's screen, told on the domain API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import accounts
from core.models import AuditEntry
from tips import abuse, drafts, followup, inbox, intake, media, receipts, routing
from tips.models import Draft, Receipt, Tip, TipFile, TipKey, TipStatus, Urgency
from tips.sealing import NoAccess

from .helpers import PASSWORD, has_gps, photo_with_gps, unit_with_focal_point

SFAX_BOAT = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax, near the port",
    "when": "soon",
    "description": "CANARY-boat-leaving-tonight with forty people",
    "child": "yes",
    "danger": "no",
}


async def test_boat_from_sfax_reaches_tunisia_unit_and_only_it(db: str) -> None:
    _tn, fp_tn, recovery = await unit_with_focal_point("TN", "TN")
    _ly, fp_ly, _ = await unit_with_focal_point("LY", "LY")

    submitted = await intake.submit(SFAX_BOAT, [(media.check(photo_with_gps()), photo_with_gps())])

    assert submitted.unit_code == "TN" and submitted.urgency == Urgency.URGENT
    assert len(submitted.receipt) == 16 and submitted.receipt.isdigit()
    tip = await Tip.get(id=submitted.tip_id)
    assert b"CANARY" not in bytes(tip.content)
    assert await Receipt.filter(digest=submitted.receipt).count() == 0
    entry = await AuditEntry.get(action="tip.routed")
    assert entry.details["unit"] == "TN" and entry.details["reason"] == "rule"

    private = await accounts.unlock_private_key(fp_tn, PASSWORD)
    opened = await inbox.open_tip(tip.id, fp_tn, private)
    assert opened.answers["description"].startswith("CANARY")
    triage = await inbox.file_content(opened, opened.files[0].id)
    assert has_gps(await inbox.file_content(opened, opened.files[0].id, original=True))
    assert not has_gps(triage)

    other = await accounts.unlock_private_key(fp_ly, PASSWORD)
    with pytest.raises(NoAccess):
        await inbox.open_tip(tip.id, fp_ly, other)
    with pytest.raises(NoAccess):
        await inbox.open_tip(tip.id, fp_tn, other)

    await accounts.recover(fp_tn, recovery, "a new password after forgetting")
    private = await accounts.unlock_private_key(fp_tn, "a new password after forgetting")
    assert (await inbox.open_tip(tip.id, fp_tn, private)).answers["child"] == "yes"


async def test_reporter_follows_up_with_the_receipt(db: str, monkeypatch) -> None:
    monkeypatch.setattr(followup, "clock", lambda: datetime(2027, 1, 14, 12, tzinfo=UTC))  # day
    _tn, fp_tn, _ = await unit_with_focal_point("TN", "TN")
    submitted = await intake.submit(SFAX_BOAT)
    opened = await receipts.open_tip(receipts.normalise(receipts.display(submitted.receipt)))
    assert opened is not None
    assert await receipts.open_tip("0" * 16) is None

    await followup.add_information(opened, "The boat is blue and white")
    await followup.add_file(opened, photo_with_gps())
    await followup.request_notice(opened, 987654321, "ar")
    assert await followup.due_notices() == []
    assert (await followup.view(opened)).notify_requested

    staff_view = await inbox.open_tip(
        submitted.tip_id, fp_tn, await accounts.unlock_private_key(fp_tn, PASSWORD)
    )
    assert [m.text for m in staff_view.messages] == ["The boat is blue and white"]
    assert len(staff_view.files) == 1 and staff_view.files[0].has_triage_copy
    await inbox.reply(staff_view, fp_tn, "Thank you, we are on it")

    view = await followup.view(opened)
    # The request became a notice to send (it is used once, so the person may ask again).
    assert view.messages[-1].text == "Thank you, we are on it" and not view.notify_requested
    (notice,) = await followup.due_notices()
    assert (notice.chat_id, notice.language) == (987654321, "ar")
    assert await followup.claim_notice(notice)
    assert not await followup.claim_notice(notice)  # a second bot process finds it taken
    assert await followup.due_notices() == []

    await followup.request_notice(opened, 987654321, "ar")
    assert (await followup.view(opened)).notify_requested
    await inbox.set_status(
        submitted.tip_id, fp_tn, TipStatus.CLOSED, reason="Referred", tip_key=opened.key
    )
    assert (await followup.view(opened)).notify_requested is False


async def test_empty_unit_falls_through_to_regional_desk(db: str) -> None:
    from core.models import Unit
    from tips.models import RoutingRule

    assert not await routing.can_receive_tips()
    with pytest.raises(intake.NobodyCanReceive):
        await intake.submit(SFAX_BOAT)
    empty = await Unit.create(code="TN", name="Tunisia", country="TN")
    await RoutingRule.create(country="TN", unit=empty)
    await unit_with_focal_point("REGIONAL", None)
    assert await routing.can_receive_tips()
    submitted = await intake.submit(SFAX_BOAT)
    assert submitted.unit_code == "REGIONAL"
    assert (await AuditEntry.get(action="tip.routed")).details["reason"] == "regional"


async def test_database_down_keeps_the_draft_and_writes_nothing(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    draft = drafts.DraftState(kind=drafts.REPORT, state="review", answers=SFAX_BOAT)
    await drafts.save(42, draft)
    real_create = Receipt.create

    async def database_gone(*args: object, **kwargs: object) -> None:
        raise ConnectionError("database went away")

    # The receipt row is the last write: tip, keys and audit rows are already in the transaction.
    Receipt.create = database_gone  # type: ignore[method-assign]
    try:
        with pytest.raises(intake.SubmitFailed):
            await intake.submit_draft(42, intake.new_token())
    finally:
        Receipt.create = real_create  # type: ignore[method-assign]
    assert await Tip.all().count() == 0 and await TipKey.all().count() == 0
    assert not await AuditEntry.filter(action__startswith="tip.").exists()
    assert await Draft.all().count() == 1
    submitted = await intake.submit_draft(42, intake.new_token())
    assert await Tip.all().count() == 1 and submitted.receipt
    assert await Draft.all().count() == 0 and await TipFile.all().count() == 0


def test_repeated_submissions_from_one_chat_are_limited() -> None:
    now = [0.0]
    bucket = abuse.TokenBucket("t", capacity=3, per_second=1 / 60, clock=lambda: now[0])
    assert [bucket.allow(7) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow(8)
    now[0] += 61
    assert bucket.allow(7) and not bucket.allow(7)
    assert all(len(key) == 64 and "7" != key for key in bucket._buckets)
