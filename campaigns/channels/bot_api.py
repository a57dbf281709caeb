"""A lean Bot API caller for broadcasts: JSON calls as ready-made bytes through one aiohttp
session, uploads as multipart, every answer mapped to an Outcome (the mapping is in `outcomes`).

python-telegram-bot's `Bot` builds full `Message` objects from every answer; at thousands of
sends a second on two cores that is the bottleneck. So the sender posts JSON itself (the part
of the body that is the same for every recipient is encoded once per variant, with orjson) and
reads only the answer's `ok`, `message_id` and error fields.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import orjson

from campaigns.outcomes import Outcome, from_bot_api, from_transport_error
from campaigns.variants import Payload

_BODY_CACHE = 64  # encoded variant bodies kept (a campaign has a handful of variants)
_JSON = {"Content-Type": "application/json"}


class BotApi:
    """Calls `{api_root}/bot{token}/{method}` and maps every answer to an Outcome."""

    def __init__(
        self, api_root: str, token: str, *, connections: int = 128, timeout: float = 10.0
    ) -> None:
        self.base = f"{api_root.rstrip('/')}/bot{token}"
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=5.0)
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, str] = {}
        self._bodies: dict[int, tuple[Payload, bytes]] = {}
        self._uploads: dict[int, tuple[Payload, asyncio.Lock]] = {}

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self.timeout,
                skip_auto_headers=("User-Agent",),
                auto_decompress=False,
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def call(self, method: str, data: dict[str, Any] | aiohttp.FormData) -> Outcome:
        if not isinstance(data, aiohttp.FormData):
            return await self._post(method, orjson.dumps(data))
        status, body = await self._send(method, data=data)
        return body if status is None else from_bot_api(status, _decoded(body))

    async def _post(self, method: str, body: bytes) -> Outcome:
        """POST a JSON body; what the transport raises is mapped by whether it left."""
        status, raw = await self._send(method, data=body, headers=_JSON)
        return raw if status is None else from_bot_api(status, _decoded(raw))

    async def _send(self, method: str, **request: Any) -> tuple[int | None, Any]:
        """(status, raw body), or (None, Outcome) when the transport failed."""
        if self._session is None or self._session.closed:
            await self.open()
        assert self._session is not None
        url = self._urls.get(method) or self._urls.setdefault(method, f"{self.base}/{method}")
        try:
            async with self._session.post(url, **request) as response:
                return response.status, await response.read()
        except Exception as exc:
            return None, from_transport_error(exc)

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
        if payload.file_id:
            return await self._send_media(chat_id, payload)
        # The first send uploads the file; sends started meanwhile wait for its file_id
        # instead of uploading the same bytes again.
        async with self._upload_lock(payload):
            return await self._send_media(chat_id, payload)

    def _upload_lock(self, payload: Payload) -> asyncio.Lock:
        held = self._uploads.get(id(payload))
        if held is None or held[0] is not payload:
            if len(self._uploads) >= _BODY_CACHE:
                self._uploads.clear()
            held = self._uploads[id(payload)] = (payload, asyncio.Lock())
        return held[1]

    async def _send_media(self, chat_id: int | str, payload: Payload) -> Outcome:
        markup = payload.reply_markup()
        method, field = ("sendPhoto", "photo") if payload.image else ("sendDocument", "document")
        fields: dict[str, Any] = {"chat_id": chat_id, "caption": payload.text, "parse_mode": "HTML"}
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
        status, raw = await self._send(method, data=form)
        if status is None:
            return raw
        body = _decoded(raw)
        payload.file_id = _file_id(body, field)
        return from_bot_api(status, body)


def _file_id(body: Any, field: str) -> str | None:
    result = (body or {}).get("result") or {} if isinstance(body, dict) else {}
    media = result.get(field)
    if isinstance(media, list):  # photos come back in several sizes
        media = media[-1] if media else None
    return media.get("file_id") if isinstance(media, dict) else None


def _decoded(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except ValueError:
        return None
