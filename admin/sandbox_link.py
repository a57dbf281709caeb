"""The admin's line to the local Bot API's sandbox API: one aiohttp session for the app's life,
and the few calls the Simulator makes as a person in one private chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

# A long poll from the browser lasts at most this long; the sandbox is asked in short slices
# so that a deleted message (which the sandbox's wait does not report) shows within a slice.
LONG_POLL_SECONDS = 20.0
SLICE_SECONDS = 2.0


class SandboxUnavailable(Exception):
    """The local Bot API did not answer or refused the call."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class SandboxLink:
    """Calls into `{root}/_sandbox/` on behalf of Simulator users."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def session_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: open the shared client session at start-up, close it at shutdown."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=LONG_POLL_SECONDS + 10, connect=5)
        )
        yield
        await self._session.close()
        self._session = None

    async def _call(self, method: str, path: str, **kwargs: object) -> dict:
        if self._session is None:
            raise SandboxUnavailable(503, "the sandbox link is not open")
        try:
            async with self._session.request(method, f"{self.root}/_sandbox{path}", **kwargs) as r:  # type: ignore[arg-type]
                body = await r.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise SandboxUnavailable(502, f"the local Bot API did not answer: {error}") from None
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else None
            raise SandboxUnavailable(r.status, str(description or "the sandbox refused"))
        return body

    async def transcript(self, chat_id: int) -> dict:
        """Everything the person sees: `{messages, keyboard, seq}`."""
        body = await self._call("GET", f"/chats/{chat_id}/messages")
        return {
            "messages": body.get("messages", []),
            "keyboard": body.get("keyboard"),
            "seq": body.get("seq", 0),
        }

    async def send(self, chat_id: int, message: dict) -> dict:
        await self._call("POST", f"/chats/{chat_id}/messages", json=message)
        return await self.transcript(chat_id)

    async def press(self, chat_id: int, button: dict) -> dict:
        await self._call("POST", f"/chats/{chat_id}/press", json=button)
        return await self.transcript(chat_id)

    async def wait(self, chat_id: int, since: int) -> dict:
        """The transcript as soon as anything in the chat changed after `since` (or on timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONG_POLL_SECONDS
        while True:
            remaining = deadline - loop.time()
            piece = max(0.0, min(SLICE_SECONDS, remaining))
            body = await self._call(
                "GET", f"/chats/{chat_id}/wait", params={"since": since, "timeout": piece}
            )
            if body.get("messages") or body.get("seq", 0) > since or remaining <= SLICE_SECONDS:
                return await self.transcript(chat_id)

    async def file(self, file_id: str) -> tuple[bytes, str]:
        """The bytes and media type of a file the bot or the person sent."""
        if self._session is None:
            raise SandboxUnavailable(503, "the sandbox link is not open")
        try:
            async with self._session.get(f"{self.root}/_sandbox/files/{file_id}") as response:
                if response.status != 200:
                    raise SandboxUnavailable(404, "no such file")
                return await response.read(), response.content_type
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SandboxUnavailable(502, f"the local Bot API did not answer: {error}") from None


SANDBOX = web.AppKey("sandbox", SandboxLink)
