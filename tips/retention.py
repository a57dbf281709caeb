"""Retention: a closed tip is deleted for good AMAN_TIP_RETENTION_DAYS after it was closed, with
everything that hangs off it (keys, messages, files, receipt), and the database is told to forget
the bytes (core.db.forget_deleted_soon). A periodic job of the worker.

Each deletion is written to the audit log as "tip.purged" with the tip's id and the days it came
in and was closed, nothing else. A tip is deleted and audited in one transaction, and only by
the worker whose DELETE removed it, so two workers running the job never audit a tip twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core import audit, db
from core.settings import get_settings
from tips.models import Tip, TipStatus

EVERY = timedelta(hours=1)  # how often the worker runs the job
BATCH = 500  # tips deleted per run; the next run takes the rest


def closed_before(now: datetime) -> Q:
    """Closed tips past the retention period at `now`. A closed tip without a closing time
    (closed before one was kept) counts from its last change."""
    limit = now - timedelta(days=get_settings().tip_retention_days)
    return Q(status=TipStatus.CLOSED) & (
        Q(closed_at__lte=limit) | Q(closed_at__isnull=True, updated_at__lte=limit)
    )


async def due(now: datetime) -> list[Tip]:
    """The closed tips to delete at `now`, oldest first."""
    return (
        await Tip.filter(closed_before(now))
        .order_by("id")
        .limit(BATCH)
        .only("id", "created_at", "closed_at", "updated_at", "status")
    )


async def run(now: datetime | None = None) -> int:
    """Delete every closed tip past the retention period (the worker's periodic job; `now` for
    tests). Returns how many this call deleted."""
    now = now or datetime.now(UTC)
    purged = 0
    for tip in await due(now):
        purged += await purge(tip, now)
    if purged:
        db.forget_deleted_soon()
    return purged


async def purge(tip: Tip, now: datetime) -> int:
    """Delete one closed tip and audit it; 0 when it was gone already (another worker) or was
    reopened in the meantime."""
    closed = tip.closed_at or tip.updated_at
    async with in_transaction():
        # SQLite counts the rows the cascade deleted too: one tip or none is what it means.
        gone = 1 if await Tip.filter(closed_before(now), id=tip.id).delete() else 0
        if gone:
            await audit.record(
                "tip.purged",
                actor="system",
                target=f"tip:{tip.id}",
                received=tip.created_at.date().isoformat(),
                closed=closed.date().isoformat(),
            )
    return gone
