"""`aman migrate`: bring the database's schema up to date."""

from __future__ import annotations

import argparse
import asyncio

from core.db import migrate
from core.logs import configure_logging
from core.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="apply pending database migrations")
    parser.set_defaults(handler=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    configure_logging()
    settings = get_settings()
    asyncio.run(migrate(settings.database))
    print(f"database is up to date ({settings.database.split('://', 1)[0]})")
    return 0
