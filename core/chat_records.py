"""The messages in a person's private chat that "Erase this chat" may delete: every part of
Aman that writes to a private chat (the bot, the campaign sender) records the message id here.

A chat is known only by a blind index of its id, and a record carries the hour only (core.coarse),
so these rows cannot be paired with a tip to the minute. Records older than 48 hours are pruned:
Telegram no longer lets a bot delete such messages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from core import coarse, crypto, db
from core.logs import get_logger
from core.models import ChatMessage

log = get_logger(__name__)

KEEP_MESSAGES = timedelta(hours=48)


def chat_key(chat_id: int) -> str:
    """The blind index a chat is stored under (the id itself is never stored)."""
    return crypto.blind_index(crypto.Purpose.CHAT, chat_id)


async def remember(chat_id: int, message_id: int) -> None:
    """Record one message for erasing; a failure is logged, never raised (the chat goes on)."""
    try:
        await ChatMessage.get_or_create(
            chat_key=chat_key(chat_id), message_id=message_id, defaults={"at": coarse.hour()}
        )
    except Exception as error:  # erasing is best effort, the chat must go on
        log.warning("could not record a message for erasing: %s", type(error).__name__)


_INSERT = (
    "INSERT INTO chat_message (chat_key, message_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_PG = (
    "INSERT INTO chat_message (chat_key, message_id, at) SELECT k, m, $3 "
    "FROM unnest($1::text[], $2::bigint[]) AS v(k, m) ON CONFLICT DO NOTHING"
)


async def remember_many(
    messages: Sequence[tuple[str, int]],
    *,
    using_db: BaseDBAsyncClient | None = None,
    now: datetime | None = None,
) -> None:
    """Record many messages in one statement, each given as (chat_key(chat id), message id).

    Keys rather than ids, so a caller that holds them a while (the sender between two flushes)
    never holds chat ids. `using_db` puts the insert in the caller's transaction (one commit).
    Already recorded ones are left alone, so a retry adds nothing twice. Raises when the
    database refuses: the caller keeps them and tries again.
    """
    if not messages:
        return
    at = coarse.hour(now)
    conn = using_db or connections.get("default")
    if conn.capabilities.dialect == "postgres":
        keys, ids = zip(*messages, strict=True)
        await conn.execute_query(_INSERT_PG, [list(keys), list(ids), at])
    else:  # thousands of rows: plain statements, no model objects (the sender's hot path)
        await conn.execute_many(_INSERT, [[key, message_id, at] for key, message_id in messages])


async def recent_message_ids(chat_id: int) -> list[int]:
    """The chat's recorded messages that Telegram still lets the bot delete."""
    cutoff = coarse.hour() - KEEP_MESSAGES
    rows = ChatMessage.filter(chat_key=chat_key(chat_id), at__gte=cutoff)
    return sorted(await rows.values_list("message_id", flat=True))


async def prune(now: datetime | None = None) -> int:
    """Forget records older than 48 hours."""
    cutoff = coarse.hour(now) - KEEP_MESSAGES
    gone = await ChatMessage.filter(at__lt=cutoff).delete()
    if gone:
        db.forget_deleted_soon()
    return gone


async def forget_messages(chat_id: int, message_ids: Sequence[int]) -> None:
    """Forget the records of these messages (they were deleted from the chat)."""
    if message_ids:
        await ChatMessage.filter(chat_key=chat_key(chat_id), message_id__in=message_ids).delete()
        db.forget_deleted_soon()


async def forget(chat_id: int) -> None:
    """Forget every record of the chat (after its messages were deleted)."""
    await ChatMessage.filter(chat_key=chat_key(chat_id)).delete()
    db.forget_deleted_soon()


class Batch:
    """Messages sent to private chats, waiting to be recorded together: one insert of a second's
    worth of records costs SQLite a fraction of many small ones (each commit rewrites every page
    it touched, and records land all over the chat_key indexes). Held by key, never by chat id."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._waiting: list[tuple[str, int]] = []
        self._next = 0.0

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, chat_id: int, message_id: int) -> None:
        self._waiting.append((chat_key(chat_id), message_id))

    def take(self, *, everything: bool = False) -> list[tuple[str, int]]:
        """The records to write now: all of them when `everything` or `every` seconds have
        passed since the last take, else none."""
        now = time.monotonic()
        if not self._waiting or not (everything or now >= self._next):
            return []
        taken, self._waiting = self._waiting, []
        self._next = now + self.every
        return taken

    def put_back(self, records: list[tuple[str, int]]) -> None:
        """Records whose write failed: they go with the next take."""
        self._waiting[:0] = records
