"""The local Bot API server's own ceiling: raw aiohttp sendMessage calls, 64 at a time, against
the server in its own process (bounded-memory mode). Later benchmarks compare against it.

    .venv/bin/python benchmarks/botapi_ceiling.py [--requests 5000] [--concurrency 64]

Prints one JSON line.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.botapi.process import spawn  # noqa: E402

TOKEN = "123456:ceiling"


async def _hammer(url: str, requests: int, concurrency: int) -> dict:
    endpoint = f"{url}/bot{TOKEN}/sendMessage"
    queue = iter(range(requests))
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for number in queue:
                body = {"chat_id": 1_000_000 + number % 1000, "text": f"Message {number}"}
                async with session.post(endpoint, json=body) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        # One warm-up call so connection setup is not measured as throughput.
        async with session.post(f"{url}/bot{TOKEN}/getMe") as response:
            await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "benchmark": "botapi_ceiling",
        "requests": requests,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(requests / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    process, url = spawn()
    try:
        result = asyncio.run(_hammer(url, args.requests, args.concurrency))
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
