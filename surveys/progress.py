"""Surveys being answered: each chat's unfinished surveys, kept between messages.

One row per chat, found by a keyed hash of the chat (the chat id is never stored), sealed at rest
and padded, expiring at a whole hour: a copy of the database shows neither which survey someone
is answering, nor how far they got, nor when they last answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core import coarse, crypto, db
from surveys.models import SurveyProgress

LIFETIME = timedelta(days=30)
PAD_TO = 512  # sealed blobs are padded to a multiple of this many bytes
_PURPOSE = crypto.Purpose.SURVEY_PROGRESS


@dataclass
class Started:
    """One unfinished survey: the answers so far, the questions passed (answered or skipped),
    the language it is answered in, and the multiple-choice picks not yet confirmed."""

    language: str
    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    picks: list[str] = field(default_factory=list)


@dataclass
class Progress:
    """All the chat's unfinished surveys, and the one whose typed answer is awaited (if any)."""

    surveys: dict[str, Started] = field(default_factory=dict)
    awaiting: str | None = None


def _key(chat_id: int) -> str:
    return crypto.blind_index(_PURPOSE, chat_id)


def _padded(data: bytes) -> bytes:
    return data + b" " * (-len(data) % PAD_TO)


async def load(chat_id: int) -> Progress:
    """The chat's unfinished surveys (none when they expired: they are forgotten on the way)."""
    row = await SurveyProgress.get_or_none(chat_key=_key(chat_id))
    if row is None:
        return Progress()
    if row.expires_at <= datetime.now(UTC):
        await forget(chat_id)
        return Progress()
    plain = json.loads(crypto.open_at_rest(bytes(row.sealed), _PURPOSE))
    return Progress(
        surveys={sid: Started(**started) for sid, started in plain["surveys"].items()},
        awaiting=plain.get("awaiting"),
    )


async def save(chat_id: int, progress: Progress) -> None:
    """Store the chat's progress (or forget it when nothing is unfinished)."""
    if not progress.surveys:
        await forget(chat_id)
        return
    plain = {
        "surveys": {sid: vars(started) for sid, started in progress.surveys.items()},
        "awaiting": progress.awaiting,
    }
    sealed = crypto.seal_at_rest(_padded(json.dumps(plain).encode()), _PURPOSE)
    await SurveyProgress.update_or_create(
        chat_key=_key(chat_id),
        defaults={"sealed": sealed, "expires_at": coarse.hour_after(LIFETIME)},
    )


async def forget(chat_id: int) -> None:
    """Delete the chat's progress (finished, expired, or "Erase this chat")."""
    if await SurveyProgress.filter(chat_key=_key(chat_id)).delete():
        db.forget_deleted_soon()


async def purge_expired() -> int:
    """Delete every expired progress row (a periodic job); returns how many went."""
    gone = await SurveyProgress.filter(expires_at__lte=datetime.now(UTC)).delete()
    if gone:
        db.forget_deleted_soon()
    return gone
