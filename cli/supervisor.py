"""Keeping `aman run`'s background work alive and honest about its health.

Every long-running task `aman run` starts is watched here. When one raises, the failure is
logged with its type and where it happened (never the exception's message, which may quote a
chat id or a query's values) and the task is started again after a growing pause. A task that
keeps failing for GIVE_UP seconds, or one that cannot be restarted, sets `fatal`: `aman run`
then stops with a non-zero exit code so that the process manager starts a fresh process.
`health()` gives each task's state for /healthz, which answers 503 while one is failing.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.logs import get_logger

log = get_logger("aman.supervisor")

BACKOFF_FIRST = 1.0  # seconds before the first restart; doubled after each failure in a row
BACKOFF_CAP = 60.0
STEADY = 60.0  # a task that has run this long since its last failure is healthy again
GIVE_UP = 300.0  # failing for this long without a steady spell: exit and let it start afresh
FRAMES = 12  # innermost frames logged per exception

Probe = Callable[[], str | None]  # why a running task is not healthy, or None


@dataclass
class _Task:
    running: bool = True
    failed: str | None = None  # the last failure's exception type, until healthy again
    back_at: float = 0.0  # when it was last (re)started or reported a failure
    streak_since: float = 0.0  # when the current run of failures began
    failures: int = 0  # in the current run
    probe: Probe | None = None


def where(error: BaseException) -> str:
    """An exception as its type and frames, with its causes, and without any message:
    `OperationalError at campaigns/outbox.py:312 in record < campaigns/sender.py:371 in flush`."""
    parts, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)[-FRAMES:]
        trail = " < ".join(f"{_short(f.filename)}:{f.lineno} in {f.name}" for f in frames[::-1])
        parts.append(f"{type(current).__qualname__}" + (f" at {trail}" if trail else ""))
        suppress = current.__suppress_context__
        current = current.__cause__ or (None if suppress else current.__context__)
    return "; from ".join(parts)


def _short(filename: str) -> str:
    """A path from its top package onwards (`cli/serve.py`, `tortoise/models.py`), so that no
    home directory or install location reaches the log."""
    path = Path(filename)
    top = path.parent
    while (top / "__init__.py").exists():
        top = top.parent
    return path.relative_to(top).as_posix()


class Supervisor:
    """Runs named tasks, restarts the ones that fail, and says which are failing."""

    def __init__(
        self,
        *,
        backoff: float = BACKOFF_FIRST,
        backoff_cap: float = BACKOFF_CAP,
        steady: float = STEADY,
        give_up: float = GIVE_UP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.steady, self.give_up, self.clock = steady, give_up, clock
        self.fatal = asyncio.Event()  # set when the process should exit non-zero
        self.fatal_reason = ""
        self._tasks: dict[str, _Task] = {}
        self._running: list[asyncio.Task] = []
        self._winding_down = asyncio.Event()

    def keep_running(
        self,
        name: str,
        start: Callable[[], Awaitable[None]],
        *,
        restart: bool = True,
        probe: Probe | None = None,
    ) -> asyncio.Task:
        """Run `start()` until it returns (its work is done); when it raises, log it and call
        `start()` again after a pause, or, with restart=False, stop the process."""
        state = self._tasks[name] = _Task(back_at=self.clock(), probe=probe)
        task = asyncio.create_task(self._keep(name, start, state, restart), name=f"aman:{name}")
        self._running.append(task)
        return task

    def watch(self, name: str) -> None:
        """A task something else runs and retries (a scheduler's jobs): it reports here."""
        self._tasks.setdefault(name, _Task(back_at=self.clock()))

    def failed(self, name: str, error: BaseException) -> None:
        """A watched task's run failed; it runs again on its own."""
        state = self._tasks.setdefault(name, _Task())
        self._record(name, state, error, restart=True)
        state.back_at = self.clock()

    def succeeded(self, name: str) -> None:
        """A watched task ran without failing: it is healthy again."""
        state = self._tasks.get(name)
        if state is not None and state.failed:
            log.info("%s works again", name)
            state.failed, state.failures = None, 0

    def health(self) -> dict[str, str]:
        """Each task's state: "ok", or what is wrong."""
        return {name: self._state_of(state) for name, state in sorted(self._tasks.items())}

    def wind_down(self) -> None:
        """The process is stopping: what fails or ends from now on is not restarted."""
        self._winding_down.set()

    @property
    def winding_down(self) -> bool:
        return self._winding_down.is_set()

    async def close(self) -> None:
        """Cancel whatever supervised task is still running (after the parts have stopped)."""
        self.wind_down()
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    def unhandled(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The event loop's last resort (a task nobody awaited failed): log it without data."""
        error = context.get("exception")
        task = context.get("task") or context.get("future")
        name = task.get_name() if isinstance(task, asyncio.Task) else "-"
        detail = where(error) if error is not None else "no exception"
        log.error("%s (task %s): %s", context.get("message", "unhandled"), name, detail)

    def _state_of(self, state: _Task) -> str:
        if not state.running:
            return f"down after {state.failed}"
        if state.failed and self.clock() - state.back_at < self.steady:
            return f"failing: {state.failed}"
        problem = state.probe() if state.probe else None
        return f"failing: {problem}" if problem else "ok"

    async def _keep(
        self, name: str, start: Callable[[], Awaitable[None]], state: _Task, restart: bool
    ) -> None:
        while True:
            state.running, state.back_at = True, self.clock()
            try:
                await start()
                return
            except Exception as error:
                state.running = False
                if self.winding_down:
                    log.error("%s failed while stopping: %s", name, where(error))
                    return
                if not self._record(name, state, error, restart=restart):
                    return
            pause = min(self.backoff_cap, self.backoff * 2.0 ** (state.failures - 1))
            log.warning("%s restarts in %.1f s (failure %d in a row)", name, pause, state.failures)
            try:
                await asyncio.wait_for(self._winding_down.wait(), pause)
                return
            except TimeoutError:
                pass

    def _record(self, name: str, state: _Task, error: BaseException, *, restart: bool) -> bool:
        """Log a failure; False (and `fatal` set) when the process should stop instead."""
        now = self.clock()
        if not state.failed or now - state.back_at >= self.steady:
            state.streak_since, state.failures = now, 0  # it had been healthy: a new run
        state.failed, state.failures = type(error).__qualname__, state.failures + 1
        log.error("%s failed: %s", name, where(error))
        if restart and now - state.streak_since < self.give_up:
            return True
        if restart:
            self.fatal_reason = f"{name} has kept failing for {now - state.streak_since:.0f} s"
        else:
            self.fatal_reason = f"{name} failed and cannot be restarted"
        log.critical(
            "%s: stopping Aman so that its process manager starts it again", self.fatal_reason
        )
        self.fatal.set()
        return False
