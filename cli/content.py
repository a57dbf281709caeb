"""`aman content check`: validate the awareness library and the help directory."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("content", help="the awareness library")
    commands = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = commands.add_parser(
        "check",
        help="validate pages and help entries; list missing translations and stale contacts",
    )
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from content.check import main_check

    return main_check([])
