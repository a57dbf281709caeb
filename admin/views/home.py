"""`GET /`: the placeholder home — what Aman is and where to go from here."""

from __future__ import annotations

from aiohttp import web

from admin.language import render
from admin.sandbox_link import SANDBOX


async def home(request: web.Request) -> web.Response:
    return render(request, "home.html", {"sandbox": SANDBOX in request.app})
