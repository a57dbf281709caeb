"""`aman demo`: load demo units, focal points and routing rules, and print the demo logins."""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="load demo units, staff and routing rules")
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    return asyncio.run(_load())


async def _load() -> int:
    from core.db import close_db, init_db
    from tips.demo import ensure_demo

    await init_db()
    try:
        lines = await ensure_demo()
    finally:
        await close_db()
    if lines is None:
        print("units exist already; demo not loaded")
        return 0
    print("demo focal points (username / password):")
    for line in lines:
        print(f"  {line}")
    return 0
