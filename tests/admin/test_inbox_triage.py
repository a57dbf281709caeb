"""Stories of the Tunis unit working a tip from its page: the focal point acknowledges the urgent
Sfax tip, asks the reporter a question the reporter then reads with the tracking code, notes and
labels it; the lead gives it to a member and closes it with a written reason. Two members acting
at once lose nothing; everything is audited, never with what anyone wrote."""

from __future__ import annotations

import asyncio
import json
import re

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from admin.app import create_app
from core.models import AuditEntry, Role, StaffMember, Unit
from tips import followup, intake, receipts
from tips.models import NotifyRequest, Tip, TipNote, TipStatus

from .staff import SFAX_BOAT, TUNIS_PAST, Browser, staff_member, token_in, unit_with_focal_point

QUESTION = "Is the boat still at the port of Sfax?"


async def tunis_unit() -> tuple[Unit, StaffMember, StaffMember]:
    """The Tunis unit with its focal point and its lead (both hold keys to its new tips)."""
    unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    lead = await staff_member("tn-lead", Role.UNIT_LEAD, unit)
    return unit, focal_point, lead


async def signed_in(client: TestClient, member: StaffMember) -> Browser:
    browser = Browser(client)
    await browser.sign_in(member)
    return browser


async def post(browser: Browser, tip_id: int, action: str, **fields: str) -> ClientResponse:
    """Open the tip page and send one of its forms, as a person does."""
    return await browser.submit(f"/tips/{tip_id}", f"/tips/{tip_id}/{action}", **fields)


async def stale_form(browser: Browser, tip_id: int) -> str:
    """The page's form token, for a form sent later from a page that has not been reloaded."""
    _status, page = await browser.page(f"/tips/{tip_id}")
    return token_in(page)


def status_shown(page: str) -> str:
    found = re.search(r'<dd id="tip-status">([^<]*)</dd>', page)
    assert found, "the tip page shows no status"
    return found.group(1)


async def tip_status(tip_id: int) -> TipStatus:
    return (await Tip.get(id=tip_id)).status


async def test_focal_point_acknowledges_and_asks_the_reporter_who_reads_it_with_the_code(
    client: TestClient,
) -> None:
    _unit, focal_point, _lead = await tunis_unit()
    submitted = await intake.submit(SFAX_BOAT)
    tip_id = submitted.tip_id
    assert tip_id is not None
    reporter = await receipts.open_tip(submitted.receipt)
    assert reporter is not None
    await followup.request_notice(reporter, 987654321, "en", "TN")

    browser = await signed_in(client, focal_point)
    response = await post(browser, tip_id, "status", status="acknowledged", **{"from": "new"})
    assert response.status == 200 and response.url.path == f"/tips/{tip_id}"
    assert status_shown(await response.text()) == "Acknowledged"
    response = await post(browser, tip_id, "reply", text=QUESTION)
    page = await response.text()
    assert response.status == 200 and QUESTION in page
    assert "Focal point TN wrote to the reporter" in page

    # The reporter, with the tracking code, sees the status and the question.
    view = await followup.view(reporter)
    assert view.status == TipStatus.ACKNOWLEDGED
    assert [m.text for m in view.messages if not m.from_reporter] == [QUESTION]
    # The one notice they consented to is on its way, and their chat id left the tip.
    assert not await NotifyRequest.filter(tip_id=tip_id).exists()
    assert len(await followup.due_notices()) == 1

    # An empty message is refused with a clear page, and nothing is sent.
    response = await post(browser, tip_id, "reply", text="   ")
    assert response.status == 400
    assert "Write your message to the reporter first" in await response.text()
    assert len((await followup.view(reporter)).messages) == 1


