"""Signing in and out: username and password, then a TOTP code; a password change for a signed-in
member; a forgotten password reset with the recovery key (and a TOTP code).

Every try is counted by admin.throttle (per account and per source address) before anything slow
runs, and every outcome is written to the audit log, never with a password, code or key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from admin import sessions, throttle
from admin.auth import SESSION, actor, current_staff, form, local_path, require
from admin.language import LANG, render
from admin.scope import READERS
from core import accounts, audit, crypto
from core.i18n import translator
from core.logs import get_logger
from core.models import StaffMember

log = get_logger(__name__)

MAX_CODE_TRIES = 5  # wrong TOTP codes in one half sign-in before the password is asked again
LONGEST_USERNAME = 64
LONGEST_SECRET = 1024  # passwords and recovery keys; anything longer is not one of ours
_dummy_hashes: dict[crypto.KdfLimits, str] = {}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sign-in", sign_in_page, name="sign_in")
    app.router.add_post("/sign-in", sign_in)
    app.router.add_get("/sign-in/code", code_page, name="sign_in_code")
    app.router.add_post("/sign-in/code", code)
    app.router.add_post("/sign-out", sign_out, name="sign_out")
    app.router.add_get("/sign-in/recover", recover_page, name="recover")
    app.router.add_post("/sign-in/recover", recover)
    app.router.add_get("/account/password", password_page, name="password")
    app.router.add_post("/account/password", change_password)


async def _member(username: str) -> StaffMember | None:
    """The member with this username; None for anything that cannot be one (too long, control
    characters, which PostgreSQL would refuse), without asking the database."""
    if not username or len(username) > LONGEST_USERNAME or not username.isprintable():
        return None
    return await StaffMember.get_or_none(username=username)


def landing(staff: StaffMember) -> str:
    """Where a member goes after signing in when no page asked for them."""
    return "/inbox" if staff.role in READERS else "/"


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _gettext(request: web.Request) -> Callable[[str], str]:
    return translator(request[LANG]).gettext


def _throttled_message(request: web.Request, refusal: throttle.Throttled) -> str:
    t = translator(request[LANG])
    if refusal.locked:
        minutes = max(1, -(-refusal.wait // 60))
        return t.ngettext(
            "Too many failed attempts: signing in is locked. Try again in %(n)s minute.",
            "Too many failed attempts: signing in is locked. Try again in %(n)s minutes.",
            minutes,
        ) % {"n": minutes}
    return t.ngettext(
        "Too many failed attempts. Wait %(n)s second, then try again.",
        "Too many failed attempts. Wait %(n)s seconds, then try again.",
        refusal.wait,
    ) % {"n": refusal.wait}


async def _audit_throttled(refusal: throttle.Throttled, stage: str, source: str) -> None:
    await audit.record(
        "signin.throttled",
        actor="anonymous",
        stage=stage,
        limit=refusal.limit.name,
        locked=refusal.locked,
        source=throttle.source_tag(source),
    )


async def _audit_failure(
    charges: list[throttle.Charge],
    staff: StaffMember | None,
    source: str,
    *,
    action: str = "signin.failed",
    **details: Any,
) -> None:
    """A failed try, and the lock it may have started (account, source or both)."""
    target = f"staff:{staff.id}" if staff is not None else None
    tag = throttle.source_tag(source)
    await audit.record(action, actor="anonymous", target=target, source=tag, **details)
    for limit in throttle.locked_now(charges):
        await audit.record(
            "signin.locked",
            actor="system",
            target=target if limit is throttle.ACCOUNT else None,
            limit=limit.name,
            minutes=limit.lock_seconds // 60,
            source=tag,
        )


async def _dummy_hash() -> str:
    """A password hash at today's cost, so an unknown username costs as much as a known one."""
    limits = crypto.kdf_limits()
    if limits not in _dummy_hashes:
        _dummy_hashes[limits] = await crypto.hash_password_async(crypto.random_bytes(16).hex())
    return _dummy_hashes[limits]


async def _password_opens(staff: StaffMember | None, password: str) -> tuple[bool, bytes | None]:
    """Whether `password` is this active member's, and their private key opened with it."""
    if staff is None or not staff.is_active:
        await crypto.verify_password_async(await _dummy_hash(), password)
        return False, None
    if not await accounts.check_password(staff, password):
        return False, None
    if not staff.private_key_wrapped:
        return True, None
    try:
        return True, await accounts.unlock_private_key(staff, password)
    except accounts.WrongSecret:
        # The hash matched but the key did not open: the account is damaged; say no, log why.
        log.warning("sign-in: password hash and wrapped key disagree for a member")
        return False, None


