"""Follow-up from the reporter's side: with the receipt, see the status, read replies, add
information or files, and optionally ask for one notice in this chat when staff reply.

The notice's chat id is sealed under the tip's own key (NotifyRequest), so neither the database
nor the server secret can link a chat to a tip. When a focal point replies (and so holds the tip
key), it becomes a ReplyNotice with no tip and no time, which the bot sends once and deletes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core import audit, coarse, crypto, db
from tips import media
from tips.models import NotifyRequest, ReplyNotice, Tip, TipFile, TipMessage, TipStatus
from tips.receipts import Opened
from tips.sealing import decrypt_text, encrypt_text

_NOTICE_PURPOSE = crypto.Purpose.TIP_NOTIFY


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
    """A new message from the reporter, encrypted with the tip key, dated to the hour."""
    hour = coarse.hour()
    await TipMessage.create(
        tip_id=opened.tip.id,
        from_reporter=True,
        body=encrypt_text(opened.key, text),
        created_at=hour,
    )
    await Tip.filter(id=opened.tip.id).update(updated_at=hour)
    await audit.record("tip.reporter_added", actor="bot", target=f"tip:{opened.tip.id}", at=hour)


async def add_file(opened: Opened, data: bytes) -> media.Checked:
    """A new attachment: checked by its bytes, cleaned for triage once (off the event loop),
    both copies encrypted. Raises media.FileRejected with a message for the person."""
    checked = media.check(data)
    triage = await media.clean(data, checked.mime)
    hour = coarse.hour()
    await TipFile.create(
        tip_id=opened.tip.id,
        kind=checked.kind,
        mime=checked.mime,
        size=checked.size,
        original=crypto.encrypt_content(opened.key, data),
        triage=crypto.encrypt_content(opened.key, triage) if triage else None,
        created_at=hour,
    )
    await Tip.filter(id=opened.tip.id).update(updated_at=hour)
    await audit.record("tip.reporter_file", actor="bot", target=f"tip:{opened.tip.id}", at=hour)
    return checked


async def request_notice(opened: Opened, chat_id: int, language: str) -> None:
    """With the person's explicit consent: remember where to say that a reply came, sealed
    under the tip's own key (only a focal point opening the tip to reply can read it)."""
    plain = json.dumps({"chat": chat_id, "language": language}).encode()
    await NotifyRequest.update_or_create(
        tip_id=opened.tip.id, defaults={"chat_sealed": crypto.encrypt_content(opened.key, plain)}
    )


async def cancel_notice(opened: Opened) -> None:
    if await NotifyRequest.filter(tip_id=opened.tip.id).delete():
        db.forget_deleted_soon()


async def notice_on_reply(tip_id: int, tip_key: bytes) -> None:
    """A reply was written: turn the tip's notice request (if any) into a ReplyNotice that the
    bot will send, and forget the request. The notice carries no tip and no time."""
    async with in_transaction() as connection:
        row = await NotifyRequest.filter(tip_id=tip_id).using_db(connection).first()
        if row is None:
            return
        plain = _opened_request(tip_key, bytes(row.chat_sealed))
        await ReplyNotice.create(
            chat_sealed=crypto.seal_at_rest(plain, _NOTICE_PURPOSE), using_db=connection
        )
        await NotifyRequest.filter(id=row.id).using_db(connection).delete()
    db.forget_deleted_soon()


def _opened_request(tip_key: bytes, sealed: bytes) -> bytes:
    try:
        return crypto.decrypt_content(tip_key, sealed)
    except Exception:  # a request made before it was sealed under the tip key
        return crypto.open_at_rest(sealed, _NOTICE_PURPOSE)


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    language: str


async def due_notices(limit: int = 50) -> list[Notice]:
    """Notices waiting to be sent (a staff reply arrived since the person asked)."""
    notices = []
    for row in await ReplyNotice.all().order_by("id").limit(limit):
        data = json.loads(crypto.open_at_rest(bytes(row.chat_sealed), _NOTICE_PURPOSE))
        notices.append(Notice(row.id, int(data["chat"]), data.get("language", "en")))
    return notices


async def claim_notice(notice: Notice) -> bool:
    """Take a notice for sending by deleting its chat id first.

    Only the process whose delete removed the row may send, so with several bot processes the
    notice still goes out at most once, and the chat id is gone before it is used.
    """
    taken = bool(await ReplyNotice.filter(id=notice.id).delete())
    if taken:
        db.forget_deleted_soon()
    return taken


async def forget_chat_notices(chat_id: int) -> int:
    """Erase: drop notices waiting to go to this chat (requests not yet due are sealed under
    their tips' keys and cannot be found by chat; see the README)."""
    mine = [n.id for n in await due_notices(limit=10_000) if n.chat_id == chat_id]
    gone = await ReplyNotice.filter(id__in=mine).delete() if mine else 0
    if gone:
        db.forget_deleted_soon()
    return gone