async def test_closing_takes_the_lead_and_a_written_reason(client: TestClient) -> None:
    _unit, focal_point, lead = await tunis_unit()
    submitted = await intake.submit(SFAX_BOAT)
    tip_id = submitted.tip_id
    assert tip_id is not None
    reporter = await receipts.open_tip(submitted.receipt)
    assert reporter is not None
    await followup.request_notice(reporter, 987654321, "en", "TN")

    # A focal point is not offered "Closed", and a forged form is refused (and audited).
    browser = await signed_in(client, focal_point)
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert '<option value="closed"' not in page and 'name="reason"' not in page
    response = await post(browser, tip_id, "status", status="closed", reason="x", **{"from": "new"})
    assert response.status == 403 and "Only the unit lead can do this." in await response.text()
    assert await tip_status(tip_id) == TipStatus.NEW
    assert await AuditEntry.filter(action="access.denied", target=f"tip:{tip_id}").exists()
    await browser.sign_out()

    # The lead must say why; the page says so and keeps what the lead typed.
    await browser.sign_in(lead)
    response = await post(browser, tip_id, "status", status="closed", reason=" ", **{"from": "new"})
    assert response.status == 400
    assert "Write why the tip is closed" in await response.text()
    assert await tip_status(tip_id) == TipStatus.NEW

    reason = "Referred to the National Guard in Sfax, case 2027/114"
    response = await post(
        browser, tip_id, "status", status="closed", reason=reason, **{"from": "new"}
    )
    page = await response.text()
    assert response.status == 200 and status_shown(page) == "Closed"
    assert reason in page  # on the timeline, beside the status change
    tip = await Tip.get(id=tip_id)
    assert tip.closed_at is not None
    assert (await TipNote.get(tip_id=tip_id)).closes
    assert not await NotifyRequest.filter(tip_id=tip_id).exists()  # closing forgets the chat

    # Closed tips leave the default inbox and are found with the status filter.
    _status, inbox = await browser.page("/inbox")
    assert f"/tips/{tip_id}" not in inbox
    _status, inbox = await browser.page("/inbox?status=closed")
    assert f"/tips/{tip_id}" in inbox

    # Reopening is the lead's too.
    await browser.sign_out()
    await browser.sign_in(focal_point)
    response = await post(browser, tip_id, "status", status="investigating", **{"from": "closed"})
    assert response.status == 403 and await tip_status(tip_id) == TipStatus.CLOSED


async def test_two_members_changing_one_tip_at_once_lose_nothing(client: TestClient) -> None:
    _unit, focal_point, lead = await tunis_unit()
    tip_id = await intake_tip()
    salma = await signed_in(client, focal_point)
    # Karim works in another browser, served by another admin process on the same database.
    async with TestClient(TestServer(create_app())) as other:
        karim = await signed_in(other, lead)
        salma_token, karim_token = await stale_form(salma, tip_id), await stale_form(karim, tip_id)

        # Both moved the tip on from the same page ("new"): the second is refused, clearly,
        # with the reason the lead wrote still in the form, and the first one stands.
        first = await salma.client.post(
            f"/tips/{tip_id}/status",
            data={"csrf_token": salma_token, "status": "acknowledged", "from": "new"},
        )
        assert first.status == 200
        reason = "Duplicate of the tip from the port authority"
        second = await karim.client.post(
            f"/tips/{tip_id}/status",
            data={"csrf_token": karim_token, "status": "closed", "from": "new", "reason": reason},
        )
        page = await second.text()
        assert second.status == 409
        assert "Someone else changed this tip while you had it open" in page
        assert reason in page and status_shown(page) == "Acknowledged"
        assert await tip_status(tip_id) == TipStatus.ACKNOWLEDGED
        stale = await AuditEntry.get(action="tip.stale")
        assert (stale.actor, stale.details) == (f"staff:{lead.id}", {"what": "status"})

        # Notes and labels written at the same moment are all kept.
        notes = await asyncio.gather(
            salma.client.post(
                f"/tips/{tip_id}/notes", data={"csrf_token": salma_token, "text": "Salma's note"}
            ),
            karim.client.post(
                f"/tips/{tip_id}/notes", data={"csrf_token": karim_token, "text": "Karim's note"}
            ),
            salma.client.post(
                f"/tips/{tip_id}/labels", data={"csrf_token": salma_token, "name": "boat"}
            ),
            karim.client.post(
                f"/tips/{tip_id}/labels", data={"csrf_token": karim_token, "name": "boat"}
            ),
        )
        assert [r.status for r in notes] == [200, 200, 200, 200]
        _status, page = await salma.page(f"/tips/{tip_id}")
        assert "Salma&#39;s note" in page and "Karim&#39;s note" in page
        assert page.count("<span>boat</span>") == 1

        # Giving the tip away from a stale page is refused the same way.
        ok = await karim.client.post(
            f"/tips/{tip_id}/assign",
            data={"csrf_token": karim_token, "assignee": str(focal_point.id), "from": ""},
        )
        assert ok.status == 200
        late = await karim.client.post(
            f"/tips/{tip_id}/assign",
            data={"csrf_token": karim_token, "assignee": str(lead.id), "from": ""},
        )
        assert late.status == 409
        assert (await Tip.get(id=tip_id)).assignee_id == focal_point.id


