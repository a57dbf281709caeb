"""Sign-in limits: every try at a password, a TOTP code or a recovery key is counted against the
account (its username, known or not) and the source address; past a few failures each next try
must wait longer, and enough failures lock sign-in for a while.

Counts live in the database (`SignInThrottle`), keyed by a blind index of the username or
address, so every admin process sees the same counts and no raw value is stored. A try is
charged *before* the slow Argon2id check, in one conditional UPDATE, so a burst of parallel
tries cannot slip past the count; a try that succeeds is refunded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from core import crypto
from core.models import SignInThrottle
from core.settings import get_settings


@dataclass(frozen=True)
class Limit:
    name: str  # "account" or "source", as audited
    purpose: crypto.Purpose
    free: int  # failures that cost no wait
    lock_after: int  # this many failures lock sign-in for `lock_seconds`
    lock_seconds: int
    first_wait: int  # the wait after the first failure past the free ones; it doubles after
    longest_wait: int  # the growing wait before the lock never exceeds this
    forget_after: int  # seconds without a failure after which the count starts again

    def wait_after(self, failures: int) -> int:
        """Seconds the next try must wait after `failures` failures in a row."""
        if failures >= self.lock_after:
            return self.lock_seconds
        if failures <= self.free:
            return 0
        return min(self.first_wait * 2 ** (failures - self.free - 1), self.longest_wait)


ACCOUNT = Limit(
    "account",
    crypto.Purpose.SIGN_IN_ACCOUNT,
    free=3,
    lock_after=10,
    lock_seconds=15 * 60,
    first_wait=5,
    longest_wait=120,
    forget_after=24 * 3600,
)
# An office behind one address has many people in it: more room before the source locks.
SOURCE = Limit(
    "source",
    crypto.Purpose.SIGN_IN_SOURCE,
    free=10,
    lock_after=30,
    lock_seconds=15 * 60,
    first_wait=5,
    longest_wait=120,
    forget_after=3600,
)


class Throttled(Exception):
    """Not now: wait `wait` seconds (`locked`: after too many failures, not a short delay)."""

    def __init__(self, limit: Limit, wait: int, locked: bool) -> None:
        super().__init__(f"{limit.name} throttled for {wait}s")
        self.limit = limit
        self.wait = max(1, wait)
        self.locked = locked


@dataclass(frozen=True)
class Charge:
    """One try counted against one limit, and what the row said before it."""

    limit: Limit
    key: str
    failures: int  # after this try
    blocked_before: int
    blocked_after: int


def now() -> int:
    return int(time.time())


def source_address(request: web.Request) -> str:
    """The address sign-in limits count: the peer, or the one a trusted proxy names."""
    if get_settings().admin_trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:64]
    return request.remote or "unknown"


def keys(username: str, source: str) -> list[tuple[Limit, str]]:
    """The two counters a try at `username` from `source` is charged to."""
    return [
        (ACCOUNT, crypto.blind_index(ACCOUNT.purpose, username.strip().casefold())),
        (SOURCE, crypto.blind_index(SOURCE.purpose, source)),
    ]


def source_tag(source: str) -> str:
    """A short stable name for a source address in the audit log, without the address."""
    return crypto.blind_index(SOURCE.purpose, source)[:12]


async def _row(key: str) -> SignInThrottle:
    row = await SignInThrottle.get_or_none(throttle_key=key)
    if row is None:
        try:
            row = await SignInThrottle.create(throttle_key=key)
        except IntegrityError:  # another process made it a moment ago
            row = await SignInThrottle.get(throttle_key=key)
    return row


async def _charge(limit: Limit, key: str, moment: int) -> Charge:
    row = await _row(key)
    if row.blocked_until > moment:
        raise Throttled(limit, row.blocked_until - moment, row.failures >= limit.lock_after)
    before = 0 if moment - row.last_failure > limit.forget_after else row.failures
    failures = before + 1
    blocked = moment + limit.wait_after(failures)
    changed = await SignInThrottle.filter(
        id=row.id,
        failures=row.failures,
        last_failure=row.last_failure,
        blocked_until=row.blocked_until,
    ).update(failures=failures, last_failure=moment, blocked_until=blocked)
    if not changed:  # another try at the same counter at the same moment: one at a time
        raise Throttled(limit, 1, False)
    return Charge(limit, key, failures, row.blocked_until, blocked)


async def begin(pairs: list[tuple[Limit, str]]) -> list[Charge]:
    """Count one try against every counter, or raise Throttled (and count nothing) when one of
    them says to wait."""
    moment = now()
    charges: list[Charge] = []
    try:
        for limit, key in pairs:
            charges.append(await _charge(limit, key, moment))
    except Throttled:
        await refund(charges)
        raise
    return charges


async def refund(charges: list[Charge]) -> None:
    """Take back tries that were not failures (the password or code was right)."""
    for charge in charges:
        await SignInThrottle.filter(throttle_key=charge.key, failures__gt=0).update(
            failures=F("failures") - 1
        )
        # The wait this try imposed goes, unless another try has changed it since.
        await SignInThrottle.filter(
            throttle_key=charge.key, blocked_until=charge.blocked_after
        ).update(blocked_until=charge.blocked_before)


def locked_now(charges: list[Charge]) -> list[Limit]:
    """The limits these failed tries have just locked (again, past the first lock)."""
    return [c.limit for c in charges if c.failures >= c.limit.lock_after]


async def clear(charges: list[Charge], limit: Limit) -> None:
    """Forget every failure counted against `limit` (the account, once fully signed in)."""
    for charge in charges:
        if charge.limit is limit:
            await SignInThrottle.filter(throttle_key=charge.key).update(failures=0, blocked_until=0)
