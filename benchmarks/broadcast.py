"""Broadcast benchmark: one campaign to N synthetic subscribers through the real sender, against
the local Bot API in its own process with flood control at the requested rate.

    .venv/bin/python benchmarks/broadcast.py --subscribers 10000 --rate 30
    aman bench broadcast --subscribers 1000000 --rate 1000
    aman bench broadcast --subscribers 200000 --rate 100000 --no-flood

Prints one JSON line: rate requested and achieved (messages between the first and the last
send), 429s, duplicates and missing messages as the Bot API server counted them, this
process's peak RSS, time from starting the run to the first message, total elapsed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns import lifecycle, schedules  # noqa: E402
from campaigns.channels.bot_api import BotApi  # noqa: E402
from campaigns.channels.telegram_dm import TelegramDM  # noqa: E402
from campaigns.models import Campaign, CampaignState, DeliveryState, Variant  # noqa: E402
from campaigns.outbox import db, sql, state_counts  # noqa: E402
from campaigns.sender import Sender, utcnow  # noqa: E402
from core import crypto  # noqa: E402
from core.botapi.process import spawn  # noqa: E402
from core.db import close_db, init_db  # noqa: E402
from core.models import Role, StaffMember  # noqa: E402

TOKEN = "424242:broadcast-benchmark"
TEXT = "<b>Stay safe</b>: know your rights."
SEED_CHUNK = 5_000
CONCURRENCY = 32  # sends in flight (sender and baseline): local answers take about a millisecond
FIRST_CHAT = 7_000_000_000


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sandbox(url: str, path: str, body: dict | None = None) -> dict:
    async with aiohttp.ClientSession() as session:
        method = session.post if body is not None else session.get
        async with method(f"{url}{path}", json=body) as response:
            return await response.json()


async def seed(count: int) -> None:
    """N subscribers, inserted in chunks (sealed chat ids and blind indexes like real ones)."""
    conn = db()
    query = sql(
        conn,
        "INSERT INTO subscriber (chat_key, chat_sealed, country, language, topics, "
        "subscribed_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    now = utcnow()
    countries, languages = ("MA", "TN", "DZ", "EG", "LY"), ("ar", "fr", "en")
    for start in range(0, count, SEED_CHUNK):
        rows = []
        for number in range(start, min(count, start + SEED_CHUNK)):
            chat = FIRST_CHAT + number
            rows.append(
                [
                    crypto.blind_index("subscriber", chat),
                    crypto.seal_at_rest(str(chat).encode(), purpose="subscriber"),
                    countries[number % 5],
                    languages[number % 3],
                    "[]",
                    now,
                ]
            )
        await conn.execute_many(query, rows)


async def make_campaign() -> Campaign:
    author = await StaffMember.create(
        username="bench-editor", display_name="Editor", role=Role.EDITOR, password_hash="-"
    )
    approver = await StaffMember.create(
        username="bench-approver", display_name="Approver", role=Role.APPROVER, password_hash="-"
    )
    campaign = await Campaign.create(
        name="Benchmark", author=author, quiet_hours=False, channels={"dm": True}
    )
    await Variant.create(campaign=campaign, language="en", text=TEXT)
    await lifecycle.submit(campaign, author)
    await lifecycle.approve(campaign, approver)
    await lifecycle.schedule(campaign, approver)
    return campaign


async def wait_until_sent(campaign_id: int, sending: asyncio.Task) -> None:
    """The sender marks the campaign sent when its last row has an outcome."""
    while True:
        if sending.done():
            sending.result()  # raises what stopped the sender
            raise SystemExit("the sender stopped before the campaign was sent")
        if (await Campaign.get(id=campaign_id)).state != CampaignState.SENDING:
            return
        await asyncio.sleep(0.2)


async def run(args: argparse.Namespace, database: str) -> dict:
    await init_db(database)
    server, url = spawn()
    try:
        return await measure(args, database, url, server.pid)
    finally:
        await close_db()
        server.terminate()
        try:
            server.wait(timeout=30)  # a server that saw a million chats takes a while to exit
        except subprocess.TimeoutExpired:
            server.kill()


async def measure(args: argparse.Namespace, database: str, url: str, server_pid: int) -> dict:
    flood = (
        {"flood_global_per_second": None}
        if args.no_flood
        else {
            "flood_global_per_second": int(args.rate),
            "flood_private_per_second": 1,
            "flood_group_per_minute": 20,
        }
    )
    await sandbox(url, "/_sandbox/config", flood)
    seeded = time.perf_counter()
    await seed(args.subscribers)
    seed_seconds = time.perf_counter() - seeded
    campaign = await make_campaign()
    api = BotApi(url, TOKEN)
    await api.open()
    sender = Sender({"dm": TelegramDM(api)}, rate=args.rate, concurrency=CONCURRENCY)
    await sender.recover()

    started = time.monotonic()  # the clock of sender.stats
    cpu_before = (cpu_seconds(), cpu_seconds(server_pid))
    sending = asyncio.create_task(sender.run())
    await schedules.run_due(utcnow())
    await wait_until_sent(campaign.id, sending)
    sender.stop()
    await sending
    elapsed = time.monotonic() - started
    cpu_after = (cpu_seconds(), cpu_seconds(server_pid))
    await api.close()

    stats = await sandbox(url, "/_sandbox/stats?per_chat=0")
    counts = await state_counts(campaign.id)
    first, last = sender.stats.first_send, sender.stats.last_send
    span = (last - first) if first and last and last > first else float("nan")
    distinct = stats["delivered_total"] - stats["duplicate_messages"]
    sent = max(1, sender.stats.sent)
    result = {
        "benchmark": "broadcast",
        "database": database.split("://", 1)[0],
        "subscribers": args.subscribers,
        "flood_control": not args.no_flood,
        "rate_requested": args.rate,
        "msgs_per_s": round((sender.stats.sent - 1) / span, 1),
        "rate_ratio": None
        if args.no_flood
        else round((sender.stats.sent - 1) / span / args.rate, 4),
        "sent": counts.get(DeliveryState.SENT, 0),
        "flood_429": stats["flood_429"],
        "duplicates": stats["duplicate_messages"],
        "missing": args.subscribers - distinct,
        "delivery_states": counts,
        # CPU per message of this process (Aman) and of the Bot API server during the run:
        # steadier than msgs/s on a shared machine, so compare these between versions.
        "aman_cpu_ms_per_msg": round(1000 * (cpu_after[0] - cpu_before[0]) / sent, 3),
        "server_cpu_ms_per_msg": round(1000 * (cpu_after[1] - cpu_before[1]) / sent, 3),
        "peak_rss_mb": peak_rss_mb(),
        "first_message_s": round(first - started, 3) if first else None,
        "elapsed_s": round(elapsed, 2),
        "seed_s": round(seed_seconds, 2),
    }
    if args.baseline:
        # Flood control off and new chats after the audience's, once the counts above are read.
        await sandbox(url, "/_sandbox/config", {"flood_global_per_second": None})
        first_chat = FIRST_CHAT + args.subscribers
        baseline = await baseline_ptb(url, args.baseline, CONCURRENCY, first_chat)
        result["baseline_ptb_msgs_per_s"] = round(baseline, 1)
        ratio = result["msgs_per_s"] / baseline if args.no_flood else None
        result["ratio_to_ptb"] = round(ratio, 2) if ratio else None
    return result


async def baseline_ptb(url: str, count: int, concurrency: int, first_chat: int) -> float:
    """Plain python-telegram-bot sends (`Bot.send_message` over Aman's aiohttp transport) at
    the sender's concurrency, no database: messages per second. Printed beside the sender's
    figure so that a regression shows as a ratio rather than as a noisy absolute number."""
    from telegram import Bot

    from core.telegram_http import AiohttpRequest

    bot = Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest(concurrency))
    chats = iter(range(first_chat, first_chat + count))
    async with bot:

        async def worker() -> None:
            for chat in chats:
                await bot.send_message(chat, TEXT, parse_mode="HTML")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="aman bench broadcast", description=__doc__)
    parser.add_argument("--subscribers", type=_positive_int, default=10_000)
    parser.add_argument("--rate", type=_positive_rate, default=30.0)
    parser.add_argument("--no-flood", action="store_true", help="flood control off")
    parser.add_argument("--database", help="a Tortoise DSN (default: a fresh SQLite file)")
    parser.add_argument(
        "--baseline",
        type=int,
        default=5_000,
        metavar="N",
        help="then N plain python-telegram-bot sends to compare with (0: skip)",
    )
    args = parser.parse_args(argv)
    crypto.use_secret(b"aman-benchmark-secret-aman-benchmark-secret")
    with tempfile.TemporaryDirectory(prefix="aman-bench-") as tmp:
        database = args.database or f"sqlite://{tmp}/bench.sqlite3"
        result = asyncio.run(run(args, database))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
