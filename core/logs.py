"""Logging for Aman: one format, and a filter that keeps personal data out of every log line.

Code must never log chat ids, user ids, usernames, phone numbers or message text; the filter is a
second line of defence that also scrubs what libraries log (python-telegram-bot logs request URLs
and update payloads at debug level, and the bot token sits in every URL).
"""

from __future__ import annotations

import logging
import re
import sys

_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_LONG_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{6,}(?![\w.])")
_CHAT_FIELDS = re.compile(
    r"""(['"]?(?:chat_id|user_id|from_user|username|first_name|last_name|phone_number|text)['"]?"""
    r"""\s*[:=]\s*)(['"][^'"]*['"]|[-\w]+)"""
)


class PrivacyFilter(logging.Filter):
    """Rewrites records so tokens, long numbers (ids, phones) and chat fields never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN.sub("bot<token>", message)
        cleaned = _CHAT_FIELDS.sub(r"\1<hidden>", cleaned)
        cleaned = _LONG_NUMBER.sub("<number>", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and tools swap it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Set up the root logger once: timestamps, levels, and the privacy filter on every handler."""
    root = logging.getLogger()
    if any(isinstance(f, PrivacyFilter) for h in root.handlers for f in h.filters):
        return
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PrivacyFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # httpx/aiohttp access logs carry URLs with the token; PTB's debug logs carry updates.
    for noisy in ("httpx", "httpcore", "aiohttp.access", "telegram", "apscheduler", "tortoise"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
