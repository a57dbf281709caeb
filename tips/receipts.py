"""Receipts: the 16 random digits that let an anonymous reporter come back to their tip.

A receipt is shown once and stored only as an Argon2id digest (for lookup) and, separately, as
the key that wraps the tip key for the reporter; both are computed off the event loop.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from nacl.exceptions import CryptoError

from core import crypto
from core.i18n import N_
from tips.models import Receipt, Tip

DIGITS = 16


class ReceiptFormatError(ValueError):
    """What the person typed is not a receipt; `msgid` explains it kindly."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


@dataclass(frozen=True)
class Opened:
    tip: Tip
    key: bytes  # the tip's content key


def new_receipt() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def display(receipt: str) -> str:
    """Four groups of four, easier to copy by hand: 1234 5678 9012 3456."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def normalise(text: str) -> str:
    """The 16 digits of a typed receipt (spaces and dashes ignored, Arabic-Indic and other
    digits accepted); ReceiptFormatError for letters or a wrong count."""
    kept = [ch for ch in (text or "") if not ch.isspace() and ch not in "-_.–—"]
    if any(not ch.isdigit() for ch in kept):
        raise ReceiptFormatError(
            N_("A receipt has only digits, no letters. Please check it and send it again.")
        )
    digits = "".join(str(unicodedata.digit(ch)) for ch in kept)
    if len(digits) != DIGITS:
        raise ReceiptFormatError(
            N_("A receipt has exactly 16 digits. Please check it and send it again.")
        )
    return digits


async def seal_for_reporter(receipt: str, tip_key: bytes) -> tuple[str, bytes]:
    """(lookup digest, tip key sealed under the receipt's own key) for a new Receipt row."""
    digest = await crypto.receipt_hash(receipt)
    wrap = await crypto.receipt_key(receipt)
    return digest, crypto.encrypt_content(wrap, tip_key)


async def open_tip(receipt: str) -> Opened | None:
    """The tip and its key for a valid receipt (already normalised), or None."""
    digest = await crypto.receipt_hash(receipt)
    row = await Receipt.get_or_none(digest=digest).select_related("tip")
    if row is None or row.sealed_key is None:
        return None
    try:
        key = crypto.decrypt_content(await crypto.receipt_key(receipt), bytes(row.sealed_key))
    except CryptoError:
        return None
    return Opened(tip=row.tip, key=key)
