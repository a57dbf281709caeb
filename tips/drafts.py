"""Drafts: the report a person is writing, kept in the database between messages.

A draft is found by a blind index of the chat (the chat id is never stored); its step, answers
and language are sealed at rest with the server key and padded, and it expires at a whole hour,
so a copy of the database shows neither how far someone got nor when they last wrote. Files are
checked and cleaned once, when they arrive, and the limit on their number is enforced in the
same transaction that adds one. Deleting a draft also asks the database to forget its bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core import coarse, crypto, db
from tips.media import Checked
from tips.models import Draft, DraftFile
from tips.sealing import padded

REPORT = "report"
LIFETIME = timedelta(hours=2)
MAX_FILES = 10
_PURPOSE = crypto.Purpose.TIP_DRAFT_REPORT
_FILE_PURPOSE = crypto.Purpose.TIP_DRAFT_FILE


class TooManyFiles(Exception):
    """The draft already holds MAX_FILES files."""


@dataclass
class DraftState:
    """A draft as the flows use it: the step, the answers, the language and files attached."""

    kind: str
    state: str
    language: str = "en"
    answers: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    file_count: int = 0
    row_id: int | None = None  # the database row this was read from


@dataclass(frozen=True)
class DraftFileData:
    checked: Checked
    data: bytes
    triage: bytes | None


def _chat_key(chat_id: int) -> str:
    return crypto.blind_index(_PURPOSE, chat_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _opened(row: Draft) -> dict[str, Any]:
    return json.loads(crypto.open_at_rest(bytes(row.sealed), _PURPOSE))


async def load(kind: str, chat_id: int, *, expired: list[int] | None = None) -> DraftState | None:
    """The live report draft of this chat, or None. An expired one is deleted on the way, and
    the ids of its messages are added to `expired` (so the bot can delete them from the chat)."""
    row = await Draft.get_or_none(chat_key=_chat_key(chat_id))
    if row is None:
        return None
    data = _opened(row)
    if row.expires_at <= _now() or "state" not in data:  # old, or from before the step was sealed
        await row.delete()
        db.forget_deleted_soon()
        if expired is not None:
            expired.extend(data.get("extra", {}).get("messages", []))
        return None
    return DraftState(
        kind=REPORT,
        state=data["state"],
        language=data.get("language", "en"),
        answers=data.get("answers", {}),
        extra=data.get("extra", {}),
        file_count=await DraftFile.filter(draft_id=row.id).count(),
        row_id=row.id,
    )


async def save(chat_id: int, draft: DraftState) -> None:
    """Store the draft and push its expiry forward (to a whole hour)."""
    plain = {
        "state": draft.state,
        "language": draft.language,
        "answers": draft.answers,
        "extra": draft.extra,
    }
    sealed = crypto.seal_at_rest(padded(json.dumps(plain).encode()), _PURPOSE)
    row, _created = await Draft.update_or_create(
        chat_key=_chat_key(chat_id),
        defaults={"sealed": sealed, "expires_at": coarse.hour_after(LIFETIME)},
    )
    draft.row_id = row.id


async def discard(kind: str, chat_id: int) -> bool:
    """Forget the chat's draft and its files (cancel, erase); True when there was one."""
    gone = await Draft.filter(chat_key=_chat_key(chat_id)).delete()
    if gone:
        db.forget_deleted_soon()
    return bool(gone)


async def add_file(chat_id: int, checked: Checked, data: bytes, triage: bytes | None) -> int:
    """Attach a checked file (and its cleaned copy) to the report draft, sealed at rest; returns
    the new count. TooManyFiles when the draft is full, LookupError when there is no draft: both
    decided inside the transaction, so files sent at once can never pass the limit together."""
    async with in_transaction() as connection:
        # Lock the draft's row (PostgreSQL; SQLite has one writer), so concurrent adds queue here.
        query = Draft.filter(chat_key=_chat_key(chat_id)).select_for_update()
        row = await query.using_db(connection).first()
        if row is None:
            raise LookupError("no report draft")
        count = await DraftFile.filter(draft_id=row.id).using_db(connection).count()
        if count >= MAX_FILES:
            raise TooManyFiles()
        await DraftFile.create(
            draft_id=row.id,
            kind=checked.kind,
            mime=checked.mime,
            size=checked.size,
            sealed=crypto.seal_at_rest(data, _FILE_PURPOSE),
            triage=crypto.seal_at_rest(triage, _FILE_PURPOSE) if triage else None,
            using_db=connection,
        )
        return count + 1


async def files(row_id: int) -> list[DraftFileData]:
    """A draft's files with their cleaned copies, opened, in the order they were sent."""
    return [
        DraftFileData(
            Checked(kind=f.kind, mime=f.mime, size=f.size),
            crypto.open_at_rest(bytes(f.sealed), _FILE_PURPOSE),
            crypto.open_at_rest(bytes(f.triage), _FILE_PURPOSE) if f.triage else None,
        )
        for f in await DraftFile.filter(draft_id=row_id).order_by("id")
    ]


async def claim(row_id: int, connection: Any) -> bool:
    """Inside the caller's transaction: delete the draft (and its files) if it is still there.
    Only the one transaction whose delete removed it may turn it into a tip."""
    return bool(await Draft.filter(id=row_id).using_db(connection).delete())


async def expired_messages() -> list[tuple[int, list[int]]]:
    """(draft row id, ids of its messages) for every expired draft, before purge_expired."""
    return [
        (row.id, _opened(row).get("extra", {}).get("messages", []))
        for row in await Draft.filter(expires_at__lte=_now())
    ]


async def purge_expired() -> int:
    """Delete every expired draft (a periodic job); returns how many went."""
    gone = await Draft.filter(expires_at__lte=_now()).delete()
    if gone:
        db.forget_deleted_soon()
    return gone
