"""Staff accounts: creating a member with a key pair, unlocking the key, recovering a lost password.

Each staff member has a Curve25519 key pair; tips are sealed to the public key. The private key
is stored twice, wrapped under the password (Argon2id) and under a one-time recovery key shown
only at creation, so a forgotten password never loses tips. All the Argon2id work runs within
the kernel's Argon2id budget (core.crypto), so the event loop keeps serving the bot and the admin.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from datetime import UTC, datetime
from enum import StrEnum

import pyotp
from tortoise.exceptions import IntegrityError

from core import crypto
from core.models import Role, StaffMember, StaffTotpStep, Unit

TOTP_ISSUER = "Aman"
MIN_PASSWORD_LENGTH = 10


class AccountError(Exception):
    """A staff account operation that cannot go ahead (the message says why, for the operator)."""


class WrongSecret(AccountError):
    """The password or recovery key does not open this member's private key."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


async def create_staff(
    username: str,
    display_name: str,
    role: Role | str,
    unit: Unit | str | None,
    password: str,
) -> tuple[StaffMember, str, str]:
    """Create a staff member with a fresh key pair and TOTP secret.

    Returns (member, recovery key, TOTP provisioning URI); the recovery key and the URI are shown
    once to the person and never stored in clear.
    """
    _check_password(password)
    role = Role(role)
    if isinstance(unit, str):
        found = await Unit.get_or_none(code=unit)
        if found is None:
            raise AccountError(f"no unit with code {unit!r}")
        unit = found
    if await StaffMember.filter(username=username).exists():
        raise AccountError(f"the username {username!r} is taken")
    public, private = crypto.generate_key_pair()
    recovery_key = crypto.new_recovery_key()
    password_hash, wrapped = await asyncio.gather(
        crypto.hash_password_async(password),
        crypto.wrap_with_password_async(private, password),
    )
    totp_secret = pyotp.random_base32()
    member = await StaffMember.create(
        username=username,
        display_name=display_name,
        role=role,
        unit=unit,
        password_hash=password_hash,
        totp_secret_sealed=crypto.seal_at_rest(totp_secret.encode(), "totp"),
        public_key=public,
        private_key_wrapped=wrapped,
        private_key_recovery=crypto.wrap_with_recovery_key(private, recovery_key),
    )
    uri = pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)
    return member, recovery_key, uri


async def check_password(staff: StaffMember, password: str) -> bool:
    """True when `password` is this member's login password (Argon2id, off the event loop)."""
    return await crypto.verify_password_async(staff.password_hash, password)


def totp_secret(staff: StaffMember) -> str:
    """The member's TOTP secret, opened from its at-rest seal (for the admin's second factor)."""
    if not staff.totp_secret_sealed:
        raise AccountError("this member has no TOTP secret")
    return crypto.open_at_rest(bytes(staff.totp_secret_sealed), "totp").decode()


def totp_uri(staff: StaffMember) -> str:
    """The member's otpauth:// provisioning URI (for an authenticator app's QR code)."""
    return pyotp.TOTP(totp_secret(staff)).provisioning_uri(
        name=staff.username, issuer_name=TOTP_ISSUER
    )


def verify_totp(staff: StaffMember, code: str) -> bool:
    """True for the current 6-digit code (one step of clock drift either way is accepted).
    Says nothing about reuse: signing in goes through `accept_totp`."""
    return pyotp.TOTP(totp_secret(staff)).verify(code.strip(), valid_window=1)


class TotpCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REUSED = "reused"  # right, but this code (or a later one) was already used


_SIX_DIGITS = re.compile(r"\d{6}")


def _time_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is, within one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def accept_totp(staff: StaffMember, code: str, now: datetime | None = None) -> TotpCheck:
    """Check a sign-in code and use it up: a code is accepted once, and never one older than the
    last accepted. The last time step is kept in the database and moved forward in one
    conditional UPDATE, so two admin processes given the same code accept it only once."""
    code = "".join(code.split())
    if not _SIX_DIGITS.fullmatch(code):
        return TotpCheck.WRONG
    step = _time_step(totp_secret(staff), code, now or datetime.now(UTC))
    if step is None:
        return TotpCheck.WRONG
    if not await StaffTotpStep.exists(staff_id=staff.id):
        try:
            await StaffTotpStep.create(staff_id=staff.id, last_step=0)
        except IntegrityError:
            pass  # another process made it first
    moved = await StaffTotpStep.filter(staff_id=staff.id, last_step__lt=step).update(last_step=step)
    return TotpCheck.ACCEPTED if moved else TotpCheck.REUSED


async def unlock_private_key(staff: StaffMember, password: str) -> bytes:
    """The member's private key, unwrapped with their password; WrongSecret otherwise."""
    if not staff.private_key_wrapped:
        raise AccountError("this member has no key pair")
    try:
        return await crypto.unwrap_with_password_async(bytes(staff.private_key_wrapped), password)
    except (crypto.DecryptionError, ValueError) as error:
        raise WrongSecret("the password does not open this key") from error


async def recover(staff: StaffMember, recovery_key: str, new_password: str) -> str:
    """Reset a forgotten password with the recovery key, keeping the same key pair (so every
    tip sealed to it stays readable). The used recovery key is retired: returns a new one,
    to be shown once."""
    _check_password(new_password)
    if not staff.private_key_recovery:
        raise AccountError("this member has no recovery key")
    try:
        private = crypto.unwrap_with_recovery_key(bytes(staff.private_key_recovery), recovery_key)
    except (crypto.DecryptionError, ValueError) as error:
        raise WrongSecret("the recovery key does not open this key") from error
    new_recovery = crypto.new_recovery_key()
    staff.password_hash, staff.private_key_wrapped = await asyncio.gather(
        crypto.hash_password_async(new_password),
        crypto.wrap_with_password_async(private, new_password),
    )
    staff.private_key_recovery = crypto.wrap_with_recovery_key(private, new_recovery)
    await staff.save(update_fields=["password_hash", "private_key_wrapped", "private_key_recovery"])
    return new_recovery


async def change_password(staff: StaffMember, old_password: str, new_password: str) -> None:
    """Re-wrap the private key under a new password (the recovery key stays valid)."""
    _check_password(new_password)
    private = await unlock_private_key(staff, old_password)
    staff.password_hash, staff.private_key_wrapped = await asyncio.gather(
        crypto.hash_password_async(new_password),
        crypto.wrap_with_password_async(private, new_password),
    )
    await staff.save(update_fields=["password_hash", "private_key_wrapped"])
