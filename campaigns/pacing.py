"""Send pacing: a global rate spread evenly over time, a minimum gap per chat, and a pause for
everyone when Telegram answers 429.

A bucket that lets a burst through trips Telegram's sliding-window flood control (see
shared/PERFORMANCE-NOTES.md), so slots here are handed out at an even interval and a late
sender does not get to catch up by bursting, beyond a few milliseconds of timer slack.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable

# Telegram: about one message per second to one private chat and 20 per minute to one group or
# channel; a tenth more keeps jitter from turning the gap into a 429.
PRIVATE_CHAT_GAP = 1.1
GROUP_CHAT_GAP = 3.3
TIMER_SLACK = 0.025  # how far behind schedule a slot may still be used (absorbs loop stalls)


class Pacer:
    """Hands out send slots at an even interval of 1/rate seconds, process-wide, and never lets
    more than `limit` sends be in flight or answered within the last second.

    The second rule is what keeps a sliding-window limit safe whatever the jitter: the server
    counts a send at some moment between our request and its answer, so every send it may
    still be counting was either answered less than a second ago or is still in flight.
    """

    def __init__(self, rate: float, limit: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.limit = max(1, int(limit if limit is not None else rate))
        self.clock = clock
        self._next = 0.0
        self.paused_until = 0.0
        self.in_flight = 0
        self._answered: deque[float] = deque()

    def pause_all(self, seconds: float) -> None:
        """Flood control answered: nobody sends until `seconds` from now."""
        until = self.clock() + max(seconds, 0.0)
        self.paused_until = max(self.paused_until, until)
        self._next = max(self._next, self.paused_until)

    async def slot(self) -> None:
        """Wait for the next slot and take it."""
        now = self.clock()
        start = max(self._next, now - TIMER_SLACK, self.paused_until)
        self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
        await self._within_window()
        self.in_flight += 1

    def done(self) -> None:
        """The send that took a slot has its answer (or failed)."""
        self.in_flight -= 1
        self._answered.append(self.clock())

    async def _within_window(self) -> None:
        answered = self._answered
        while True:
            now = self.clock()
            while answered and answered[0] <= now - 1.0:
                answered.popleft()
            if len(answered) + self.in_flight < self.limit:
                return
            wait = answered[0] + 1.0 - now if answered else 0.0
            await asyncio.sleep(max(0.0005, wait))


class ChatGaps:
    """The earliest time each chat may receive again, keyed by an opaque recipient key (never a
    chat id), forgotten once it no longer matters so memory follows the chats in flight."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._ready: dict[Hashable, float] = {}
        self._swept = clock()

    def wait_for(self, key: Hashable) -> float:
        """Seconds until this chat may receive again (0 when it may now)."""
        return max(0.0, self._ready.get(key, 0.0) - self.clock())

    def sent(self, key: Hashable, gap: float) -> None:
        now = self.clock()
        self._ready[key] = now + gap
        if now - self._swept > GROUP_CHAT_GAP:
            self._ready = {k: t for k, t in self._ready.items() if t > now}
            self._swept = now
