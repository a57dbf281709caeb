"""Stories of what a campaign carries and where it can stumble: a poster and a leaflet that are
uploaded once and then reused by file_id, and a partner system that is down for a while or
for good."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

from campaigns import lifecycle, schedules
from campaigns.channels.webhook import add_endpoint
from campaigns.models import Delivery, Variant
from campaigns.outbox import state_counts
from tests.campaigns.conftest import Clock, drain, make_campaign, make_sender, subscribers, utc
from tests.e2e.story import eventually

CAPTION = "<b>Know the signs</b> of a fake job offer."


def poster() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def media_campaign(ngo: dict[str, Any], **media: Any) -> int:
    campaign = await make_campaign(ngo, {"en": CAPTION})
    await Variant.filter(campaign_id=campaign.id).update(**media)
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    return campaign.id


async def test_a_poster_is_uploaded_once_and_reused(db, botapi, sandbox, ngo):
    """Three subscribers get the poster with its caption; the picture travels once, then every
    other message names it by the file_id Telegram gave back."""
    chats = [7201, 7202, 7203]
    await subscribers(*[(chat, "MA", "en") for chat in chats])
    image = poster()
    campaign_id = await media_campaign(ngo, image=image)
    await drain(make_sender(botapi, rate=2))  # one at a time: each send sees the last answer

    file_ids = set()
    for chat in chats:
        (message,) = await sandbox.chat(chat).bot_messages()
        assert message["kind"] == "photo"
        assert message["caption"] == "Know the signs of a fake job offer."
        file_ids.add(message["file_id"])
    assert len(file_ids) == 1  # the same stored file: uploaded once
    assert await sandbox.file(file_ids.pop()) == image
    stats = await sandbox.stats()
    assert stats["calls"].get("sendPhoto") == 3 and "sendMessage" not in stats["calls"]
    assert await state_counts(campaign_id) == {"sent": 3}


async def test_a_poster_sent_at_full_speed_is_still_uploaded_once(db, botapi, sandbox, ngo):
    await subscribers(*[(chat, "MA", "en") for chat in (7211, 7212, 7213, 7214)])
    await sandbox.config(latency_ms=50)  # the first answer comes after the others have left
    await media_campaign(ngo, image=poster())
    await drain(make_sender(botapi, rate=500))
    file_ids = set()
    for chat in (7211, 7212, 7213, 7214):
        file_ids.update(m["file_id"] for m in await sandbox.chat(chat).bot_messages())
    assert len(file_ids) == 1


async def test_a_leaflet_is_sent_as_a_document_with_its_name(db, botapi, sandbox, ngo):
    chats = [7301, 7302, 7303]
    await subscribers(*[(chat, "TN", "en") for chat in chats])
    leaflet = b"%PDF-1.4 know your rights\n%%EOF\n"
    campaign_id = await media_campaign(ngo, document=leaflet, document_name="rights.pdf")
    await drain(make_sender(botapi, rate=2))

    file_ids = set()
    for chat in chats:
        (message,) = await sandbox.chat(chat).bot_messages()
        assert message["kind"] == "document" and message["file_name"] == "rights.pdf"
        assert message["caption"] == "Know the signs of a fake job offer."
        file_ids.add(message["file_id"])
    assert len(file_ids) == 1
    assert await sandbox.file(file_ids.pop()) == leaflet
    assert (await sandbox.stats())["calls"].get("sendDocument") == 3
    assert await state_counts(campaign_id) == {"sent": 3}


@pytest.fixture
async def partner() -> AsyncIterator[dict[str, Any]]:
    """A partner's SMS gateway whose answers the story decides; it notes every request."""
    state: dict[str, Any] = {"answers": [], "requests": []}

    async def gateway(request: web.Request) -> web.Response:
        await request.read()
        state["requests"].append(request.headers["X-Aman-Delivery"])
        answers = state["answers"]
        return web.Response(status=answers.pop(0) if len(answers) > 1 else answers[0])

    app = web.Application()
    app.router.add_post("/sms", gateway)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}/sms"
    try:
        yield state
    finally:
        await runner.cleanup()


async def webhook_campaign(ngo: dict[str, Any], url: str, now: Any) -> int:
    endpoint, _ = await add_endpoint("SMS gateway", url)
    campaign = await make_campaign(ngo, {"en": "Check before you go."},
                                   channels={"dm": False, "webhooks": [endpoint.id]})  # fmt: skip
    await lifecycle.schedule(campaign, ngo["approver"], now=now)
    await schedules.run_due(now)
    return campaign.id


async def _answered(campaign_id: int, tries: int) -> bool:
    row = await Delivery.get(campaign_id=campaign_id)
    return row.attempts > tries and row.state != "sending"


async def follow_retries(
    sender: Any, clock: Clock, campaign_id: int, done: Callable[[Delivery], bool]
) -> list[Delivery]:
    """Run the sender; each time the row waits for a retry, move the clock to its due time.
    Returns the row as it was after each attempt."""
    seen: list[Delivery] = []
    task = asyncio.create_task(sender.run())
    try:
        while True:
            await eventually(lambda tries=len(seen): _answered(campaign_id, tries))
            row = await Delivery.get(campaign_id=campaign_id)
            seen.append(row)
            if done(row) or len(seen) > 10:
                return seen
            clock.now = row.next_attempt_at
    finally:
        sender.stop()
        await asyncio.wait_for(task, 5)
        await drain(sender, limit=5)


async def test_a_partner_down_for_a_moment_gets_the_message_once(db, botapi, ngo, partner):
    """The gateway answers 502 twice, then 200: the sender waits longer each time, and the
    message is delivered once, always under the same delivery id."""
    partner["answers"] = [502, 502, 200]
    start = utc(2026, 7, 1, 10)
    clock = Clock(start)
    campaign_id = await webhook_campaign(ngo, partner["url"], start)
    rows = await follow_retries(make_sender(botapi, clock), clock, campaign_id,
                                lambda row: row.state == "sent")  # fmt: skip

    assert [r.state for r in rows] == ["queued", "queued", "sent"]
    assert [r.error for r in rows[:2]] == ["HTTP 502", "HTTP 502"]
    first_wait = rows[0].next_attempt_at - start
    second_wait = rows[1].next_attempt_at - rows[0].next_attempt_at
    assert timedelta(0) < first_wait < second_wait  # backoff grows
    assert len(partner["requests"]) == 3 and len(set(partner["requests"])) == 1
    assert await state_counts(campaign_id) == {"sent": 1}


async def test_a_partner_that_stays_down_ends_failed_with_a_reason(db, botapi, ngo, partner):
    partner["answers"] = [502]
    start = utc(2026, 7, 2, 10)
    clock = Clock(start)
    campaign_id = await webhook_campaign(ngo, partner["url"], start)
    sender = make_sender(botapi, clock)
    rows = await follow_retries(sender, clock, campaign_id, lambda row: row.state == "failed")

    assert [r.state for r in rows] == ["queued"] * (sender.max_attempts - 1) + ["failed"]
    assert rows[-1].error == "HTTP 502" and rows[-1].attempts == sender.max_attempts
    assert len(partner["requests"]) == sender.max_attempts
    assert await state_counts(campaign_id) == {"failed": 1}