async def intake_tip(answers: dict | None = None) -> int:
    submitted = await intake.submit(answers or SFAX_BOAT)
    assert submitted.tip_id is not None
    return submitted.tip_id


async def test_the_lead_gives_a_tip_to_a_member_of_the_unit_only(client: TestClient) -> None:
    unit, focal_point, lead = await tunis_unit()
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    tip_id = await intake_tip()

    browser = await signed_in(client, focal_point)
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert 'id="assign-form"' not in page
    response = await post(browser, tip_id, "assign", assignee=str(focal_point.id))
    assert response.status == 403
    await browser.sign_out()

    await browser.sign_in(lead)
    response = await post(browser, tip_id, "assign", assignee=str(rabat.id))
    assert response.status == 400
    assert "only be given to a focal point or lead of its unit" in await response.text()
    response = await post(browser, tip_id, "assign", assignee=str(focal_point.id))
    assert response.status == 200 and "Tn-Lead gave it to Focal point TN" in await response.text()
    await browser.sign_out()

    await browser.sign_in(focal_point)
    _status, mine = await browser.page("/inbox?assignee=me")
    assert f"/tips/{tip_id}" in mine
    _status, nobodys = await browser.page("/inbox?assignee=none")
    assert f"/tips/{tip_id}" not in nobodys
    await browser.sign_out()

    await browser.sign_in(lead)
    response = await post(browser, tip_id, "assign", assignee="", **{"from": str(focal_point.id)})
    assert "Tn-Lead gave it to nobody in particular" in await response.text()
    _status, nobodys = await browser.page("/inbox?assignee=none")
    assert f"/tips/{tip_id}" in nobodys
    assert (await Tip.get(id=tip_id)).unit_id == unit.id


async def test_every_action_on_a_tip_is_audited_without_its_words(client: TestClient) -> None:
    _unit, focal_point, lead = await tunis_unit()
    tip_id = await intake_tip()
    secret_words = {
        "reply": "SECRET-REPLY the boat at the port",
        "note": "SECRET-NOTE the driver's number",
        "reason": "SECRET-REASON referred to the coast guard",
    }
    browser = await signed_in(client, lead)
    await post(browser, tip_id, "status", status="investigating", **{"from": "new"})
    await post(browser, tip_id, "reply", text=secret_words["reply"])
    await post(browser, tip_id, "notes", text=secret_words["note"])
    await post(browser, tip_id, "labels", name="needs translation")
    label = await labelled_id(tip_id)
    await post(browser, tip_id, f"labels/{label}/remove")
    await post(browser, tip_id, "assign", assignee=str(focal_point.id))
    await post(
        browser,
        tip_id,
        "status",
        status="closed",
        reason=secret_words["reason"],
        **{"from": "investigating"},
    )

    entries = await AuditEntry.filter(target=f"tip:{tip_id}").order_by("id")
    actions = [e.action for e in entries if e.actor == f"staff:{lead.id}"]
    for action in (
        "tip.opened",
        "tip.status",
        "tip.replied",
        "tip.note",
        "tip.labelled",
        "tip.unlabelled",
        "tip.assigned",
    ):
        assert action in actions, action
    logged = json.dumps([[e.action, e.details] for e in await AuditEntry.all()])
    for words in (*secret_words.values(), "needs translation"):
        assert words not in logged
    assert "SECRET" not in logged


async def labelled_id(tip_id: int) -> int:
    from tips.models import TipLabel

    return (await TipLabel.get(tip_id=tip_id)).label_id


async def test_script_in_labels_notes_and_replies_is_shown_as_text(client: TestClient) -> None:
    _unit, focal_point, _lead = await tunis_unit()
    tip_id = await intake_tip(TUNIS_PAST)
    script = '<script>alert("x")</script>'
    browser = await signed_in(client, focal_point)
    await post(browser, tip_id, "labels", name=script)
    await post(browser, tip_id, "notes", text=f"<img src=x onerror=alert(1)>{script}")
    await post(browser, tip_id, "reply", text=f"<b>bold</b>{script}")
    for path in (f"/tips/{tip_id}", "/inbox"):
        status, page = await browser.page(path)
        assert status == 200
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
