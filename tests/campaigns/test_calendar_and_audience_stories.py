"""Stories of when and to whom: a monthly reminder in Algiers and a cron schedule in Cairo that
fire at the right local time once per occurrence (daylight saving included), and an audience
counted before sending that matches who is reached."""

from __future__ import annotations

from datetime import datetime, timedelta

from campaigns import analytics, audiences, lifecycle, schedules
from campaigns.models import Campaign, CampaignState, ScheduleKind
from campaigns.outbox import state_counts
from tests.campaigns.conftest import Clock, drain, make_campaign, make_sender, subscribers, utc

REMINDER = "Your rights do not end at the border."


async def fire(botapi, campaign: Campaign, at: datetime) -> int:
    """The scheduler's tick at `at` (a minute early first, which must do nothing), then the
    sender; returns the rows queued."""
    assert await schedules.run_due(at - timedelta(minutes=1)) == 0
    queued = await schedules.run_due(at)
    await drain(make_sender(botapi, Clock(at)))
    await campaign.refresh_from_db()
    return queued


async def test_monthly_reminder_on_the_fifteenth_at_ten_in_algiers(db, botapi, sandbox, ngo):
    """10:00 in Algiers is 09:00 UTC all year; the reminder goes on the 15th, once a month,
    and a repeated tick for the same occurrence sends nothing more."""
    await subscribers((7401, "DZ", "ar"))
    campaign = await make_campaign(
        ngo, {"ar": REMINDER}, schedule_kind=ScheduleKind.MONTHLY,
        schedule_params={"day": 15, "hour": 10, "minute": 0}, timezone="Africa/Algiers",
    )  # fmt: skip
    await lifecycle.schedule(campaign, ngo["approver"], now=utc(2026, 1, 20, 12))
    assert campaign.next_run_at == utc(2026, 2, 15, 9)

    assert await fire(botapi, campaign, utc(2026, 2, 15, 9)) == 1
    assert campaign.state == CampaignState.SCHEDULED
    assert campaign.next_run_at == utc(2026, 3, 15, 9)
    assert await schedules.run_due(utc(2026, 2, 15, 9, 30)) == 0  # the same day, later

    # A second worker (or a restart before the next run was saved) fires the same occurrence.
    await Campaign.filter(id=campaign.id).update(next_run_at=utc(2026, 2, 15, 9))
    await schedules.run_due(utc(2026, 2, 15, 9))
    await drain(make_sender(botapi, Clock(utc(2026, 2, 15, 9))))
    assert len(await sandbox.chat(7401).bot_messages()) == 1
    assert await state_counts(campaign.id) == {"sent": 1}

    await campaign.refresh_from_db()
    assert await fire(botapi, campaign, utc(2026, 3, 15, 9)) == 1
    assert campaign.next_run_at == utc(2026, 4, 15, 9)
    assert len(await sandbox.chat(7401).bot_messages()) == 2
    assert await state_counts(campaign.id) == {"sent": 2}


async def test_cron_on_friday_mornings_in_cairo_follows_summer_time(db, botapi, sandbox, ngo):
    """Cron "30 8 * * fri" in Cairo: 06:30 UTC in winter time, 05:30 UTC once Egypt moves its
    clocks on the last Friday of April; each Friday's message goes once."""
    await subscribers((7501, "EG", "ar"), (7502, "EG", "en"))
    campaign = await make_campaign(
        ngo, {"ar": REMINDER, "en": REMINDER}, schedule_kind=ScheduleKind.CRON,
        schedule_params={"cron": "30 8 * * fri"}, timezone="Africa/Cairo",
    )  # fmt: skip
    await lifecycle.schedule(campaign, ngo["approver"], now=utc(2026, 4, 15, 12))  # Wednesday
    assert campaign.next_run_at == utc(2026, 4, 17, 6, 30)  # 08:30 EET (UTC+2)

    assert await fire(botapi, campaign, utc(2026, 4, 17, 6, 30)) == 2
    assert campaign.next_run_at == utc(2026, 4, 24, 5, 30)  # 08:30 EEST (UTC+3)
    assert await schedules.run_due(utc(2026, 4, 24, 5, 29)) == 0
    assert await fire(botapi, campaign, utc(2026, 4, 24, 5, 30)) == 2
    assert campaign.next_run_at == utc(2026, 5, 1, 5, 30)

    for chat in (7501, 7502):
        assert len(await sandbox.chat(chat).bot_messages()) == 2
    assert await state_counts(campaign.id) == {"sent": 4}


async def test_the_audience_counted_before_sending_is_who_is_reached(db, botapi, sandbox, ngo):
    """French readers in Morocco and Tunisia: the count the NGO sees before approving is the
    number of messages sent, country by country; nobody outside the filter hears of it."""
    await subscribers(
        (7601, "MA", "fr"), (7602, "MA", "fr"), (7603, "MA", "fr"), (7604, "TN", "fr"),
        (7605, "TN", "fr"), (7606, "MA", "ar"), (7607, "EG", "fr"), (7608, "DZ", "en"),
    )  # fmt: skip
    audience = {"countries": ["MA", "TN"], "languages": ["fr"]}
    before = {
        "all": await audiences.count(audience),
        "MA": await audiences.count({**audience, "countries": ["MA"]}),
        "TN": await audiences.count({**audience, "countries": ["TN"]}),
    }
    assert before == {"all": 5, "MA": 3, "TN": 2}
    assert audiences.describe(audience) == "countries: MA, TN; languages: fr"

    campaign = await make_campaign(ngo, {"fr": REMINDER, "ar": REMINDER}, audience=audience)
    await lifecycle.schedule(campaign, ngo["approver"])
    assert await schedules.run_due(schedules.utcnow()) == before["all"]
    await drain(make_sender(botapi))

    report = await analytics.summary(campaign.id)
    assert report["audience"] == before["all"]
    assert report["states"] == {"sent": before["all"]}
    assert report["by_country"] == {"MA": {"sent": before["MA"]}, "TN": {"sent": before["TN"]}}
    assert report["by_language"] == {"fr": {"sent": before["all"]}}
    delivered = (await sandbox.stats())["delivered_per_chat"]
    assert sorted(int(chat) for chat in delivered) == [7601, 7602, 7603, 7604, 7605]
