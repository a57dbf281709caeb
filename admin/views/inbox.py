"""The tip inbox, for focal points and unit leads: a page of the tips in their scope (metadata
only, a child involved and urgent first, paged and filtered in SQL by tips.listing), with each
member's unread marks. The tip page and its forms live in admin/views/tip.py and tip_actions.py.

Every tip comes through admin.scope, so an id from another unit is a 404 (audited). A filter the
inbox does not know is a clear 400, never an error.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from admin import scope
from admin.auth import Refusal, current_staff, requires
from admin.language import LANG, render
from admin.views import tip, tip_actions
from admin.views.tip_names import STATUS_NAMES, category_names, countries, status_names
from core.i18n import N_, translator
from core.models import StaffMember
from tips import labels, listing
from tips.listing import ALL, OPEN, UNASSIGNED, Filters
from tips.models import Category, Urgency
from tips.sheet import Member, assignable_in

PER_PAGE = 50
LAST_PAGE = 10_000  # deeper than any inbox needs; beyond it is a forged URL
FILTER_KEYS = ("status", "category", "urgency", "country", "since", "until", "label", "assignee")
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox", inbox_page, name="inbox")
    tip.add_routes(app)
    tip_actions.add_routes(app)


class BadFilter(ValueError):
    """A query string value the inbox does not know."""


def _page_number(text: str | None) -> int:
    if not text:
        return 1
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= LAST_PAGE:
        raise Refusal(400, N_("There is no such page of the inbox."))
    return int(text)


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise BadFilter(text)
    return int(text)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadFilter(text) from None
    if not EARLIEST <= day <= LATEST:
        raise BadFilter(text)
    return day


def _one_of(text: str, values: list[str]) -> str:
    if text not in values:
        raise BadFilter(text)
    return text


async def parse_filters(query: Any, staff: StaffMember) -> Filters:
    """The inbox's filters from a query string (BadFilter for a value it does not know)."""
    get = {key: (query.get(key) or "").strip() for key in FILTER_KEYS}
    statuses = [OPEN, ALL, *(s.value for s in STATUS_NAMES)]
    found: dict[str, Any] = {"status": _one_of(get["status"] or OPEN, statuses)}
    if get["category"]:
        found["category"] = Category(_one_of(get["category"], [c.value for c in Category]))
    if get["urgency"]:
        found["urgency"] = Urgency(_one_of(get["urgency"], [u.value for u in Urgency]))
    if get["country"]:
        found["country"] = _one_of(get["country"], [code for code, _ in countries()])
    if get["since"]:
        found["since"] = _day(get["since"])
    if get["until"]:
        found["until"] = _day(get["until"])
    if get["label"]:
        label = await labels.find(staff.unit_id, _number(get["label"]))
        if label is None:  # another unit's label, or none at all
            raise BadFilter(get["label"])
        found["label_id"] = label.id
    if get["assignee"] == "me":
        found["assignee_id"] = staff.id
    elif get["assignee"] == "none":
        found["assignee_id"] = UNASSIGNED
    elif get["assignee"]:
        found["assignee_id"] = _number(get["assignee"]) or UNASSIGNED
    return Filters(**found)


def _link(chosen: dict[str, str], page: int) -> str:
    """The inbox URL with these filters on this page."""
    query = {key: value for key, value in chosen.items() if value}
    if page > 1:
        query["page"] = str(page)
    return "/inbox" + (f"?{urlencode(query)}" if query else "")


@requires(*scope.READERS)
async def inbox_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    assert staff is not None
    number = _page_number(request.query.get("page"))
    try:
        filters = await parse_filters(request.query, staff)
    except BadFilter:
        raise Refusal(
            400, N_("The inbox has no such filter. Clear the filters and try again.")
        ) from None
    result = await listing.page(scope.visible_tips(staff), filters, number, PER_PAGE, staff)
    chosen = {key: (request.query.get(key) or "").strip() for key in FILTER_KEYS}
    gettext = translator(request[LANG]).gettext
    context = {
        "rows": result.rows,
        "page": number,
        "previous": _link(chosen, number - 1) if number > 1 else None,
        "next": _link(chosen, number + 1) if result.has_next and number < LAST_PAGE else None,
        "chosen": chosen,
        "filtered": any(chosen.values()),
        "status_names": status_names(request),
        "categories": category_names(request),
        "countries": [(code, gettext(name)) for code, name in countries()],
        "labels": await labels.of_unit(staff.unit_id),
        "members": await _members(staff),
    }
    return render(request, "inbox.html", context)


async def _members(staff: StaffMember) -> list[Member]:
    return await assignable_in(staff.unit_id) if staff.unit_id else []
