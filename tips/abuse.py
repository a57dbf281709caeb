"""Abuse limits, always keyed by a keyed hash of the chat id so raw ids are never held, not even
in memory (the idea of GlobaLeaks' rate limiter).

- TokenBucket: per chat, in this process's memory; quick, but each process counts alone and a
  restart forgets.
- SharedLimit: counted in the database (core.models.AbuseCounter), so every process shares the
  count and a restart forgets nothing. Receipt tries across all chats are counted this way:
  `await allow_receipt_try(chat_id)` before a try, `await right_receipt()` when it opened one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from tortoise import connections

from core.crypto import Purpose, blind_index

MAX_TRACKED = 50_000  # beyond this many chats, full buckets are forgotten first


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBucket:
    """`capacity` actions at once, refilled at `per_second`; one bucket per chat."""

    def __init__(
        self,
        name: str,
        capacity: float,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.capacity = capacity
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def _key(self, chat_id: int) -> str:
        return blind_index(Purpose.ABUSE_LIMIT, f"{self.name}:{chat_id}")

    def _refilled(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            return _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        return bucket

    def allow(self, chat_id: int, cost: float = 1.0) -> bool:
        """Take `cost` tokens if there are enough; False means: refuse this time."""
        key = self._key(chat_id)
        bucket = self._refilled(key)
        if bucket.tokens < cost:
            self._buckets[key] = bucket
            return False
        bucket.tokens -= cost
        self._buckets[key] = bucket
        if len(self._buckets) > MAX_TRACKED:
            self._forget_full()
        return True

    def peek(self, chat_id: int) -> bool:
        """Whether one action would be allowed now, without taking a token."""
        return self._refilled(self._key(chat_id)).tokens >= 1

    def _forget_full(self) -> None:
        now = self.clock()
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.per_second >= self.capacity:
                del self._buckets[key]

    def reset(self) -> None:
        self._buckets.clear()


# Three reports, then one more every twenty minutes.
submissions = TokenBucket("submit", capacity=3, per_second=1 / 1200)
# Five receipt tries, then one more every five minutes (16 digits leave nothing to guess anyway).
receipt_tries = TokenBucket("receipt", capacity=5, per_second=1 / 300)
# Twenty files in a burst, then one a minute.
uploads = TokenBucket("upload", capacity=20, per_second=1 / 60)


def reset_all() -> None:
    for bucket in (submissions, receipt_tries, uploads):
        bucket.reset()


# Every try adds one to its counter, in one statement, so that two processes never both read the
# same count: a new row starts at 1; a row whose window has ended starts again at 1; any other
# row grows by 1. Placeholders are written {p}N: $N on PostgreSQL, ?N on SQLite (3.35 or later).
_COUNT = """
INSERT INTO abuse_counter (counter_key, scope, window_start, hits) VALUES ({p}1, {p}2, {p}3, 1)
ON CONFLICT (counter_key) DO UPDATE SET
    hits = CASE WHEN abuse_counter.window_start <= {p}4 THEN 1
                ELSE abuse_counter.hits + 1 END,
    window_start = CASE WHEN abuse_counter.window_start <= {p}4 THEN {p}3
                        ELSE abuse_counter.window_start END
RETURNING hits
"""
# Counters of ended windows say nothing any more: they go, so that no trace of a chat lingers.
_FORGET = "DELETE FROM abuse_counter WHERE scope = {p}1 AND window_start <= {p}2"


@dataclass(frozen=True)
class SharedLimit:
    """At most `limit` tries per `window` seconds for one subject (a chat id, or "all"), counted in
    the database. Windows are fixed: a count starts with the first try and ends `window` seconds
    later (so a patient guesser gets at most twice `limit` across a window's edge)."""

    name: str
    limit: int
    window: int  # seconds

    async def allow(self, subject: int | str, now: float | None = None) -> bool:
        """Count one try; False means: refuse this one. Refused tries count too."""
        at = int(time.time() if now is None else now)
        ended = at - self.window
        conn = connections.get("default")
        p = "$" if conn.capabilities.dialect == "postgres" else "?"
        await conn.execute_query(_FORGET.format(p=p), [self.name, ended])
        key = blind_index(Purpose.ABUSE_LIMIT, f"{self.name}:{subject}")
        rows = await conn.execute_query_dict(_COUNT.format(p=p), [key, self.name, at, ended])
        return rows[0]["hits"] <= self.limit

    async def refund(self, subject: int | str) -> None:
        """Give back one counted try (it turned out to be no abuse)."""
        key = blind_index(Purpose.ABUSE_LIMIT, f"{self.name}:{subject}")
        conn = connections.get("default")
        p = "$" if conn.capabilities.dialect == "postgres" else "?"
        sql = "UPDATE abuse_counter SET hits = hits - 1 WHERE counter_key = {p}1 AND hits > 0"
        await conn.execute_query(sql.format(p=p), [key])


# A receipt has 16 digits, so guessing is hopeless; this keeps it so even for someone with many
# chats and many bot processes: every try is counted across all chats, and a receipt that opens a
# report gives its try back, so guessers cannot lock reporters out by spending the budget. Per
# chat, the in-memory `receipt_tries` bucket above applies (a per-chat count in the database would
# date a chat's visit, see the README's Anonymity model).
receipt_guesses = SharedLimit("receipt-guesses", limit=60, window=600)


async def allow_receipt_try(chat_id: int, now: float | None = None) -> bool:
    """Whether this chat may try a receipt now (its own bucket, then the shared count: sixty
    wrong receipts across all chats and processes every ten minutes). Counts the try."""
    if not receipt_tries.allow(chat_id):
        return False
    return await receipt_guesses.allow("all", now)


async def right_receipt() -> None:
    """The receipt opened a report: its try was no guess."""
    await receipt_guesses.refund("all")
