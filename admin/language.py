"""Which language each admin page speaks: `?lang=` (remembered in a cookie), then the cookie,
then the browser's Accept-Language, then English; always one of `core.i18n.LANGUAGES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, best_language, is_rtl, translator

LANG = web.RequestKey("lang", str)
# What every page is told about its reader (the signed-in member, the forms' token), set by the
# app (admin.auth.page_context); language.py itself knows nothing of sessions.
PAGE_CONTEXT = web.AppKey("page_context", Callable[[web.Request], dict[str, Any]])
LANG_COOKIE = "aman_lang"
_YEAR = 365 * 24 * 3600


def _spoken(code: str | None) -> str | None:
    """The language Aman speaks for this code (its base counts), or None."""
    if not code:
        return None
    chosen = best_language(code)
    if chosen != DEFAULT_LANGUAGE or code.lower().startswith(DEFAULT_LANGUAGE):
        return chosen
    return None


def from_accept_language(header: str) -> str | None:
    """The best language Aman speaks among those the browser asks for, by their q weights."""
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and weight > 0:
            offers.append((-weight, index, tag))
    for _weight, _index, tag in sorted(offers):
        spoken = _spoken(tag)
        if spoken:
            return spoken
    return None


def choose(request: web.Request) -> tuple[str, bool]:
    """The page language and whether the person just picked it with `?lang=`."""
    picked = _spoken(request.query.get("lang"))
    if picked:
        return picked, True
    remembered = _spoken(request.cookies.get(LANG_COOKIE))
    if remembered:
        return remembered, False
    return from_accept_language(request.headers.get("Accept-Language", "")) or "en", False


@web.middleware
async def language_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    lang, picked = choose(request)
    request[LANG] = lang
    response = await handler(request)
    if picked and not response.prepared:
        response.set_cookie(LANG_COOKIE, lang, max_age=_YEAR, httponly=True, samesite="Lax")
    return response


def render(
    request: web.Request, template: str, context: dict | None = None, status: int = 200
) -> web.Response:
    """Render a page in the request's language with `dir="rtl"` where the language needs it.

    Translations are installed on the shared environment and the template is rendered right
    after, with no await in between, so concurrent requests never see each other's language.
    """
    lang = request[LANG]
    env = aiohttp_jinja2.get_env(request.app)
    env.install_gettext_translations(translator(lang), newstyle=True)  # type: ignore[attr-defined]
    page = {
        "lang": lang,
        "dir": "rtl" if is_rtl(lang) else "ltr",
        "languages": LANGUAGES,
        "path": request.path,
    }
    if PAGE_CONTEXT in request.app:
        page |= request.app[PAGE_CONTEXT](request)
    return aiohttp_jinja2.render_template(template, request, page | (context or {}), status=status)
