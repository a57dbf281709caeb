"""Audiences: a campaign's filter over subscribers (countries, languages, topics; empty means
everyone), counted before sending and streamed into the outbox by the database itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campaigns.outbox import Audience, audience_languages, count_audience

__all__ = ["Audience", "count", "describe", "languages"]


async def count(filter_: Mapping[str, Any] | Audience | None) -> int:
    """How many subscribers the filter selects right now."""
    audience = filter_ if isinstance(filter_, Audience) else Audience.of(filter_)
    return await count_audience(audience)


async def languages(filter_: Mapping[str, Any] | Audience | None) -> list[str]:
    """The languages the filter's subscribers read, sorted (to see which variants are missing)."""
    audience = filter_ if isinstance(filter_, Audience) else Audience.of(filter_)
    return sorted(await audience_languages(audience))


def describe(filter_: Mapping[str, Any] | None) -> str:
    audience = Audience.of(filter_)
    parts = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("countries", audience.countries),
            ("languages", audience.languages),
            ("topics", audience.topics),
        )
        if values
    ]
    return "; ".join(parts) or "all subscribers"
