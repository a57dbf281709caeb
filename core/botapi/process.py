"""The local Bot API server in a process of its own, as the benchmarks run it: then its CPU
is not counted as Aman's, and the two share the machine as a real deployment would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def spawn(*, record_messages: bool = False) -> tuple[subprocess.Popen, str]:
    """Start `python -m core.botapi` on a free port; returns the process and its root URL."""
    command = [sys.executable, "-m", "core.botapi", "--port", "0"]
    if not record_messages:
        command.append("--no-record")
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise SystemExit("the local Bot API server did not start")
    return process, json.loads(line)["url"]
