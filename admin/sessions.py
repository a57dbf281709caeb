"""Staff sessions, shared by every admin process: a row per session in the database, a cookie per
browser, and the member's private key sealed so that it takes both to open it.

The cookie carries two random 32-byte values: the session id and the session key. The row is
found by a keyed hash of the id (`crypto.Purpose.STAFF_SESSION`) and holds the private key
encrypted under the session key, which is never stored. A copy of the database lacks the key; a
stolen cookie lacks the sealed private key once the row is gone (signed out, idle, expired).

A session is "half" (`verified` false) between a right password and a right TOTP code; signing
in completely always starts a new session with new values, so no cookie set before the second
factor is ever a signed-in one.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web

from core import audit, crypto
from core.logs import get_logger
from core.models import StaffMember, StaffSession
from core.settings import get_settings

log = get_logger(__name__)

COOKIE = "aman_session"
IDLE = timedelta(minutes=30)  # a session nobody used for this long is over
LIFETIME = timedelta(hours=12)  # and any session after this long, used or not
HALF_SIGN_IN = timedelta(minutes=5)  # time to type the TOTP code after the password
TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often
_B64_32 = re.compile(r"[A-Za-z0-9_-]{43}")


def now() -> datetime:
    return datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=")


@dataclass(frozen=True)
class Cookie:
    """What the browser holds: the session id and the key that opens the sealed private key."""

    session_id: bytes
    key: bytes

    @classmethod
    def new(cls) -> Cookie:
        return cls(crypto.random_bytes(32), crypto.random_bytes(32))

    @classmethod
    def parse(cls, text: str | None) -> Cookie | None:
        """The cookie's two values, or None for anything that is not exactly a session cookie."""
        if not text:
            return None
        first, dot, second = text.partition(".")
        if not dot or not _B64_32.fullmatch(first) or not _B64_32.fullmatch(second):
            return None
        try:
            return cls(_unb64(first), _unb64(second))
        except (binascii.Error, ValueError):
            return None

    @property
    def value(self) -> str:
        return f"{_b64(self.session_id)}.{_b64(self.key)}"

    @property
    def row_id(self) -> str:
        return crypto.blind_index(crypto.Purpose.STAFF_SESSION, self.session_id.hex())


@dataclass
class Session:
    """One browser's session: its row, its member and the key its cookie carries."""

    row: StaffSession
    staff: StaffMember
    key: bytes

    @property
    def verified(self) -> bool:
        return self.row.verified

    @property
    def csrf(self) -> str:
        return self.row.csrf

    def opens(self) -> bool:
        """Whether the cookie's key opens this row's sealed private key (True when none)."""
        try:
            self.private_key()
        except crypto.DecryptionError:
            return False
        return True

    def private_key(self) -> bytes | None:
        """The member's private key, opened with the cookie's key (None if they have none)."""
        if self.row.private_key_sealed is None:
            return None
        return crypto.decrypt_content(self.key, bytes(self.row.private_key_sealed))


async def start(staff: StaffMember, private_key: bytes | None, *, verified: bool) -> Cookie:
    """A new session for `staff`, holding their private key sealed under a new cookie's key."""
    cookie = Cookie.new()
    moment = now()
    await StaffSession.create(
        id=cookie.row_id,
        staff=staff,
        verified=verified,
        created_at=moment,
        last_seen=moment,
        csrf=secrets.token_urlsafe(32),
        private_key_sealed=(
            crypto.encrypt_content(cookie.key, private_key) if private_key is not None else None
        ),
    )
    return cookie


def _expired(row: StaffSession, moment: datetime) -> bool:
    if not row.verified:
        return moment - row.created_at > HALF_SIGN_IN
    return moment - row.last_seen > IDLE or moment - row.created_at > LIFETIME


async def find(cookie_text: str | None) -> Session | None:
    """The live session this cookie names, or None. A session found expired (idle too long, too
    old, its member deactivated) is deleted then and there, and its end audited."""
    cookie = Cookie.parse(cookie_text)
    if cookie is None:
        return None
    row = await StaffSession.get_or_none(id=cookie.row_id).select_related("staff")
    if row is None:
        return None
    session = Session(row=row, staff=row.staff, key=cookie.key)
    if not session.opens():
        return None  # the right id with another key: not this session's cookie
    moment = now()
    if _expired(row, moment) or not row.staff.is_active:
        await StaffSession.filter(id=row.id).delete()
        if row.verified:
            await audit.record("signin.expired", actor=f"staff:{row.staff_id}")
        return None
    if moment - row.last_seen > TOUCH_EVERY:
        await StaffSession.filter(id=row.id).update(last_seen=moment)
        row.last_seen = moment
    return session


async def count_try(session: Session) -> int:
    """One more TOTP code tried in this half sign-in; returns how many so far."""
    session.row.code_tries += 1
    await StaffSession.filter(id=session.row.id).update(code_tries=session.row.code_tries)
    return session.row.code_tries


async def end(session: Session) -> None:
    await StaffSession.filter(id=session.row.id).delete()


async def end_all(staff: StaffMember, *, keep: Session | None = None) -> None:
    """End every session of `staff` (after a password change or a recovery), but `keep`."""
    query = StaffSession.filter(staff_id=staff.id)
    if keep is not None:
        query = query.exclude(id=keep.row.id)
    await query.delete()


async def sweep() -> int:
    """Delete the rows of sessions nobody will use again (run at each sign-in); how many."""
    moment = now()
    return await StaffSession.filter(last_seen__lt=moment - IDLE).delete() + (
        await StaffSession.filter(created_at__lt=moment - LIFETIME).delete()
    )


def secure(request: web.Request) -> bool:
    """Whether cookies must be Secure: the request came over HTTPS, or a proxy in front says
    so, or the operator says the admin is only ever reached over HTTPS."""
    settings = get_settings()
    if request.secure or settings.admin_https:
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return settings.admin_trust_proxy and forwarded.lower() == "https"


def set_cookie(request: web.Request, response: web.StreamResponse, cookie: Cookie) -> None:
    """A browser-session cookie (no Max-Age): the server decides when it stops working."""
    response.set_cookie(
        COOKIE,
        cookie.value,
        httponly=True,
        samesite="Strict",
        secure=secure(request),
        path="/",
    )


def clear_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")
