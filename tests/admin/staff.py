"""A member of staff at the admin's door, with one browser: they read pages, fill in forms (whose
CSRF token they take from the page, as a browser does), sign in with a password and a code from
their authenticator app, and sign out. Plus the cast: units with focal points, and tips.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from tortoise.expressions import F

from admin.sessions import COOKIE
from core import accounts
from core.models import Role, SignInThrottle, StaffMember, StaffSession, StaffTotpStep, Unit
from tests.tips.helpers import PASSWORD, unit_with_focal_point
from tips import intake

__all__ = ["PASSWORD", "Browser", "fresh_code", "time_passes", "unit_with_focal_point"]

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

SFAX_BOAT = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax, near the port",
    "when": "soon",
    "description": "A boat leaves Sfax tonight with forty people",
    "child": "yes",
    "danger": "no",
}
TUNIS_PAST = {
    "what": "smuggling",
    "country": "TN",
    "place": "Tunis",
    "when": "past",
    "description": "Someone offered a crossing in a cafe last month",
    "child": "no",
    "danger": "no",
}
RABAT_OFFER = {
    "what": "smuggling",
    "country": "MA",
    "place": "Rabat",
    "when": "coming",
    "description": "A crossing to Spain is offered for next week",
    "child": "no",
    "danger": "no",
}


async def submit(answers: dict) -> int:
    """A tip as a reporter's bot would submit it; its id."""
    submitted = await intake.submit(answers)
    assert submitted.tip_id is not None
    return submitted.tip_id


async def staff_member(username: str, role: Role, unit: Unit | None = None) -> StaffMember:
    member, _recovery, _uri = await accounts.create_staff(
        username, username.title(), role, unit, PASSWORD
    )
    return member


async def fresh_code(member: StaffMember) -> str:
    """A code from the member's authenticator app that has not been used yet: the current one,
    or the next one if the current one was (the admin accepts one step of drift)."""
    totp = pyotp.TOTP(accounts.totp_secret(member))
    used = await StaffTotpStep.get_or_none(staff_id=member.id)
    last = used.last_step if used else 0
    current = totp.timecode(datetime.now(UTC))
    for step in (current, current + 1):
        if step > last:
            return totp.generate_otp(step)
    raise AssertionError("this member's codes of this minute are all used")


async def time_passes(seconds: int) -> None:
    """The sign-in limits, sessions and used TOTP codes as they will be `seconds` from now
    (the last used code then lies that many 30-second steps further back)."""
    await StaffTotpStep.all().update(last_step=F("last_step") - -(-seconds // 30))
    await SignInThrottle.all().update(
        blocked_until=F("blocked_until") - seconds, last_failure=F("last_failure") - seconds
    )
    for row in await StaffSession.all():
        moved = {
            "last_seen": row.last_seen.timestamp() - seconds,
            "created_at": row.created_at.timestamp() - seconds,
        }
        await StaffSession.filter(id=row.id).update(
            **{name: datetime.fromtimestamp(value, UTC) for name, value in moved.items()}
        )


def token_in(page: str) -> str:
    found = _TOKEN.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """One person's browser on the admin (its cookies included)."""

    def __init__(self, client: TestClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    async def get(self, path: str, **kwargs: object) -> ClientResponse:
        return await self.client.get(path, headers=self.headers, **kwargs)  # type: ignore[arg-type]

    async def page(self, path: str) -> tuple[int, str]:
        response = await self.get(path)
        return response.status, await response.text()

    async def submit(self, form_page: str, action: str, **fields: str) -> ClientResponse:
        """Open `form_page`, then send its form to `action` with these fields (and its token)."""
        _status, page = await self.page(form_page)
        data = {"csrf_token": token_in(page), **fields}
        return await self.client.post(action, data=data, headers=self.headers)

    async def password_step(self, username: str, password: str = PASSWORD) -> ClientResponse:
        return await self.submit("/sign-in", "/sign-in", username=username, password=password)

    async def code_step(self, code: str) -> ClientResponse:
        return await self.submit("/sign-in/code", "/sign-in/code", code=code)

    async def sign_in(self, member: StaffMember, password: str = PASSWORD) -> None:
        """Password, then a fresh code; ends on the member's first page."""
        first = await self.password_step(member.username, password)
        assert first.status == 200 and first.url.path == "/sign-in/code", await first.text()
        second = await self.code_step(await fresh_code(member))
        assert second.status == 200, await second.text()
        assert second.url.path in ("/inbox", "/"), second.url

    async def sign_out(self) -> ClientResponse:
        _status, page = await self.page("/account/password")
        return await self.client.post(
            "/sign-out", data={"csrf_token": token_in(page)}, headers=self.headers
        )

    def use_session_cookie(self, value: str | None) -> None:
        """Hold this session cookie (someone else's, a forged one) instead of its own."""
        self.client.session.cookie_jar.update_cookies(
            {COOKIE: value or ""}, response_url=self.client.make_url("/")
        )

    @property
    def session_cookie(self) -> str | None:
        cookie = self.client.session.cookie_jar.filter_cookies(self.client.make_url("/")).get(
            COOKIE
        )
        return cookie.value if cookie and cookie.value else None
