"""Recipients' local time: each country's time zone and the quiet hours during which no
campaign message is delivered there (deliveries wait until the morning)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

COUNTRY_TZ: dict[str, str] = {
    "TN": "Africa/Tunis",
    "MA": "Africa/Casablanca",
    "DZ": "Africa/Algiers",
    "EG": "Africa/Cairo",
    "LY": "Africa/Tripoli",
}
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


def zone_of(country: str | None) -> ZoneInfo | None:
    name = COUNTRY_TZ.get((country or "").upper())
    return ZoneInfo(name) if name else None


def quiet_until(country: str | None, now: datetime) -> datetime | None:
    """If it is night for a recipient in `country` at `now` (aware), when morning comes (UTC
    aware); None when a message may go now or the country's zone is not known."""
    zone = zone_of(country)
    if zone is None:
        return None
    local = now.astimezone(zone)
    clock = local.time()
    if QUIET_END <= clock < QUIET_START:
        return None
    day = local.date() if clock < QUIET_END else local.date() + timedelta(days=1)
    morning = datetime.combine(day, QUIET_END, tzinfo=zone)
    return morning.astimezone(now.tzinfo)


def quiet_map(now: datetime, countries: list[str] | None = None) -> dict[str, datetime]:
    """Country -> morning, for the countries where it is night at `now`."""
    result = {}
    for country in countries or list(COUNTRY_TZ):
        until = quiet_until(country, now)
        if until is not None:
            result[country] = until
    return result
