"""Everything `aman run` starts, in one event loop: the local Bot API (sandbox mode), the bot,
the admin web server, and the campaign worker (scheduler + sender).

With `--role` each part can run as its own process against a shared PostgreSQL database.
Every long-running part is supervised (cli/supervisor.py): a failure is logged and the part
restarted, or, when it cannot be, the process exits non-zero for its manager to restart it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from contextlib import AsyncExitStack

from aiohttp import web

from cli.supervisor import Supervisor, where
from cli.webhook import add_webhook_route
from core import crypto
from core.db import close_db, init_db
from core.logs import configure_logging, get_logger
from core.settings import Settings, get_settings

log = get_logger("aman")

# Any "<digits>:<text>" token works against the local Bot API.
SANDBOX_TOKEN = "1000:sandbox"  # noqa: S105 - the local Bot API takes any token
BOT_CHECK_SECONDS = 1.0  # how often the bot's own background tasks are looked at
POLLING_TASK = "Updater:start_polling:polling_task"  # python-telegram-bot's task names
UPDATE_TASK = "Application:{id}:update_fetcher"


class BotTaskEnded(RuntimeError):
    """A background task of python-telegram-bot ended while the bot should be running."""


def serve_forever(role: str = "all") -> int:
    """Run until Ctrl-C or SIGTERM; returns the process exit code."""
    configure_logging()
    settings = get_settings()
    try:
        settings.server_secret()  # a real token needs AMAN_SECRET_KEY: refuse before anything
    except (ValueError, OSError) as problem:
        print(f"aman: cannot start: {problem}", file=sys.stderr)
        return 2
    failure = None
    try:
        failure = asyncio.run(_serve(settings, role))
    except KeyboardInterrupt:
        pass
    except OSError as problem:  # a port already taken, an unreachable database …
        print(f"aman: cannot start: {problem}", file=sys.stderr)
        return 1
    if failure:
        print(f"aman: stopped because {failure}")
        return 1
    print("aman: stopped")
    return 0


async def _serve(settings: Settings, role: str) -> str | None:
    """Run the parts of `role` until a signal; returns why it stopped when a part failed."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    supervisor = Supervisor()
    loop.set_exception_handler(supervisor.unhandled)

    await init_db(settings.database)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(close_db)
        stack.push_async_callback(supervisor.close)  # after every part has stopped
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
            supervise_bot(supervisor, bot_app)
        if role in ("all", "admin") or (role == "bot" and secret):
            web_app = build_web_app(sandbox_url, admin=role != "bot", supervisor=supervisor)
            if bot_app is not None and secret:
                add_webhook_route(web_app, bot_app, settings.webhook_url or "", secret)
            await _start_web(stack, settings, web_app)
        if role in ("all", "worker"):
            await start_worker(
                stack, supervisor, api_root=api_root, token=token, send_rate=settings.send_rate
            )
        _greet(settings, role)
        await _first_of(stopping, supervisor.fatal)
        supervisor.wind_down()
        print("\naman: stopping …")
    return supervisor.fatal_reason or None


async def _first_of(*events: asyncio.Event) -> None:
    waiting = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiting:
            task.cancel()


async def _start_sandbox(stack: AsyncExitStack) -> str:
    from core.botapi import start_server

    server = await start_server(host="127.0.0.1", port=0)
    stack.push_async_callback(server.stop)
    with contextlib.suppress(ImportError):
        from cli.demo import HOW_TO_SIGN_IN, demo_logins

        lines = await demo_logins()
        for line in lines or []:
            print(line)
        if lines:
            print(HOW_TO_SIGN_IN)
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
    stack.push_async_callback(_stop_bot, app, stop)
    return app


async def _stop_bot(app, stop) -> None:
    """Stop the bot; a background task of it that had failed raises again while it stops, and
    the stop is then finished without it (python-telegram-bot marks the updater stopped first)."""
    try:
        await stop(app)
    except Exception as error:
        log.warning("a failed task of the bot raised again while it stopped: %s", where(error))
        await stop(app)


