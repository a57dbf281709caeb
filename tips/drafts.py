"""Drafts: what a person has answered so far, kept in the database between messages.

A draft is found by a blind index of the chat (the chat id is never stored), its answers are
sealed at rest with the server key, and it expires, so an abandoned report does not linger.
Two kinds share the table: the report being written, and a short "check my report" session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core import crypto
from tips.media import Checked
from tips.models import Draft, DraftFile

REPORT = "report"
CHECK = "check"
LIFETIME = {REPORT: timedelta(hours=2), CHECK: timedelta(minutes=15)}
MAX_FILES = 10


@dataclass
class DraftState:
    """A draft as the flows use it: the step, the answers, the language and files attached."""

    kind: str
    state: str
    language: str = "en"
    answers: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    file_count: int = 0


def _chat_key(kind: str, chat_id: int) -> str:
    return crypto.blind_index(f"tip-draft:{kind}", chat_id)


def _now() -> datetime:
    return datetime.now(UTC)


async def _row(kind: str, chat_id: int) -> Draft | None:
    row = await Draft.get_or_none(chat_key=_chat_key(kind, chat_id))
    if row is not None and row.expires_at <= _now():
        await row.delete()
        return None
    return row


async def load(kind: str, chat_id: int) -> DraftState | None:
    """The live draft of this chat, or None (an expired one is deleted on the way)."""
    row = await _row(kind, chat_id)
    if row is None:
        return None
    data = json.loads(crypto.open_at_rest(bytes(row.sealed), f"tip-draft:{kind}"))
    return DraftState(
        kind=kind,
        state=row.state,
        language=data.get("language", "en"),
        answers=data.get("answers", {}),
        extra=data.get("extra", {}),
        file_count=await DraftFile.filter(draft_id=row.id).count(),
    )


async def save(chat_id: int, draft: DraftState) -> None:
    """Store the draft and push its expiry forward."""
    sealed = crypto.seal_at_rest(
        json.dumps(
            {"language": draft.language, "answers": draft.answers, "extra": draft.extra}
        ).encode(),
        f"tip-draft:{draft.kind}",
    )
    await Draft.update_or_create(
        chat_key=_chat_key(draft.kind, chat_id),
        defaults={
            "state": draft.state,
            "sealed": sealed,
            "expires_at": _now() + LIFETIME[draft.kind],
        },
    )


async def discard(kind: str, chat_id: int) -> None:
    """Forget the draft and its files (cancel, submit, or the end of a check session)."""
    await Draft.filter(chat_key=_chat_key(kind, chat_id)).delete()


async def add_file(chat_id: int, data: bytes, checked: Checked) -> int:
    """Attach a checked file to the report draft, sealed at rest; returns the new count."""
    row = await _row(REPORT, chat_id)
    if row is None:
        raise LookupError("no report draft")
    await DraftFile.create(
        draft=row,
        kind=checked.kind,
        mime=checked.mime,
        size=checked.size,
        sealed=crypto.seal_at_rest(data, "tip-draft-file"),
    )
    return await DraftFile.filter(draft_id=row.id).count()


async def files(chat_id: int) -> list[tuple[Checked, bytes]]:
    """The report draft's files, opened, in the order they were sent."""
    row = await _row(REPORT, chat_id)
    if row is None:
        return []
    return [
        (
            Checked(kind=f.kind, mime=f.mime, size=f.size),
            crypto.open_at_rest(bytes(f.sealed), "tip-draft-file"),
        )
        for f in await DraftFile.filter(draft_id=row.id)
    ]


async def purge_expired() -> int:
    """Delete every expired draft (a periodic job); returns how many went."""
    return await Draft.filter(expires_at__lte=_now()).delete()
