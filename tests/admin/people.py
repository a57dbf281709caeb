"""Several people at the admin at once, each with a browser of their own (their own cookies), all
talking to one admin server: the Tunis lead shares a tip while the Libya member is signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from .staff import Browser

NewBrowser = Callable[[], Awaitable[Browser]]


@asynccontextmanager
async def browsers(app: web.Application) -> AsyncIterator[NewBrowser]:
    """`await new()` gives one more person's browser on the same running admin."""
    server = TestServer(app)
    clients: list[TestClient] = []

    async def new() -> Browser:
        client = TestClient(server)
        await client.start_server()  # the server starts once; later clients join it
        clients.append(client)
        return Browser(client)

    try:
        yield new
    finally:
        for client in clients:
            await client.close()