def supervise_bot(supervisor: Supervisor, app) -> None:
    """python-telegram-bot retries network errors itself, so one of its background tasks
    (polling, handing out updates) that has ended means something it cannot get over, such as a
    revoked token: it cannot be restarted from outside, so the process exits and starts afresh.
    A failed periodic job of the bot (reply notices, draft expiry) is reported as "bot jobs"."""
    names = {POLLING_TASK, UPDATE_TASK.format(id=app.bot.id)}
    tasks = [task for task in asyncio.all_tasks() if task.get_name() in names]
    if not tasks:
        log.warning("the bot's background tasks were not found: they are not watched")

    async def watch() -> None:
        while not supervisor.winding_down:
            for task in tasks:
                if task.done() and not supervisor.winding_down:
                    error = None if task.cancelled() else task.exception()
                    raise BotTaskEnded(task.get_name()) from error
            await asyncio.sleep(BOT_CHECK_SECONDS)

    async def job_failed(update: object, context) -> None:
        if context.job is not None and context.error is not None:
            supervisor.failed("bot jobs", context.error)

    supervisor.keep_running("bot", watch, restart=False)
    app.add_error_handler(job_failed)


def build_web_app(
    sandbox_url: str | None, *, admin: bool, supervisor: Supervisor | None = None
) -> web.Application:
    if not admin:
        return web.Application()
    from admin.app import create_app
    from admin.views.health import TASKS

    app = create_app(sandbox_api=sandbox_url)
    if supervisor is not None:
        app[TASKS] = supervisor.health
    return app


async def _start_web(stack: AsyncExitStack, settings: Settings, web_app: web.Application) -> None:
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.TCPSite(runner, settings.admin_host, settings.admin_port).start()


async def start_worker(
    stack: AsyncExitStack, supervisor: Supervisor, *, api_root: str, token: str, send_rate: float
):
    """The campaign worker, its sender restarted by the supervisor (which also asks it whether
    its outcomes are recorded) and its scheduler's jobs reported as "scheduler"."""
    try:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

        from campaigns.worker import Worker
    except ImportError:
        return None
    worker = Worker(api_root=api_root, token=token, send_rate=send_rate)

    def on_job(event) -> None:
        if event.exception is not None:
            supervisor.failed("scheduler", event.exception)
        else:
            supervisor.succeeded("scheduler")

    # The listener logs a failed job without its message; APScheduler's own line would add it.
    logging.getLogger("apscheduler.executors.default").addFilter(_without_traceback)
    supervisor.watch("scheduler")
    worker.scheduler.aps.add_listener(on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    schedule_tip_jobs(worker.scheduler)
    await worker.start(
        lambda name, start: supervisor.keep_running(name, start, probe=worker.sender.trouble)
    )
    stack.push_async_callback(worker.stop)
    return worker


def schedule_tip_jobs(scheduler) -> None:
    """Escalation and retention of tips, as periodic jobs of the worker's scheduler. Each claims
    its work in the database, so two workers running them never do it twice."""
    from tips import escalation, retention

    for name, job, every in (
        ("tips:escalation", escalation.run, escalation.EVERY),
        ("tips:retention", retention.run, retention.EVERY),
    ):

        async def run(job=job) -> None:
            await job(scheduler.clock())

        scheduler.aps.add_job(
            run, "interval", seconds=every.total_seconds(), id=name, max_instances=1, coalesce=True
        )


def _without_traceback(record: logging.LogRecord) -> bool:
    return record.exc_info is None


def _greet(settings: Settings, role: str) -> None:
    base = f"http://{settings.admin_host}:{settings.admin_port}"
    mode = "sandbox mode (no Telegram token)" if settings.sandbox else "connected to Telegram"
    print(f"aman: running ({role}) in {mode}")
    if role in ("all", "admin"):
        print(f"aman: admin at {base}/")
        if settings.sandbox:
            print(f"aman: chat with the bot in your browser: {base}/simulator")
    print("aman: press Ctrl-C to stop")
