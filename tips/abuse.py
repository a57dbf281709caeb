"""Per-chat abuse limits: token buckets in memory, keyed by a keyed hash of the chat id so raw ids
are never held even in this process's memory (the idea of GlobaLeaks' rate limiter)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

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
