"""Stories of the inbox's scope: each focal point sees their own unit's tips, urgent ones first;
a focal point in Rabat cannot open a Tunis tip by changing an id (404, audited); what a reporter
wrote is shown as text, never run; roles without tips see no tip pages at all."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from admin import scope
from core.models import AuditEntry, Role, StaffMember
from tips.models import Tip

from .staff import (
    RABAT_OFFER,
    SFAX_BOAT,
    TUNIS_PAST,
    Browser,
    staff_member,
    submit,
    unit_with_focal_point,
)


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/tips/(\d+)"', page)]


async def test_focal_point_cannot_open_another_units_tip_by_id(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    sfax = await submit(SFAX_BOAT)
    offer = await submit(RABAT_OFFER)

    browser = Browser(client)
    await browser.sign_in(rabat)
    _status, inbox = await browser.page("/inbox")
    assert listed(inbox) == [offer]

    status, page = await browser.page(f"/tips/{sfax}")
    assert status == 404
    assert "There is no such tip in your inbox." in page and "forty people" not in page
    denied = await AuditEntry.get(action="tip.denied")
    assert (denied.actor, denied.target) == (f"staff:{rabat.id}", f"tip:{sfax}")
    assert denied.details["reason"] == "out of scope"
    assert not await AuditEntry.filter(action="tip.opened", actor=f"staff:{rabat.id}").exists()

    # Forged ids look the same from outside, and are audited for what they were.
    for forged, reason in (("999999", "no such tip"), ("1%20OR%201=1", "not an id")):
        status, page = await browser.page(f"/tips/{forged}")
        assert status == 404 and "There is no such tip in your inbox." in page
        assert (await AuditEntry.filter(action="tip.denied").first()).details["reason"] == reason

    # Its own unit's focal point opens it.
    await browser.sign_out()
    await browser.sign_in(tunis)
    status, page = await browser.page(f"/tips/{sfax}")
    assert status == 200 and "A boat leaves Sfax tonight with forty people" in page


async def test_the_inbox_shows_urgent_tips_first_and_pages_in_sql(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    urgent = await submit(SFAX_BOAT)
    normal = [await submit(TUNIS_PAST) for _ in range(50)]
    browser = Browser(client)
    await browser.sign_in(tunis)

    _status, first = await browser.page("/inbox")
    assert listed(first) == [urgent, *sorted(normal, reverse=True)[:49]]
    assert "forty people" not in first  # metadata only
    _status, second = await browser.page("/inbox?page=2")
    assert listed(second) == [min(normal)]
    for bad in ("0", "abc", "99999999999999999999", "-3"):
        status, page = await browser.page(f"/inbox?page={bad}")
        assert status == 400 and "There is no such page of the inbox." in page, bad


async def test_script_in_tip_text_is_escaped(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    script = '<script>alert("tip")</script><img src=x onerror="alert(1)">'
    tip_id = await submit(SFAX_BOAT | {"description": script, "place": "</dd><b>Sfax</b>"})
    browser = Browser(client)
    await browser.sign_in(tunis)
    status, page = await browser.page(f"/tips/{tip_id}")
    assert status == 200
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Sfax" not in page
    assert "&lt;script&gt;alert(&#34;tip&#34;)&lt;/script&gt;&lt;img src=x onerror=" in page
    assert "&lt;/dd&gt;&lt;b&gt;Sfax&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.AUDITOR, Role.ANALYST, Role.EDITOR, Role.APPROVER]
)
async def test_roles_without_tip_reading_see_no_tip_pages(client: TestClient, role: Role) -> None:
    unit, _tunis, _ = await unit_with_focal_point("TN", "TN")
    tip_id = await submit(SFAX_BOAT)
    member = await staff_member("someone", role, unit if role == Role.ANALYST else None)
    browser = Browser(client)
    await browser.sign_in(member)
    for path in ("/inbox", f"/tips/{tip_id}"):
        status, page = await browser.page(path)
        assert status == 403 and "Your role does not give access to this page." in page
        assert "forty people" not in page
    assert 'href="/inbox"' not in (await browser.page("/"))[1]
    assert await AuditEntry.filter(action="access.denied", actor=f"staff:{member.id}").count() == 2
    # And the one place that scopes tips agrees, whatever page asks it later.
    assert await scope.visible_tips(member).count() == 0
    with pytest.raises(scope.TipNotFound):
        await scope.tip_for(member, tip_id)
    counted = await scope.countable_tips(member).count()
    assert counted == (1 if role == Role.ANALYST else 0)


async def test_scope_follows_the_members_unit_and_activity(db: str) -> None:
    tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    sfax = await submit(SFAX_BOAT)
    lead = await staff_member("tn-lead", Role.UNIT_LEAD, tn)
    assert [t.id for t in await scope.visible_tips(tunis)] == [sfax]
    assert [t.id for t in await scope.visible_tips(lead)] == [sfax]
    assert await scope.visible_tips(rabat).count() == 0
    assert (await scope.tip_for(tunis, str(sfax))).id == sfax
    await StaffMember.filter(id=tunis.id).update(is_active=False)
    gone = await StaffMember.get(id=tunis.id)
    assert await scope.visible_tips(gone).count() == 0
    assert await Tip.filter(id=sfax).exists()
