"""`aman run`: start Aman (bot, admin, scheduler and sender) in one event loop."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start Aman (sandbox mode when no token is set)")
    parser.add_argument("--role", choices=["all", "bot", "admin", "worker"], default="all")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from cli.serve import serve_forever

    return serve_forever(role=args.role)
