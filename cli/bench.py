"""`aman bench broadcast …` and `aman bench inbox …`: run benchmarks/<name>.py in its own process
and print its one JSON line. Each script owns its options (`aman bench inbox --help`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = {
    "broadcast": (
        "one campaign to N synthetic subscribers (--subscribers N --rate R [--no-flood])"
    ),
    "inbox": "the tip inbox and tip page at N seeded tips (--tips N [--database DSN])",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="reproducible performance runs")
    commands = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    for name, summary in SCRIPTS.items():
        command = commands.add_parser(
            name,
            help=summary,
            add_help=False,
            prefix_chars="\0",  # every word, dashes included, is handed to the script as it is
        )
        command.add_argument("options", nargs="*")
        command.set_defaults(handler=_run, script=BENCHMARKS / f"{name}.py")


def _run(args: argparse.Namespace) -> int:
    command = [sys.executable, str(args.script), *args.options]
    return subprocess.call(command, cwd=BENCHMARKS.parent)  # noqa: S603 - our own script
