"""Argon2id work has one budget for the whole process: however many people check a receipt or
sign in at once, at most ARGON2_THREADS derivations run (each holding its memory), on threads of
their own, and the event loop keeps serving everyone else meanwhile."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

from core import crypto

# Smaller than MODERATE, big enough that twenty of them take a while: 8 MiB, two passes.
SMALLER = crypto.KdfLimits(opslimit=1, memlimit=8 * 1024 * 1024, time_cost=2, memory_cost=8192)


class Watch:
    """Counts the Argon2id derivations running at once and the threads that ran them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.done = 0
        self.threads: set[str] = set()

    def wrap(self, work: Callable[..., object]) -> Callable[..., object]:
        def watched(*args: object) -> object:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
                self.threads.add(threading.current_thread().name)
            try:
                return work(*args)
            finally:
                with self.lock:
                    self.running -= 1
                    self.done += 1

        return watched


async def test_argon2_work_has_a_global_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    crypto.use_kdf_limits(SMALLER)
    password_hash = crypto.hash_password("a staff password")
    wrapped = crypto.wrap_with_password(b"k" * 32, "a staff password")
    first_digest = crypto.receipt_hash_sync(f"{0:016d}")
    watch = Watch()
    for name in ("receipt_hash_sync", "receipt_key_sync", "verify_password"):
        monkeypatch.setattr(crypto, name, watch.wrap(getattr(crypto, name)))
    monkeypatch.setattr(crypto, "unwrap_with_password", watch.wrap(crypto.unwrap_with_password))

    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    work = [crypto.receipt_hash(f"{n:016d}") for n in range(8)]
    work += [crypto.open_receipt(f"{n:016d}") for n in range(6)]
    work += [crypto.verify_password_async(password_hash, "a staff password") for _ in range(3)]
    work += [crypto.unwrap_with_password_async(wrapped, "a staff password") for _ in range(3)]
    results = await asyncio.gather(*work)
    elapsed = time.perf_counter() - started
    stop.set()
    await ticking

    assert results[0] == first_digest
    assert results[14:17] == [True, True, True] and results[17:] == [b"k" * 32] * 3
    assert watch.done == 8 + 6 * 2 + 3 + 3
    assert watch.most == crypto.ARGON2_THREADS
    assert all(name.startswith(crypto.ARGON2_THREAD_PREFIX) for name in watch.threads)
    # The loop was never held up for more than a small part of the work it waited on.
    assert gaps and max(gaps) < elapsed / 10


async def test_a_caller_that_gives_up_leaves_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelled while waiting its turn, a check never runs: abandoned work cannot pile up."""
    crypto.use_kdf_limits(SMALLER)
    watch = Watch()
    monkeypatch.setattr(crypto, "receipt_hash_sync", watch.wrap(crypto.receipt_hash_sync))
    first = [asyncio.create_task(crypto.receipt_hash(f"{n:016d}")) for n in range(4)]
    waiting = asyncio.create_task(crypto.receipt_hash("9" * 16))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(*first)
    await crypto.receipt_hash("8" * 16)  # the line is first come, first served
    assert waiting.cancelled() and watch.done == 5
