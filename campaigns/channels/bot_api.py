"""A lean Bot API caller for broadcasts: JSON calls as ready-made bytes over keep-alive
connections (`http1`), uploads through aiohttp.

python-telegram-bot's `Bot` builds full `Message` objects from every answer, and aiohttp's
client has a third of a millisecond of per-request overhead; at thousands of sends a second
on two cores both would be the bottleneck. So the sender posts JSON itself (the part of the
body that is the same for every recipient is encoded once per variant) and maps the answer's
`ok`, `message_id` and error fields to an Outcome (the mapping is in `outcomes`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from campaigns.channels.http1 import CannotConnect, Http1Pool, NoAnswer
from campaigns.outcomes import Kind, Outcome, from_bot_api, from_transport_error
from campaigns.variants import Payload

_BODY_CACHE = 64  # encoded variant bodies kept (a campaign has a handful of variants)


class BotApi:
    """Calls `{api_root}/bot{token}/{method}` and maps every answer to an Outcome."""

    def __init__(
        self, api_root: str, token: str, *, connections: int = 128, timeout: float = 10.0
    ) -> None:
        self.base = f"{api_root.rstrip('/')}/bot{token}"
        parts = urlsplit(self.base)
        self._origin, self._path = f"{parts.scheme}://{parts.netloc}", parts.path
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=5.0)
        self._session: aiohttp.ClientSession | None = None
        self._pool: Http1Pool | None = None
        self._heads: dict[str, bytes] = {}
        self._bodies: dict[int, tuple[Payload, bytes]] = {}

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        if self._pool is None or self._pool.closed:
            total = self.timeout.total or 10.0
            self._pool = Http1Pool(self._origin, size=self.connections, timeout=total)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._pool is not None:
            await self._pool.close()
        self._session = self._pool = None

    async def call(self, method: str, data: dict[str, Any] | aiohttp.FormData) -> Outcome:
        if not isinstance(data, aiohttp.FormData):
            return await self._post(method, orjson.dumps(data))
        await self.open()
        assert self._session is not None
        try:
            async with self._session.post(f"{self.base}/{method}", data=data) as response:
                raw = await response.read()
                status = response.status
        except Exception as exc:
            return from_transport_error(exc)
        return from_bot_api(status, _decoded(raw))

    async def _post(self, method: str, body: bytes) -> Outcome:
        """POST a JSON body; what the transport raises is mapped by whether it left."""
        if self._pool is None or self._pool.closed:
            await self.open()
        assert self._pool is not None
        head = self._heads.get(method)
        if head is None:
            head = self._heads[method] = self._pool.request_head(f"{self._path}/{method}")
        try:
            status, raw = await self._pool.post(head, body)
        except CannotConnect as exc:
            return Outcome(Kind.RETRY, reason=f"cannot connect: {exc}"[:180])
        except (NoAnswer, TimeoutError) as exc:
            return Outcome(Kind.UNKNOWN, reason=f"no answer: {type(exc).__name__}")
        except Exception as exc:
            return from_transport_error(exc)
        return from_bot_api(status, _decoded(raw))

    def _text_body(self, payload: Payload) -> bytes:
        """`,"text":…}`: the sendMessage body after the chat id, encoded once per variant."""
        cached = self._bodies.get(id(payload))
        if cached is not None and cached[0] is payload:
            return cached[1]
        data: dict[str, Any] = {"text": payload.text, "parse_mode": "HTML"}
        markup = payload.reply_markup()
        if markup:
            data["reply_markup"] = markup
        rest = b"," + orjson.dumps(data)[1:]
        if len(self._bodies) >= _BODY_CACHE:
            self._bodies.clear()
        self._bodies[id(payload)] = (payload, rest)  # holding the payload keeps its id unique
        return rest

    async def deliver(self, chat_id: int | str, payload: Payload) -> Outcome:
        """Send a variant: text, or a photo/document with the text as caption."""
        if payload.image is None and payload.document is None:
            body = b'{"chat_id":' + orjson.dumps(chat_id) + self._text_body(payload)
            return await self._post("sendMessage", body)
        markup = payload.reply_markup()
        method, field = ("sendPhoto", "photo") if payload.image else ("sendDocument", "document")
        fields = {"chat_id": chat_id, "caption": payload.text, "parse_mode": "HTML"}
        if markup:
            fields["reply_markup"] = markup
        if payload.file_id:
            return await self.call(method, {**fields, field: payload.file_id})
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        content = payload.image or payload.document
        name = "image.jpg" if payload.image else (payload.document_name or "document")
        form.add_field(field, content, filename=name)
        outcome, file_id = await self._upload(method, form, field)
        if file_id:
            payload.file_id = file_id
        return outcome

    async def _upload(
        self, method: str, form: aiohttp.FormData, field: str
    ) -> tuple[Outcome, str | None]:
        await self.open()
        assert self._session is not None
        try:
            async with self._session.post(f"{self.base}/{method}", data=form) as response:
                status, body = response.status, await response.json(content_type=None)
        except Exception as exc:
            return from_transport_error(exc), None
        result = (body or {}).get("result") or {}
        media = result.get(field)
        if isinstance(media, list):  # photos come back in several sizes
            media = media[-1] if media else None
        file_id = media.get("file_id") if isinstance(media, dict) else None
        return from_bot_api(status, body), file_id


def _decoded(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except ValueError:
        return None
