"""Stories of where and when campaigns go: a partner's channel and a partner system's signed
webhook, an alert that expired, a message held back for the night, a welcome series, and the
numbers the NGO sees afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

from aiohttp import web

from campaigns import analytics, lifecycle, schedules
from campaigns.channels.webhook import add_endpoint, signature
from campaigns.models import (
    Campaign,
    CampaignState,
    Delivery,
    PartnerChannel,
    ScheduleKind,
    Subscriber,
    Variant,
)
from campaigns.outbox import state_counts
from campaigns.subscriptions import subscription_of
from tests.campaigns.conftest import Clock, drain, make_campaign, make_sender, subscribers, utc

ALERT = "⚠️ Fake job offers for Libya are circulating this week. Check before you go."


async def test_partner_channel_and_signed_webhook(db, botapi, sandbox, ngo):
    """A radio newsroom gets the campaign as a signed POST it can verify; a partner's Telegram
    channel gets it as a post."""
    received: list[tuple[dict, bool]] = []
    endpoint, secret = await add_endpoint("Radio Mars", "http://placeholder")

    async def newsroom(request: web.Request) -> web.Response:
        body = await request.read()
        stamp = request.headers["X-Aman-Timestamp"]
        good = request.headers["X-Aman-Signature"] == signature(secret.encode(), stamp, body)
        received.append((json.loads(body), good))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/aman", newsroom)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint.url = f"http://127.0.0.1:{port}/aman"
    await endpoint.save()
    try:
        await sandbox.add_channel(-100777, "Migrants Info TN")
        channel = await PartnerChannel.create(title="Migrants Info TN", chat_id=-100777)
        campaign = await make_campaign(
            ngo,
            {"en": ALERT},
            channels={"dm": False, "partner_channels": [channel.id], "webhooks": [endpoint.id]},
        )
        await lifecycle.schedule(campaign, ngo["approver"])
        await schedules.run_due(schedules.utcnow())
        await drain(make_sender(botapi))
    finally:
        await runner.cleanup()

    assert len(received) == 1
    body, verified = received[0]
    assert verified and body["text"] == ALERT and body["campaign"] == campaign.id
    posts = await sandbox.chat(-100777, chat_type="channel").bot_messages()
    assert [p["text"] for p in posts] == [ALERT]
    assert await state_counts(campaign.id) == {"sent": 2}


async def test_expired_alert_is_never_sent(db, botapi, sandbox, ngo):
    """An alert about a boat leaving tonight expires at midnight: one run is due after that and
    is never sent; another was queued in time but the sender only gets to it too late."""
    await subscribers((6101, "LY", "en"), (6102, "LY", "en"))
    late = await make_campaign(ngo, {"en": ALERT}, expires_at=utc(2026, 6, 1))
    await lifecycle.schedule(late, ngo["approver"], now=utc(2026, 6, 1, 0, 5))
    assert await schedules.run_due(utc(2026, 6, 1, 0, 5)) == 0

    queued = await make_campaign(ngo, {"en": ALERT}, expires_at=utc(2026, 6, 1))
    await lifecycle.schedule(queued, ngo["approver"], now=utc(2026, 5, 31, 23, 50))
    assert await schedules.run_due(utc(2026, 5, 31, 23, 50)) == 2
    await drain(make_sender(botapi, Clock(utc(2026, 6, 1, 0, 1))))

    assert (await sandbox.stats())["delivered_total"] == 0
    assert await state_counts(late.id) == {}
    assert await state_counts(queued.id) == {"skipped": 2}
    for campaign in (late, queued):
        await campaign.refresh_from_db()
        assert campaign.state == CampaignState.SENT


async def test_quiet_hours_hold_messages_until_morning(db, botapi, sandbox, ngo):
    """At 23:00 in Cairo nobody there is woken up; the message goes at 08:00 local time."""
    await subscribers((6201, "EG", "ar"), (6202, "EG", "ar"))
    campaign = await make_campaign(ngo, {"ar": ALERT}, quiet_hours=True)
    night = utc(2026, 3, 10, 21)  # 23:00 in Cairo (UTC+2)
    await lifecycle.schedule(campaign, ngo["approver"], now=night)
    await schedules.run_due(night)
    await drain(make_sender(botapi, Clock(night)))
    assert (await sandbox.stats())["delivered_total"] == 0
    rows = await Delivery.filter(campaign_id=campaign.id)
    assert {r.next_attempt_at for r in rows} == {utc(2026, 3, 11, 6)}  # 08:00 in Cairo

    await drain(make_sender(botapi, Clock(utc(2026, 3, 11, 6, 1))))
    assert await state_counts(campaign.id) == {"sent": 2}


async def test_welcome_series_sends_each_step_once(db, botapi, sandbox, ngo):
    """Day 0 and day 3 of a welcome series reach each new subscriber once, when due."""
    start = utc(2026, 4, 1, 10)
    campaign = await make_campaign(
        ngo,
        {"en": "Welcome to Aman."},
        schedule_kind=ScheduleKind.SEQUENCE,
        schedule_params={"steps": [0, 3]},
    )
    await Variant.create(campaign=campaign, language="en", step=3, text="Day 3: know the signs.")
    await lifecycle.schedule(campaign, ngo["approver"], now=start)
    await subscribers((6301, "MA", "en"), (6302, "TN", "en"))
    await Subscriber.filter(id=(await subscription_of(6301)).id).update(subscribed_at=start)
    later = start + timedelta(days=2)
    await Subscriber.filter(id=(await subscription_of(6302)).id).update(subscribed_at=later)

    async def tick(at):
        await schedules.run_due(at)
        await drain(make_sender(botapi, Clock(at)))

    for at in (
        start + timedelta(minutes=1),
        later + timedelta(minutes=1),
        start + timedelta(days=3, minutes=2),
        start + timedelta(days=3, minutes=3),
        later + timedelta(days=3, minutes=1),
    ):
        await Campaign.filter(id=campaign.id).update(next_run_at=at)
        await tick(at)

    first = [m["text"] for m in await sandbox.chat(6301).bot_messages()]
    second = [m["text"] for m in await sandbox.chat(6302).bot_messages()]
    assert first == ["Welcome to Aman.", "Day 3: know the signs."]
    assert second == ["Welcome to Aman.", "Day 3: know the signs."]
    await campaign.refresh_from_db()
    assert campaign.state == CampaignState.SCHEDULED  # the series keeps greeting newcomers


async def test_the_ngo_sees_outcomes_and_taps(db, botapi, sandbox, ngo):
    """After a run the NGO sees who was reached by country and language, and how often the
    tracked link was opened, with no identity behind any number."""
    await subscribers((6401, "MA", "ar"), (6402, "TN", "fr"))
    await sandbox.config(block=[6402])
    campaign = await make_campaign(ngo, {"ar": ALERT})
    variant = await Variant.get(campaign=campaign)
    variant.buttons = [{"label": "Help lines", "url": "https://example.org/help", "track": True}]
    await variant.save()
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    await drain(make_sender(botapi))
    pressed = await sandbox.chat(6401).press("Help lines")
    assert await analytics.record_tap(pressed["data"]) == "https://example.org/help"
    report = await analytics.summary(campaign.id)
    assert report["audience"] == 2 and report["states"] == {"sent": 1, "blocked": 1}
    assert report["by_country"] == {"MA": {"sent": 1}, "TN": {"blocked": 1}}
    assert report["taps"] == {"ar:0": 1}
    growth = await analytics.subscriber_growth(days=2)
    assert sum(n for _, n in growth) == 1  # the one who blocked the bot was unsubscribed


async def test_worker_runs_what_the_database_says(db, botapi, sandbox, ngo):
    """`aman run` starts the worker: jobs are rebuilt from the database and a campaign
    scheduled to go now reaches its subscriber."""
    from campaigns.worker import Worker

    await subscribers((6501, "DZ", "fr"))
    campaign = await make_campaign(ngo, {"fr": "Bonjour"})
    await lifecycle.schedule(campaign, ngo["approver"])
    worker = Worker(botapi.url, "555000:campaign-stories", send_rate=50)
    await worker.start()
    try:
        message = await sandbox.chat(6501).wait_for_bot_message(timeout=5)
        assert message["text"] == "Bonjour"
    finally:
        await worker.stop()
    assert await state_counts(campaign.id) == {"sent": 1}


async def test_weekly_reminder_on_monday_mornings_in_tunis(db, botapi, sandbox, ngo):
    """A weekly Monday 09:00 reminder in Tunis goes out each week once, and waits in between."""
    await subscribers((6601, "TN", "ar"))
    campaign = await make_campaign(
        ngo,
        {"ar": ALERT},
        schedule_kind=ScheduleKind.WEEKLY,
        schedule_params={"day_of_week": "mon", "hour": 9},
        timezone="Africa/Tunis",
    )
    await lifecycle.schedule(campaign, ngo["approver"], now=utc(2026, 9, 2, 12))  # a Wednesday
    assert campaign.next_run_at == utc(2026, 9, 7, 8)  # Monday 09:00 in Tunis (UTC+1)
    for monday in (utc(2026, 9, 7, 8), utc(2026, 9, 14, 8)):
        assert await schedules.run_due(monday - timedelta(minutes=1)) == 0
        assert await schedules.run_due(monday) == 1
        await drain(make_sender(botapi, Clock(monday)))
        await campaign.refresh_from_db()
        assert campaign.state == CampaignState.SCHEDULED
        assert campaign.next_run_at == monday + timedelta(days=7)
    assert len(await sandbox.chat(6601).bot_messages()) == 2
