"""The outbox in SQL: fill it in bulk from the audience, claim due rows for sending, record
outcomes in groups, and recover after a crash.

Everything that touches many delivery rows is one set-based statement here, so a million-row
audience is enqueued in id-range chunks by the database itself and never held in memory.
"""

# Queries here are assembled from fixed fragments and ? placeholders only; values always
# travel as parameters.
# ruff: noqa: S608

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from campaigns.models import DeliveryState

ENQUEUE_CHUNK = 20_000  # subscriber ids per INSERT … SELECT: short enough not to stall sending


def db() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def sql(conn: BaseDBAsyncClient, query: str) -> str:
    """Write queries with ? placeholders, numbered ($1, $2…) for asyncpg."""
    if not is_postgres(conn):
        return query
    counter = itertools.count(1)
    parts = query.split("?")
    return "".join(
        p + (f"${next(counter)}" if i < len(parts) - 1 else "") for i, p in enumerate(parts)
    )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class Audience:
    """A campaign's audience filter: empty lists mean everyone."""

    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Audience:
        data = data or {}
        return cls(
            countries=tuple(c.upper() for c in data.get("countries") or ()),
            languages=tuple(data.get("languages") or ()),
            topics=tuple(data.get("topics") or ()),
        )

    def where(self, conn: BaseDBAsyncClient, alias: str = "s") -> tuple[str, list[Any]]:
        """The SQL condition (and its values) that selects the audience's subscribers."""
        clauses, values = ["1 = 1"], []
        if self.countries:
            clauses.append(f"{alias}.country IN ({_marks(self.countries)})")
            values += list(self.countries)
        if self.languages:
            clauses.append(f"{alias}.language IN ({_marks(self.languages)})")
            values += list(self.languages)
        if self.topics:
            if is_postgres(conn):
                clauses.append(f"jsonb_exists_any({alias}.topics::jsonb, ?::text[])")
                values.append(list(self.topics))
            else:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM json_each({alias}.topics) t "
                    f"WHERE t.value IN ({_marks(self.topics)}))"
                )
                values += list(self.topics)
        return " AND ".join(clauses), values


async def count_audience(audience: Audience) -> int:
    conn = db()
    where, values = audience.where(conn)
    rows = await conn.execute_query_dict(
        sql(conn, f"SELECT COUNT(*) AS n FROM subscriber s WHERE {where}"), values
    )
    return int(rows[0]["n"])


async def audience_languages(audience: Audience) -> list[str]:
    conn = db()
    where, values = audience.where(conn)
    query = f"SELECT DISTINCT s.language AS language FROM subscriber s WHERE {where}"
    return [r["language"] for r in await conn.execute_query_dict(sql(conn, query), values)]


def _typed(conn: BaseDBAsyncClient, pg_type: str) -> str:
    """A placeholder PostgreSQL can type inside a SELECT list (SQLite needs no hint)."""
    return f"?::{pg_type}" if is_postgres(conn) else "?"


def _case(
    conn: BaseDBAsyncClient, column: str, mapping: Mapping[str, Any], default: Any, pg_type: str
) -> tuple[str, list[Any]]:
    """CASE column WHEN k THEN v … ELSE default END, as SQL and values."""
    value_mark = _typed(conn, pg_type)
    if not mapping:
        return value_mark, [default]
    values: list[Any] = []
    whens = []
    for key, value in mapping.items():
        whens.append(f"WHEN ? THEN {value_mark}")
        values += [key, value]
    values.append(default)
    return f"CASE {column} {' '.join(whens)} ELSE {value_mark} END", values


