"""`aman bench broadcast …`: run benchmarks/broadcast.py in its own process (see its docstring)
and print its one JSON line."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "broadcast.py"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_rate(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 messages per second")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="reproducible performance runs")
    commands = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    broadcast = commands.add_parser("broadcast", help="one campaign to N synthetic subscribers")
    broadcast.add_argument("--subscribers", type=_positive_int, default=10_000)
    broadcast.add_argument("--rate", type=_positive_rate, default=30.0)
    broadcast.add_argument("--no-flood", action="store_true", help="flood control off")
    broadcast.add_argument("--database", help="a Tortoise DSN (default: a fresh SQLite file)")
    broadcast.add_argument(
        "--baseline",
        type=int,
        default=5_000,
        metavar="N",
        help="then N plain python-telegram-bot sends to compare with (0: skip)",
    )
    broadcast.set_defaults(handler=_broadcast)


def _broadcast(args: argparse.Namespace) -> int:
    command = [
        sys.executable,
        str(SCRIPT),
        "--subscribers",
        str(args.subscribers),
        "--rate",
        str(args.rate),
    ]
    if args.no_flood:
        command.append("--no-flood")
    if args.database:
        command += ["--database", args.database]
    command += ["--baseline", str(args.baseline)]
    return subprocess.call(command, cwd=SCRIPT.parent.parent)  # noqa: S603 - our own script
