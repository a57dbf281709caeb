"""The campaign editor, for NGO editors: name, per-language variants side by side (ar, fr, en
and any other language Aman speaks), a preview as Telegram shows each one, the audience with its
live count (`GET /campaigns/audience` answers the count as JSON), and the schedule.

The work is `campaigns.drafts` (checks, conflicts, audit); a refused form comes back with every
field as the writer typed it and each problem beside its field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from admin.auth import Refusal, form, require
from admin.language import LANG, render
from admin.views.campaigns import STAFF, WRITERS, campaign_for
from campaigns import audiences, drafts, texts
from campaigns.localtime import COUNTRY_TZ
from campaigns.models import Campaign, CampaignState
from content.library import TOPICS
from core.i18n import LANGUAGES, N_, is_rtl, language_name, translator

EDITOR_LANGUAGES = ("ar", "fr", "en")  # side by side first; the others fold below
_MESSAGES = {
    "name_missing": N_("Give the campaign a name."),
    "name_long": N_("The name is too long (at most %(limit)d characters)."),
    "no_variant": N_("Write the message in at least one language."),
    "tag": N_(
        "Telegram does not accept <%(tag)s>: use b, i, u, s, a, code, pre, blockquote, tg-spoiler."
    ),
    "lt": N_("Write < as &lt;: Telegram reads < as the start of a tag."),
    "unmatched": N_("The closing tag </%(tag)s> does not match an opening tag."),
    "unclosed": N_("The tag <%(tag)s> is never closed."),
    "empty": N_("The message has no text once the tags are removed."),
    "too_long": N_("Too long for Telegram: %(length)d characters, at most %(limit)d."),
    "time_invalid": N_("Give a date and time, like 2026-12-01 09:00."),
    "time_past": N_("This time has already passed: pick a time in the future."),
    "schedule_unknown": N_("Pick when to send it."),
    "audience_empty": N_("No subscriber matches this audience, so nothing would be sent."),
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/campaigns/new", new_page, name="campaign_new")
    app.router.add_post("/campaigns/new", save, name="campaign_create")
    app.router.add_get("/campaigns/{campaign_id:\\d+}/edit", edit_page, name="campaign_edit")
    app.router.add_post("/campaigns/{campaign_id:\\d+}/edit", save, name="campaign_save")
    app.router.add_get("/campaigns/audience", audience_count, name="campaign_audience")


def _listed(values: list[str], allowed: Any) -> list[str]:
    return sorted({v for v in values if v in allowed})


def _draft_from(fields: Any) -> drafts.Draft:
    """The form as a Draft: unknown countries, languages and topics are dropped."""
    texts_ = {code: fields.get(f"text_{code}", "").replace("\r\n", "\n") for code in LANGUAGES}
    try:
        base = json.loads(fields.get("base") or "null")
    except ValueError:
        base = None
    at = fields.get("at", "").strip().replace(" ", "T")
    return drafts.Draft(
        name=fields.get("name", ""),
        texts=texts_,
        countries=_listed(fields.getall("country", []), COUNTRY_TZ),
        languages=_listed(fields.getall("language", []), LANGUAGES),
        topics=_listed(fields.getall("topic", []), TOPICS),
        schedule=fields.get("schedule", "now"),
        at=at,
        zone=fields.get("zone", ""),
        default_language=fields.get("default_language", "en")
        if fields.get("default_language") in LANGUAGES
        else "en",
        base=base if isinstance(base, dict) else None,
    )


async def _draft_of(campaign: Campaign) -> drafts.Draft:
    snap = await drafts.snapshot(campaign)
    audience = campaign.audience or {}
    zone = next((c for c, z in COUNTRY_TZ.items() if z == campaign.timezone), "")
    return drafts.Draft(
        name=campaign.name,
        texts=dict(snap["texts"]),
        countries=list(audience.get("countries", [])),
        languages=list(audience.get("languages", [])),
        topics=list(audience.get("topics", [])),
        schedule="at" if snap["schedule"] == "at" else "now",
        at=snap["at"],
        zone=zone,
        default_language=campaign.default_language,
        base=snap,
    )


async def _form_page(
    request: web.Request,
    draft: drafts.Draft,
    campaign: Campaign | None,
    problems: list[drafts.Problem] = (),  # type: ignore[assignment]
    *,
    error: str | None = None,
    preview: bool = False,
    status: int = 200,
) -> web.Response:
    lang = request[LANG]
    gettext = translator(lang).gettext
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            gettext(_MESSAGES[problem.code]) % problem.params
        )
    audience = audiences.Audience.of(drafts.audience_of(draft))
    spoken = await audiences.languages(audience)
    written = {code for code, text in draft.texts.items() if text.strip()}
    order = list(EDITOR_LANGUAGES) + [c for c in LANGUAGES if c not in EDITOR_LANGUAGES]
    variants = [
        {
            "code": code,
            "name": language_name(code, lang),
            "own_name": LANGUAGES[code],
            "rtl": is_rtl(code),
            "text": draft.texts.get(code, ""),
            "errors": errors.get(f"text_{code}", []),
            "preview": texts.preview_html(draft.texts.get(code, ""))
            if preview and code in written
            else None,
            "missing": code in spoken and code not in written,
            "language": code,
            "buttons": [],
        }
        for code in order
    ]
    context = {
        "campaign": campaign,
        "draft": draft,
        "base": json.dumps(draft.base, ensure_ascii=False) if draft.base else "",
        "variants_main": [v for v in variants if v["code"] in EDITOR_LANGUAGES],
        "variants_more": [v for v in variants if v["code"] not in EDITOR_LANGUAGES],
        "missing": [language_name(c, lang) for c in spoken if c not in written],
        "errors": errors,
        "error": error
        or (gettext("Nothing was saved: see the problems below.") if problems else None),
        "count": await audiences.count(audience),
        "countries": list(COUNTRY_TZ),
        "topics": list(TOPICS),
        "languages": LANGUAGES,
        "preview": preview,
    }
    return render(request, "campaign_edit.html", context, status=status)


async def new_page(request: web.Request) -> web.Response:
    await require(request, *WRITERS)
    draft = drafts.Draft(name="", texts={})
    return await _form_page(request, draft, None)


async def edit_page(request: web.Request) -> web.Response:
    staff = await require(request, *WRITERS)
    campaign = await campaign_for(staff, request.match_info["campaign_id"])
    if campaign.state != CampaignState.DRAFT:
        raise Refusal(409, N_("Only a draft can be edited: ask a reviewer to send it back first."))
    return await _form_page(request, await _draft_of(campaign), campaign)


async def save(request: web.Request) -> web.Response:
    staff = await require(request, *WRITERS)
    campaign = None
    if "campaign_id" in request.match_info:
        campaign = await campaign_for(staff, request.match_info["campaign_id"])
    await form(request)  # a clear page when the body is no form
    fields = await request.post()
    draft = _draft_from(fields)
    if fields.get("intent") == "preview":
        return await _form_page(request, draft, campaign, preview=True)
    problems = await drafts.check(draft, datetime.now(UTC))
    if problems:
        return await _form_page(request, draft, campaign, problems, preview=True, status=400)
    gettext = translator(request[LANG]).gettext
    try:
        saved = await drafts.save(draft, staff, campaign)
    except drafts.Conflict as conflict:
        names = ", ".join(dict.fromkeys(_field_name(request, n) for n in conflict.changed))
        error = gettext(
            "Someone else saved this campaign after you opened it. Changed since: %(fields)s. "
            "Your text is kept below; compare, then save again."
        ) % {"fields": names}
        draft.base = conflict.current
        return await _form_page(request, draft, campaign, error=error, preview=True, status=409)
    except drafts.NotEditable:
        raise Refusal(
            409, N_("Only a draft can be edited: ask a reviewer to send it back first.")
        ) from None
    raise web.HTTPSeeOther(f"/campaigns/{saved.id}?done=saved")


def _field_name(request: web.Request, name: str) -> str:
    gettext = translator(request[LANG]).gettext
    if name.startswith("text_"):
        return gettext("text in %(language)s") % {
            "language": language_name(name[5:], request[LANG])
        }
    labels = {
        "name": N_("name"),
        "audience": N_("audience"),
        "schedule": N_("schedule"),
        "at": N_("schedule"),
        "timezone": N_("schedule"),
        "default_language": N_("default language"),
    }
    return gettext(labels.get(name, name))


async def audience_count(request: web.Request) -> web.Response:
    await require(request, *STAFF)
    query = request.query
    draft = drafts.Draft(
        name="",
        texts={},
        countries=_listed(query.getall("country", []), COUNTRY_TZ),
        languages=_listed(query.getall("language", []), LANGUAGES),
        topics=_listed(query.getall("topic", []), TOPICS),
    )
    audience = audiences.Audience.of(drafts.audience_of(draft))
    count = await audiences.count(audience)
    spoken = await audiences.languages(audience)
    return web.json_response({"count": count, "languages": spoken})
