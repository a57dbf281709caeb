"""`GET /`: the placeholder home — what Aman is and where to go from here. Which units have
nobody who could open a tip is for signed-in admins only."""

from __future__ import annotations

from aiohttp import web

from admin.auth import current_staff
from admin.language import render
from admin.sandbox_link import SANDBOX
from core.models import Role
from tips import routing


async def home(request: web.Request) -> web.Response:
    staff = current_staff(request)
    admin = staff is not None and staff.role == Role.ADMIN
    context = {
        "sandbox": SANDBOX in request.app,
        "tips_open": await routing.can_receive_tips(),
        "units_without_recipients": (
            [u.code for u in await routing.units_without_recipients()] if admin else []
        ),
    }
    return render(request, "home.html", context)
