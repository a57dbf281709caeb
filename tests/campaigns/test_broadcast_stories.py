"""Stories of a campaign going out: an NGO's bilingual push to Morocco, a sender killed
mid-send, Telegram's flood control, and a pause in the middle of a run."""

from __future__ import annotations

import asyncio

import pytest

from campaigns import lifecycle, schedules
from campaigns.lifecycle import TransitionRefused
from campaigns.models import Campaign, CampaignState, Delivery, ScheduleKind
from campaigns.outbox import state_counts
from campaigns.subscriptions import subscription_of
from core.models import AuditEntry
from tests.campaigns.conftest import (
    Clock,
    drain,
    make_campaign,
    make_sender,
    subscribers,
    utc,
)

AR = "<b>اعرف حقوقك</b>: لا أحد يحق له أخذ جواز سفرك."
FR = "<b>Connaissez vos droits</b> : personne n'a le droit de garder votre passeport."


async def test_ngo_campaign_to_morocco_at_nine_casablanca_time(db, botapi, sandbox, ngo):
    """Salma writes an Arabic/French campaign for Morocco; she cannot approve it herself,
    Youssef does; it goes out at 09:00 Casablanca time in each reader's language, and the
    person who blocked the bot is skipped and unsubscribed."""
    await subscribers(
        (2101, "MA", "ar"), (2102, "MA", "fr"), (2103, "MA", "ha"), (2104, "MA", "ar"),
        (2105, "TN", "ar"),
    )  # fmt: skip
    await sandbox.config(block=[2104])
    campaign = await make_campaign(
        ngo, {"ar": AR, "fr": FR}, approve=False, default_language="fr",
        audience={"countries": ["MA"]}, schedule_kind=ScheduleKind.AT,
        schedule_params={"at": "2026-05-04T09:00"}, timezone="Africa/Casablanca",
    )  # fmt: skip
    await lifecycle.submit(campaign, ngo["editor"])
    with pytest.raises(TransitionRefused, match="four eyes"):
        await lifecycle.approve(campaign, ngo["editor"])
    await lifecycle.approve(campaign, ngo["approver"])
    await lifecycle.schedule(campaign, ngo["approver"], now=utc(2026, 5, 1, 12))
    assert campaign.next_run_at == utc(2026, 5, 4, 8)  # 09:00 in Casablanca (UTC+1)

    assert await schedules.run_due(utc(2026, 5, 4, 7, 59)) == 0
    assert await schedules.run_due(utc(2026, 5, 4, 8, 0)) == 4
    await drain(make_sender(botapi, Clock(utc(2026, 5, 4, 8, 0))))

    texts = {}
    for chat in (2101, 2102, 2103, 2104, 2105):
        texts[chat] = [m.get("source") for m in await sandbox.chat(chat).bot_messages()]
    assert texts[2101] == [AR]
    assert texts[2102] == [FR]
    assert texts[2103] == [FR]  # Hausa: no Hausa or English variant, the campaign's default
    assert texts[2104] == [] and texts[2105] == []
    assert await state_counts(campaign.id) == {"sent": 3, "blocked": 1}
    assert await subscription_of(2104) is None
    await campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT
    actions = [a.action for a in await AuditEntry.filter(target=f"campaign:{campaign.id}")]
    for action in ("submit", "approve_refused", "approve", "schedule", "start", "finish_run"):
        assert f"campaign.{action}" in actions


async def test_sender_killed_mid_send_resumes_without_duplicates(db, botapi, sandbox, ngo):
    """The worker dies while messages are in flight; after a restart the in-flight ones are
    recorded unknown, the rest are sent, and nobody gets the message twice."""
    await subscribers(*[(3000 + n, "TN", "fr") for n in range(60)])
    await sandbox.config(latency_ms=40)
    campaign = await make_campaign(ngo, {"fr": FR})
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())

    first = make_sender(botapi, rate=100)  # batches of 5: most rows are still queued
    task = asyncio.create_task(first.run())
    for _ in range(200):
        await asyncio.sleep(0.02)
        if first.stats.sent >= 5 and first._in_flight:
            break
    task.cancel()  # like kill -9: nothing after this point is written by the first sender
    with pytest.raises(asyncio.CancelledError):
        await task
    await first.channels["dm"].api.close()
    in_flight = await Delivery.filter(campaign_id=campaign.id, state="sending").count()
    assert 1 <= in_flight < 60

    await sandbox.config(latency_ms=0)
    second = make_sender(botapi, rate=200)
    assert await second.recover() == in_flight
    await drain(second)

    counts = await state_counts(campaign.id)
    assert counts.get("unknown") == in_flight, counts
    assert counts.get("sent", 0) + in_flight == 60
    stats = await sandbox.stats()
    assert stats["duplicate_messages"] == 0 and stats["duplicate_chats"] == []
    assert stats["delivered_total"] >= counts.get("sent", 0) > 0
    await campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT


async def test_flood_control_pauses_every_send(db, botapi, sandbox, ngo):
    """Telegram allows fewer messages than the sender was told: the first 429 pauses all
    sending for retry_after, the message is retried, and nothing is lost or doubled."""
    await subscribers(*[(4000 + n, "EG", "ar") for n in range(8)])
    await sandbox.config(flood_global_per_second=5)
    campaign = await make_campaign(ngo, {"ar": AR})
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    sender = make_sender(botapi, rate=100)
    await drain(sender, limit=15)
    stats = await sandbox.stats()
    assert 1 <= stats["flood_429"] <= 3  # honoured: one pause, not a storm of retries
    assert sender.stats.flood_429 == stats["flood_429"]
    assert stats["delivered_total"] == 8 and stats["duplicate_messages"] == 0
    assert await state_counts(campaign.id) == {"sent": 8}


async def test_pause_and_resume_mid_run(db, botapi, sandbox, ngo):
    """The NGO pauses a campaign half-way: the sender stops within a batch; after resume the
    rest goes out."""
    await subscribers(*[(5000 + n, "DZ", "fr") for n in range(12)])
    campaign = await make_campaign(ngo, {"fr": FR})
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    sender = make_sender(botapi, rate=20)
    task = asyncio.create_task(sender.run())
    for _ in range(200):
        await asyncio.sleep(0.02)
        if sender.stats.sent >= 3:
            break
    await lifecycle.pause(await Campaign.get(id=campaign.id), ngo["approver"])
    await asyncio.sleep(0.5)  # longer than the sender's state check (0.2 s) plus one batch
    sent_at_pause = (await sandbox.stats())["delivered_total"]
    await asyncio.sleep(0.3)
    assert (await sandbox.stats())["delivered_total"] == sent_at_pause < 12
    assert (await state_counts(campaign.id)).get("queued", 0) == 12 - sent_at_pause

    await lifecycle.resume(await Campaign.get(id=campaign.id), ngo["approver"])
    sender.stop()
    await asyncio.wait_for(task, 5)
    await drain(make_sender(botapi, rate=200))
    assert await state_counts(campaign.id) == {"sent": 12}
    assert (await sandbox.stats())["duplicate_messages"] == 0
