"""The `aman` command: one entry point, one module per command group (cli/<group>.py).

Each module offers `register(subparsers)`, adding its commands with `set_defaults(handler=…)`;
a handler takes the parsed arguments and returns the process's exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tortoise.exceptions import DBConnectionError, OperationalError

COMMAND_MODULES = (
    "cli.run",
    "cli.database",
    "cli.content",
    "cli.staff",
    "cli.demo",
    "cli.campaigns",
    "cli.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aman",
        description="Aman: awareness bot, anonymous tips and campaigns against migrant smuggling.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (OSError, DBConnectionError, OperationalError) as problem:
        # An unreachable database or a missing file: say so plainly, without a traceback.
        print(f"aman: {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
