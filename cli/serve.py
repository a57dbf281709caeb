"""Everything `aman run` starts, in one event loop: the local Bot API (sandbox mode), the bot,
the admin web server, and the campaign worker (scheduler + sender).

With `--role` each part can run as its own process against a shared PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from contextlib import AsyncExitStack

from aiohttp import web

from cli.webhook import add_webhook_route
from core import crypto
from core.db import close_db, init_db
from core.logs import configure_logging, get_logger
from core.settings import Settings, get_settings

log = get_logger("aman")

# Any "<digits>:<text>" token works against the local Bot API.
SANDBOX_TOKEN = "1000:sandbox"  # noqa: S105 - the local Bot API takes any token


def serve_forever(role: str = "all") -> int:
    """Run until Ctrl-C or SIGTERM; returns the process exit code."""
    configure_logging()
    settings = get_settings()
    try:
        settings.server_secret()  # a real token needs AMAN_SECRET_KEY: refuse before anything
    except (ValueError, OSError) as problem:
        print(f"aman: cannot start: {problem}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(settings, role))
    except KeyboardInterrupt:
        pass
    except OSError as problem:  # a port already taken, an unreachable database …
        print(f"aman: cannot start: {problem}", file=sys.stderr)
        return 1
    print("aman: stopped")
    return 0


async def _serve(settings: Settings, role: str) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)

    await init_db(settings.database)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(close_db)
        api_root, token, sandbox_url = settings.telegram_api_url, settings.telegram_token, None
        if settings.sandbox:
            sandbox_url = await _start_sandbox(stack)
            api_root, token = sandbox_url, SANDBOX_TOKEN
        assert token is not None
        await _warn_if_tips_cannot_be_received()
        bot_app = None
        secret = _webhook_secret(settings, token)
        if role in ("all", "bot"):
            bot_app = await _start_bot(stack, settings, token, api_root, secret)
        if role in ("all", "admin") or (role == "bot" and secret):
            web_app = _web_app(sandbox_url, admin=role != "bot")
            if bot_app is not None and secret:
                add_webhook_route(web_app, bot_app, settings.webhook_url or "", secret)
            await _start_web(stack, settings, web_app)
        if role in ("all", "worker"):
            await _start_worker(stack, settings, token, api_root)
        _greet(settings, role)
        await stopping.wait()
        print("\naman: stopping …")


async def _start_sandbox(stack: AsyncExitStack) -> str:
    from core.botapi import start_server

    server = await start_server(host="127.0.0.1", port=0)
    stack.push_async_callback(server.stop)
    with contextlib.suppress(ImportError):
        from tips.demo import ensure_demo

        for line in await ensure_demo() or []:
            print(line)
    return server.url


async def _warn_if_tips_cannot_be_received() -> None:
    from tips.routing import can_receive_tips

    if not await can_receive_tips():
        log.warning(
            "no unit can receive tips, so the bot does not offer reporting: add a focal point "
            "to a unit with `aman staff add` (or load the demo with `aman demo`)"
        )


def _webhook_secret(settings: Settings, token: str) -> str | None:
    """Telegram echoes this in a header on every webhook call; derived, so all processes agree."""
    return crypto.blind_index("telegram-webhook", token)[:64] if settings.webhook_url else None


async def _start_bot(
    stack: AsyncExitStack, settings: Settings, token: str, api_root: str, secret: str | None
):
    from bot.app import build_application, start_polling, stop

    app = build_application(token, api_root)
    if settings.webhook_url:
        await app.initialize()
        await app.start()
        await app.bot.set_webhook(settings.webhook_url, secret_token=secret)
    else:
        await start_polling(app)
    stack.push_async_callback(stop, app)
    return app


def _web_app(sandbox_url: str | None, *, admin: bool) -> web.Application:
    if not admin:
        return web.Application()
    from admin.app import create_app

    return create_app(sandbox_api=sandbox_url)


async def _start_web(stack: AsyncExitStack, settings: Settings, web_app: web.Application) -> None:
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.TCPSite(runner, settings.admin_host, settings.admin_port).start()


async def _start_worker(stack: AsyncExitStack, settings: Settings, token: str, api_root: str):
    try:
        from campaigns.worker import Worker
    except ImportError:
        return
    worker = Worker(api_root=api_root, token=token, send_rate=settings.send_rate)
    await worker.start()
    stack.push_async_callback(worker.stop)


def _greet(settings: Settings, role: str) -> None:
    base = f"http://{settings.admin_host}:{settings.admin_port}"
    mode = "sandbox mode (no Telegram token)" if settings.sandbox else "connected to Telegram"
    print(f"aman: running ({role}) in {mode}")
    if role in ("all", "admin"):
        print(f"aman: admin at {base}/")
        if settings.sandbox:
            print(f"aman: chat with the bot in your browser: {base}/simulator")
    print("aman: press Ctrl-C to stop")
