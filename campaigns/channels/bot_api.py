"""A lean Bot API caller for broadcasts: raw aiohttp with one pooled session.

python-telegram-bot's `Bot` builds full `Message` objects from every answer; at a thousand
sends a second on two cores that parsing is the bottleneck, so the sender posts JSON itself
and reads only `ok`, `message_id` and the error fields (the mapping is in `outcomes`).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from campaigns.outcomes import Outcome, from_bot_api, from_transport_error
from campaigns.variants import Payload


class BotApi:
    """Calls `{api_root}/bot{token}/{method}` and maps every answer to an Outcome."""

    def __init__(
        self, api_root: str, token: str, *, connections: int = 128, timeout: float = 10.0
    ) -> None:
        self.base = f"{api_root.rstrip('/')}/bot{token}"
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=5.0)
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def call(self, method: str, data: dict[str, Any] | aiohttp.FormData) -> Outcome:
        await self.open()
        assert self._session is not None
        kwargs: dict[str, Any] = (
            {"data": data}
            if isinstance(data, aiohttp.FormData)
            else {"data": json.dumps(data), "headers": {"Content-Type": "application/json"}}
        )
        try:
            async with self._session.post(f"{self.base}/{method}", **kwargs) as response:
                raw = await response.read()
                status = response.status
        except Exception as exc:
            return from_transport_error(exc)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        outcome = from_bot_api(status, body)
        return outcome

    async def deliver(self, chat_id: int, payload: Payload) -> Outcome:
        """Send a variant: text, or a photo/document with the text as caption."""
        markup = payload.reply_markup()
        if payload.image is None and payload.document is None:
            data: dict[str, Any] = {"chat_id": chat_id, "text": payload.text, "parse_mode": "HTML"}
            if markup:
                data["reply_markup"] = markup
            return await self.call("sendMessage", data)
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
