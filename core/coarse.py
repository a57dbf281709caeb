"""Coarse times: what Aman stores about when people did something is rounded to the hour.

A precise time on a chat's records and another on a tip would let someone holding the database pair
them; at the hour, a tip matches every chat that was active in that hour (README, Anonymity model).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)


def hour(now: datetime | None = None) -> datetime:
    """The start of the current (or given) hour, in UTC."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def hour_after(delay: timedelta, now: datetime | None = None) -> datetime:
    """The first whole hour at or after `now + delay`: for expiry times that must not be finer."""
    later = (now or datetime.now(UTC)) + delay
    start = hour(later)
    return start if start == later else start + HOUR
