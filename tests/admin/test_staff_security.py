"""What protects a signed-in member and the tips they read, proven over HTTP: forms without their
CSRF token change nothing; every page carries the content security policy; pages are never
cached; the private key opens only with the database row and the cookie together; and a session
works on every admin process that shares the database."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from tortoise import Tortoise

from admin.app import create_app
from core import accounts, crypto
from core.models import AuditEntry, StaffMember, StaffSession

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


async def test_state_change_without_csrf_token_is_refused(
    client: TestClient, tunis: StaffMember
) -> None:
    browser = Browser(client)
    # Before signing in: the sign-in form itself needs the token this browser was given.
    bare = await client.post("/sign-in", data={"username": "fp-tn", "password": PASSWORD})
    assert bare.status == 403 and "This form has expired" in await bare.text()
    assert not await StaffSession.exists()

    await browser.sign_in(tunis)
    _status, page = await browser.page("/account/password")
    mine = token_in(page)
    change = {
        "current": PASSWORD,
        "new": "a password from elsewhere",
        "again": "a password from elsewhere",
    }
    for token in (None, "", "forged" + mine[6:], crypto.blind_index("anonymous-form", "x")):
        data = change | ({"csrf_token": token} if token is not None else {})
        refused = await client.post("/account/password", data=data)
        assert refused.status == 403, token
        out = await client.post(
            "/sign-out", data={k: v for k, v in data.items() if k == "csrf_token"}
        )
        assert out.status == 403, token
    # Nothing changed: still signed in, the password is the old one.
    assert (await browser.page("/inbox"))[0] == 200
    assert await accounts.check_password(await StaffMember.get(id=tunis.id), PASSWORD)
    refusals = await AuditEntry.filter(action="csrf.refused").order_by("id")
    assert [r.actor for r in refusals] == ["anonymous"] + [f"staff:{tunis.id}"] * 8

    # Another member's token does not fit this session either.
    _unit, rabat, _ = await unit_with_focal_point("MA", "MA")
    async with TestClient(TestServer(create_app())) as other_client:
        other = Browser(other_client)
        await other.sign_in(rabat)
        _status, other_page = await other.page("/account/password")
    crossed = await client.post("/sign-out", data={"csrf_token": token_in(other_page)})
    assert crossed.status == 403
    # With its own token, the form works.
    assert (await client.post("/sign-out", data={"csrf_token": mine})).url.path == "/sign-in"


@dataclass(frozen=True)
class Seen:
    path: str
    status: int
    headers: dict[str, str]
    text: str


async def _seen(path: str, response: ClientResponse) -> Seen:
    return Seen(path, response.status, dict(response.headers), await response.text())


async def _every_kind_of_page(client: TestClient, tunis: StaffMember) -> list[Seen]:
    """Every kind of page, signed out and signed in, refusals and errors included."""
    tip_id = await submit(SFAX_BOAT)
    browser = Browser(client)
    seen = []
    for path in ("/", "/sign-in", "/sign-in/recover", "/simulator", "/healthz", "/nowhere"):
        seen.append(await _seen(path, await browser.get(path)))
    await browser.password_step("fp-tn")
    seen.append(await _seen("/sign-in/code", await browser.get("/sign-in/code")))
    await browser.code_step(await fresh_code(tunis))
    for path in (
        "/",
        "/inbox",
        f"/tips/{tip_id}",
        "/tips/999999",
        "/tips/x",
        "/inbox?page=-1",
        "/account/password",
    ):
        seen.append(await _seen(path, await browser.get(path)))
    seen.append(await _seen("POST /sign-out, no token", await client.post("/sign-out")))
    return seen


async def test_csp_header_on_every_page(client: TestClient, tunis: StaffMember) -> None:
    pages = await _every_kind_of_page(client, tunis)
    assert {page.status for page in pages} >= {200, 400, 403, 404}
    for page in pages:
        policy = page.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, page.path
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy, page.path
        assert "<script>" not in page.text and " onclick=" not in page.text, page.path


async def test_tip_pages_are_no_store(client: TestClient, tunis: StaffMember) -> None:
    pages = await _every_kind_of_page(client, tunis)
    tip = next(page for page in pages if page.path.startswith("/tips/") and page.status == 200)
    assert "forty people" in tip.text
    for page in pages:
        assert page.headers.get("Cache-Control") == "no-store", page.path


async def test_database_and_cookie_alone_cannot_open_the_private_key(
    client: TestClient, tunis: StaffMember
) -> None:
    tip_id = await submit(SFAX_BOAT)
    private = await accounts.unlock_private_key(tunis, PASSWORD)
    browser = Browser(client)
    await browser.sign_in(tunis)
    cookie = browser.session_cookie
    assert cookie is not None
    session_id, key = (base64.urlsafe_b64decode(part + "=") for part in cookie.split("."))

    # The database alone: the key is sealed, and nothing stored opens it.
    row = await StaffSession.get(staff_id=tunis.id, verified=True)
    sealed = bytes(row.private_key_sealed)
    stored = await _everything_stored()
    for value in (private, key, session_id):
        for form in (value, value.hex().encode(), base64.urlsafe_b64encode(value).rstrip(b"=")):
            assert not any(form in blob for blob in stored)
    for candidate in (bytes.fromhex(row.id), row.csrf.encode()[:32]):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_content(candidate, sealed)
    # The cookie is the other half: with it, the row opens to the member's key.
    assert crypto.decrypt_content(key, sealed) == private

    # A cookie with the right id and another key is not a session.
    forged = cookie.split(".")[0] + "." + base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")
    browser.use_session_cookie(forged)
    assert "Username" in (await browser.page(f"/tips/{tip_id}"))[1]

    # The cookie alone: once the row is gone (signed out), it opens nothing.
    browser.use_session_cookie(cookie)
    assert "forty people" in (await browser.page(f"/tips/{tip_id}"))[1]
    await StaffSession.filter(id=row.id).delete()
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert "forty people" not in page and "Username" in page


async def _everything_stored() -> list[bytes]:
    """Every value of every row of every table, as bytes."""
    blobs = []
    for app in Tortoise.apps.values():
        for model in app.values():
            for row in await model.all().values():
                for value in row.values():
                    blobs.append(
                        bytes(value)
                        if isinstance(value, (bytes, bytearray, memoryview))
                        else str(value).encode()
                    )
    return blobs


async def test_session_works_across_two_admin_processes(db: str, tunis: StaffMember) -> None:
    tip_id = await submit(SFAX_BOAT)
    async with (
        TestClient(TestServer(create_app())) as first,
        TestClient(TestServer(create_app())) as second,
    ):
        on_first = Browser(first)
        await on_first.sign_in(tunis)
        cookie = on_first.session_cookie
        # The same browser's next request lands on the other process.
        on_second = Browser(second)
        on_second.use_session_cookie(cookie)
        status, page = await on_second.page(f"/tips/{tip_id}")
        assert status == 200 and "forty people" in page
        # A form from one process is accepted by the other, and signing out ends it on both.
        _status, form = await on_first.page("/inbox")
        out = await second.post("/sign-out", data={"csrf_token": token_in(form)})
        assert out.url.path == "/sign-in"
        assert "Username" in (await on_first.page(f"/tips/{tip_id}"))[1]

        # A sign-in code used through one process is refused by the other.
        await on_first.password_step("fp-tn")
        code = await fresh_code(tunis)
        await on_first.code_step(code)
        await on_second.password_step("fp-tn")
        assert (await on_second.code_step(code)).status == 401


async def test_bad_input_at_the_sign_in_door_gets_a_clear_message(
    client: TestClient, tunis: StaffMember, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser(client)
    _status, page = await browser.page("/sign-in?next=//evil.example/x")
    assert "evil.example" not in page  # never sent to another site after signing in
    token = token_in(page)
    form = "application/x-www-form-urlencoded"
    for body, kind in (
        (f"csrf_token={token}&username=\xff&password=x".encode("latin-1"), form),
        (b"--cut-short", "multipart/form-data; boundary=zzz"),
    ):
        broken = await client.post("/sign-in", data=body, headers={"Content-Type": kind})
        assert broken.status == 400
        assert "This form could not be read." in await broken.text()
    for username, password in (("fp\x00tn", PASSWORD), ("fp-tn", "x" * 100_000), ("x" * 500, "y")):
        odd = await browser.password_step(username, password)
        assert odd.status == 401 and "is wrong" in await odd.text()
    await browser.password_step("fp-tn")
    for code in ("abcdef", "1" * 30, "", "12 34 5"):
        wrong = await browser.code_step(code)
        assert wrong.status == 401 and "The code is wrong." in await wrong.text()
        await time_passes(10)  # past the growing wait each failure adds
    # Signing out of a session that is already over is no error either.
    client.session.cookie_jar.clear()
    gone = await client.post("/sign-out")
    assert gone.status == 200 and gone.url.path == "/sign-in"
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
