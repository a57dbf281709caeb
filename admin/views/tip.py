"""One tip's page: the answers decrypted with the session's private key, its files (cleaned
copies, and originals as evidence), its labels, who has it, its timeline, links to the
tips linked to it, its sharing and its exports, and the forms that act on it
(admin/views/tip_actions.py). Opening it is audited and moves the reader's read mark.

What a reporter or a member wrote is shown as text: Jinja2 escapes it, whatever it says. A form
that could not be applied (a missing reason, a tip changed meanwhile) shows this page again with
what the member typed still in it, so nothing they wrote is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from admin import scope
from admin.auth import Refusal, current_staff, private_key, requires
from admin.language import LANG, render
from admin.views.tip_names import STATUS_NAMES, category_names, status_names
from core.i18n import N_, translator
from core.models import StaffMember
from tips import sheet
from tips.models import Tip, TipStatus
from tips.questionnaire import load
from tips.sealing import NoAccess
from tips.timeline import Event


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tips/{tip_id}", tip_page, name="tip")


async def tip_in_scope(request: web.Request) -> tuple[StaffMember, Tip]:
    """The member and the tip the URL names, if it is in their scope (404, audited, if not)."""
    staff = current_staff(request)
    assert staff is not None
    try:
        return staff, await scope.tip_for(staff, request.match_info["tip_id"])
    except scope.TipNotFound:
        raise Refusal(404, N_("There is no such tip in your inbox.")) from None


async def not_sealed(staff: StaffMember, tip: Tip) -> Refusal:
    await scope.deny(staff, tip.id, "not sealed to this member")
    return Refusal(403, N_("This tip was not sealed to your key, so it cannot be opened with it."))


@requires(*scope.READERS)
async def tip_page(request: web.Request) -> web.Response:
    staff, tip = await tip_in_scope(request)
    return await show(request, staff, tip)


async def show(
    request: web.Request,
    staff: StaffMember,
    tip: Tip,
    *,
    status: int = 200,
    error: str | None = None,
    kept: dict[str, str] | None = None,
) -> web.Response:
    """The tip page; after a form that could not be applied, with `error` (a msgid) and the
    member's words `kept` in their fields."""
    try:
        loaded = await sheet.load(tip, staff, private_key(request))
    except NoAccess:
        raise await not_sealed(staff, tip) from None
    gettext = translator(request[LANG]).gettext
    names = status_names(request)
    manager = scope.may_manage(staff, loaded.opened.tip)
    current = loaded.opened.tip.status
    choices = [
        (s.value, names[s.value])
        for s in STATUS_NAMES
        if manager or (s != TipStatus.CLOSED and current != TipStatus.CLOSED) or s == current
    ]
    context = {
        "tip": loaded.opened.tip,
        "answers": _answers(request, loaded.opened.answers),
        "files": loaded.opened.files,
        "events": [_described(e, gettext, names) for e in loaded.events],
        "labels": loaded.labels,
        "unit_labels": loaded.unit_labels,
        "members": loaded.members,
        "assignee": loaded.assignee,
        "manager": manager,
        "status_choices": choices,
        "status_name": names.get(str(current), str(current)),
        "category_name": category_names(request).get(str(tip.category), str(tip.category)),
        "error": gettext(error) if error else None,
        "kept": kept or {},
    }
    return render(request, "tip.html", context, status=status)


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


# What each audit action says on the timeline; {who} is the member (or the reporter, or Aman).
SENTENCES = {
    "tip.submitted": N_("Sent through the bot"),
    "tip.routed": N_("Routed to the %(unit)s unit"),
    "tip.opened": N_("%(who)s opened it"),
    "tip.denied": N_("%(who)s was refused access"),
    "tip.status": N_("%(who)s set the status to %(status)s"),
    "tip.replied": N_("%(who)s wrote to the reporter"),
    "tip.reporter_added": N_("The reporter added information"),
    "tip.reporter_file": N_("The reporter added a file"),
    "tip.note": N_("%(who)s wrote a note"),
    "tip.labelled": N_("%(who)s added the label %(label)s"),
    "tip.unlabelled": N_("%(who)s removed the label %(label)s"),
    "tip.assigned": N_("%(who)s gave it to %(member)s"),
    "tip.unassigned": N_("%(who)s gave it to nobody in particular"),
    "tip.file": N_("%(who)s viewed a cleaned copy of a file"),
    "tip.file_original": N_("%(who)s downloaded an original file (evidence)"),
    "tip.stale": N_("%(who)s tried a change that came after someone else's, and it was refused"),
    "tip.shared": N_("%(who)s shared it with the %(to_unit)s unit"),
    "tip.escalated": N_("Nobody acknowledged it in time: escalated to the %(unit)s unit"),
    "tip.exported": N_("%(who)s exported it (%(format)s)"),
}
OTHER = N_("%(who)s: %(action)s")


def _described(
    event: Event, gettext: Callable[[str], str], status_names: dict[str, str]
) -> dict[str, Any]:
    who = {"reporter": gettext("The reporter"), "system": gettext("Aman")}.get(
        event.actor, event.who or "?"
    )
    details = event.details
    values = {
        "who": who,
        "action": event.action,
        "unit": str(details.get("unit", "")),
        "status": status_names.get(str(details.get("status")), str(details.get("status"))),
        "label": details.get("label_name") or "?",
        "member": details.get("assignee_name") or "?",
        "to_unit": str(details.get("to_unit", "?")),
        "format": str(details.get("format", "?")),
    }
    action = event.action
    if action == "tip.assigned" and details.get("assignee") is None:
        action = "tip.unassigned"
    sentence = gettext(SENTENCES.get(action, OTHER)) % values
    if event.count > 1:
        sentence += " " + gettext("(%(n)s times)") % {"n": event.count}
    return {"at": event.at, "sentence": sentence, "text": event.text, "action": event.action}
