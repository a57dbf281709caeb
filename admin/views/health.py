"""`GET /healthz`: is this admin process able to serve — can it reach its database, and is the
background work running beside it (sender, scheduler, bot) healthy?"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web
from tortoise import connections

from admin.sandbox_link import SANDBOX
from core.logs import get_logger

log = get_logger(__name__)
_DB_CHECK_SECONDS = 3.0
# Set by the process that runs background work beside the admin (`aman run`): each supervised
# task's state, "ok" or what is wrong.
TASKS = web.AppKey("tasks", Callable[[], dict[str, str]])


async def _database_answers() -> bool:
    try:
        async with asyncio.timeout(_DB_CHECK_SECONDS):
            await connections.get("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means "not healthy"; the kind goes to the log
        log.warning("health check: database unavailable (%s)", type(error).__name__)
        return False
    return True


async def healthz(request: web.Request) -> web.Response:
    database = await _database_answers()
    tasks = request.app[TASKS]() if TASKS in request.app else None
    healthy = database and all(state == "ok" for state in (tasks or {}).values())
    body: dict[str, object] = {
        "status": "ok" if healthy else "error",
        "database": "ok" if database else "error",
        "sandbox": SANDBOX in request.app,
    }
    if tasks is not None:
        body["tasks"] = tasks
    return web.json_response(body, status=200 if healthy else 503)
