"""The worker's scheduler runs escalation and retention by itself, as `aman run` wires them: left
alone, an unacknowledged urgent tip gets escalated and a tip closed long ago gets deleted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from campaigns.schedules import Scheduler
from cli.serve import schedule_tip_jobs
from core.models import AuditEntry
from tips import intake
from tips.models import Tip, TipStatus

from .helpers import unit_with_focal_point
from .test_intake import SFAX_BOAT


async def test_the_worker_escalates_and_purges_on_its_own(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    await unit_with_focal_point("RD", None)
    waiting = await intake.submit(SFAX_BOAT)
    done = await intake.submit(SFAX_BOAT)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    await Tip.filter(id=done.tip_id).update(status=TipStatus.CLOSED, closed_at=long_ago)
    later = (await Tip.get(id=waiting.tip_id)).created_at + timedelta(hours=5)

    scheduler = Scheduler(clock=lambda: later)
    schedule_tip_jobs(scheduler)
    await scheduler.start()
    try:
        for job_id in ("tips:escalation", "tips:retention"):
            scheduler.aps.get_job(job_id).modify(next_run_time=datetime.now(UTC))
        for _ in range(500):
            if await AuditEntry.filter(action__in=["tip.escalated", "tip.purged"]).count() == 3:
                break
            await asyncio.sleep(0.02)
    finally:
        await scheduler.stop()

    escalated = await AuditEntry.filter(action="tip.escalated").order_by("id")
    assert [(e.target, e.details["level"]) for e in escalated] == [
        (f"tip:{waiting.tip_id}", "unit_lead"),
        (f"tip:{waiting.tip_id}", "regional_desk"),
    ]
    assert not await Tip.exists(id=done.tip_id)
    assert await AuditEntry.filter(action="tip.purged", target=f"tip:{done.tip_id}").exists()
