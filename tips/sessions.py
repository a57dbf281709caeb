"""Check sessions: a reporter who typed their receipt may act on their tip for 15 minutes.

A session holds the opened tip key, so it lives in this process's memory only, never in the
database (GlobaLeaks keeps whistleblower sessions the same way): a copy of the database, even
with the server secret, holds no receipt and nothing that opens a tip. Sessions are found by a
keyed hash of the chat, not its id. If the process restarts, or another bot process takes the
chat's next message, the person is simply asked for the receipt again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from core import crypto
from tips.receipts import Opened

LIFETIME = 15 * 60.0  # seconds since the last action
MAX_SESSIONS = 10_000  # beyond this, the least recently used session ends


@dataclass
class CheckSession:
    state: str
    language: str
    opened: Opened | None = None
    expires: float = field(default=0.0)
    chat_id: int | None = None  # to take the session's messages off the chat when it ends
    messages: list[int] = field(default_factory=list)

    def track(self, message_id: int | None) -> None:
        """A message of this session (the person's or the bot's), deleted when it ends."""
        if message_id and message_id not in self.messages:
            self.messages.append(message_id)


_sessions: OrderedDict[str, CheckSession] = OrderedDict()


def _key(chat_id: int) -> str:
    return crypto.blind_index(crypto.Purpose.CHECK_SESSION, chat_id)


def get(chat_id: int) -> CheckSession | None:
    """The chat's live session, or None (an expired one is dropped)."""
    key = _key(chat_id)
    session = _sessions.get(key)
    if session is None:
        return None
    if session.expires <= time.monotonic():
        del _sessions[key]
        return None
    return session


def put(chat_id: int, session: CheckSession) -> None:
    """Start or refresh a session for 15 more minutes."""
    key = _key(chat_id)
    session.expires = time.monotonic() + LIFETIME
    _sessions[key] = session
    _sessions.move_to_end(key)
    while len(_sessions) > MAX_SESSIONS:
        _sessions.popitem(last=False)


def end(chat_id: int) -> bool:
    """Forget the chat's session (finish, erase); True when there was one."""
    return _sessions.pop(_key(chat_id), None) is not None


def purge() -> list[CheckSession]:
    """Drop every expired session (a periodic job); returns them."""
    now = time.monotonic()
    stale = [key for key, session in _sessions.items() if session.expires <= now]
    return [_sessions.pop(key) for key in stale]


def reset() -> None:
    """Forget every session (tests; a restart does the same)."""
    _sessions.clear()
