"""Aman's local Bot API server: the bot calls `{url}/bot{token}/{method}` here instead of
Telegram in sandbox mode, in tests and in benchmarks, and gets Telegram's response shapes.

`create_app` builds the aiohttp application, `start_server` runs it on a port and returns a
`LocalBotApi` handle. The user side lives under /_sandbox/ (see `sandbox`).
"""

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import orjson
from aiohttp import web

from core.botapi import messaging, profile, updates
from core.botapi.faults import Config
from core.botapi.params import ApiError, Params, read_params
from core.botapi.sandbox import WORLD, sandbox_app
from core.botapi.state import World
from core.botapi.updates import WebhookPusher
from core.logs import get_logger

Handler = Callable[[World, Params], Awaitable[object]]

_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
_NOT_FOUND = ApiError(404, "Not Found")
_BROKEN = ApiError(500, "Internal Server Error")
_LOG = get_logger(__name__)
_UPLOAD_LIMIT = 60 * 1024 * 1024  # Telegram takes uploads up to 50 MB


async def get_file(world: World, params: Params) -> dict:
    file_id = params.string("file_id", required=True) or ""
    record = world.files.get(file_id)
    if record is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return record.telegram_file()


# Method names are case-insensitive on Telegram; stats use the documented spelling.
METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for table in (messaging.METHODS, profile.METHODS, updates.METHODS, {"getFile": get_file})
    for name, handler in table.items()
}
PUSHER = web.AppKey("webhook_pusher", WebhookPusher)


def _answer(payload: dict, status: int = 200) -> web.Response:
    try:
        # orjson writes the same JSON (UTF-8, keys in order) several times faster, which is
        # what lets benchmarks measure the bot rather than this server.
        body = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # what orjson refuses (huge ints, lone surrogates), json still writes
        body = json.dumps(payload, ensure_ascii=False).encode()
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


async def bot_call(request: web.Request) -> web.Response:
    """One Bot API call: check the token, emulate faults, run the method, shape the answer."""
    world = request.app[WORLD]
    token = request.match_info["token"]
    name = request.match_info["method"]
    if not _TOKEN.fullmatch(token):
        world.stats.statuses[404] += 1
        return _answer(_NOT_FOUND.body(), 404)
    entry = METHODS.get(name.lower())
    if entry is None:
        world.stats.calls[name] += 1
        world.stats.statuses[404] += 1
        return _answer(_NOT_FOUND.body(), 404)
    canonical, handler = entry
    world.stats.calls[canonical] += 1
    if world.bot_id != int(token.split(":", 1)[0]):
        world.bind_token(token)
    try:
        if world.config.latency_ms > 0:
            await asyncio.sleep(world.config.latency_ms / 1000)
        world.faults.check(canonical)
        params = await read_params(request)
        result = await handler(world, params)
    except ApiError as error:
        world.stats.statuses[error.code] += 1
        return _answer(error.body(), error.code)
    except Exception:
        # A sandbox bug must still look like a Telegram 500 to the bot, and show in the log.
        _LOG.exception("local Bot API failed in %s", canonical)
        world.stats.statuses[500] += 1
        return _answer(_BROKEN.body(), 500)
    world.stats.statuses[200] += 1
    return _answer({"ok": True, "result": result})


async def file_download(request: web.Request) -> web.Response:
    """GET {url}/file/bot{token}/{file_path}: the bytes behind a getFile answer."""
    world = request.app[WORLD]
    if not _TOKEN.fullmatch(request.match_info["token"]):
        return _answer(_NOT_FOUND.body(), 404)
    record = world.files.by_path.get(request.match_info["path"])
    if record is None or record.data is None:
        return _answer(_NOT_FOUND.body(), 404)
    return web.Response(
        body=record.data, content_type=record.mime_type or "application/octet-stream"
    )


async def _webhook_pusher(app: web.Application) -> AsyncIterator[None]:
    pusher = app[PUSHER] = WebhookPusher(app[WORLD])
    pusher.start()
    yield
    app[WORLD].close()
    await pusher.stop()


def create_app(**options: object) -> web.Application:
    """The Bot API + sandbox application. Options are `faults.Config` fields, e.g.
    bot_name, bot_username, record_messages, flood_private_per_second, latency_ms."""
    config = Config()
    config.update(options)
    app = web.Application(client_max_size=_UPLOAD_LIMIT)
    app[WORLD] = World(config)
    app.router.add_route("*", "/bot{token}/{method}", bot_call)
    app.router.add_get("/file/bot{token}/{path:.+}", file_download)
    app.add_subapp("/_sandbox/", sandbox_app())
    app.cleanup_ctx.append(_webhook_pusher)
    return app


class LocalBotApi:
    """A running local Bot API server."""

    def __init__(self, runner: web.AppRunner, url: str) -> None:
        self.runner = runner
        self.url = url

    @property
    def app(self) -> web.Application:
        return self.runner.app

    @property
    def state(self) -> World:
        return self.app[WORLD]

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as `base_url`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to give python-telegram-bot as `base_file_url`."""
        return f"{self.url}/file/bot"

    async def stop(self) -> None:
        # Waiting long polls answer at once instead of holding the shutdown.
        self.state.close()
        await self.runner.cleanup()

    async def __aenter__(self) -> "LocalBotApi":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def start_server(host: str = "127.0.0.1", port: int = 0, **options: object) -> LocalBotApi:
    """Run the server on host:port (0 picks a free port) and return its handle."""
    runner = web.AppRunner(
        create_app(**options), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    return LocalBotApi(runner, f"http://{bound_host}:{bound_port}")
