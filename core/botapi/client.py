"""A small client for the sandbox's user side, so tests read like stories:

    alice = sandbox.chat(1001, language_code="ar")
    await alice.send("/start")
    menu = await alice.wait_for_bot_message()
    await alice.press("العربية")

Messages come back as the sandbox API shows them (plain dicts, see `people.view`).
"""

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import aiohttp

Message = dict[str, Any]


class SandboxRequestError(Exception):
    """The sandbox refused a request (bad input, unknown chat or button)."""


class BotDidNotAnswer(AssertionError):
    """No bot message matching what the test waited for arrived in time."""


class SandboxClient:
    """The user side of one local Bot API server."""

    def __init__(self, root_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self._session = session
        self._own_session = session is None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> "SandboxClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def request(self, method: str, path: str, **kwargs: Any) -> dict:
        url = f"{self.root_url}/_sandbox/{path.lstrip('/')}"
        async with self.session.request(method, url, **kwargs) as response:
            if response.content_type != "application/json":
                return {"ok": response.status == 200, "body": await response.read()}
            payload = await response.json()
        if not payload.get("ok"):
            raise SandboxRequestError(payload.get("description", f"HTTP {response.status}"))
        return payload

    def chat(
        self,
        chat_id: int,
        *,
        language_code: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
        chat_type: str = "private",
    ) -> "SandboxChat":
        """A person (or group) talking to the bot in chat `chat_id`."""
        user = {"language_code": language_code, "first_name": first_name, "username": username}
        return SandboxChat(self, chat_id, {k: v for k, v in user.items() if v}, chat_type)

    async def config(self, **changes: Any) -> dict:
        """Change fault emulation and other knobs (see faults.Config); returns the config."""
        method = "POST" if changes else "GET"
        return (await self.request(method, "config", json=changes or None))["config"]

    async def advance_clock(self, seconds: float) -> dict:
        """Pretend `seconds` have passed (message ages, e.g. the 48 h deletion window)."""
        return await self.config(advance_clock=seconds)

    async def stats(self, per_chat: bool = True) -> dict:
        return await self.request("GET", "stats", params={"per_chat": int(per_chat)})

    async def reset(self) -> None:
        await self.request("POST", "reset")

    async def add_channel(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "channel",
        username: str | None = None,
    ) -> dict:
        """Register a channel or group where the bot is an administrator."""
        body = {"chat_id": chat_id, "title": title, "type": chat_type, "username": username}
        return (await self.request("POST", "channels", json=body))["chat"]

    async def chats(self) -> list[dict]:
        return (await self.request("GET", "chats"))["chats"]

    async def commands(self) -> list[dict]:
        return (await self.request("GET", "commands"))["commands"]

    async def file(self, file_id: str) -> bytes:
        """The bytes of a file the bot or a user sent."""
        return (await self.request("GET", f"files/{file_id}"))["body"]


def button_labels(message: Message | None) -> list[str]:
    """The labels of a message's buttons (inline or reply keyboard), row by row."""
    markup = (message or {}).get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b if isinstance(b, str) else b["text"] for row in rows for b in row]


