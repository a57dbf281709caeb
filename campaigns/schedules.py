"""When campaigns run: now, at a local date and time, weekly, monthly, by cron, or as a sequence
relative to each subscriber's subscription (a welcome series), never after expiry.

The database is the source of truth: each scheduled campaign keeps its `next_run_at`, and
`run_due(now)` starts whatever is due. APScheduler only decides *when* to call it: one job per
scheduled campaign at its next run, rebuilt from the database at start and every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from campaigns import lifecycle, outbox
from campaigns.localtime import quiet_map
from campaigns.models import Campaign, CampaignState, ScheduleKind, Variant
from campaigns.outbox import Audience
from campaigns.variants import variant_map
from core.logs import get_logger

log = get_logger(__name__)

SEQUENCE_EVERY = timedelta(minutes=1)  # how often a welcome series looks for due steps
K = ScheduleKind


def utcnow() -> datetime:
    return datetime.now(UTC)


def trigger_for(campaign: Campaign) -> BaseTrigger | None:
    """The APScheduler trigger for a campaign's schedule (None: runs when scheduled)."""
    zone = ZoneInfo(campaign.timezone or "UTC")
    params = campaign.schedule_params or {}
    kind = campaign.schedule_kind
    if kind == K.AT:
        at = datetime.fromisoformat(params["at"])
        return DateTrigger(run_date=at if at.tzinfo else at.replace(tzinfo=zone), timezone=zone)
    if kind == K.WEEKLY:
        return CronTrigger(
            day_of_week=params.get("day_of_week", "mon"),
            hour=params.get("hour", 9),
            minute=params.get("minute", 0),
            timezone=zone,
        )
    if kind == K.MONTHLY:
        return CronTrigger(
            day=params.get("day", 1),
            hour=params.get("hour", 9),
            minute=params.get("minute", 0),
            timezone=zone,
        )
    if kind == K.CRON:
        return CronTrigger.from_crontab(params["cron"], timezone=zone)
    return None


def first_run(campaign: Campaign, now: datetime) -> datetime | None:
    trigger = trigger_for(campaign)
    if trigger is None:
        return now
    fire = trigger.get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire else None


def _next_run(campaign: Campaign, fired: datetime) -> datetime | None:
    if campaign.schedule_kind == K.SEQUENCE:
        return fired + SEQUENCE_EVERY
    if campaign.schedule_kind in (K.NOW, K.AT):
        return None
    trigger = trigger_for(campaign)
    assert trigger is not None
    fire = trigger.get_next_fire_time(fired, fired + timedelta(seconds=1))
    return fire.astimezone(UTC) if fire else None


async def run_due(now: datetime) -> int:
    """Start every scheduled campaign whose next run is due at `now`; returns rows queued."""
    queued = 0
    due = await Campaign.filter(state=CampaignState.SCHEDULED, next_run_at__lte=now)
    for campaign in due:
        queued += await start_run(campaign, now)
    return queued


async def start_run(campaign: Campaign, now: datetime) -> int:
    """Queue one run of a campaign and hand it to the sender (which starts on the first
    chunk while the rest is still being added)."""
    if campaign.expires_at is not None and campaign.expires_at <= now:
        await lifecycle.expire(campaign)
        return 0
    fired = campaign.next_run_at or now
    occurrence = "" if campaign.schedule_kind in (K.NOW, K.AT) else fired.strftime("%Y%m%dT%H%M")
    campaign.next_run_at = _next_run(campaign, fired)
    campaign.filling = occurrence
    await campaign.save(update_fields=["next_run_at", "filling", "updated_at"])
    await lifecycle.start_sending(campaign, occurrence, queued=0)
    return await fill(campaign, now)


async def fill(campaign: Campaign, now: datetime) -> int:
    """Add the deliveries of the run being filled. Safe to repeat after a crash."""
    occurrence = campaign.filling or ""
    queued = 0
    if campaign.schedule_kind == K.SEQUENCE:
        since = datetime.fromisoformat(campaign.schedule_params.get("since") or now.isoformat())
        for step in campaign.schedule_params.get("steps", [0]):
            queued += await _enqueue(
                campaign, f"step:{step}", now, step=step, joined=(since, now - timedelta(days=step))
            )
    else:
        queued = await _enqueue(campaign, occurrence, now)
    campaign.filling = None
    await campaign.save(update_fields=["filling", "updated_at"])
    return queued


async def _enqueue(
    campaign: Campaign,
    occurrence: str,
    now: datetime,
    *,
    step: int = 0,
    joined: tuple[datetime, datetime] | None = None,
) -> int:
    variants = await Variant.filter(campaign_id=campaign.id, step=step)
    if not variants:
        return 0
    audience = Audience.of(campaign.audience)
    channels = campaign.channels or {"dm": True}
    mapping, default = variant_map(
        variants, await outbox.audience_languages(audience), campaign.default_language
    )
    queued = 0
    if channels.get("dm", True):
        extra, values = "", []
        if joined is not None:
            extra, values = " AND s.subscribed_at >= ? AND s.subscribed_at <= ?", list(joined)
        queued += await outbox.enqueue_subscribers(
            campaign_id=campaign.id,
            occurrence=occurrence,
            audience=audience,
            variant_of_language=mapping,
            default_variant=default,
            not_before=now,
            not_before_by_country=quiet_map(now) if campaign.quiet_hours else {},
            extra_where=extra,
            extra_values=values,
        )
    if joined is None:
        for name, key in (("channel", "partner_channels"), ("webhook", "webhooks")):
            targets = channels.get(key) or []
            await outbox.enqueue_targets(
                campaign_id=campaign.id,
                occurrence=occurrence,
                channel=name,
                targets=targets,
                variant_id=default,
                not_before=now,
            )
            queued += len(targets)
    return queued


async def resume_filling(now: datetime) -> None:
    """At start-up: finish adding deliveries for runs a crash interrupted."""
    for campaign in await Campaign.filter(state=CampaignState.SENDING, filling__not_isnull=True):
        await fill(campaign, now)


class Scheduler:
    """APScheduler in the current event loop, driven by the database."""

    def __init__(self, clock: Callable[[], datetime] = utcnow, resync_seconds: float = 5.0):
        self.clock = clock
        self.resync_seconds = resync_seconds
        self.aps = AsyncIOScheduler(timezone=UTC)

    async def start(self) -> None:
        await resume_filling(self.clock())
        self.aps.start()
        self.aps.add_job(
            self.rebuild,
            "interval",
            seconds=self.resync_seconds,
            id="resync",
            max_instances=1,
            coalesce=True,
        )
        await self.rebuild()

    async def rebuild(self) -> None:
        """One job per scheduled campaign at its next run, as the database says now."""
        wanted = {}
        now = self.clock()
        for campaign in await Campaign.filter(
            state=CampaignState.SCHEDULED, next_run_at__not_isnull=True
        ):
            wanted[f"campaign:{campaign.id}"] = max(campaign.next_run_at, now)
        for job in self.aps.get_jobs():
            if job.id.startswith("campaign:") and job.id not in wanted:
                job.remove()
        for job_id, at in wanted.items():
            self.aps.add_job(
                self.fire,
                DateTrigger(run_date=at),
                id=job_id,
                replace_existing=True,
                max_instances=1,
            )

    async def fire(self) -> None:
        try:
            await run_due(self.clock())
        except Exception:
            log.exception("a scheduled run failed; it is retried at the next resync")

    async def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
