"""`aman staff add`: create a staff member with a key pair; prints the recovery key (once) and
the TOTP provisioning URI."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from core.models import Role


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("staff", help="manage staff accounts")
    commands = parser.add_subparsers(dest="staff_command", metavar="STAFF_COMMAND", required=True)
    add = commands.add_parser("add", help="create a staff member (with a key pair and TOTP)")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.FOCAL_POINT.value)
    add.add_argument("--unit", help="unit code, e.g. TN (focal points need one)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(handler=_add)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("the passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    if args.role == Role.FOCAL_POINT.value and not args.unit:
        print("a focal point needs --unit", file=sys.stderr)
        return 2
    password = _password(args)
    return asyncio.run(_create(args, password))


async def _create(args: argparse.Namespace, password: str) -> int:
    from core import accounts
    from core.db import close_db, init_db

    await init_db()
    try:
        _member, recovery, uri = await accounts.create_staff(
            args.username, args.name, args.role, args.unit, password
        )
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await close_db()
    print(f"created {args.username} ({args.role}{', unit ' + args.unit if args.unit else ''})")
    print(f"recovery key (shown once, keep it offline): {recovery}")
    print(f"TOTP provisioning URI: {uri}")
    return 0
