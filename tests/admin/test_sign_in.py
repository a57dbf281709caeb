"""Stories of staff signing in to the admin over HTTP: a password then a code from their app; a
code used once never works again; guessing is slowed and then locked, per account and per
source address; a session ends when left idle and when its member signs out; a password can be
changed, and a forgotten one reset with the recovery key. Every step is in the audit log."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from aiohttp import ClientResponse, DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from admin.app import create_app
from admin.throttle import ACCOUNT, SOURCE
from core.models import AuditEntry, StaffMember
from core.settings import reset_settings

from .staff import (
    PASSWORD,
    SFAX_BOAT,
    Browser,
    fresh_code,
    submit,
    time_passes,
    token_in,
    unit_with_focal_point,
)


@pytest.fixture
async def tunis() -> StaffMember:
    _unit, member, _recovery = await unit_with_focal_point("TN", "TN")
    return member


async def actions() -> list[str]:
    return [entry.action for entry in await AuditEntry.all().order_by("id")]


async def test_a_focal_point_signs_in_with_password_and_code(
    client: TestClient, tunis: StaffMember
) -> None:
    browser = Browser(client)
    status, _page = await browser.page("/inbox")
    assert status == 200 and "Staff sign-in" in _page  # sent to the sign-in page first

    half = await browser.password_step("fp-tn")
    assert half.url.path == "/sign-in/code"
    status, page = await browser.page("/inbox")  # the password alone opens nothing
    assert "Code from your app" not in page and "Username" in page

    done = await browser.code_step(await fresh_code(tunis))
    assert done.url.path == "/inbox" and "Inbox" in await done.text()
    entry = await AuditEntry.get(action="signin.ok")
    assert entry.actor == f"staff:{tunis.id}"
    assert PASSWORD not in str(await AuditEntry.all().values())


async def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(
    client: TestClient, tunis: StaffMember
) -> None:
    browser = Browser(client)
    wrong = await browser.password_step("fp-tn", "not the password at all")
    unknown = await browser.password_step("nobody-here", PASSWORD)
    assert wrong.status == unknown.status == 401
    for response in (wrong, unknown):
        assert "The username or the password is wrong." in await response.text()
    failed = await AuditEntry.filter(action="signin.failed").order_by("id")
    assert [f.target for f in failed] == [f"staff:{tunis.id}", None]
    assert "nobody-here" not in str(await AuditEntry.all().values())


async def test_totp_code_cannot_be_reused(client: TestClient, tunis: StaffMember) -> None:
    browser = Browser(client)
    await browser.password_step("fp-tn")
    code = await fresh_code(tunis)
    assert (await browser.code_step(code)).url.path == "/inbox"
    await browser.sign_out()

    await browser.password_step("fp-tn")
    replayed = await browser.code_step(code)
    assert replayed.status == 401
    assert "This code was already used" in await replayed.text()
    _status, page = await browser.page("/inbox")
    assert "Username" in page  # still not signed in
    failed = await AuditEntry.filter(action="signin.failed")
    assert [(f.target, f.details["reason"]) for f in failed] == [(f"staff:{tunis.id}", "reused")]
    assert code not in str(await AuditEntry.all().values())


async def test_lockout_after_repeated_failures_per_account(
    client: TestClient, tunis: StaffMember
) -> None:
    _unit, rabat, _ = await unit_with_focal_point("MA", "MA")
    browser = Browser(client)
    for failures in range(1, ACCOUNT.lock_after + 1):
        response = await browser.password_step("fp-tn", "a wrong guess")
        assert response.status == 401, failures
        wait = ACCOUNT.wait_after(failures)
        if ACCOUNT.free < failures < ACCOUNT.lock_after:
            # Each failure past the first few makes the next try wait longer, right or wrong.
            too_soon = await browser.password_step("fp-tn", PASSWORD)
            assert too_soon.status == 429
            told = re.search(r"Wait (\d+) seconds", await too_soon.text())
            assert told and wait - 3 <= int(told.group(1)) <= wait  # a moment has passed
            await time_passes(wait)
    assert [ACCOUNT.wait_after(n) for n in range(1, 11)] == [0, 0, 0, 5, 10, 20, 40, 80, 120, 900]

    # Ten failures: even the right password is refused for a quarter of an hour.
    locked = await browser.password_step("fp-tn", PASSWORD)
    assert locked.status == 429
    assert "signing in is locked. Try again in 15 minutes." in await locked.text()
    lock = await AuditEntry.get(action="signin.locked")
    assert lock.target == f"staff:{tunis.id}" and lock.details["limit"] == "account"
    assert await AuditEntry.filter(action="signin.throttled").exists()

    # The lock is the account's: another member signs in from the same place.
    await Browser(client).sign_in(rabat)

    await time_passes(ACCOUNT.lock_seconds)
    await browser.sign_in(tunis)


async def test_lockout_after_repeated_failures_per_source(
    db: str, tunis: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMAN_ADMIN_TRUST_PROXY", "true")  # a proxy names each client
    reset_settings()
    async with TestClient(TestServer(create_app())) as client:
        guesser = Browser(client, {"X-Forwarded-For": "203.0.113.7"})
        for n in range(SOURCE.lock_after):  # one guess per username: no account locks
            response = await guesser.password_step(f"guess-{n}", "a wrong guess")
            assert response.status == 401, n
            await time_passes(SOURCE.longest_wait)
        locks = await AuditEntry.filter(action="signin.locked")
        assert [(lock.details["limit"], lock.target) for lock in locks] == [("source", None)]

        # From that address, even a member with the right password must wait.
        refused = await guesser.password_step("fp-tn", PASSWORD)
        assert refused.status == 429 and "signing in is locked" in await refused.text()
        # From their own address, the member signs in.
        await Browser(client, {"X-Forwarded-For": "198.51.100.20"}).sign_in(tunis)
        assert "203.0.113.7" not in str(await AuditEntry.all().values())


async def test_session_expires_when_idle_and_on_sign_out(
    client: TestClient, tunis: StaffMember
) -> None:
    browser = Browser(client)
    await browser.sign_in(tunis)
    await time_passes(29 * 60)
    status, page = await browser.page("/inbox")
    assert status == 200 and "<h1>Inbox</h1>" in page  # used within the half hour: still on

    await time_passes(31 * 60)
    gone = await browser.get("/inbox", allow_redirects=False)
    assert gone.status == 303 and gone.headers["Location"].startswith("/sign-in?ended=expired")
    assert await AuditEntry.filter(action="signin.expired").exists()

    await browser.sign_in(tunis)
    cookie = browser.session_cookie
    out = await browser.sign_out()
    assert out.url.path == "/sign-in" and "You have signed out." in await out.text()
    assert browser.session_cookie is None
    # The old cookie, kept by someone, opens nothing any more.
    browser.use_session_cookie(cookie)
    again = await browser.get("/inbox", allow_redirects=False)
    assert again.status == 303 and again.headers["Location"].startswith("/sign-in")
    assert "signout" in await actions()


async def test_a_member_changes_their_password_and_other_sessions_end(
    client: TestClient, db: str, tunis: StaffMember
) -> None:
    desk = Browser(client)
    await desk.sign_in(tunis)
    async with TestClient(TestServer(create_app())) as other_client:
        phone = Browser(other_client)
        await phone.sign_in(tunis)

        wrong = await desk.submit(
            "/account/password",
            "/account/password",
            current="not my password",
            new="a brand new password",
            again="a brand new password",
        )
        assert wrong.status == 401 and "The current password is wrong." in await wrong.text()
        short = await desk.submit(
            "/account/password",
            "/account/password",
            current=PASSWORD,
            new="short",
            again="short",
        )
        assert short.status == 400 and "at least 10 characters" in await short.text()
        changed = await desk.submit(
            "/account/password",
            "/account/password",
            current=PASSWORD,
            new="a brand new password",
            again="a brand new password",
        )
        assert "Your password is changed." in await changed.text()
        assert (await desk.page("/inbox"))[0] == 200
        assert "Username" in (await phone.page("/inbox"))[1]  # the other session has ended

    await desk.sign_out()
    assert (await desk.password_step("fp-tn", PASSWORD)).status == 401
    await time_passes(60)  # the app shows a new code
    await desk.sign_in(tunis, "a brand new password")
    assert {"staff.password_change_failed", "staff.password_changed"} <= set(await actions())


async def test_a_forgotten_password_is_reset_with_the_recovery_key(
    client: TestClient,
) -> None:
    _unit, member, recovery = await unit_with_focal_point("TN", "TN")
    browser = Browser(client)
    form = {"username": "fp-tn", "new": "after forgetting it", "again": "after forgetting it"}
    wrong = await browser.submit(
        "/sign-in/recover",
        "/sign-in/recover",
        recovery_key="AAAA-BBBB",
        code=await fresh_code(member),
        **form,
    )
    assert wrong.status == 401
    assert "The username, the recovery key or the code is wrong." in await wrong.text()

    done = await browser.submit(
        "/sign-in/recover",
        "/sign-in/recover",
        recovery_key=recovery,
        code=await fresh_code(member),
        **form,
    )
    page = await done.text()
    assert done.status == 200 and "Your new password is set" in page
    assert recovery not in page  # the used key is retired; a new one is shown once
    await time_passes(60)  # the app shows a new code
    await browser.sign_in(member, "after forgetting it")
    assert {"staff.recovery_failed", "staff.recovered"} <= set(await actions())


@pytest.mark.parametrize("https", [False, True])
async def test_the_session_cookie_is_httponly_strict_and_secure_over_https(
    db: str, tunis: StaffMember, monkeypatch: pytest.MonkeyPatch, https: bool
) -> None:
    if https:
        monkeypatch.setenv("AMAN_ADMIN_HTTPS", "true")  # a proxy in front ends TLS
        reset_settings()
    kept: dict[str, str] = {}

    def keep(response: ClientResponse) -> ClientResponse:
        kept.update({name: morsel.value for name, morsel in response.cookies.items()})
        return response

    def cookies() -> dict[str, str]:  # sent by hand: a Secure cookie never goes back over http
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in kept.items())}

    async with TestClient(TestServer(create_app()), cookie_jar=DummyCookieJar()) as client:
        form = keep(await client.get("/sign-in"))
        half = keep(
            await client.post(
                "/sign-in",
                data={"csrf_token": token_in(await form.text()), "username": "fp-tn"}
                | {"password": PASSWORD},
                headers=cookies(),
                allow_redirects=False,
            )
        )
        form = await client.get("/sign-in/code", headers=cookies())
        full = await client.post(
            "/sign-in/code",
            data={"csrf_token": token_in(await form.text()), "code": await fresh_code(tunis)},
            headers=cookies(),
            allow_redirects=False,
        )
    assert half.status == full.status == 303 and full.headers["Location"] == "/inbox"
    for cookie in (half.cookies["aman_session"], full.cookies["aman_session"]):
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
        assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
        assert bool(cookie["secure"]) is https
    assert half.cookies["aman_session"].value != full.cookies["aman_session"].value


async def test_after_signing_in_a_member_lands_on_the_page_they_asked_for(
    client: TestClient, tunis: StaffMember
) -> None:
    tip_id = await submit(SFAX_BOAT)
    asked = f"/tips/{tip_id}?from=mail&x=1"
    for wanted, lands_on in ((asked, asked), ("//evil.example/x", "/inbox")):
        client.session.cookie_jar.clear()
        if wanted == asked:
            page = await client.get(asked)  # sent to sign in first
        else:
            page = await client.get(f"/sign-in?next={quote(wanted, safe='')}")
        text = await page.text()
        assert page.url.path == "/sign-in"
        hidden = re.search(r'name="next" value="([^"]*)"', text)
        fields = {"csrf_token": token_in(text), "username": "fp-tn", "password": PASSWORD}
        if hidden:
            fields["next"] = html.unescape(hidden.group(1))
        code_page = await client.post("/sign-in", data=fields)
        text = await code_page.text()
        hidden = re.search(r'name="next" value="([^"]*)"', text)
        fields = {"csrf_token": token_in(text), "code": await fresh_code(tunis)}
        if hidden:
            fields["next"] = html.unescape(hidden.group(1))
        done = await client.post("/sign-in/code", data=fields)
        assert done.url.path_qs == lands_on
        await time_passes(60)  # the app shows a new code
