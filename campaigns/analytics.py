"""Campaign analytics without identities: delivery outcomes per campaign and variant, by
country and language; taps on campaign buttons (counted per day); subscriber growth."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.expressions import F

from campaigns.models import ButtonTap, Variant
from campaigns.outbox import db, is_postgres, sql
from campaigns.variants import TAP_PREFIX


async def summary(campaign_id: int) -> dict[str, Any]:
    """Audience and outcomes of a campaign: totals, per variant, per country, per language."""
    conn = db()
    rows = await conn.execute_query_dict(
        sql(
            conn,
            "SELECT variant_id, country, language, state, COUNT(*) AS n FROM delivery "
            "WHERE campaign_id = ? GROUP BY variant_id, country, language, state",
        ),
        [campaign_id],
    )
    totals: Counter[str] = Counter()
    groups: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    languages = {v.id: v.language for v in await Variant.filter(campaign_id=campaign_id)}
    for row in rows:
        count, state = int(row["n"]), row["state"]
        totals[state] += count
        variant = languages.get(row["variant_id"], "?")
        groups["variant"][variant][state] += count
        groups["country"][row["country"] or "-"][state] += count
        groups["language"][row["language"] or "-"][state] += count
    taps: Counter[str] = Counter()
    for tap in await ButtonTap.filter(campaign_id=campaign_id):
        taps[f"{languages.get(tap.variant_id, '?')}:{tap.button}"] += tap.taps
    return {
        "audience": sum(totals.values()),
        "states": dict(totals),
        **{f"by_{name}": {k: dict(v) for k, v in group.items()} for name, group in groups.items()},
        "taps": dict(taps),
    }


async def record_tap(callback_data: str, today: date | None = None) -> str | None:
    """Count a tap on a tracked campaign button (the bot calls this for `ct:` callback data)
    and return the link to show, or None if the data is not a campaign button."""
    parts = callback_data.split(":")
    if len(parts) != 4 or parts[0] != TAP_PREFIX or not all(p.isdigit() for p in parts[1:]):
        return None
    campaign_id, variant_id, button = (int(p) for p in parts[1:])
    variant = await Variant.get_or_none(id=variant_id, campaign_id=campaign_id)
    if variant is None or button >= len(variant.buttons or []):
        return None
    day = today or datetime.now(UTC).date()
    tap, created = await ButtonTap.get_or_create(
        campaign_id=campaign_id,
        variant_id=variant_id,
        button=button,
        day=day,
        defaults={"taps": 1},
    )
    if not created:
        await ButtonTap.filter(id=tap.id).update(taps=F("taps") + 1)
    return variant.buttons[button].get("url")


async def subscriber_growth(days: int = 30, today: date | None = None) -> list[tuple[str, int]]:
    """New subscriptions per day (UTC) over the last `days` days, oldest first."""
    conn = db()
    today = today or datetime.now(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)
    day = (
        "to_char(subscribed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        if is_postgres(conn)
        else "substr(subscribed_at, 1, 10)"
    )
    rows = await conn.execute_query_dict(
        sql(
            conn,
            f"SELECT {day} AS day, COUNT(*) AS n FROM subscriber "  # noqa: S608 - fixed SQL
            f"WHERE subscribed_at >= ? GROUP BY {day}",
        ),
        [since],
    )
    counts = {r["day"]: int(r["n"]) for r in rows}
    return [
        (
            (since.date() + timedelta(days=i)).isoformat(),
            counts.get((since.date() + timedelta(days=i)).isoformat(), 0),
        )
        for i in range(days)
    ]
