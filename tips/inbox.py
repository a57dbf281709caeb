"""The staff side of tips, for the admin's inbox: open a tip with a member's private key, read
its files, reply to the reporter, write internal notes, move its status and give it to a member.
Every read and change is written to the audit log (never what the tip says).

Two members acting on one tip at once lose nothing: notes, replies and labels only add, and a
status change or an assignment names what its author saw (`expected`), so the second of two
conflicting changes is refused with StaleTip instead of silently undoing the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core import audit, coarse, crypto, db
from core.models import StaffMember
from tips import followup
from tips.listing import mark_read
from tips.models import NotifyRequest, Tip, TipFile, TipMessage, TipNote, TipStatus
from tips.sealing import decrypt_json, decrypt_text, encrypt_text, open_tip_key

REPLY_LIMIT = 2000  # characters: the reporter reads replies in one Telegram message
NOTE_LIMIT = 5000
UNSET: Any = object()  # `expected` not given: the change is made whatever the tip holds now


class StaleTip(Exception):
    """Someone else changed this tip since the member looked at it: nothing was changed."""


class BadText(ValueError):
    """A reply, note or reason that is empty or too long; `limit` is the longest allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"empty or longer than {limit} characters")
        self.limit = limit


class ReasonRequired(BadText):
    """A tip is closed only with a written reason."""


@dataclass(frozen=True)
class Message:
    id: int
    from_reporter: bool
    author: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class Note:
    id: int
    author: str | None
    closes: bool  # the reason given for closing the tip
    text: str
    at: datetime


@dataclass(frozen=True)
class FileInfo:
    id: int
    kind: str
    mime: str
    size: int
    has_triage_copy: bool
    # No cleaned copy exists (a video, a voice note): only the original can be shown, and it may
    # identify the sender (a voice, a face, the device's metadata). Say so before sharing it.
    original_only: bool


@dataclass(frozen=True)
class Unlocked:
    """A tip with its key opened for one member: enough to write to it."""

    tip: Tip
    key: bytes


@dataclass(frozen=True)
class OpenedTip(Unlocked):
    answers: dict[str, Any]
    messages: list[Message]
    files: list[FileInfo]
    notes: list[Note]


def clean_text(text: str, limit: int, error: type[BadText] = BadText) -> str:
    """The text without surrounding blanks; BadText (or `error`) if empty or too long."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text or len(text) > limit:
        raise error(limit)
    return text


async def unlock(tip_id: int, staff: StaffMember, private_key: bytes) -> Unlocked:
    """The tip and its key (sealing.NoAccess if it is not sealed to this member); no audit
    entry of its own: what the member then does is audited."""
    tip = await Tip.get(id=tip_id)
    return Unlocked(tip, await open_tip_key(tip, staff, private_key))


async def open_tip(tip_id: int, staff: StaffMember, private_key: bytes) -> OpenedTip:
    """Decrypt one tip for a member (sealing.NoAccess if it is not sealed to them), audited as
    a view; the member's read mark moves to what the reporter has sent so far."""
    unlocked = await unlock(tip_id, staff, private_key)
    tip, key = unlocked.tip, unlocked.key
    rows = await TipMessage.filter(tip_id=tip.id).select_related("author").order_by("id")
    files = (
        await TipFile.filter(tip_id=tip.id)
        .order_by("id")
        .only("id", "kind", "mime", "size", "triage")
    )
    notes = await TipNote.filter(tip_id=tip.id).select_related("author").order_by("id")
    await audit.record("tip.opened", actor=f"staff:{staff.id}", target=f"tip:{tip.id}")
    last_message = max((m.id for m in rows if m.from_reporter), default=0)
    await mark_read(staff.id, tip.id, last_message, max((f.id for f in files), default=0))
    return OpenedTip(
        tip=tip,
        key=key,
        answers=decrypt_json(key, bytes(tip.content)),
        messages=[
            Message(
                m.id,
                m.from_reporter,
                m.author.display_name if m.author else None,
                decrypt_text(key, m.body),
                m.created_at,
            )
            for m in rows
        ],
        files=[
            FileInfo(f.id, f.kind, f.mime, f.size, f.triage is not None, f.triage is None)
            for f in files
        ],
        notes=[
            Note(
                n.id,
                n.author.display_name if n.author else None,
                n.closes,
                decrypt_text(key, n.body),
                n.created_at,
            )
            for n in notes
        ],
    )


async def file_content(opened: Unlocked, file_id: int, *, original: bool = False) -> bytes:
    """A file's cleaned triage copy (default) or its original evidence bytes; an original-only
    file (FileInfo.original_only) has no cleaned copy, so its original is what comes back."""
    row = await TipFile.get(id=file_id, tip_id=opened.tip.id)
    blob = row.original if original or row.triage is None else row.triage
    return crypto.decrypt_content(opened.key, bytes(blob))


async def download(
    opened: Unlocked, staff: StaffMember, file_id: int, *, original: bool
) -> tuple[FileInfo, bytes] | None:
    """One file of the tip for a member, audited: its cleaned copy, or with `original` the
    bytes as received (evidence). None if the tip has no such file, or no cleaned copy of it
    when that is what was asked for."""
    row = await TipFile.get_or_none(id=file_id, tip_id=opened.tip.id)
    if row is None or (not original and row.triage is None):
        return None
    info = FileInfo(
        row.id, row.kind, row.mime, row.size, row.triage is not None, row.triage is None
    )
    blob = row.original if original else row.triage
    data = crypto.decrypt_content(opened.key, bytes(blob))
    await audit.record(
        "tip.file_original" if original else "tip.file",
        actor=f"staff:{staff.id}",
        target=f"tip:{opened.tip.id}",
        file=row.id,
    )
    return info, data


