"""Who is signed in and what they may do: the small API every admin view builds on, and the
middlewares that load the session, refuse forms without their CSRF token and turn refusals into
pages.

For views:
- `current_staff(request)`: the signed-in member, or None;
- `await require(request, *roles)` (or the `@requires(*roles)` decorator): the signed-in member
  whose role is one of `roles` (any role when none are named); otherwise pages redirect to the
  sign-in page, forms get 401, and a member of another role gets 403 (audited);
- `private_key(request)`: the member's private key, opened from the session for tip pages;
- `csrf_token(request)`: the token every form carries as `csrf_token` (templates get it too);
- `await form(request)`: the posted form's text fields (a body that is no form: a 400 page);
- `actor(request)`: "staff:<id>" or "anonymous", for the audit log;
- `raise Refusal(status, N_("message"))`: a page with that (translated) message and status.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from admin.language import LANG, render
from admin.security import STATIC_PREFIX
from admin.sessions import COOKIE, Session, clear_cookie, secure
from admin.sessions import find as find_session
from core import audit, crypto
from core.i18n import N_, translator
from core.models import Role, StaffMember

SESSION = web.RequestKey("aman_session", Session)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FORM_COOKIE = "aman_form"  # before signing in, forms are bound to this random cookie instead
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The Simulator's JSON API holds no staff state and guards itself: JSON only, same origin.
CSRF_EXEMPT = ("/simulator/api/",)
SIGN_OUT = "/sign-out"
_NEW_FORM_COOKIE = web.RequestKey("aman_new_form_cookie", str)
_ENDED = web.RequestKey("aman_session_ended", bool)  # a session cookie came, its session is over
_LONGEST_NEXT = 500


class Refusal(Exception):
    """Shown as a page: `message` is an untranslated msgid (mark it with N_), `params` fill it."""

    def __init__(self, status: int, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.params = params


def current_staff(request: web.Request) -> StaffMember | None:
    """The member signed in on this request (both factors given), or None."""
    session = request.get(SESSION)
    return session.staff if session is not None and session.verified else None


def actor(request: web.Request) -> str:
    staff = current_staff(request)
    return f"staff:{staff.id}" if staff is not None else "anonymous"


def local_path(text: str | None) -> str | None:
    """`text` if it is a path on this site (never another site), else None."""
    if not text or len(text) > _LONGEST_NEXT or not text.startswith("/"):
        return None
    if text.startswith("//") or "\\" in text or any(ord(ch) < 32 for ch in text):
        return None
    return text


def sign_in_url(request: web.Request) -> str:
    """The sign-in page, coming back here after (and saying why, when a session just ended)."""
    ended = "ended=expired&" if request.get(_ENDED) else ""
    return f"/sign-in?{ended}next={quote(request.path_qs, safe='')}"


async def require(request: web.Request, *roles: Role) -> StaffMember:
    """The signed-in member, if their role is one of `roles` (or any role when none are named).

    Not signed in: a page (GET) redirects to the sign-in page and comes back after; a form
    gets 401. Signed in with another role: 403, written to the audit log."""
    staff = current_staff(request)
    if staff is None:
        if request.method in SAFE_METHODS:
            raise web.HTTPSeeOther(sign_in_url(request))
        raise Refusal(401, N_("Sign in first: your session has ended."))
    if roles and staff.role not in roles:
        await audit.record(
            "access.denied", actor=f"staff:{staff.id}", path=request.path[:200], role=staff.role
        )
        raise Refusal(403, N_("Your role does not give access to this page."))
    return staff


def requires(*roles: Role) -> Callable[[Handler], Handler]:
    """A handler decorator: `require(request, *roles)` before the handler runs."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            await require(request, *roles)
            return await handler(request)

        return guarded

    return wrap


def private_key(request: web.Request) -> bytes:
    """The signed-in member's private key, opened with the key their cookie carries."""
    session = request.get(SESSION)
    if session is None or not session.verified:
        raise Refusal(401, N_("Sign in first: your session has ended."))
    try:
        key = session.private_key()
    except crypto.DecryptionError:
        raise Refusal(401, N_("Sign in first: your session has ended.")) from None
    if key is None:
        raise Refusal(403, N_("Your account has no key that could open tips."))
    return key


def csrf_token(request: web.Request) -> str:
    """The token this request's forms must send back: the session's, or before signing in one
    bound to a random cookie of this browser (set on the response when new)."""
    session = request.get(SESSION)
    if session is not None:
        return session.csrf
    cookie = request.get(_NEW_FORM_COOKIE) or request.cookies.get(FORM_COOKIE)
    if not cookie or len(cookie) > 64:
        cookie = request[_NEW_FORM_COOKIE] = secrets.token_urlsafe(32)
    return crypto.blind_index(crypto.Purpose.ANONYMOUS_FORM, cookie)


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load this browser's session (once per request); forget a cookie whose session is over.
    Static files need no session."""
    if request.path.startswith(STATIC_PREFIX):
        return await handler(request)
    sent = request.cookies.get(COOKIE)
    session = await find_session(sent)
    if session is not None:
        request[SESSION] = session
    elif sent:
        request[_ENDED] = True
    try:
        response = await handler(request)
    except web.HTTPException as exception:
        _cookies(request, exception)
        raise
    _cookies(request, response)
    return response


def _cookies(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:
        return
    if request.get(_ENDED) and COOKIE not in response.cookies:
        clear_cookie(response)
    new = request.get(_NEW_FORM_COOKIE)
    if new:
        response.set_cookie(
            FORM_COOKIE, new, httponly=True, samesite="Strict", secure=secure(request), path="/"
        )


@web.middleware
async def refusal_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A Refusal raised anywhere below becomes a page in the reader's language."""
    try:
        return await handler(request)
    except Refusal as refusal:
        return refusal_page(request, refusal)


def refusal_page(request: web.Request, refusal: Refusal) -> web.Response:
    text = translator(request[LANG]).gettext(refusal.message)
    if refusal.params:
        text = text % refusal.params
    return render(request, "message.html", {"message": text}, status=refusal.status)


async def form(request: web.Request) -> dict[str, str]:
    """The request's form fields that are text (files are left out); a body that is not a
    readable form (broken encoding, a cut multipart) is refused with a clear page."""
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    try:
        data = await request.post()
    except ValueError:  # UnicodeDecodeError included
        message = N_("This form could not be read. Reload the page and try again.")
        raise Refusal(400, message) from None
    return {name: value for name, value in data.items() if isinstance(value, str)}


async def _sent_token(request: web.Request) -> str:
    return request.headers.get(CSRF_HEADER) or (await form(request)).get(CSRF_FIELD, "")


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request carries the token of this browser's session (or, before
    signing in, of its form cookie); anything else is refused and audited."""
    if request.method in SAFE_METHODS or request.path.startswith(CSRF_EXEMPT):
        return await handler(request)
    if request.path == SIGN_OUT and SESSION not in request:
        return await handler(request)  # no session: signing out changes nothing
    sent = await _sent_token(request)
    expected = csrf_token(request)
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        await audit.record("csrf.refused", actor=actor(request), path=request.path[:200])
        raise Refusal(
            403,
            N_(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again."
            ),
        )
    return await handler(request)


def page_context(request: web.Request) -> dict[str, Any]:
    """What every page knows of its reader: the member (or None) and the forms' token."""
    return {"staff": current_staff(request), "csrf_token": lambda: csrf_token(request)}