# --- username and password -----------------------------------------------------------------


def _sign_in_form(
    request: web.Request, *, status: int = 200, error: str | None = None, **context: Any
) -> web.Response:
    context.setdefault("next", local_path(request.query.get("next")))
    return render(request, "sign_in.html", {"error": error, **context}, status=status)


async def sign_in_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    if staff is not None:
        return _redirect(local_path(request.query.get("next")) or landing(staff))
    _ = _gettext(request)
    notices = {
        "signed_out": _("You have signed out."),
        "expired": _("Your session has ended. Sign in again."),
        "tries": _("Too many wrong codes. Start again with your password."),
    }
    return _sign_in_form(request, notice=notices.get(request.query.get("ended", "")))


async def sign_in(request: web.Request) -> web.Response:
    _ = _gettext(request)
    fields = await form(request)
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    next_path = local_path(fields.get("next"))
    if not username or not password:
        error = _("Enter your username and your password.")
        return _sign_in_form(request, status=400, error=error, username=username[:64])
    source = throttle.source_address(request)
    try:
        charges = await throttle.begin(throttle.keys(username[:LONGEST_USERNAME], source))
    except throttle.Throttled as refusal:
        await _audit_throttled(refusal, "password", source)
        error = _throttled_message(request, refusal)
        return _sign_in_form(request, status=429, error=error, next=next_path)
    staff = await _member(username)
    if len(password) <= LONGEST_SECRET:
        right, private = await _password_opens(staff, password)
    else:
        right, private = False, None
    if not right:
        await _audit_failure(charges, staff, source, stage="password")
        error = _("The username or the password is wrong.")
        return _sign_in_form(
            request, status=401, error=error, username=username[:64], next=next_path
        )
    assert staff is not None
    await throttle.refund(charges)
    earlier = request.get(SESSION)
    if earlier is not None:
        await sessions.end(earlier)
    cookie = await sessions.start(staff, private, verified=False)
    response = _redirect("/sign-in/code" + (f"?next={quote(next_path)}" if next_path else ""))
    sessions.set_cookie(request, response, cookie)
    return response


# --- the TOTP code -------------------------------------------------------------------------------


def _half_session(request: web.Request) -> sessions.Session | None:
    session = request.get(SESSION)
    return session if session is not None and not session.verified else None


async def code_page(request: web.Request) -> web.Response:
    if _half_session(request) is None:
        staff = current_staff(request)
        return _redirect(landing(staff) if staff is not None else "/sign-in?ended=expired")
    return render(request, "sign_in_code.html", {"next": local_path(request.query.get("next"))})


async def code(request: web.Request) -> web.Response:
    _ = _gettext(request)
    session = _half_session(request)
    if session is None:
        return _redirect("/sign-in?ended=expired")
    fields = await form(request)
    next_path = local_path(fields.get("next"))
    staff, source = session.staff, throttle.source_address(request)

    def again(status: int, error: str) -> web.Response:
        context = {"error": error, "next": next_path}
        return render(request, "sign_in_code.html", context, status=status)

    try:
        charges = await throttle.begin(throttle.keys(staff.username, source))
    except throttle.Throttled as refusal:
        await _audit_throttled(refusal, "code", source)
        return again(429, _throttled_message(request, refusal))
    check = await accounts.accept_totp(staff, fields.get("code", "")[:32])
    if check != accounts.TotpCheck.ACCEPTED:
        await _audit_failure(charges, staff, source, stage="code", reason=str(check))
        if await sessions.count_try(session) >= MAX_CODE_TRIES:
            await sessions.end(session)
            response = _redirect("/sign-in?ended=tries")
            sessions.clear_cookie(response)
            return response
        if check == accounts.TotpCheck.REUSED:
            return again(401, _("This code was already used. Wait for the next code in your app."))
        return again(401, _("The code is wrong. Type the newest code your app shows."))
    await throttle.refund(charges)
    await throttle.clear(charges, throttle.ACCOUNT)
    private = session.private_key()
    await sessions.end(session)
    cookie = await sessions.start(staff, private, verified=True)
    await sessions.sweep()
    await audit.record("signin.ok", actor=f"staff:{staff.id}", source=throttle.source_tag(source))
    response = _redirect(next_path or landing(staff))
    sessions.set_cookie(request, response, cookie)
    return response


