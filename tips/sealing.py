"""Sealing: a tip's content key is sealed to every active focal point and unit lead of its unit
and to the optional offline escrow key; opening a tip takes one of those private keys. Sharing a
tip, or giving a new member the unit's tips, seals the same key to one more member.

Only `core.crypto` touches ciphers; this module decides who the key is sealed to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core import crypto
from core.models import Role, StaffMember, Unit
from core.settings import get_settings
from tips.models import Tip, TipKey

# The roles that hold tip keys: a unit lead opens its unit's tips like its focal points.
KEY_HOLDERS = (Role.FOCAL_POINT, Role.UNIT_LEAD)


class NoAccess(Exception):
    """This staff member holds no key that opens this tip."""


@dataclass(frozen=True)
class SealedKey:
    staff_id: int | None
    is_escrow: bool
    sealed: bytes


async def recipients(unit: Unit | int) -> list[StaffMember]:
    """The members a tip routed (or shared) to `unit` is sealed to: its active focal points and
    unit leads that have a key pair."""
    unit_id = unit if isinstance(unit, int) else unit.id
    return await StaffMember.filter(
        unit_id=unit_id, role__in=KEY_HOLDERS, is_active=True, public_key__isnull=False
    ).order_by("id")


def escrow_key() -> bytes | None:
    return get_settings().escrow_key()


def seal_tip_key(tip_key: bytes, members: list[StaffMember]) -> list[SealedKey]:
    """One sealed copy of the tip key per member, plus one for the escrow key if configured."""
    sealed = [SealedKey(m.id, False, crypto.seal_to(bytes(m.public_key), tip_key)) for m in members]
    escrow = escrow_key()
    if escrow is not None:
        sealed.append(SealedKey(None, True, crypto.seal_to(escrow, tip_key)))
    return sealed


async def open_tip_key(tip: Tip, staff: StaffMember, private_key: bytes) -> bytes:
    """The tip's content key, opened with this member's private key, or NoAccess."""
    row = await TipKey.get_or_none(tip_id=tip.id, staff_id=staff.id)
    if row is None:
        raise NoAccess(f"tip {tip.id} is not sealed to this member")
    try:
        return crypto.open_sealed(private_key, bytes(row.sealed_key))
    except crypto.DecryptionError as error:
        raise NoAccess("this private key does not open the tip") from error


async def share_with(
    tip: Tip | int,
    tip_key: bytes,
    member: StaffMember,
    connection: BaseDBAsyncClient | None = None,
) -> bool:
    """Seal an open tip's key to one more member (a unit it is shared with, someone who joined
    the unit later); False when the member already held it."""
    if member.public_key is None:
        raise NoAccess("this member has no key pair")
    _row, made = await TipKey.get_or_create(
        tip_id=tip if isinstance(tip, int) else tip.id,
        staff_id=member.id,
        defaults={"sealed_key": crypto.seal_to(bytes(member.public_key), tip_key)},
        using_db=connection,
    )
    return made


# Ciphertexts are padded to a size bucket (1 KiB, 2 KiB, 4 KiB, …) so their length does not tell
# how much someone wrote. JSON ignores trailing spaces, so the padding needs no marker.
_SMALLEST_BUCKET = 1024


def padded(data: bytes) -> bytes:
    """`data` (JSON) followed by spaces up to the next size bucket."""
    size = _SMALLEST_BUCKET
    while size < len(data):
        size *= 2
    return data + b" " * (size - len(data))


def encrypt_json(key: bytes, value: Any) -> bytes:
    return crypto.encrypt_content(key, padded(json.dumps(value, ensure_ascii=False).encode()))


def decrypt_json(key: bytes, blob: bytes) -> Any:
    return json.loads(crypto.decrypt_content(key, bytes(blob)))


def encrypt_text(key: bytes, text: str) -> bytes:
    return encrypt_json(key, {"text": text})


def decrypt_text(key: bytes, blob: bytes) -> str:
    plain = crypto.decrypt_content(key, bytes(blob))
    try:
        value = json.loads(plain)
    except ValueError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return plain.decode()  # written before padding existed
