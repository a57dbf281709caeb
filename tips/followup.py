"""Follow-up from the reporter's side: with the receipt, see the status, read replies, add
information or files, and optionally ask for one notice in this chat when staff reply.

The notice's chat id is sealed at rest, used once, and deleted when sent or when the tip closes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from core import audit, crypto
from tips import media
from tips.models import NotifyRequest, Tip, TipFile, TipMessage, TipStatus
from tips.receipts import Opened
from tips.sealing import decrypt_text, encrypt_text


@dataclass(frozen=True)
class Exchange:
    from_reporter: bool
    text: str
    at: str  # ISO date, for display


@dataclass(frozen=True)
class ReporterView:
    status: TipStatus
    created_at: str
    messages: list[Exchange]
    notify_requested: bool


async def view(opened: Opened) -> ReporterView:
    """What the reporter may see of their own tip: status and the conversation."""
    tip = await Tip.get(id=opened.tip.id)
    rows = await TipMessage.filter(tip_id=tip.id).order_by("id")
    return ReporterView(
        status=tip.status,
        created_at=tip.created_at.date().isoformat(),
        messages=[
            Exchange(m.from_reporter, decrypt_text(opened.key, m.body), m.created_at.isoformat())
            for m in rows
        ],
        notify_requested=await NotifyRequest.filter(tip_id=tip.id).exists(),
    )


async def add_information(opened: Opened, text: str) -> None:
    """A new message from the reporter, encrypted with the tip key."""
    await TipMessage.create(
        tip_id=opened.tip.id, from_reporter=True, body=encrypt_text(opened.key, text)
    )
    await Tip.filter(id=opened.tip.id).update(updated_at=datetime.now(UTC))
    await audit.record("tip.reporter_added", actor="bot", target=f"tip:{opened.tip.id}")


async def add_file(opened: Opened, data: bytes) -> media.Checked:
    """A new attachment: checked by its bytes, cleaned for triage, both copies encrypted.
    Raises media.FileRejected with a message for the person."""
    checked = media.check(data)
    triage = media.triage_copy(data, checked.mime)
    await TipFile.create(
        tip_id=opened.tip.id,
        kind=checked.kind,
        mime=checked.mime,
        size=checked.size,
        original=crypto.encrypt_content(opened.key, data),
        triage=crypto.encrypt_content(opened.key, triage) if triage else None,
    )
    await audit.record("tip.reporter_file", actor="bot", target=f"tip:{opened.tip.id}")
    return checked


async def request_notice(opened: Opened, chat_id: int, language: str) -> None:
    """With the person's explicit consent: remember, sealed, where to say that a reply came."""
    sealed = crypto.seal_at_rest(
        json.dumps({"chat": chat_id, "language": language}).encode(), "tip-notify"
    )
    await NotifyRequest.update_or_create(
        tip_id=opened.tip.id, defaults={"chat_sealed": sealed, "due": False}
    )


async def cancel_notice(opened: Opened) -> None:
    await NotifyRequest.filter(tip_id=opened.tip.id).delete()


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    language: str


async def due_notices(limit: int = 50) -> list[Notice]:
    """Notices waiting to be sent (a staff reply arrived since the person asked)."""
    notices = []
    for row in await NotifyRequest.filter(due=True).order_by("id").limit(limit):
        data = json.loads(crypto.open_at_rest(bytes(row.chat_sealed), "tip-notify"))
        notices.append(Notice(row.id, int(data["chat"]), data.get("language", "en")))
    return notices


async def claim_notice(notice: Notice) -> bool:
    """Take a notice for sending by deleting its chat id first.

    Only the process whose delete removed the row may send, so with several bot processes the
    notice still goes out at most once, and the chat id is gone before it is used.
    """
    return bool(await NotifyRequest.filter(id=notice.id).delete())
