"""Stories of a campaign's approval at the admin's door: the editor submits, the approver finds
it in their queue and approves it, the author can never approve their own (a clear refusal,
audited), a reviewer sends it back with a comment the author reads, an approved campaign is
scheduled; other organisations and other roles see none of it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from admin.app import create_app
from campaigns.models import Campaign, CampaignState
from core.models import AuditEntry, Role

from .campaign_cast import campaign, moroccan_and_tunisian_subscribers, ngo
from .people import browsers
from .staff import Browser, staff_member, unit_with_focal_point


async def test_the_approver_approves_what_the_editor_submitted_and_the_author_cannot(
    db: str,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    draft = await campaign(cast)
    async with browsers(create_app()) as new:
        salma, youssef = await new(), await new()
        await salma.sign_in(cast["editor"])
        await youssef.sign_in(cast["approver"])

        _status, page = await salma.page(f"/campaigns/{draft.id}")
        assert "Submit for review" in page and "3 subscribers" in page
        submitted = await salma.submit(f"/campaigns/{draft.id}", f"/campaigns/{draft.id}/submit")
        assert submitted.status == 200 and "Submitted for review." in await submitted.text()

        # The author tries to approve anyway (a forged form): refused, said plainly, audited.
        refused = await salma.submit(f"/campaigns/{draft.id}", f"/campaigns/{draft.id}/approve")
        assert refused.status == 409
        assert "someone else must approve it (four eyes)" in await refused.text()
        assert (await Campaign.get(id=draft.id)).state == CampaignState.SUBMITTED
        assert await AuditEntry.exists(
            action="campaign.approve_refused", actor=f"staff:{cast['editor'].id}"
        )

        _status, queue = await youssef.page("/campaigns")
        assert "Waiting for your review" in queue and f'href="/campaigns/{draft.id}"' in queue
        approved = await youssef.submit(f"/campaigns/{draft.id}", f"/campaigns/{draft.id}/approve")
        assert approved.status == 200 and "Approved." in await approved.text()
    stored = await Campaign.get(id=draft.id)
    assert stored.state == CampaignState.APPROVED and stored.approved_by_id == cast["approver"].id
    entry = await AuditEntry.get(action="campaign.approve")
    assert entry.actor == f"staff:{cast['approver'].id}" and entry.target == f"campaign:{draft.id}"


async def test_a_reviewer_sends_a_campaign_back_with_a_comment_the_author_reads(
    db: str,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    waiting = await campaign(cast, state="submitted")
    async with browsers(create_app()) as new:
        salma, youssef = await new(), await new()
        await salma.sign_in(cast["editor"])
        await youssef.sign_in(cast["approver"])

        silent = await youssef.submit(f"/campaigns/{waiting.id}", f"/campaigns/{waiting.id}/reject")
        assert silent.status == 400 and "Say what should change" in await silent.text()
        assert (await Campaign.get(id=waiting.id)).state == CampaignState.SUBMITTED

        back = await youssef.submit(
            f"/campaigns/{waiting.id}",
            f"/campaigns/{waiting.id}/reject",
            comment="Add the UNHCR hotline number",
        )
        assert back.status == 200 and "Sent back to the author" in await back.text()
        _status, page = await salma.page(f"/campaigns/{waiting.id}")
        assert "Sent back by the reviewer:" in page and "Add the UNHCR hotline number" in page
        assert "Edit" in page and "Submit for review" in page
    assert (await Campaign.get(id=waiting.id)).state == CampaignState.DRAFT
    assert (await AuditEntry.get(action="campaign.reject")).details["reason"] == (
        "Add the UNHCR hotline number"
    )


async def test_an_approved_campaign_is_scheduled_from_its_page(client: TestClient) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    approved = await campaign(cast, state="approved")
    browser = Browser(client)
    await browser.sign_in(cast["approver"])
    done = await browser.submit(f"/campaigns/{approved.id}", f"/campaigns/{approved.id}/schedule")
    assert done.status == 200 and "Scheduled." in await done.text()
    stored = await Campaign.get(id=approved.id)
    assert stored.state == CampaignState.SCHEDULED and stored.next_run_at is not None
    assert await AuditEntry.exists(action="campaign.schedule", target=f"campaign:{approved.id}")


async def test_other_organisations_and_other_roles_see_no_campaign(client: TestClient) -> None:
    cast = await ngo()
    other = await ngo("Media Partner Tunis")
    await moroccan_and_tunisian_subscribers()
    theirs = await campaign(cast, state="submitted")

    browser = Browser(client)
    await browser.sign_in(other["approver"])
    status, page = await browser.page(f"/campaigns/{theirs.id}")
    assert status == 404 and "There is no such campaign." in page and "Know your rights" not in page
    _status, listing = await browser.page("/campaigns")
    assert "Know your rights" not in listing
    forged = await browser.submit("/campaigns", f"/campaigns/{theirs.id}/approve")
    assert forged.status == 404
    assert (await Campaign.get(id=theirs.id)).state == CampaignState.SUBMITTED
    await browser.sign_out()

    _unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    await browser.sign_in(focal_point)
    status, _page = await browser.page("/campaigns")
    assert status == 403
    assert await AuditEntry.exists(action="access.denied", actor=f"staff:{focal_point.id}")

    analyst = await staff_member("amal", Role.ANALYST)
    await browser.sign_out()
    await browser.sign_in(analyst)
    status, _page = await browser.page(f"/campaigns/{theirs.id}")
    assert status == 403
