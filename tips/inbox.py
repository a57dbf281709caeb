"""The staff side of tips, for the admin's inbox: list a unit's tips, open one with a member's
private key, read its files, reply, and change its status (closing deletes the reporter's
notice request). Every read and change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core import audit, coarse, crypto
from core.models import StaffMember
from tips import followup
from tips.models import NotifyRequest, Tip, TipFile, TipMessage, TipStatus
from tips.sealing import decrypt_json, decrypt_text, encrypt_text, open_tip_key


@dataclass(frozen=True)
class Message:
    id: int
    from_reporter: bool
    author: str | None
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
class OpenedTip:
    tip: Tip
    key: bytes
    answers: dict[str, Any]
    messages: list[Message]
    files: list[FileInfo]


async def list_tips(unit_id: int, status: TipStatus | None = None) -> list[Tip]:
    """A unit's tips, urgent first then newest; metadata only (no decryption needed)."""
    query = Tip.filter(unit_id=unit_id)
    if status is not None:
        query = query.filter(status=status)
    tips = await query.order_by("-created_at")
    return sorted(tips, key=lambda t: t.urgency != "urgent")


async def open_tip(tip_id: int, staff: StaffMember, private_key: bytes) -> OpenedTip:
    """Decrypt one tip for a member (sealing.NoAccess if it is not sealed to them)."""
    tip = await Tip.get(id=tip_id)
    key = await open_tip_key(tip, staff, private_key)
    rows = await TipMessage.filter(tip_id=tip.id).select_related("author").order_by("id")
    files = await TipFile.filter(tip_id=tip.id).order_by("id")
    await audit.record("tip.opened", actor=f"staff:{staff.id}", target=f"tip:{tip.id}")
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
    )


async def file_content(opened: OpenedTip, file_id: int, *, original: bool = False) -> bytes:
    """A file's cleaned triage copy (default) or its original evidence bytes; an original-only
    file (FileInfo.original_only) has no cleaned copy, so its original is what comes back."""
    row = await TipFile.get(id=file_id, tip_id=opened.tip.id)
    blob = row.original if original or row.triage is None else row.triage
    return crypto.decrypt_content(opened.key, bytes(blob))


async def reply(opened: OpenedTip, staff: StaffMember, text: str) -> None:
    """A reply to the reporter, encrypted with the tip key; marks their notice (if any) due."""
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


async def set_status(tip_id: int, staff: StaffMember, status: TipStatus) -> None:
    """Move a tip along; closing it deletes the reporter's notice request for good."""
    tip = await Tip.get(id=tip_id)
    closed_at = datetime.now(UTC) if status == TipStatus.CLOSED else None
    # update(), not save(): save() would stamp updated_at to the second.
    await Tip.filter(id=tip.id).update(status=status, closed_at=closed_at, updated_at=coarse.hour())
    if status == TipStatus.CLOSED:
        await NotifyRequest.filter(tip_id=tip.id).delete()
    await audit.record(
        "tip.status", actor=f"staff:{staff.id}", target=f"tip:{tip.id}", status=str(status)
    )
