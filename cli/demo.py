"""`aman demo`: load demo units, focal points and routing rules, a demo NGO with an editor and an
approver and a few synthetic subscribers, and print the demo logins, each with its TOTP secret and
otpauth URI, so a newcomer can sign in to the admin (and compose, approve and send a campaign)
from them alone."""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="load demo units, staff and routing rules")
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    return asyncio.run(_load())


HOW_TO_SIGN_IN = (
    "sign in at the admin's /sign-in with username and password, then the 6-digit code for the "
    "member's TOTP secret: add the otpauth URI to an authenticator app, or run\n"
    "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
)


async def demo_logins() -> list[str] | None:
    """Load the demo when no unit exists yet and return its logins to print: each member's
    line, then their TOTP secret and otpauth URI. None when the demo was not loaded."""
    from core import accounts
    from core.models import StaffMember
    from tips.demo import ensure_demo

    lines = await ensure_demo()
    if lines is None:
        return None
    lines += await _demo_ngo()
    logins = []
    for line in lines:
        member = await StaffMember.get_or_none(username=line.split(" ", 1)[0])
        logins.append(line)
        if member is not None and member.totp_secret_sealed:
            secret = accounts.totp_secret(member)
            logins.append(f"    TOTP secret {secret}  {accounts.totp_uri(member)}")
    return logins


DEMO_NGO = "Demo NGO"
# Synthetic subscribers (chat ids no Telegram user has) so a demo campaign has an audience; in
# sandbox mode the local Bot API delivers to them like to anyone.
DEMO_SUBSCRIBERS = [
    (9_000_000_001, "MA", "ar"),
    (9_000_000_002, "MA", "fr"),
    (9_000_000_003, "MA", "en"),
    (9_000_000_004, "TN", "ar"),
    (9_000_000_005, "TN", "fr"),
    (9_000_000_006, "LY", "ar"),
]


async def _demo_ngo() -> list[str]:
    """The demo NGO's editor and approver (login lines) and the synthetic subscribers."""
    from campaigns.subscriptions import subscribe
    from core import accounts
    from core.models import Organisation, Role
    from tips.demo import DEMO_PASSWORD

    org, _ = await Organisation.get_or_create(name=DEMO_NGO)
    lines = []
    for username, name, role in (
        ("demo-editor", "Demo NGO editor", Role.EDITOR),
        ("demo-approver", "Demo NGO approver", Role.APPROVER),
    ):
        member, recovery, _uri = await accounts.create_staff(
            username, name, role, None, DEMO_PASSWORD
        )
        member.organisation = org
        await member.save(update_fields=["organisation_id"])
        lines.append(
            f"{username} / {DEMO_PASSWORD} ({role.value}, {DEMO_NGO}, recovery key {recovery})"
        )
    for chat_id, country, language in DEMO_SUBSCRIBERS:
        await subscribe(chat_id, country=country, language=language)
    return lines


async def _load() -> int:
    from core.db import close_db, init_db

    await init_db()
    try:
        lines = await demo_logins()
    finally:
        await close_db()
    if lines is None:
        print("units exist already; demo not loaded")
        return 0
    print("demo staff (username / password, then the TOTP secret and URI):")
    for line in lines:
        print(f"  {line}")
    print(HOW_TO_SIGN_IN)
    return 0
