"""Someone tries to guess receipts with many chats, across bot restarts and from two bot
processes at once. The tries are counted in the database across all chats, so new chats, a
restart or a second process buy no more guesses, while a reporter with the right receipt gives
their try back; once the window has passed, a forgetful reporter may try again. The table never
holds a chat id."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from core.crypto import Purpose, blind_index
from core.db import close_db, init_db
from core.models import AbuseCounter
from tips import abuse

T0 = 1_900_000_000  # a fixed "now", in Unix seconds
PER_CHAT = int(abuse.receipt_tries.capacity)
EVERYWHERE = abuse.receipt_guesses.limit
ROOT = Path(__file__).resolve().parents[2]


async def _tries_until_refused(first_chat: int, now: float) -> int:
    """One try from each new chat until one is refused; returns how many were allowed."""
    allowed = 0
    for chat in range(first_chat, first_chat + 10 * EVERYWHERE):
        if not await abuse.allow_receipt_try(chat, now):
            return allowed
        allowed += 1
    raise AssertionError("new chats were never refused")


async def test_receipt_guesses_are_limited_across_chats_and_restarts(db: str) -> None:
    guesser = 4242
    tries = [await abuse.allow_receipt_try(guesser, T0) for _ in range(PER_CHAT + 1)]
    assert tries == [True] * PER_CHAT + [False]

    # A reporter with the right receipt gives the try back: guessers cannot spend it for them.
    assert await abuse.allow_receipt_try(7, T0)
    await abuse.right_receipt()

    # Twenty new chats with five tries each no longer make a hundred guesses.
    assert await _tries_until_refused(10_000, T0 + 1) == EVERYWHERE - PER_CHAT
    assert EVERYWHERE < 20 * PER_CHAT

    # A restart: memory is fresh, the database connection new; the count is still there.
    abuse.reset_all()
    await close_db()
    await init_db(db, apply_migrations=False)
    assert not await abuse.allow_receipt_try(50_000, T0 + 2)

    # The stored counter names no chat, only the keyed hash of "all chats".
    stored = [value for row in await AbuseCounter.all().values() for value in row.values()]
    assert blind_index(Purpose.ABUSE_LIMIT, "receipt-guesses:all") in stored
    assert not {guesser, str(guesser)} & set(stored)
    assert await AbuseCounter.all().count() == 1

    # Once the window has passed, a reporter who mistyped may try again.
    later = T0 + 2 * abuse.receipt_guesses.window
    assert await abuse.allow_receipt_try(guesser, later)
    assert await AbuseCounter.filter(window_start__lt=later).count() == 0


CHILD = """
import asyncio, sys
from core.db import close_db, init_db
from tips import abuse

async def main(url, first):
    await init_db(url, apply_migrations=False)
    print("ready", flush=True)
    sys.stdin.readline()
    allowed = 0
    for chat in range(first, first + 2 * abuse.receipt_guesses.limit):
        allowed += await abuse.allow_receipt_try(chat)
    await close_db()
    print(allowed, flush=True)

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


async def test_two_bot_processes_share_one_count_of_receipt_guesses(db: str) -> None:
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        db,
        "1000000",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert await asyncio.wait_for(other.stdout.readline(), 30) == b"ready\n"
    other.stdin.write(b"go\n")
    await other.stdin.drain()

    async def guesser(first: int) -> int:
        return sum([await abuse.allow_receipt_try(chat) for chat in range(first, first + 30)])

    here = sum(await asyncio.gather(*(guesser(first) for first in range(0, 120, 30))))
    there = int(await asyncio.wait_for(other.stdout.readline(), 30))
    assert await asyncio.wait_for(other.wait(), 30) == 0
    assert here + there == EVERYWHERE
