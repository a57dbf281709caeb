"""Notices to staff without content: a member links a Telegram chat (a one-time code made in the
admin, sent to the bot as `/link <code>`) and is then told there "A new tip is in your Aman
inbox." whenever a tip is newly theirs to open: routed to their unit, shared with it, or given to
them. Never its content, category, country or place, nor even how many.

What counts as "newly theirs" is a tip key sealed to them (TipKey rows, whoever made them), so
intake, sharing and escalation need not know about notices. The bot's job reads the new keys
since its last look, queues at most one StaffNotice per member (no tip, no time), then claims
each by deleting it and sends it once. A key is read only one look after it was first seen, so
a tip whose transaction was still open at a look is never skipped.

The chat id is sealed at rest (STAFF_CHAT) and found by a blind index; link codes are kept only
as blind indexes and expire in minutes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, crypto, db
from core.models import StaffLinkCode, StaffMember, StaffTelegram
from tips.models import StaffNotice, StaffNoticeMark, TipKey

CODE_LIFETIME = timedelta(minutes=10)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 10  # 50 bits: not guessable in ten minutes
_MARK = 1


@dataclass(frozen=True)
class LinkCode:
    code: str  # shown once, never stored
    expires_at: datetime


@dataclass(frozen=True)
class Linked:
    staff: StaffMember
    replaced: bool  # this chat was linked to someone before (now to this member only)


@dataclass(frozen=True)
class Notice:
    id: int
    staff_id: int
    chat_id: int
    language: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


def normalise_code(text: str) -> str:
    """A code as typed ("abcde-fghjk", with spaces): the letters and digits, uppercased."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def _code_digest(code: str) -> str:
    return crypto.blind_index(crypto.Purpose.STAFF_LINK_CODE, normalise_code(code))


async def new_link_code(staff: StaffMember) -> LinkCode:
    """A fresh one-time code for this member (an older unused one stops working)."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = _utcnow() + CODE_LIFETIME
    await StaffLinkCode.update_or_create(
        staff_id=staff.id,
        defaults={"code_digest": _code_digest(code), "expires_at": expires_at},
    )
    await audit.record("staff.telegram_code", actor=f"staff:{staff.id}", target=f"staff:{staff.id}")
    return LinkCode(f"{code[:5]}-{code[5:]}", expires_at)


def _chat_key(chat_id: int) -> str:
    return crypto.blind_index(crypto.Purpose.STAFF_CHAT, chat_id)


async def link_chat(code: str, chat_id: int, language: str) -> Linked | None:
    """Link this chat to the member whose code this is, using the code up; None for a code
    that is wrong, used or expired (or a member no longer active)."""
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    async with in_transaction() as connection:
        row = (
            await StaffLinkCode.filter(code_digest=_code_digest(code))
            .using_db(connection)
            .select_related("staff")
            .first()
        )
        if row is None:
            return None
        taken = await StaffLinkCode.filter(id=row.id).using_db(connection).delete()
        if not taken or row.expires_at <= _utcnow() or not row.staff.is_active:
            return None
        chat_key = _chat_key(chat_id)
        before = await StaffTelegram.filter(chat_key=chat_key).using_db(connection).delete()
        await StaffTelegram.filter(staff_id=row.staff.id).using_db(connection).delete()
        sealed = crypto.seal_at_rest(
            json.dumps({"chat": chat_id, "language": language}).encode(), crypto.Purpose.STAFF_CHAT
        )
        await StaffTelegram.create(
            staff=row.staff, chat_key=chat_key, chat_sealed=sealed, using_db=connection
        )
    await audit.record("staff.telegram_linked", actor="bot", target=f"staff:{row.staff.id}")
    return Linked(row.staff, bool(before))


async def unlink(staff: StaffMember) -> bool:
    """Forget this member's chat and any notice waiting for it; False if none was linked."""
    gone = await StaffTelegram.filter(staff_id=staff.id).delete()
    await StaffNotice.filter(staff_id=staff.id).delete()
    await StaffLinkCode.filter(staff_id=staff.id).delete()
    if gone:
        db.forget_deleted_soon()
        await audit.record(
            "staff.telegram_unlinked", actor=f"staff:{staff.id}", target=f"staff:{staff.id}"
        )
    return bool(gone)


async def linked_since(staff: StaffMember) -> datetime | None:
    """When this member linked a chat, or None."""
    row = await StaffTelegram.get_or_none(staff_id=staff.id)
    return row.linked_at if row else None


async def queue_new_keys() -> int:
    """One look at the tip keys sealed since the last look: queue a notice for each linked,
    active member who got one. Several bot processes may look at once; one wins each range.
    Returns how many notices were queued."""
    last = await TipKey.all().order_by("-id").limit(1).values_list("id", flat=True)
    newest = last[0] if last else 0
    mark = await StaffNoticeMark.get_or_none(id=_MARK)
    if mark is None:
        try:  # the first look: what came before it is nobody's news
            await StaffNoticeMark.create(id=_MARK, done_up_to=newest, seen_up_to=newest)
        except IntegrityError:
            pass
        return 0
    done, seen = mark.done_up_to, mark.seen_up_to
    moved = await StaffNoticeMark.filter(id=_MARK, done_up_to=done, seen_up_to=seen).update(
        done_up_to=seen, seen_up_to=max(newest, seen)
    )
    if not moved or seen <= done:
        return 0
    members = set(
        await TipKey.filter(id__gt=done, id__lte=seen, staff_id__isnull=False)
        .distinct()
        .values_list("staff_id", flat=True)
    )
    if not members:
        return 0
    told = await StaffTelegram.filter(staff_id__in=members, staff__is_active=True).values_list(
        "staff_id", flat=True
    )
    queued = 0
    for staff_id in told:
        _notice, made = await StaffNotice.get_or_create(staff_id=staff_id)
        queued += made
    return queued


async def due_notices(limit: int = 50) -> list[Notice]:
    """Notices waiting to go out, with the chat and language they go to."""
    rows = await StaffNotice.all().order_by("id").limit(limit)
    chats = {
        row.staff_id: row
        for row in await StaffTelegram.filter(staff_id__in=[r.staff_id for r in rows])
    }
    notices = []
    for row in rows:
        chat = chats.get(row.staff_id)
        if chat is None:  # unlinked since: nowhere to send it
            await StaffNotice.filter(id=row.id).delete()
            continue
        data = json.loads(crypto.open_at_rest(bytes(chat.chat_sealed), crypto.Purpose.STAFF_CHAT))
        notices.append(Notice(row.id, row.staff_id, int(data["chat"]), data.get("language", "en")))
    return notices


async def claim(notice: Notice) -> bool:
    """Take a notice for sending by deleting it: only the process whose delete removed the row
    sends, so a notice goes out at most once."""
    return bool(await StaffNotice.filter(id=notice.id).delete())
