"""Follow-up from the reporter's side: with the receipt, see the status, read replies, add
information or files, and optionally ask for one notice in this chat when staff reply.

The notice's chat id is sealed under the tip's own key (NotifyRequest), so neither the database
nor the server secret can link a chat to a tip. When a focal point replies (and so holds the tip
key), it becomes a ReplyNotice with no tip and no time, which the bot sends once and deletes.
A notice waits for the morning: it is due only outside quiet hours in the person's country (the
country is sealed with the chat id, so the row itself still says nothing about when or where).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from campaigns.localtime import quiet_map, quiet_until, zone_of
from core import audit, coarse, crypto, db
from tips import links, media
from tips.models import NotifyRequest, ReplyNotice, Tip, TipFile, TipMessage, TipStatus
from tips.receipts import Opened
from tips.sealing import decrypt_text, encrypt_text

_NOTICE_PURPOSE = crypto.Purpose.TIP_NOTIFY
_SCAN = 500  # waiting notices opened per query when looking for due ones


def _utcnow() -> datetime:
    return datetime.now(UTC)


# The wall clock that decides whether a notice is due (a test sets its own: time is outside).
clock: Callable[[], datetime] = _utcnow


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
    await links.record(opened.tip.id, opened.tip.country, [text])
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


async def request_notice(
    opened: Opened, chat_id: int, language: str, country: str | None = None
) -> None:
    """With the person's explicit consent: remember where to say that a reply came, sealed
    under the tip's own key (only a focal point opening the tip to reply can read it), and the
    person's country, whose night the notice waits out (None: not known, see `is_quiet`)."""
    plain = json.dumps({"chat": chat_id, "language": language, "country": country}).encode()
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
    country: str | None = None


def is_quiet(country: str | None, now: datetime) -> bool:
    """Whether it is night (21:00-08:00) for a person in `country` at `now`.

    With no known country (never chosen, "other / on the way", or a notice asked for before
    countries were kept) it is night while it is night in any country Aman serves: the notice
    comes between 08:00 in Casablanca and 21:00 in Cairo, when it is day in all of them."""
    if zone_of(country) is not None:
        return quiet_until(country, now) is not None
    return bool(quiet_map(now))  # night in at least one of them


async def _waiting() -> AsyncIterator[Notice]:
    """Every notice waiting to go out, opened a few hundred at a time."""
    after = 0
    while True:
        rows = await ReplyNotice.filter(id__gt=after).order_by("id").limit(_SCAN)
        for row in rows:
            data = json.loads(crypto.open_at_rest(bytes(row.chat_sealed), _NOTICE_PURPOSE))
            country = data.get("country")
            yield Notice(row.id, int(data["chat"]), data.get("language", "en"), country)
        if len(rows) < _SCAN:
            return
        after = rows[-1].id


async def due_notices(now: datetime | None = None, limit: int = 50) -> list[Notice]:
    """Notices to send now: a staff reply arrived since the person asked, and it is not night
    where they are (the others keep waiting, however many there are)."""
    now = now or clock()
    due: list[Notice] = []
    async with aclosing(_waiting()) as waiting:
        async for notice in waiting:
            if not is_quiet(notice.country, now):
                due.append(notice)
            if len(due) >= limit:
                break
    return due


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
    """Erase: drop notices waiting to go to this chat, those held back for the night too
    (requests not yet replied to are sealed under their tips' keys and cannot be found by
    chat; see the README)."""
    mine = [n.id async for n in _waiting() if n.chat_id == chat_id]
    gone = await ReplyNotice.filter(id__in=mine).delete() if mine else 0
    if gone:
        db.forget_deleted_soon()
    return gone