async def reply(opened: Unlocked, staff: StaffMember, text: str) -> None:
    """A reply to the reporter, encrypted with the tip key; marks their notice (if any) due.
    BadText if it is empty or longer than REPLY_LIMIT."""
    text = clean_text(text, REPLY_LIMIT)
    hour = coarse.hour()
    await TipMessage.create(
        tip_id=opened.tip.id,
        from_reporter=False,
        author=staff,
        body=encrypt_text(opened.key, text),
        created_at=hour,
    )
    await Tip.filter(id=opened.tip.id).update(updated_at=hour)
    await followup.notice_on_reply(opened.tip.id, opened.key)
    await audit.record("tip.replied", actor=f"staff:{staff.id}", target=f"tip:{opened.tip.id}")


async def add_note(opened: Unlocked, staff: StaffMember, text: str) -> None:
    """An internal note (the reporter never sees it), encrypted with the tip key."""
    text = clean_text(text, NOTE_LIMIT)
    note = await TipNote.create(
        tip_id=opened.tip.id, author=staff, body=encrypt_text(opened.key, text)
    )
    await Tip.filter(id=opened.tip.id).update(updated_at=coarse.hour())
    await audit.record(
        "tip.note", actor=f"staff:{staff.id}", target=f"tip:{opened.tip.id}", note=note.id
    )


async def set_status(
    tip_id: int,
    staff: StaffMember,
    status: TipStatus,
    *,
    expected: TipStatus | None = UNSET,
    reason: str | None = None,
    tip_key: bytes | None = None,
) -> bool:
    """Move a tip along; False if it already had this status (nothing is written).

    Closing takes a written reason (ReasonRequired otherwise), kept as a note encrypted with
    `tip_key`, and deletes the reporter's notice request for good; reopening clears closed_at.
    With `expected` (the status the member saw), a tip whose status changed meanwhile is left
    alone and StaleTip raised."""
    status = TipStatus(status)
    if status == TipStatus.CLOSED:
        reason = clean_text(reason or "", NOTE_LIMIT, ReasonRequired)
        if tip_key is None:
            raise ValueError("closing a tip takes its key, to seal the reason")
    current = await Tip.get(id=tip_id)
    if expected is not UNSET and current.status != TipStatus(expected):
        await _stale(staff, tip_id, "status")
    if current.status == status:
        return False
    try:
        await _change_status(tip_id, staff, current.status, status, reason, tip_key)
    except StaleTip:
        await _stale(staff, tip_id, "status")
    if status == TipStatus.CLOSED:
        db.forget_deleted_soon()  # the notice request's sealed chat id
    await audit.record(
        "tip.status",
        actor=f"staff:{staff.id}",
        target=f"tip:{tip_id}",
        status=str(status),
        was=str(current.status),
    )
    return True


async def _change_status(
    tip_id: int,
    staff: StaffMember,
    was: TipStatus,
    status: TipStatus,
    reason: str | None,
    tip_key: bytes | None,
) -> None:
    closed_at = datetime.now(UTC) if status == TipStatus.CLOSED else None
    async with in_transaction() as connection:
        # Compare-and-set: of two members changing the status at once, one changes nothing.
        # update(), not save(): save() would stamp updated_at to the second.
        changed = (
            await Tip.filter(id=tip_id, status=was)
            .using_db(connection)
            .update(status=status, closed_at=closed_at, updated_at=coarse.hour())
        )
        if not changed:
            raise StaleTip(f"tip {tip_id} changed status meanwhile")
        if status == TipStatus.CLOSED:
            assert tip_key is not None and reason is not None
            await TipNote.create(
                tip_id=tip_id,
                author=staff,
                closes=True,
                body=encrypt_text(tip_key, reason),
                using_db=connection,
            )
            await NotifyRequest.filter(tip_id=tip_id).using_db(connection).delete()


async def assign(
    tip_id: int,
    staff: StaffMember,
    assignee: StaffMember | None,
    *,
    expected: int | None = UNSET,
) -> bool:
    """Give the tip to a member (None: to nobody in particular); False if it was already so.
    With `expected` (the assignee's id the member saw, or None), a tip given to someone else
    meanwhile is left alone and StaleTip raised. Who may assign to whom is the door's to say."""
    new_id = assignee.id if assignee is not None else None
    query = Tip.filter(id=tip_id)
    if expected is not UNSET:
        query = query.filter(
            Q(assignee_id__isnull=True) if expected is None else Q(assignee_id=expected)
        )
    current = await query.first()
    if current is None:
        await _stale(staff, tip_id, "assignee")
    if current.assignee_id == new_id:
        return False
    previous = (
        Q(assignee_id__isnull=True)
        if current.assignee_id is None
        else Q(assignee_id=current.assignee_id)
    )
    changed = await Tip.filter(Q(id=tip_id), previous).update(
        assignee_id=new_id, updated_at=coarse.hour()
    )
    if not changed:
        await _stale(staff, tip_id, "assignee")
    await audit.record(
        "tip.assigned", actor=f"staff:{staff.id}", target=f"tip:{tip_id}", assignee=new_id
    )
    return True


async def _stale(staff: StaffMember, tip_id: int, what: str) -> NoReturn:
    """Audit a change refused because the tip changed under the member, and refuse it."""
    await audit.record("tip.stale", actor=f"staff:{staff.id}", target=f"tip:{tip_id}", what=what)
    raise StaleTip(f"tip {tip_id} changed its {what} meanwhile")
