"""Stories of escalation: an urgent boat from Sfax that nobody in Tunis acknowledges goes to the
Tunis unit lead after two hours and to the regional desk after four, each able to open it only
from then on; a tip someone acknowledged never escalates; two workers running the job at once
escalate a tip once. The job is driven with an injected clock, the people through the admin."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Role, StaffMember
from tips import escalation, inbox
from tips.models import Escalation, HeldKey, Tip, TipKey, TipStatus

from .staff import SFAX_BOAT, TUNIS_PAST, Browser, staff_member, submit, unit_with_focal_point

CANARY = "A boat leaves Sfax tonight with forty people"


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/tips/(\d+)"', page)]


async def received(tip_id: int) -> datetime:
    return (await Tip.get(id=tip_id)).created_at


class Desks:
    """One browser shared by several signed-in members, each with their own session."""

    def __init__(self, client: TestClient) -> None:
        self.browser = Browser(client)
        self.sessions: dict[int, str | None] = {}

    async def sees(self, member: StaffMember, tip_id: int) -> tuple[list[int], int, str]:
        """What `member` finds: the tips in their inbox, and the tip page's status and text."""
        if member.id not in self.sessions:
            self.browser.use_session_cookie(None)
            await self.browser.sign_in(member)
            self.sessions[member.id] = self.browser.session_cookie
        self.browser.use_session_cookie(self.sessions[member.id])
        _status, page = await self.browser.page("/inbox")
        status, tip_page = await self.browser.page(f"/tips/{tip_id}")
        return listed(page), status, tip_page


async def escalations() -> list[tuple[int, str, str, int]]:
    entries = await AuditEntry.filter(action="tip.escalated").order_by("id")
    return [
        (
            int(e.target.split(":")[1]),
            e.details["level"],
            e.details["unit"],
            e.details["members"],
        )
        for e in entries
    ]


async def test_unacknowledged_tip_is_escalated_to_the_unit_lead_then_the_regional_desk(
    client: TestClient,
) -> None:
    tn, _tunis, _ = await unit_with_focal_point("TN", "TN")
    _rd, desk, _ = await unit_with_focal_point("RD", None)  # the regional desk
    lead = await staff_member("tn-lead", Role.UNIT_LEAD, tn)
    boat = await submit(SFAX_BOAT)  # urgent
    past = await submit(TUNIS_PAST)  # normal
    start = await received(boat)
    desks = Desks(client)

    # Nobody has acknowledged it yet, and it is not yet time: the lead, who holds the unit's
    # keys, reads it in the unit's inbox; the regional desk does not even see it.
    assert await escalation.run(start + timedelta(hours=2) - timedelta(seconds=1)) == 0
    inbox_tips, status, page = await desks.sees(lead, boat)
    assert boat in inbox_tips and status == 200 and CANARY in page
    inbox_tips, status, page = await desks.sees(desk, boat)
    assert inbox_tips == [] and status == 404 and CANARY not in page

    # Two hours on: the urgent tip is escalated to the unit lead (who already holds its key).
    assert await escalation.run(start + timedelta(hours=2)) == 1
    assert [e[:3] for e in await escalations()] == [(boat, "unit_lead", "TN")]
    _inbox, status, page = await desks.sees(lead, boat)
    assert status == 200 and CANARY in page
    inbox_tips, status, _page = await desks.sees(desk, boat)
    assert inbox_tips == [] and status == 404

    # Four hours on and still new: the regional desk sees it in its inbox and reads it.
    assert await escalation.run(start + timedelta(hours=4)) == 1
    assert (await escalations())[1:] == [(boat, "regional_desk", "RD", 1)]
    inbox_tips, status, page = await desks.sees(desk, boat)
    assert inbox_tips == [boat] and status == 200 and CANARY in page
    assert past not in inbox_tips  # the normal tip waits 48 hours
    assert await escalation.run(start + timedelta(hours=5)) == 0  # each level happens once

    # Someone in Tunis acknowledges the normal tip: it never escalates, and the keys held for
    # its escalation are deleted.
    assert await HeldKey.filter(tip_id=past).count() == 1  # the desk's; the lead holds a key
    await inbox.set_status(past, _tunis, TipStatus.IN_REVIEW)
    assert await escalation.run(start + timedelta(days=30)) == 0
    assert not await Escalation.filter(tip_id=past).exists()
    assert not await HeldKey.filter(tip_id=past).exists()
    assert not await TipKey.filter(tip_id=past, staff_id=desk.id).exists()
    # Nothing a reporter wrote is in the audit log.
    assert all(CANARY not in str(e.details) for e in await AuditEntry.all())


async def test_a_normal_tip_waits_the_longer_delay_which_is_configurable(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import reset_settings

    monkeypatch.setenv("AMAN_ESCALATE_AFTER", "6h")
    reset_settings()
    tn, _tunis, _ = await unit_with_focal_point("TN", "TN")
    await unit_with_focal_point("RD", None)
    await staff_member("tn-lead", Role.UNIT_LEAD, tn)
    past = await submit(TUNIS_PAST)
    start = await received(past)
    assert await escalation.run(start + timedelta(hours=5)) == 0
    assert await escalation.run(start + timedelta(hours=6)) == 1
    assert await escalation.run(start + timedelta(hours=12)) == 1
    assert [(level, unit) for _t, level, unit, _n in await escalations()] == [
        ("unit_lead", "TN"),
        ("regional_desk", "RD"),
    ]


async def test_escalation_runs_once_with_two_workers(db: str) -> None:
    tn, _tunis, _ = await unit_with_focal_point("TN", "TN")
    _rd, desk, _ = await unit_with_focal_point("RD", None)
    lead = await staff_member("tn-lead", Role.UNIT_LEAD, tn)
    boat = await submit(SFAX_BOAT)
    late = await received(boat) + timedelta(hours=5)  # both levels are due at once

    # Two workers find the same tip due before either has claimed it ...
    found = [await escalation.due(escalation.UNIT_LEAD, late) for _worker in range(2)]
    assert [[t.id for t in tips] for tips in found] == [[boat], [boat]]
    claimed = await asyncio.gather(
        *(escalation.escalate(tips[0], escalation.UNIT_LEAD, late) for tips in found)
    )
    assert sorted(claimed) == [False, True]

    # ... and two whole runs of the job side by side.
    reached = await asyncio.gather(escalation.run(late), escalation.run(late))
    assert sum(reached) == 1

    assert await Escalation.filter(tip_id=boat).count() == 2
    # The lead held the unit's key from the start: escalating to them released no key.
    assert [(level, n) for _t, level, _u, n in await escalations()] == [
        ("unit_lead", 0),
        ("regional_desk", 1),
    ]
    for member in (lead, desk):
        assert await TipKey.filter(tip_id=boat, staff_id=member.id).count() == 1
