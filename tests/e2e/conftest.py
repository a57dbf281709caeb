"""The bot as people meet it: the real Application polling the local Bot API, on a real database.

`sandbox` yields a SandboxClient; each test's chats talk to the bot through it. Everything is
started in the test's own event loop and stopped within bounded time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import build_application, start_polling, stop
from core.botapi import SandboxClient, start_server

STOP_WITHIN = 10.0  # seconds


@pytest.fixture
def bot_options() -> dict:
    """Extra keyword arguments for build_application (a test may override this fixture)."""
    return {}


@pytest.fixture
async def sandbox(db: str, bot_options: dict) -> AsyncIterator[SandboxClient]:
    server = await start_server()
    app = build_application("1:sandbox", server.url, **bot_options)
    try:
        await asyncio.wait_for(start_polling(app), STOP_WITHIN)
        async with SandboxClient(server.url) as client:
            yield client
    finally:
        try:
            await asyncio.wait_for(stop(app), STOP_WITHIN)
        finally:
            await server.stop()
