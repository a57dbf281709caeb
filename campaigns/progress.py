"""How far a campaign's current sending has come: its deliveries by outcome, what remains, the
rate of the last minute and when, at that rate, it should be done. Counts only, no identity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.outbox import db, sql, state_counts

WINDOW = timedelta(seconds=60)


async def progress(campaign_id: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    counts = await state_counts(campaign_id)
    total = sum(counts.values())
    remaining = counts.get("queued", 0) + counts.get("sending", 0)
    # Raw SQL like the outbox that wrote `sent_at`, so both store and compare it the same way.
    conn = db()
    rows = await conn.execute_query_dict(
        sql(
            conn,
            "SELECT COUNT(*) AS n FROM delivery "
            "WHERE campaign_id = ? AND state = 'sent' AND sent_at >= ?",
        ),
        [campaign_id, now - WINDOW],
    )
    recent = int(rows[0]["n"])
    rate = recent / WINDOW.total_seconds()
    finish = now + timedelta(seconds=remaining / rate) if rate and remaining else None
    return {
        "total": total,
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "blocked": counts.get("blocked", 0),
        "unknown": counts.get("unknown", 0),
        "skipped": counts.get("skipped", 0),
        "remaining": remaining,
        "done": total - remaining,
        "rate": round(rate, 2),
        "finish": finish.isoformat(timespec="seconds") if finish else None,
    }