async def sign_out(request: web.Request) -> web.Response:
    session = request.get(SESSION)
    if session is not None:
        await sessions.end(session)
        await audit.record("signout", actor=f"staff:{session.staff.id}")
    response = _redirect("/sign-in?ended=signed_out")
    sessions.clear_cookie(response)
    return response


# --- a new password -----------------------------------------------------------------------------


def _new_password_problem(request: web.Request, new: str, again: str) -> str | None:
    _ = _gettext(request)
    if new != again:
        return _("The two new passwords differ.")
    if len(new) < accounts.MIN_PASSWORD_LENGTH:
        return _("The new password needs at least %(n)s characters.") % {
            "n": accounts.MIN_PASSWORD_LENGTH
        }
    if len(new) > LONGEST_SECRET:
        return _("The new password is too long.")
    return None


async def password_page(request: web.Request) -> web.Response:
    await require(request)
    return render(request, "password.html", {})


async def change_password(request: web.Request) -> web.Response:
    staff = await require(request)
    _ = _gettext(request)
    fields = await form(request)
    old, new = fields.get("current", ""), fields.get("new", "")
    problem = _new_password_problem(request, new, fields.get("again", ""))
    if problem:
        return render(request, "password.html", {"error": problem}, status=400)
    source = throttle.source_address(request)
    try:
        charges = await throttle.begin(throttle.keys(staff.username, source))
    except throttle.Throttled as refusal:
        await _audit_throttled(refusal, "password change", source)
        error = _throttled_message(request, refusal)
        return render(request, "password.html", {"error": error}, status=429)
    try:
        if len(old) > LONGEST_SECRET:
            raise accounts.WrongSecret("too long to be the password")
        await accounts.change_password(staff, old, new)
    except accounts.AccountError:
        await _audit_failure(charges, staff, source, action="staff.password_change_failed")
        error = _("The current password is wrong.")
        return render(request, "password.html", {"error": error}, status=401)
    await throttle.refund(charges)
    await sessions.end_all(staff, keep=request[SESSION])
    await audit.record("staff.password_changed", actor=actor(request), target=f"staff:{staff.id}")
    message = _("Your password is changed. Your other sessions have been signed out.")
    return render(request, "message.html", {"message": message, "title": _("Password")})


async def recover_page(request: web.Request) -> web.Response:
    return render(request, "recover.html", {})


async def recover(request: web.Request) -> web.Response:
    _ = _gettext(request)
    fields = await form(request)
    username, key = fields.get("username", "").strip(), fields.get("recovery_key", "")
    new = fields.get("new", "")
    context = {"username": username[:64]}
    problem = _new_password_problem(request, new, fields.get("again", ""))
    if not username or not key:
        problem = _("Enter your username, your recovery key and a code from your app.")
    if problem:
        return render(request, "recover.html", {**context, "error": problem}, status=400)
    source = throttle.source_address(request)
    try:
        charges = await throttle.begin(throttle.keys(username[:LONGEST_USERNAME], source))
    except throttle.Throttled as refusal:
        await _audit_throttled(refusal, "recovery", source)
        error = _throttled_message(request, refusal)
        return render(request, "recover.html", {**context, "error": error}, status=429)
    staff = await _member(username)
    new_key = None
    if staff is not None and staff.is_active and len(key) <= LONGEST_SECRET:
        check = await accounts.accept_totp(staff, fields.get("code", "")[:32])
        if check == accounts.TotpCheck.ACCEPTED:
            try:
                new_key = await accounts.recover(staff, key, new)
            except accounts.AccountError:
                new_key = None
    if staff is None or new_key is None:
        await _audit_failure(charges, staff, source, action="staff.recovery_failed")
        error = _("The username, the recovery key or the code is wrong.")
        return render(request, "recover.html", {**context, "error": error}, status=401)
    await throttle.refund(charges)
    await throttle.clear(charges, throttle.ACCOUNT)
    await sessions.end_all(staff)
    await audit.record("staff.recovered", actor=f"staff:{staff.id}", target=f"staff:{staff.id}")
    return render(request, "recovered.html", {"recovery_key": new_key})
