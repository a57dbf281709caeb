"""One chat's updates are handled in order, one at a time; different chats are handled side by side.

python-telegram-bot hands every update to an update processor. Ours gives each chat with work in
hand a lane: a lock and a count of the updates in it, kept under a blind index of the chat id and
dropped as soon as the chat is idle. An update runs only while it holds its chat's lane and one of
RUNNING slots shared by all chats, so one busy chat holds at most one slot and cannot starve the
others. A chat that sends faster than it can be answered keeps at most WAITING updates queued;
newer ones are dropped, and the person is asked, at most once a minute, to slow down.

This orders updates within one bot process. Several bot processes behind webhooks may still see
one chat's updates at once, so what must happen once (a tip stored) is also made safe in the
database.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.chat import chat_key, guessed_language, is_private, profile_of, remember, tr
from core import chat_records, crypto
from core.logs import get_logger

log = get_logger(__name__)

RUNNING = 256  # updates being handled at once, across all chats (PTB's own default)
WAITING = 50  # updates one chat may have queued behind the one being handled
ADMITTED = 20_000  # updates held at once, running or queued: a bound on memory only
NOTICE_EVERY = 60.0  # seconds between two "slow down" notices to one chat


class _Lane:
    """One chat's queue: the lock its updates take in turn, and how many are in it."""

    __slots__ = ("dropped", "lock", "size")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.size = 0  # the update being handled plus those waiting
        self.dropped: list[int] = []  # ids of the person's messages that were not read


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of one chat one after another, in arrival order; updates of different chats (and
    those with no chat) concurrently, at most `running` at a time."""

    def __init__(
        self,
        running: int = RUNNING,
        waiting: int = WAITING,
        admitted: int = ADMITTED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # PTB's own semaphore is taken before do_process_update, also by updates that will wait
        # for their chat; it only bounds memory. Our `running` slots bound the work.
        super().__init__(max(admitted, running))
        self.running = running
        self.waiting = waiting
        self._slots = asyncio.BoundedSemaphore(running)
        self._lanes: dict[str, _Lane] = {}
        self._noticed: dict[str, float] = {}
        self._clock = clock

    @property
    def lanes(self) -> int:
        """How many chats have updates in hand right now."""
        return len(self._lanes)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:  # nothing to keep in order with
            async with self._slots:
                await coroutine
            return
        key = crypto.blind_index(crypto.Purpose.UPDATE_LANE, chat.id)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        if lane.size > self.waiting:
            _close(coroutine)
            if is_private(update) and update.message is not None:
                lane.dropped.append(update.message.message_id)
            await self._ask_to_slow_down(key, update)
            return
        lane.size += 1
        try:
            async with lane.lock, self._slots:
                try:
                    await coroutine
                finally:
                    await _record_dropped(chat.id, lane)
        finally:
            lane.size -= 1
            if lane.size == 0:
                del self._lanes[key]

    async def _ask_to_slow_down(self, key: str, update: Update) -> None:
        """Tell the person their newest messages were not read, at most once a minute."""
        now = self._clock()
        if now - self._noticed.get(key, -math.inf) < NOTICE_EVERY:
            return
        self._noticed = {k: at for k, at in self._noticed.items() if now - at < NOTICE_EVERY}
        self._noticed[key] = now
        log.warning("a chat sends faster than it can be answered: its newest updates are dropped")
        if not is_private(update):
            return
        async with self._slots:
            try:
                await _send_notice(update)
            except Exception as error:  # a notice is a courtesy; it must never fail an update
                log.warning("could not ask a chat to slow down: %s", type(error).__name__)

    async def initialize(self) -> None:
        """Nothing to set up: lanes are made when a chat's first update arrives."""

    async def shutdown(self) -> None:
        """Nothing to free: the application waits for the updates in hand before this."""


async def _send_notice(update: Update) -> None:
    try:
        language = (await profile_of(update)).language
    except Exception:  # the database may be what is overwhelmed
        language = guessed_language(update)
    _ = tr(language).gettext
    text = _(
        "You are sending messages faster than we can read them, so some of your latest "
        "messages were not read. Please wait a moment, then send again what is missing."
    )
    chat_id = update.effective_chat.id
    message = await update.get_bot().send_message(chat_id, text)
    await remember(chat_id, message.message_id)


async def _record_dropped(chat_id: int, lane: _Lane) -> None:
    """Record the messages a person sent but we did not read, in one insert, so that "Erase this
    chat" deletes them too (a person forwarding a long conversation may well want that)."""
    if not lane.dropped:
        return
    key = chat_key(chat_id)
    rows = [(key, message_id) for message_id in lane.dropped]
    lane.dropped = []
    try:
        await chat_records.remember_many(rows)  # at the hour, like every message record
    except Exception as error:  # erasing is best effort, the chat must go on
        log.warning("could not record unread messages for erasing: %s", type(error).__name__)


def _close(coroutine: Awaitable[Any]) -> None:
    """Discard an update's handling that will never run (without a "never awaited" warning)."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