async def enqueue_subscribers(
    *,
    campaign_id: int,
    occurrence: str,
    audience: Audience,
    variant_of_language: Mapping[str, int],
    default_variant: int,
    not_before: datetime,
    not_before_by_country: Mapping[str, datetime],
    extra_where: str = "",
    extra_values: Sequence[Any] = (),
) -> int:
    """Add one queued DM row per audience subscriber, in id-range chunks; returns rows added.

    Rows already there (same campaign, subscriber, channel, occurrence) are left alone, so
    calling this again after a crash or for a repeated tick adds nothing twice.
    """
    conn = db()
    bounds = await conn.execute_query_dict("SELECT MIN(id) AS lo, MAX(id) AS hi FROM subscriber")
    low, high = bounds[0]["lo"], bounds[0]["hi"]
    if low is None:
        return 0
    where, where_values = audience.where(conn)
    variant_sql, variant_values = _case(
        conn, "s.language", variant_of_language, default_variant, "integer"
    )
    after_sql, after_values = _case(
        conn, "s.country", not_before_by_country, not_before, "timestamptz"
    )
    select = (
        f"SELECT {_typed(conn, 'integer')}, {variant_sql}, 'dm', s.id, {_typed(conn, 'text')}, "
        f"s.country, s.language, 'queued', 0, "
        f"{after_sql} FROM subscriber s WHERE s.id >= ? AND s.id < ? AND {where}{extra_where}"
    )
    insert = (
        "INSERT INTO delivery (campaign_id, variant_id, channel, recipient, occurrence, "
        f"country, language, state, attempts, next_attempt_at) {select} ON CONFLICT DO NOTHING"
    )
    if is_postgres(conn):
        insert = f"WITH added AS ({insert} RETURNING 1) SELECT COUNT(*) AS n FROM added"
    added = 0
    start = low
    while start <= high:
        values = [
            campaign_id,
            *variant_values,
            occurrence,
            *after_values,
            start,
            start + ENQUEUE_CHUNK,
            *where_values,
            *extra_values,
        ]
        if is_postgres(conn):
            added += int((await conn.execute_query_dict(sql(conn, insert), values))[0]["n"])
        else:
            added += (await conn.execute_query(insert, values))[0]
        start += ENQUEUE_CHUNK
    return added


async def enqueue_targets(
    *,
    campaign_id: int,
    occurrence: str,
    channel: str,
    targets: Iterable[int],
    variant_id: int,
    not_before: datetime,
) -> None:
    """Queue one row per partner channel or webhook (a handful, so row by row is fine)."""
    conn = db()
    query = sql(
        conn,
        "INSERT INTO delivery (campaign_id, variant_id, channel, recipient, occurrence, state, "
        "attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?) ON CONFLICT DO NOTHING",
    )
    for target in targets:
        await conn.execute_query(
            query, [campaign_id, variant_id, channel, target, occurrence, not_before]
        )


@dataclass(frozen=True)
class Claimed:
    """A delivery row the sender has marked `sending` and now owns."""

    id: int
    campaign_id: int
    variant_id: int | None
    channel: str
    recipient: int
    country: str | None
    language: str | None
    attempts: int


