"""`GET /`: the placeholder home — what Aman is and where to go from here."""

from __future__ import annotations

from aiohttp import web

from admin.language import render
from admin.sandbox_link import SANDBOX
from tips import routing


async def home(request: web.Request) -> web.Response:
    context = {
        "sandbox": SANDBOX in request.app,
        "tips_open": await routing.can_receive_tips(),
        "units_without_recipients": [u.code for u in await routing.units_without_recipients()],
    }
    return render(request, "home.html", context)
