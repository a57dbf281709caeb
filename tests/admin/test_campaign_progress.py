"""Stories of a campaign while it sends, at the admin's door: the editor watches the numbers
(sent, blocked, remaining, rate) move on the progress page's JSON as the sender works through
the local Bot API, pauses and resumes it from there, and an approver cancels another one, whose
queued messages are then never sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from campaigns import schedules
from campaigns.models import Campaign, CampaignState
from core.botapi import SandboxClient, start_server
from core.models import AuditEntry
from tests.campaigns.conftest import drain, make_sender

from .campaign_cast import campaign, moroccan_and_tunisian_subscribers, ngo
from .staff import Browser


@pytest.fixture
async def botapi() -> AsyncIterator[Any]:
    server = await start_server()
    try:
        yield server
    finally:
        await server.stop()


async def numbers(browser: Browser, campaign_id: int) -> dict[str, Any]:
    response = await browser.get(f"/campaigns/{campaign_id}/progress.json")
    assert response.status == 200
    return await response.json()


async def test_the_editor_watches_it_send_and_pauses_and_resumes_it(
    client: TestClient, botapi: Any
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    async with SandboxClient(botapi.url) as sandbox:
        await sandbox.config(block=[1003])
    going = await campaign(cast, state="scheduled")
    assert await schedules.run_due(datetime.now(UTC)) == 3  # the three readers in Morocco

    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    status, page = await browser.page(f"/campaigns/{going.id}/progress")
    assert status == 200 and "Remaining" in page and "campaign-progress.js" in page
    before = await numbers(browser, going.id)
    assert (before["state"], before["remaining"], before["sent"]) == ("sending", 3, 0)

    paused = await browser.submit(
        f"/campaigns/{going.id}/progress", f"/campaigns/{going.id}/pause", back="progress"
    )
    assert paused.status == 200 and paused.url.path.endswith("/progress")
    assert "Paused." in await paused.text()
    assert (await numbers(browser, going.id))["state"] == "paused"
    resumed = await browser.submit(
        f"/campaigns/{going.id}/progress", f"/campaigns/{going.id}/resume", back="progress"
    )
    assert "Resumed." in await resumed.text()

    await drain(make_sender(botapi))
    after = await numbers(browser, going.id)
    assert after["state"] == "sent"
    assert (after["sent"], after["blocked"], after["remaining"], after["done"]) == (2, 1, 0, 3)
    assert after["rate"] > 0
    actions = [e.action for e in await AuditEntry.filter(target=f"campaign:{going.id}")]
    assert "campaign.pause" in actions and "campaign.resume" in actions


async def test_a_cancelled_campaign_sends_nothing_more(client: TestClient, botapi: Any) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    going = await campaign(cast, state="scheduled")
    assert await schedules.run_due(datetime.now(UTC)) == 3

    browser = Browser(client)
    await browser.sign_in(cast["approver"])
    cancelled = await browser.submit(
        f"/campaigns/{going.id}/progress", f"/campaigns/{going.id}/cancel", back="progress"
    )
    assert "Cancelled: nothing more will be sent." in await cancelled.text()
    await drain(make_sender(botapi))
    after = await numbers(browser, going.id)
    assert (after["state"], after["sent"], after["skipped"], after["remaining"]) == (
        "cancelled",
        0,
        3,
        0,
    )
    assert (await Campaign.get(id=going.id)).state == CampaignState.CANCELLED
    async with SandboxClient(botapi.url) as sandbox:
        assert await sandbox.chat(1001).bot_messages() == []
