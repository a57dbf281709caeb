"""The campaign worker: scheduler and sender together in the current event loop, as `aman run`
(or `aman run --role worker`) starts it.

    worker = Worker(api_root="https://api.telegram.org", token=token, send_rate=30)
    await worker.start()   # recovers in-flight rows, rebuilds jobs from the database, sends
    ...
    await worker.stop()    # finishes sends in flight, records them, stops the scheduler

The database must be open (core.db.init_db) before `start()`. `aman run` passes its supervisor
to `start()`, which restarts the sender's loop (with backoff) if it fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from campaigns.channels.bot_api import BotApi
from campaigns.channels.telegram_channel import TelegramChannel
from campaigns.channels.telegram_dm import TelegramDM
from campaigns.channels.webhook import Webhook
from campaigns.schedules import Scheduler, utcnow
from campaigns.sender import Sender
from core.logs import get_logger

log = get_logger(__name__)

# Starts a long-running coroutine under a name and returns the task that runs it.
Spawn = Callable[[str, Callable[[], Awaitable[None]]], asyncio.Task]


def plain_task(name: str, start: Callable[[], Awaitable[None]]) -> asyncio.Task:
    async def run() -> None:
        await start()

    return asyncio.create_task(run(), name=name)


class Worker:
    """`api_root`: Bot API root (Telegram's, or the local one in sandbox mode); `token`: the
    bot token; `send_rate`: messages per second for all channels together (AMAN_SEND_RATE);
    `clock`: wall-clock source, for tests."""

    def __init__(
        self, api_root: str, token: str, send_rate: float, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.api = BotApi(api_root, token)
        self.webhook = Webhook()
        self.sender = Sender(
            {
                "dm": TelegramDM(self.api),
                "channel": TelegramChannel(self.api),
                "webhook": self.webhook,
            },
            rate=send_rate,
            clock=clock,
        )
        self.scheduler = Scheduler(clock)
        self._task: asyncio.Task | None = None

    async def start(self, spawn: Spawn = plain_task) -> None:
        await self.sender.recover()
        await self.api.open()
        await self.scheduler.start()
        self._task = spawn("sender", self.sender.run)

    async def stop(self) -> None:
        await self.scheduler.stop()
        if self._task is not None:
            self.sender.stop()
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                pass
            except Exception as error:  # a plain task: nobody else saw it fail
                log.error("the sender had stopped on %s", type(error).__name__)
            self._task = None
        if not await self.sender.settle():
            log.error("some outcomes could not be recorded: their rows become unknown at start")
        await self.api.close()
        await self.webhook.close()
