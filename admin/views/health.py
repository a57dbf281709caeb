"""`GET /healthz`: is this admin process able to serve — can it reach its database?"""

from __future__ import annotations

import asyncio

from aiohttp import web
from tortoise import connections

from admin.sandbox_link import SANDBOX
from core.logs import get_logger

log = get_logger(__name__)
_DB_CHECK_SECONDS = 3.0


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
    body = {
        "status": "ok" if database else "error",
        "database": "ok" if database else "error",
        "sandbox": SANDBOX in request.app,
    }
    return web.json_response(body, status=200 if database else 503)
