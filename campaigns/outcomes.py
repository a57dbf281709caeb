"""What became of one send, as a typed value: the one place where Bot API answers, webhook
answers and transport errors are turned into "sent", "retry", "blocked", "failed" or "unknown".

The sender only ever looks at an `Outcome`; no other module inspects status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp


class Kind(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # not delivered, safe to try again later
    BLOCKED = "blocked"  # the recipient is gone for good: stop them, never retry
    FAILED = "failed"  # not delivered and trying again will not help
    UNKNOWN = "unknown"  # may or may not have been delivered: never resend


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    message_id: int | None = None
    retry_after: float | None = None  # seconds; with pause_all, for every send
    pause_all: bool = False  # a flood-control answer: the whole sender waits
    reason: str | None = None

    @classmethod
    def sent(cls, message_id: int | None = None) -> Outcome:
        return cls(Kind.SENT, message_id=message_id)


# Telegram's 400 descriptions that mean the chat will never take a message from the bot again.
_GONE = (
    "chat not found",
    "user is deactivated",
    "peer_id_invalid",
    "bot was kicked",
    "bot is not a member",
    "have no rights to send",
    "need administrator rights",
)


def _short(text: Any) -> str:
    return str(text or "")[:180]


def from_bot_api(status: int, body: dict[str, Any] | None) -> Outcome:
    """Map one Bot API answer (HTTP status and decoded JSON) to an outcome."""
    body = body or {}
    if status == 200 and body.get("ok"):
        result = body.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Outcome.sent(message_id)
    description = _short(body.get("description") or f"HTTP {status}")
    parameters = body.get("parameters") or {}
    if status == 429:
        after = float(parameters.get("retry_after") or 1)
        return Outcome(Kind.RETRY, retry_after=after, pause_all=True, reason=description)
    if status == 403:
        return Outcome(Kind.BLOCKED, reason=description)
    if status == 400 and any(marker in description.lower() for marker in _GONE):
        return Outcome(Kind.BLOCKED, reason=description)
    if status >= 500:
        return Outcome(Kind.RETRY, reason=description)
    return Outcome(Kind.FAILED, reason=description)


def from_webhook(status: int, retry_after: str | None = None) -> Outcome:
    """Map a partner system's HTTP answer: 2xx sent, 410 gone, 429/5xx later, else failed."""
    if 200 <= status < 300:
        return Outcome.sent()
    if status == 410:
        return Outcome(Kind.BLOCKED, reason="HTTP 410 Gone")
    if status == 429 or status >= 500:
        after = float(retry_after) if retry_after and retry_after.isdigit() else None
        return Outcome(Kind.RETRY, retry_after=after, reason=f"HTTP {status}")
    return Outcome(Kind.FAILED, reason=f"HTTP {status}")


def from_transport_error(exc: BaseException) -> Outcome:
    """Map an exception raised while calling out.

    If the request never left (no connection could be made) it is safe to retry. If it may
    have been received (the answer timed out, the connection dropped mid-way) the message may
    already be on the phone: resending could send it twice, so it is recorded as unknown.
    """
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return Outcome(Kind.RETRY, reason=_short(f"cannot connect: {type(exc).__name__}"))
    if isinstance(exc, TimeoutError | aiohttp.ClientError):
        return Outcome(Kind.UNKNOWN, reason=_short(f"no answer: {type(exc).__name__}"))
    return Outcome(Kind.FAILED, reason=_short(f"{type(exc).__name__}: {exc}"))
