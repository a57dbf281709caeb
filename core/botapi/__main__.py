"""Run the local Bot API server on its own: `python -m core.botapi --port 8081`.

Prints one JSON line with the root URL once it listens, then serves until interrupted.
"""

import argparse
import asyncio
import contextlib
import json
import signal

from core.botapi.server import start_server


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="keep only counters and content hashes (bounded memory for benchmarks)",
    )
    parser.add_argument("--bot-name", default="Aman Sandbox")
    parser.add_argument("--bot-username", default="aman_sandbox_bot")
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    server = await start_server(
        args.host,
        args.port,
        record_messages=not args.no_record,
        bot_name=args.bot_name,
        bot_username=args.bot_username,
    )
    print(json.dumps({"url": server.url}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main() -> None:
    asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