class SandboxChat:
    """One chat seen from the user's side. It remembers where the conversation is, so
    `wait_for_bot_message()` returns the bot's next message after the user's last action."""

    def __init__(self, client: SandboxClient, chat_id: int, user: dict, chat_type: str) -> None:
        self.client = client
        self.id = chat_id
        self.user = user
        self.chat_type = chat_type
        self.cursor = 0  # the chat's change counter at the user's last action or read

    async def _post(self, body: dict, path: str = "messages") -> dict:
        if self.user:
            body.setdefault("user", self.user)
        body.setdefault("chat_type", self.chat_type)
        result = await self.client.request("POST", f"chats/{self.id}/{path}", json=body)
        self.cursor = max(self.cursor, result.get("seq", 0))
        return result

    async def send(self, text: str, **extra: Any) -> Message:
        """The user writes `text`; returns the Telegram Message the bot will receive."""
        return (await self._post({"text": text, **extra}))["message"]

    async def send_photo(self, data: bytes, caption: str | None = None) -> Message:
        body = {"photo": base64.b64encode(data).decode(), "caption": caption}
        return (await self._post(body))["message"]

    async def send_document(
        self,
        data: bytes,
        name: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> Message:
        document = {"name": name, "mime_type": mime_type, "data": base64.b64encode(data).decode()}
        return (await self._post({"document": document, "caption": caption}))["message"]

    async def send_voice(self, data: bytes = b"voice", duration: int = 1) -> Message:
        voice = {"data": base64.b64encode(data).decode(), "duration": duration}
        return (await self._post({"voice": voice}))["message"]

    async def send_location(self, latitude: float, longitude: float) -> Message:
        location = {"latitude": latitude, "longitude": longitude}
        return (await self._post({"location": location}))["message"]

    async def send_contact(self, phone_number: str, first_name: str | None = None) -> Message:
        contact = {"phone_number": phone_number, "first_name": first_name}
        return (await self._post({"contact": {k: v for k, v in contact.items() if v}}))["message"]

    async def send_sticker(self) -> Message:
        return (await self._post({"sticker": True}))["message"]

    async def edit(self, message_id: int, text: str) -> Message:
        """The user edits one of their messages (the bot gets edited_message)."""
        return (await self._post({"text": text, "edit_of": message_id}))["message"]

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> dict:
        """Press a button by label (or callback data) on the newest bot message that has it;
        with `data=` send any callback data, even stale, for `message_id` or the newest
        keyboard. Reply-keyboard labels are sent as text, as Telegram clients do."""
        body: dict[str, Any] = {"text": label} if data is None else {"data": data}
        if message_id is not None:
            body["message_id"] = message_id
        return await self._post(body, "press")

    def buttons(self, message: Message | None) -> list[str]:
        """The labels of a message's buttons, row by row."""
        return button_labels(message)

    async def messages(self, include_deleted: bool = False) -> list[Message]:
        """The chat as the user sees it, oldest first."""
        params = {"include_deleted": "1"} if include_deleted else None
        return (await self.client.request("GET", f"chats/{self.id}/messages", params=params))[
            "messages"
        ]

    async def deleted(self) -> list[Message]:
        params = {"include_deleted": "1"}
        result = await self.client.request("GET", f"chats/{self.id}/messages", params=params)
        return result.get("deleted", [])

    async def bot_messages(self) -> list[Message]:
        return [m for m in await self.messages() if m["from"] == "bot"]

    async def last_bot_message(self) -> Message | None:
        sent = await self.bot_messages()
        return sent[-1] if sent else None

    async def callback_answers(self) -> list[dict]:
        return (await self.client.request("GET", f"chats/{self.id}/callback_answers"))["answers"]

    async def wait_for_bot_message(
        self,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server bounds each wait; reads well in tests
        after: int | None = None,
    ) -> Message:
        """The next message the bot sends or edits after the user's last action (or after
        message id `after`) that satisfies `predicate`. Each call moves past what it returns."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        since = 0 if after is not None else self.cursor
        while (remaining := deadline - loop.time()) > 0:
            params = {"since": since, "after": after or 0, "timeout": f"{remaining:.3f}"}
            result = await self.client.request("GET", f"chats/{self.id}/wait", params=params)
            for message in result["messages"]:
                since = max(since, message["seq"])
                self.cursor = max(self.cursor, message["seq"])
                if predicate is None or predicate(message):
                    return message
        recent = [f"{m['from']}: {m.get('text') or m.get('kind')}" for m in await self.messages()]
        raise BotDidNotAnswer(
            f"chat {self.id}: no bot message{' matching' if predicate else ''} within "
            f"{timeout} s; the chat so far: {recent[-6:]}"
        )
