"""The `aman` command: one entry point, one module per command group (cli/<group>.py).

Each module offers `register(subparsers)`, adding its commands with `set_defaults(handler=…)`;
a handler takes the parsed arguments and returns the process's exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from tortoise.exceptions import DBConnectionError, OperationalError

from core.settings import SettingsError, get_settings

COMMAND_MODULES = (
    "cli.run",
    "cli.database",
    "cli.content",
    "cli.staff",
    "cli.demo",
    "cli.campaigns",
    "cli.bench",
)
# Commands that never touch the server secret; every other one checks it before it starts.
WITHOUT_SECRET = {"content", "bench", "migrate"}


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
        if args.command not in WITHOUT_SECRET:
            get_settings().server_secret()
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except ValidationError as problem:
        print(f"aman: cannot start: {_bad_settings(problem)}", file=sys.stderr)
        return 2
    except SettingsError as problem:
        print(f"aman: cannot start: {problem}", file=sys.stderr)
        return 2
    except (OSError, DBConnectionError, OperationalError) as problem:
        # An unreachable database or a missing file: say so plainly, without a traceback.
        print(f"aman: {problem}", file=sys.stderr)
        return 1


def _bad_settings(problem: ValidationError) -> str:
    """Which settings are wrong and why, on one line; never their values (one may be a token)."""
    return "; ".join(
        f"AMAN_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
        for error in problem.errors(include_input=False, include_url=False)
    )


if __name__ == "__main__":
    sys.exit(main())
