"""`aman bench broadcast …`: run benchmarks/broadcast.py in its own process and print its one
JSON line. The script owns its options (`aman bench broadcast --help` shows them)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "broadcast.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="reproducible performance runs")
    commands = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    broadcast = commands.add_parser(
        "broadcast",
        help="one campaign to N synthetic subscribers (--subscribers N --rate R [--no-flood])",
        add_help=False,
        prefix_chars="\0",  # every word, dashes included, is handed to the script as it is
    )
    broadcast.add_argument("options", nargs="*")
    broadcast.set_defaults(handler=_broadcast)


def _broadcast(args: argparse.Namespace) -> int:
    command = [sys.executable, str(SCRIPT), *args.options]
    return subprocess.call(command, cwd=SCRIPT.parent.parent)  # noqa: S603 - our own script
