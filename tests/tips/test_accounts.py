"""Staff keys: a focal point is created with a key pair, unlocks it with the password, and after
forgetting the password gets back in with the recovery key without losing what was sealed."""

from __future__ import annotations

import pyotp
import pytest

from core import accounts, crypto
from core.models import Unit


async def test_focal_point_unlocks_with_password_and_recovers_with_recovery_key(db: str) -> None:
    unit = await Unit.create(code="TN", name="Tunisia unit", country="TN")
    member, recovery, uri = await accounts.create_staff(
        "amel", "Amel", "focal_point", unit, "correct horse battery"
    )
    assert uri.startswith("otpauth://totp/") and "Aman" in uri
    assert accounts.verify_totp(member, pyotp.TOTP(accounts.totp_secret(member)).now())
    sealed = crypto.seal_to(bytes(member.public_key), b"tip key")

    private = await accounts.unlock_private_key(member, "correct horse battery")
    assert crypto.open_sealed(private, sealed) == b"tip key"
    assert await accounts.check_password(member, "correct horse battery")
    with pytest.raises(accounts.WrongSecret):
        await accounts.unlock_private_key(member, "wrong password!!")

    new_recovery = await accounts.recover(member, recovery.lower(), "a brand new password")
    assert new_recovery != recovery
    private = await accounts.unlock_private_key(member, "a brand new password")
    assert crypto.open_sealed(private, sealed) == b"tip key"
    with pytest.raises(accounts.WrongSecret):
        await accounts.recover(member, recovery, "another new password")
    assert not await accounts.check_password(member, "correct horse battery")


async def test_receipt_hash_is_stable_per_site_and_differs_across_sites() -> None:
    first = await crypto.receipt_hash("1234567812345678")
    assert first == await crypto.receipt_hash("1234567812345678")
    assert first != await crypto.receipt_hash("1234567812345679")
    crypto.use_secret(b"another-site-another-site-another-site-00")
    assert first != await crypto.receipt_hash("1234567812345678")


def test_password_wrap_records_its_cost() -> None:
    blob = crypto.wrap_with_password(b"k" * 32, "pw", crypto.FAST)
    crypto.use_kdf_limits(crypto.MODERATE)
    assert crypto.unwrap_with_password(blob, "pw") == b"k" * 32