async def claim(campaign_id: int, limit: int, now: datetime) -> list[Claimed]:
    """Mark up to `limit` due queued rows of a campaign `sending` (committed) and return them.

    On PostgreSQL other senders skip the rows this one locked; on SQLite there is one sender.
    """
    conn = db()
    returning = (
        "RETURNING d.id, d.campaign_id, d.variant_id, d.channel, d.recipient, "
        "d.country, d.language, d.attempts"
    )
    if is_postgres(conn):
        # A materialised CTE runs the locking SELECT exactly once; inside IN (…) the planner
        # may rescan it, and every rescan skips the rows just locked and claims more.
        query = sql(
            conn,
            "WITH picked AS MATERIALIZED (SELECT id FROM delivery WHERE campaign_id = ? "
            "AND state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
            "LIMIT ? FOR UPDATE SKIP LOCKED) UPDATE delivery d SET state = 'sending', "
            f"attempts = d.attempts + 1 FROM picked WHERE d.id = picked.id {returning}",
        )
    else:
        query = (
            "UPDATE delivery SET state = 'sending', attempts = attempts + 1 "
            "WHERE id IN (SELECT id FROM delivery WHERE campaign_id = ? AND state = 'queued' "
            "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?) "
            + returning.replace("d.", "")
        )
    rows = await conn.execute_query_dict(query, [campaign_id, now, limit])
    claimed = [Claimed(**dict(r)) for r in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


async def chat_ids_sealed(subscriber_ids: Sequence[int]) -> dict[int, bytes]:
    """The sealed chat ids of subscribers that still exist."""
    if not subscriber_ids:
        return {}
    conn = db()
    query = sql(
        conn, f"SELECT id, chat_sealed FROM subscriber WHERE id IN ({_marks(subscriber_ids)})"
    )
    rows = await conn.execute_query_dict(query, list(subscriber_ids))
    return {r["id"]: bytes(r["chat_sealed"]) for r in rows}


@dataclass(frozen=True)
class Result:
    """What to write back for one delivery row."""

    id: int
    state: str
    error: str | None = None
    sent_at: datetime | None = None
    message_id: int | None = None
    next_attempt_at: datetime | None = None  # set when the row goes back to queued
    refund: int = 0  # 1 when the try does not count (flood control, quiet hours, released)


_RECORD_PG = (
    "UPDATE delivery d SET state = v.state, error = v.error, sent_at = v.sent_at, "
    "message_id = v.message_id, next_attempt_at = COALESCE(v.next_at, d.next_attempt_at), "
    "attempts = d.attempts - v.refund FROM unnest($1::bigint[], $2::text[], $3::text[], "
    "$4::timestamptz[], $5::bigint[], $6::timestamptz[], $7::integer[]) "
    "AS v(id, state, error, sent_at, message_id, next_at, refund) "
    "WHERE d.id = v.id AND d.state = 'sending'"
)


async def record(results: Sequence[Result]) -> None:
    """Write a group of outcomes in one transaction (one commit for many sends).

    Only rows still `sending` change, so writing a group again after a failure whose commit
    is in doubt changes nothing twice (a refund is never taken twice)."""
    if not results:
        return
    conn = db()
    if is_postgres(conn):
        # One statement over arrays instead of one UPDATE per row: far fewer round trips.
        rows = [
            (r.id, r.state, r.error, r.sent_at, r.message_id, r.next_attempt_at, r.refund)
            for r in results
        ]
        await conn.execute_query(_RECORD_PG, [list(column) for column in zip(*rows, strict=True)])
        return
    query = (
        "UPDATE delivery SET state = ?, error = ?, sent_at = ?, message_id = ?, "
        "next_attempt_at = COALESCE(?, next_attempt_at), attempts = attempts - ? "
        "WHERE id = ? AND state = 'sending'"
    )
    await conn.execute_many(
        query,
        [
            [r.state, r.error, r.sent_at, r.message_id, r.next_attempt_at, r.refund, r.id]
            for r in results
        ],
    )


async def recover_in_flight() -> int:
    """After a crash: rows left `sending` may or may not have reached Telegram. They become
    `unknown` and are never resent (a duplicate warning is worse than one missed message)."""
    conn = db()
    query = sql(
        conn,
        "UPDATE delivery SET state = ?, error = ? WHERE state = ? AND campaign_id IN "
        "(SELECT id FROM campaign)",
    )
    changed, _ = await conn.execute_query(
        query, [DeliveryState.UNKNOWN, "in flight when the sender stopped", DeliveryState.SENDING]
    )
    return changed


async def skip_queued(campaign_id: int, reason: str) -> int:
    """Cancelled or expired: the campaign's queued rows will never be sent."""
    conn = db()
    query = sql(
        conn,
        "UPDATE delivery SET state = 'skipped', error = ? WHERE campaign_id = ? "
        "AND state = 'queued'",
    )
    changed, _ = await conn.execute_query(query, [reason, campaign_id])
    return changed


async def has_pending(campaign_id: int) -> bool:
    """Whether any row of the campaign is still queued (even deferred) or being sent."""
    conn = db()
    rows = await conn.execute_query_dict(
        sql(
            conn,
            "SELECT 1 AS one FROM delivery WHERE campaign_id = ? AND state IN "
            "('queued', 'sending') LIMIT 1",
        ),
        [campaign_id],
    )
    return bool(rows)


async def next_due(campaign_id: int) -> datetime | None:
    """When the campaign's earliest queued row becomes due (None when none is queued)."""
    conn = db()
    rows = await conn.execute_query_dict(
        sql(
            conn,
            "SELECT MIN(next_attempt_at) AS at FROM delivery WHERE campaign_id = ? "
            "AND state = 'queued'",
        ),
        [campaign_id],
    )
    at = rows[0]["at"] if rows else None
    if isinstance(at, str):  # SQLite hands back the stored text
        at = datetime.fromisoformat(at)
    return at


async def state_counts(campaign_id: int) -> dict[str, int]:
    conn = db()
    rows = await conn.execute_query_dict(
        sql(conn, "SELECT state, COUNT(*) AS n FROM delivery WHERE campaign_id = ? GROUP BY state"),
        [campaign_id],
    )
    return {r["state"]: int(r["n"]) for r in rows}
