"""Receipts: the 16 random digits that let an anonymous reporter come back to their tip.

A receipt is shown once and stored only as an Argon2id digest (for lookup) and, separately, as
the key that wraps the tip key for the reporter; both are computed off the event loop, within
the kernel's Argon2id budget. Each row records the cost it was hashed at (`Receipt.kdf`), so a
receipt is looked up at every cost the table holds: the current one first, normally the only one.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ReporterSeal:
    """What a new Receipt row holds: `Receipt.create(tip=tip, **seal.fields())`."""

    digest: str
    sealed_key: bytes
    kdf: str

    def fields(self) -> dict[str, object]:
        return {"digest": self.digest, "sealed_key": self.sealed_key, "kdf": self.kdf}


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
            N_("A tracking code has only digits, no letters. Please check it and send it again.")
        )
    digits = "".join(str(unicodedata.digit(ch)) for ch in kept)
    if len(digits) != DIGITS:
        raise ReceiptFormatError(
            N_("A tracking code has exactly 16 digits. Please check it and send it again.")
        )
    return digits


async def seal(receipt: str, tip_key: bytes) -> ReporterSeal:
    """The lookup digest, the tip key sealed under the receipt's own key, and the cost both
    were made at: everything a new Receipt row holds."""
    found = await crypto.open_receipt(receipt)
    return ReporterSeal(found.digest, crypto.encrypt_content(found.key, tip_key), found.kdf)


# The costs receipts in the table were hashed at, read once per process and again whenever a
# receipt is not found at any of them (another process may run at another cost).
_known_kdfs: list[str] | None = None


async def _kdfs_in_table() -> list[str]:
    global _known_kdfs
    _known_kdfs = sorted(await Receipt.all().distinct().values_list("kdf", flat=True))
    return _known_kdfs


def forget_kdfs() -> None:
    """Forget the costs seen in the table (tests and tools that swap databases)."""
    global _known_kdfs
    _known_kdfs = None


async def open_tip(receipt: str) -> Opened | None:
    """The tip and its key for a valid receipt (already normalised), or None. Tries the current
    cost first, then every other cost a receipt in the table was made at."""
    tried: set[str] = set()
    current = crypto.receipt_kdf()
    known = _known_kdfs if _known_kdfs is not None else await _kdfs_in_table()
    for refreshed in (False, True):
        if refreshed:
            known = await _kdfs_in_table()
        for kdf in [current, *known]:
            if kdf in tried:
                continue
            tried.add(kdf)
            opened = await _open_at(receipt, kdf)
            if opened is not None:
                return opened
    return None


async def _open_at(receipt: str, kdf: str) -> Opened | None:
    try:
        found = await crypto.open_receipt(receipt, kdf)
    except ValueError:  # a label this version cannot read: no receipt of ours was made with it
        return None
    row = await Receipt.get_or_none(digest=found.digest).select_related("tip")
    if row is None or row.sealed_key is None:
        return None
    try:
        key = crypto.decrypt_content(found.key, bytes(row.sealed_key))
    except crypto.DecryptionError:
        return None
    return Opened(tip=row.tip, key=key)
