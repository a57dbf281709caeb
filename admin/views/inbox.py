"""The tip inbox, for focal points and unit leads: a page of the tips in their scope (metadata
only, urgent first, paged in SQL) and one tip opened with the session's private key.

Every tip comes through admin.scope, so an id from another unit is a 404 (audited). The answers
are shown as text: Jinja2 escapes them, whatever a reporter typed.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.expressions import RawSQL

from admin import scope
from admin.auth import Refusal, current_staff, private_key, requires
from admin.language import LANG, render
from core.i18n import N_, translator
from tips import inbox
from tips.models import Urgency
from tips.questionnaire import load
from tips.sealing import NoAccess

PER_PAGE = 50
LAST_PAGE = 10_000  # deeper than any inbox needs; beyond it is a forged URL
LIST_FIELDS = ("id", "created_at", "country", "category", "urgency", "status")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox", inbox_page, name="inbox")
    app.router.add_get("/tips/{tip_id}", tip_page, name="tip")


def _page_number(text: str | None) -> int:
    if not text:
        return 1
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= LAST_PAGE:
        raise Refusal(400, N_("There is no such page of the inbox."))
    return int(text)


@requires(*scope.READERS)
async def inbox_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    assert staff is not None
    page = _page_number(request.query.get("page"))
    # A literal, not a parameter: PostgreSQL cannot tell a parameter's type inside CASE.
    urgent_first = RawSQL(f"CASE WHEN urgency = '{Urgency.URGENT.value}' THEN 0 ELSE 1 END")
    rows = (
        await scope.visible_tips(staff)
        .annotate(urgent_first=urgent_first)
        .order_by("urgent_first", "-created_at", "-id")
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
        .values(*LIST_FIELDS)
    )
    context = {
        "tips": rows[:PER_PAGE],
        "page": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if len(rows) > PER_PAGE and page < LAST_PAGE else None,
    }
    return render(request, "inbox.html", context)


def _answers(request: web.Request, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """Each answer with its question's prompt, in the questionnaire's order (the reader's
    language); an answer the questionnaire no longer asks keeps its key as the label."""
    gettext = translator(request[LANG]).gettext
    questions = load().questions
    shown: list[tuple[str, str]] = []
    for question in questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        choice = question.choice(value) if isinstance(value, str) else None
        shown.append((gettext(question.prompt), gettext(choice.label) if choice else str(value)))
    known = {q.id for q in questions}
    shown += [(key, str(value)) for key, value in answers.items() if key not in known]
    return shown


@requires(*scope.READERS)
async def tip_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    assert staff is not None
    try:
        tip = await scope.tip_for(staff, request.match_info["tip_id"])
    except scope.TipNotFound:
        raise Refusal(404, N_("There is no such tip in your inbox.")) from None
    try:
        opened = await inbox.open_tip(tip.id, staff, private_key(request))
    except NoAccess:
        await scope.deny(staff, tip.id, "not sealed to this member")
        raise Refusal(
            403, N_("This tip was not sealed to your key, so it cannot be opened with it.")
        ) from None
    context = {
        "tip": opened.tip,
        "answers": _answers(request, opened.answers),
        "messages": opened.messages,
        "files": opened.files,
    }
    return render(request, "tip.html", context)
