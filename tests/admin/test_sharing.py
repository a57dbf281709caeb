"""Stories of cross-border sharing: the Tunis lead opens the unit's tips like its focal point,
shares the Sfax tip with the Libya unit for a written reason, and a Libya member reads it while
Morocco still cannot; both units see the share, the audit log records the fact without the
reason; and a member who joins a unit later is given the tips the unit already has."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from admin import scope
from admin.app import create_app
from core.models import AuditEntry, Role, StaffMember, Unit
from tips.models import TipKey, TipShare

from .people import NewBrowser, browsers
from .staff import SFAX_BOAT, Browser, staff_member, submit, token_in, unit_with_focal_point

REASON = "The boat is said to come from Zuwara: Libya may know the organiser."
SFAX_WORDS = "A boat leaves Sfax tonight with forty people"


@pytest.fixture
async def new(db: str) -> AsyncIterator[NewBrowser]:
    async with browsers(create_app()) as new:
        yield new


async def _cast() -> dict:
    tn, tunis_fp, _ = await unit_with_focal_point("TN", "TN")
    ly, libya_fp, _ = await unit_with_focal_point("LY", "LY")
    _ma, rabat_fp, _ = await unit_with_focal_point("MA", "MA")
    tunis_lead = await staff_member("lead-tn", Role.UNIT_LEAD, tn)
    return {"tn": tn, "ly": ly, "tunis_fp": tunis_fp, "tunis_lead": tunis_lead,
            "libya_fp": libya_fp, "rabat_fp": rabat_fp}  # fmt: skip


async def _share(browser: Browser, tip_id: int, unit: Unit, reason: str):
    return await browser.submit(
        f"/tips/{tip_id}/share", f"/tips/{tip_id}/share", unit=str(unit.id), reason=reason
    )


async def _unit_id(code: str) -> int:
    return (await Unit.get(code=code)).id


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/tips/(\d+)"', page)]


async def test_unit_lead_can_open_its_units_tips(new: NewBrowser) -> None:
    tn, _tunis_fp, _ = await unit_with_focal_point("TN", "TN")
    lead = await staff_member("lead-tn", Role.UNIT_LEAD, tn)
    sfax = await submit(SFAX_BOAT)
    assert await TipKey.filter(tip_id=sfax, staff_id=lead.id).exists()

    browser = await new()
    await browser.sign_in(lead)
    _status, inbox = await browser.page("/inbox")
    assert listed(inbox) == [sfax]
    status, page = await browser.page(f"/tips/{sfax}")
    assert status == 200 and SFAX_WORDS in page


async def test_a_tip_shared_with_libya_is_read_by_a_libya_member(new: NewBrowser) -> None:
    cast = await _cast()
    sfax = await submit(SFAX_BOAT)
    libya, rabat = await new(), await new()

    # Before the share, Libya cannot open it.
    await libya.sign_in(cast["libya_fp"])
    assert (await libya.page(f"/tips/{sfax}"))[0] == 404
    await libya.sign_out()

    lead = await new()
    await lead.sign_in(cast["tunis_lead"])
    _status, form_page = await lead.page(f"/tips/{sfax}/share")
    options = re.findall(r'<option value="(\d+)"', form_page)
    assert sorted(options) == sorted([str(cast["ly"].id), str(await _unit_id("MA"))])
    shared = await _share(lead, sfax, cast["ly"], REASON)
    assert shared.status == 200 and shared.url.path == f"/tips/{sfax}/share"
    page = await shared.text()
    assert "The tip is shared." in page and REASON in page and "LY unit" in page
    await lead.sign_out()

    await libya.sign_in(cast["libya_fp"])
    _status, inbox = await libya.page("/inbox")
    assert sfax in listed(inbox)
    status, page = await libya.page(f"/tips/{sfax}")
    assert status == 200 and SFAX_WORDS in page
    status, timeline = await libya.page(f"/tips/{sfax}/share")
    assert status == 200 and REASON in timeline and "From TN unit to LY unit" in timeline
    assert "Share the tip" not in timeline  # only the tip's own unit shares it onward

    await rabat.sign_in(cast["rabat_fp"])
    status, page = await rabat.page(f"/tips/{sfax}")
    assert status == 404 and SFAX_WORDS not in page
    status, page = await rabat.page(f"/tips/{sfax}/share")
    assert status == 404 and REASON not in page
    assert sfax not in listed((await rabat.page("/inbox"))[1])


async def test_sharing_needs_a_reason_and_is_audited(new: NewBrowser) -> None:
    cast = await _cast()
    sfax = await submit(SFAX_BOAT)
    lead = await new()
    await lead.sign_in(cast["tunis_lead"])

    for reason in ("", "   ", "because"):
        refused = await _share(lead, sfax, cast["ly"], reason)
        assert refused.status == 400
        assert "Write why you share this tip" in await refused.text()
    assert not await TipShare.exists()
    assert not await TipKey.filter(tip_id=sfax, staff_id=cast["libya_fp"].id).exists()
    assert await AuditEntry.filter(action="tip.share_refused").count() == 3

    # A forged unit, or the tip's own unit, is no place to share it with.
    for unit_id in ("999999", str(cast["tn"].id), "x"):
        refused = await lead.submit(
            f"/tips/{sfax}/share", f"/tips/{sfax}/share", unit=unit_id, reason=REASON
        )
        assert refused.status == 400 and "Choose another unit" in await refused.text()

    assert (await _share(lead, sfax, cast["ly"], REASON)).status == 200
    again = await _share(lead, sfax, cast["ly"], REASON)
    assert again.status == 400 and "already shared with that unit" in await again.text()

    entry = await AuditEntry.get(action="tip.shared")
    assert entry.actor == f"staff:{cast['tunis_lead'].id}" and entry.target == f"tip:{sfax}"
    assert entry.details == {"from_unit": "TN", "to_unit": "LY", "members": 1}
    everything = "".join(str(e.details) for e in await AuditEntry.all())
    assert "Zuwara" not in everything  # the reason is case detail: never in the audit log
    share = await TipShare.get()
    assert b"Zuwara" not in bytes(share.reason)  # encrypted with the tip key

    # A focal point is not a lead: the form is not theirs to send.
    focal = await new()
    await focal.sign_in(cast["tunis_fp"])
    _status, page = await focal.page(f"/tips/{sfax}/share")
    assert "Share the tip" not in page and REASON in page  # its own unit's timeline shows it
    response = await focal.client.post(
        f"/tips/{sfax}/share",
        data={"csrf_token": token_in(await (await focal.get("/inbox")).text()),
              "unit": str(cast["ly"].id), "reason": REASON},
    )  # fmt: skip
    assert response.status == 403
    assert await AuditEntry.filter(action="access.denied").exists()


async def test_a_new_member_is_given_the_units_tips(new: NewBrowser) -> None:
    cast = await _cast()
    libya_lead = await staff_member("lead-ly", Role.UNIT_LEAD, cast["ly"])
    sfax = await submit(SFAX_BOAT)
    lead = await new()
    await lead.sign_in(cast["tunis_lead"])
    assert (await _share(lead, sfax, cast["ly"], REASON)).status == 200

    # Tunis takes on a new focal point after the tip came: it was not sealed to them.
    newcomer = await staff_member("newcomer", Role.FOCAL_POINT, cast["tn"])
    member = await new()
    await member.sign_in(newcomer)
    status, page = await member.page(f"/tips/{sfax}")
    assert status == 403 and "not sealed to your key" in page

    _status, unit_page = await lead.page("/unit")
    assert "Newcomer" in unit_page and "0 / 1" in unit_page
    given = await lead.submit("/unit", f"/unit/members/{newcomer.id}/give-tips")
    assert given.status == 200 and "Tips given to Newcomer: 1." in await given.text()
    status, page = await member.page(f"/tips/{sfax}")
    assert status == 200 and SFAX_WORDS in page
    entry = await AuditEntry.get(action="unit.tips_given")
    assert entry.actor == f"staff:{cast['tunis_lead'].id}"
    assert entry.target == f"staff:{newcomer.id}" and entry.details["tips"] == 1

    # Libya's newcomer is given the tips shared with Libya the same way, by Libya's lead.
    libyan = await staff_member("libyan", Role.FOCAL_POINT, cast["ly"])
    giver = await new()
    await giver.sign_in(libya_lead)
    given = await giver.submit("/unit", f"/unit/members/{libyan.id}/give-tips")
    assert "Tips given to Libyan: 1." in await given.text()
    reader = await new()
    await reader.sign_in(libyan)
    status, page = await reader.page(f"/tips/{sfax}")
    assert status == 200 and SFAX_WORDS in page

    # A member of another unit is not the lead's to give to (404, audited); a focal point
    # cannot give at all.
    refused = await lead.submit("/unit", f"/unit/members/{cast['rabat_fp'].id}/give-tips")
    assert refused.status == 404
    assert not await TipKey.filter(tip_id=sfax, staff_id=cast["rabat_fp"].id).exists()
    assert (await member.page("/unit"))[0] == 403


async def test_an_inbox_nothing_is_shared_with_stays_one_range_of_its_own_tips(
    new: NewBrowser,
) -> None:
    """Most units receive no shares: their inbox must stay the query an index serves in order
    (an OR with the shares would read and sort every tip of the unit on each page)."""
    cast = await _cast()
    sfax = await submit(SFAX_BOAT)
    libya = await StaffMember.get(id=cast["libya_fp"].id)  # as the admin loads a member
    await scope.prepare(libya)
    assert "tip_share" not in scope.visible_tips(libya).sql()
    assert await scope.visible_tips(libya).count() == 0

    lead = await new()
    await lead.sign_in(cast["tunis_lead"])
    assert (await _share(lead, sfax, cast["ly"], REASON)).status == 200
    await scope.prepare(libya)  # the next request
    assert "tip_share" in scope.visible_tips(libya).sql()
    assert await scope.visible_tips(libya).values_list("id", flat=True) == [sfax]
    rabat = await StaffMember.get(id=cast["rabat_fp"].id)
    await scope.prepare(rabat)
    assert "tip_share" not in scope.visible_tips(rabat).sql()
