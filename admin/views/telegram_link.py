"""Telegram notices for staff: a member makes a one-time code here and sends `/link <code>` to the
bot; from then on the bot says "A new tip is in your Aman inbox." in that chat when a tip is newly
theirs (never what it says). Unlinking is one button. The work is tips.staff_notices'.
"""

from __future__ import annotations

from aiohttp import web

from admin import scope
from admin.auth import current_staff, requires
from admin.language import LANG, render
from core.i18n import translator
from core.models import StaffMember
from tips import staff_notices


def add_routes(app: web.Application) -> None:
    app.router.add_get("/account/telegram", telegram_page, name="telegram")
    app.router.add_post("/account/telegram/code", make_code, name="telegram_code")
    app.router.add_post("/account/telegram/unlink", unlink, name="telegram_unlink")


async def _page(request: web.Request, staff: StaffMember, **extra: object) -> web.Response:
    context = {
        "linked_at": await staff_notices.linked_since(staff),
        "code": None,
        "minutes": int(staff_notices.CODE_LIFETIME.total_seconds() // 60),
        "notice": None,
    }
    return render(request, "telegram.html", context | extra)


def _member(request: web.Request) -> StaffMember:
    staff = current_staff(request)
    assert staff is not None  # the role check ran first
    return staff


@requires(*scope.READERS)
async def telegram_page(request: web.Request) -> web.Response:
    return await _page(request, _member(request))


@requires(*scope.READERS)
async def make_code(request: web.Request) -> web.Response:
    staff = _member(request)
    made = await staff_notices.new_link_code(staff)
    return await _page(request, staff, code=made.code)


@requires(*scope.READERS)
async def unlink(request: web.Request) -> web.Response:
    staff = _member(request)
    gettext = translator(request[LANG]).gettext
    if await staff_notices.unlink(staff):
        notice = gettext("Your Telegram chat is unlinked: no more notices will go there.")
    else:
        notice = gettext("No Telegram chat was linked.")
    return await _page(request, staff, notice=notice)
