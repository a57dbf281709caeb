"""The words the inbox and the tip page show for a tip's metadata, in the reader's language:
statuses, categories and countries (the last two as the questionnaire words them)."""

from __future__ import annotations

from aiohttp import web

from admin.language import LANG
from core.i18n import N_, translator
from tips.models import Category, TipStatus
from tips.questionnaire import load

STATUS_NAMES = {
    TipStatus.NEW: N_("New"),
    TipStatus.ACKNOWLEDGED: N_("Acknowledged"),
    TipStatus.INVESTIGATING: N_("Investigating"),
    TipStatus.REFERRED: N_("Referred"),
    TipStatus.CLOSED: N_("Closed"),
}


def status_names(request: web.Request) -> dict[str, str]:
    gettext = translator(request[LANG]).gettext
    return {status.value: gettext(name) for status, name in STATUS_NAMES.items()}


def category_names(request: web.Request) -> dict[str, str]:
    """Each category in the reader's language, as the questionnaire words it."""
    gettext = translator(request[LANG]).gettext
    question = load().by_role("category")
    named = {c.value: gettext(c.label) for c in question.choices} if question else {}
    return {c.value: named.get(c.value, c.value) for c in Category}


def countries() -> list[tuple[str, str]]:
    """(code, English name) of the countries a tip can name, in the questionnaire's order."""
    question = load().by_role("country")
    return [(c.value, c.label) for c in question.choices] if question else []
