"""The sandbox's in-memory world: chats and their messages as both sides see them, the queue of
updates waiting for the bot, callback queries, the bot's settings and the counters that
benchmarks read.

One `World` serves one bot; the bot side (`methods`) and the user side (`sandbox`) both change
it, and long polls wait on its events instead of polling a timer.
"""

import asyncio
import copy
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from core.botapi.faults import Config, FloodControl, ServerFaults
from core.botapi.files import FileStore
from core.botapi.params import ApiError, bad_request

DEFAULT_BOT_ID = 7000000001
CHANNEL_TYPES = ("channel", "supergroup", "group")


@dataclass(slots=True)
class StoredMessage:
    """One message in a chat, with what the user-side view needs beyond Telegram's object."""

    message_id: int
    from_bot: bool
    kind: str
    data: dict  # the Telegram Message object as last returned to the bot
    source: str | None = None  # text or caption as the bot sent it, before parse_mode
    parse_mode: str | None = None
    markup: dict | None = None  # reply_markup as sent, of any kind
    edited: bool = False
    seq: int = 0


@dataclass(slots=True)
class Chat:
    """A chat the bot knows: a person's private chat, a group or a channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: dict | None = None  # private chats: the person; groups: the latest sender
    bot_is_admin: bool = False
    next_message_id: int = 1
    seq: int = 0
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    deleted: list[StoredMessage] = field(default_factory=list)
    callback_answers: list[dict] = field(default_factory=list)
    keyboard: dict | None = None  # the reply keyboard the user currently sees
    delivered: int = 0
    last_action: str | None = None
    waiter: asyncio.Event | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bump(self) -> int:
        """Mark a change visible to the user and wake whoever waits for one."""
        self.seq += 1
        if self.waiter is not None:
            self.waiter.set()
            self.waiter = None
        return self.seq

    def changed(self) -> asyncio.Event:
        if self.waiter is None:
            self.waiter = asyncio.Event()
        return self.waiter

    def telegram(self) -> dict:
        """The Chat object of the Bot API."""
        data: dict = {"id": self.id, "type": self.type}
        if self.is_private:
            user = self.user or {}
            data["first_name"] = user.get("first_name", "User")
            for key in ("last_name", "username"):
                if user.get(key):
                    data[key] = user[key]
        else:
            data["title"] = self.title or f"Chat {self.id}"
            if self.username:
                data["username"] = self.username
        return data


def default_user(user_id: int, language_code: str | None = None) -> dict:
    """The person behind a chat when a test does not describe them."""
    user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
    if language_code:
        user["language_code"] = language_code
    return user


@dataclass
class Stats:
    """Counters the benchmarks and tests read through /_sandbox/stats."""

    calls: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    delivered_total: int = 0
    duplicate_messages: int = 0
    duplicate_chats: set[int] = field(default_factory=set)
    content_hashes: set[int] = field(default_factory=set)
    updates_injected: int = 0


class World:
    """Everything the sandbox remembers, for one bot."""

    def __init__(self, config: Config | None = None) -> None:
        self.initial_config = copy.deepcopy(config or Config())
        self.config = copy.deepcopy(self.initial_config)
        self.closing = False
        self.poll_generation = 0
        self._clear()

    def _clear(self) -> None:
        self.flood = FloodControl(self.config)
        self.faults = ServerFaults(self.config)
        self.bot_id = DEFAULT_BOT_ID
        self.chats: dict[int, Chat] = {}
        self.usernames: dict[str, int] = {}
        self.updates: OrderedDict[int, dict] = OrderedDict()
        self.next_update_id = 1
        self.allowed_updates: list[str] = []
        self.files = FileStore()
        self.callback_queries: dict[str, dict] = {}
        self.next_callback_id = 1
        self.commands: dict[str, list[dict]] = {}
        self.bot_texts: dict[str, str] = {}
        self.webhook: dict | None = None
        self.stats = Stats()
        self._update_event = asyncio.Event()
        self._webhook_event = asyncio.Event()

    def reset(self) -> None:
        """Forget everything and go back to the options the server started with."""
        self.set_webhook(None)
        self.wake_all()
        for chat in self.chats.values():
            chat.bump()
        self.config = copy.deepcopy(self.initial_config)
        self._clear()

    def close(self) -> None:
        """Let every waiting long poll and sandbox wait answer now: the server is stopping."""
        self.closing = True
        self.wake_all()
        self.set_webhook(None)
        for chat in self.chats.values():
            chat.bump()

    def now(self) -> float:
        """Wall-clock time as the sandbox pretends it is (see Config.clock_offset)."""
        return time.time() + self.config.clock_offset

    def bind_token(self, token: str) -> None:
        # Telegram's bot id is the number before the colon of its token.
        self.bot_id = int(token.split(":", 1)[0])

    def bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.config.bot_name,
            "username": self.config.bot_username,
        }

    # -- chats -------------------------------------------------------------------------

    def user_chat(self, chat_id: int, chat_type: str = "private", user: dict | None = None) -> Chat:
        """The chat a person writes in, created on first use (the user side)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id, chat_type)
        if user is not None:
            chat.user = user
        elif chat.user is None:
            chat.user = default_user(chat_id if chat.is_private else abs(chat_id))
        return chat

    def add_channel(
        self, chat_id: int, chat_type: str, title: str | None, username: str | None
    ) -> Chat:
        """A group or channel where the bot is an administrator."""
        if chat_type not in CHANNEL_TYPES:
            raise ValueError(f"type must be one of {CHANNEL_TYPES}")
        chat = self.chats.get(chat_id) or Chat(chat_id, chat_type)
        chat.type, chat.title, chat.bot_is_admin = chat_type, title or chat.title, True
        if username:
            chat.username = username.lstrip("@")
            self.usernames[chat.username.lower()] = chat_id
        self.chats[chat_id] = chat
        return chat

    def bot_chat(self, chat_ref: int | str, *, create: bool = True) -> Chat:
        """The chat a bot call addresses, or Telegram's "chat not found"."""
        if isinstance(chat_ref, str):
            chat_id = self.usernames.get(chat_ref.lstrip("@").lower())
            if chat_id is None:
                raise bad_request("chat not found")
        else:
            chat_id = chat_ref
        if chat_id in self.config.missing_chats:
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is None:
            if not create or self.config.unknown_chat_not_found:
                raise bad_request("chat not found")
            chat_type = "private" if chat_id > 0 else "supergroup"
            chat = self.chats[chat_id] = Chat(chat_id, chat_type)
            chat.user = default_user(chat_id) if chat_id > 0 else None
        return chat

    def check_reachable(self, chat: Chat) -> None:
        """Raise Telegram's 403 when the bot may not write to this chat."""
        if chat.id not in self.config.blocked_chats:
            return
        if chat.is_private:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type == "channel":
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        raise ApiError(403, "Forbidden: bot was kicked from the group chat")

    # -- messages ----------------------------------------------------------------------

    def add_message(self, chat: Chat, message: StoredMessage) -> StoredMessage:
        message.seq = chat.bump()
        if self.config.record_messages:
            chat.messages[message.message_id] = message
        return message

    def bot_message(
        self,
        chat: Chat,
        kind: str,
        fields: dict,
        source: str | None = None,
        parse_mode: str | None = None,
        markup: dict | None = None,
    ) -> StoredMessage:
        """Deliver a message from the bot: store it, count it, spot duplicates."""
        data = {
            "message_id": chat.take_message_id(),
            "from": self.bot_user(),
            "chat": chat.telegram(),
            "date": int(self.now()),
            **fields,
        }
        if chat.type == "channel":
            # Channel posts are signed by the channel, not by the bot.
            data["sender_chat"] = chat.telegram()
            del data["from"]
        self._count_delivery(chat, kind, fields)
        if isinstance(markup, dict):
            if "keyboard" in markup:
                chat.keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.keyboard = None
        stored = StoredMessage(data["message_id"], True, kind, data, source, parse_mode, markup)
        return self.add_message(chat, stored)

    def _count_delivery(self, chat: Chat, kind: str, fields: dict) -> None:
        stats = self.stats
        stats.delivered_total += 1
        chat.delivered += 1
        body = fields.get("text") or fields.get("caption")
        if body is None:
            media = fields.get("document") or (fields.get("photo") or [{}])[-1]
            body = media.get("file_unique_id", "")
        # Python's hash is enough to spot repeats within one run; nothing secret is hashed.
        fingerprint = hash((chat.id, kind, body))
        if fingerprint in stats.content_hashes:
            stats.duplicate_messages += 1
            stats.duplicate_chats.add(chat.id)
        else:
            stats.content_hashes.add(fingerprint)

    def find_message(self, chat: Chat, message_id: int, missing: str) -> StoredMessage | None:
        """A stored message, or None when messages are not recorded; raise if it never was."""
        message = chat.messages.get(message_id)
        if message is not None:
            return message
        if self.config.record_messages or message_id >= chat.next_message_id or message_id < 1:
            raise bad_request(missing)
        return None

    def remove_message(self, chat: Chat, message_id: int) -> None:
        message = chat.messages.pop(message_id, None)
        if message is not None:
            chat.deleted.append(message)
        chat.bump()

    # -- updates -----------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict) -> int:
        """Queue an update for the bot and wake its long poll or webhook pusher."""
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates[update_id] = {"update_id": update_id, kind: payload}
        self.stats.updates_injected += 1
        self.wake_all()
        return update_id

    def wake_all(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    def update_event(self) -> asyncio.Event:
        return self._update_event

    def confirm(self, offset: int | None) -> None:
        """Telegram's getUpdates offset: forget every update below it (negative: keep last N)."""
        if offset is None:
            return
        updates = self.updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popitem(last=False)
            return
        while updates and next(iter(updates)) < offset:
            updates.popitem(last=False)

    def set_webhook(self, webhook: dict | None) -> None:
        """Set or remove the webhook, waking the pusher so it follows the change."""
        self.webhook = webhook
        self._webhook_event.set()
        self._webhook_event = asyncio.Event()

    def webhook_event(self) -> asyncio.Event:
        return self._webhook_event

    def is_allowed(self, update: dict) -> bool:
        allowed = self.allowed_updates
        return not allowed or any(kind in update for kind in allowed)

    def pending(self, limit: int) -> list[dict]:
        """The next updates the bot may see, dropping kinds it did not ask for."""
        batch: list[dict] = []
        dropped: list[int] = []
        for update_id, update in self.updates.items():
            if not self.is_allowed(update):
                dropped.append(update_id)
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        for update_id in dropped:
            del self.updates[update_id]
        return batch

    def new_callback_id(self) -> str:
        # Telegram's ids are long decimal strings; a prefix keeps them unique per bot.
        callback_id = f"{self.bot_id}{self.next_callback_id:010d}"
        self.next_callback_id += 1
        return callback_id
