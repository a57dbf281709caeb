"""Stories at the admin's door over HTTP: a monitor checks health, a visitor reads the home page
in English and in Arabic, and a tester chats with a real local Bot API through the Simulator."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin.app import create_app
from admin.views.simulator import CHAT_COOKIE
from core.botapi import LocalBotApi, start_server
from core.i18n import translator


@pytest.fixture
async def botapi() -> AsyncIterator[LocalBotApi]:
    async with await start_server() as server:
        yield server


@pytest.fixture
async def admin(db: str, botapi: LocalBotApi) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(sandbox_api=botapi.url))) as client:
        yield client


async def test_a_monitor_sees_the_admin_and_its_database_healthy(admin: TestClient) -> None:
    response = await admin.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok", "sandbox": True}


async def test_health_says_when_the_database_is_gone(db: str) -> None:
    from core.db import close_db

    await close_db()
    async with TestClient(TestServer(create_app())) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "error"


async def test_a_visitor_reads_the_home_page_in_english(admin: TestClient) -> None:
    response = await admin.get("/", headers={"Accept-Language": "de-DE, en;q=0.5"})
    page = await response.text()
    assert response.status == 200
    assert '<html lang="en" dir="ltr">' in page
    assert 'href="/simulator"' in page
    assert 'href="/sign-in"' in page and "Staff sign-in" in page


async def test_an_arabic_reader_gets_a_right_to_left_page_and_keeps_the_choice(
    admin: TestClient,
) -> None:
    response = await admin.get("/?lang=ar")
    page = await response.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert translator("ar").gettext("Try the bot") != "Try the bot"
    assert html.escape(translator("ar").gettext("Try the bot")) in page
    # The choice is remembered for the next page, whatever the browser prefers.
    again = await admin.get("/simulator", headers={"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in await again.text()


async def test_the_browser_language_is_used_when_nothing_was_chosen(admin: TestClient) -> None:
    response = await admin.get("/", headers={"Accept-Language": "fr-MA,fr;q=0.9,ar;q=0.8"})
    assert '<html lang="fr" dir="ltr">' in await response.text()


async def test_every_response_carries_the_security_headers(admin: TestClient) -> None:
    for path in ("/", "/healthz", "/simulator", "/no-such-page"):
        response = await admin.get(path)
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
    page = await (await admin.get("/simulator")).text()
    assert "<script>" not in page and "onclick" not in page


async def test_a_tester_writes_to_the_bot_through_the_simulator(
    admin: TestClient, botapi: LocalBotApi
) -> None:
    await admin.get("/simulator")  # the page gives this browser a chat of its own
    chat_id = int(admin.session.cookie_jar.filter_cookies(admin.make_url("/"))[CHAT_COOKIE].value)

    sent = await admin.post("/simulator/api/send", json={"text": "hello"})
    assert sent.status == 200
    assert [m["text"] for m in (await sent.json())["messages"]] == ["hello"]

    # The message reached the real local Bot API as an update for the bot.
    async with admin.session.get(f"{botapi.url}/bot1:x/getUpdates") as response:
        update = (await response.json())["result"][0]
    assert update["message"]["chat"]["id"] == chat_id
    assert update["message"]["text"] == "hello"

    # The bot answers with a button; the tester sees it and presses it.
    async with admin.session.post(
        f"{botapi.url}/bot1:x/sendMessage",
        json={
            "chat_id": chat_id,
            "text": "<b>Hi</b> there",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]},
        },
    ) as response:
        assert response.status == 200
    seen = await (await admin.get("/simulator/api/wait?since=1")).json()
    reply = seen["messages"][-1]
    assert reply["from"] == "bot" and reply["text"] == "Hi there"
    assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    pressed = await admin.post(
        "/simulator/api/press", json={"message_id": reply["message_id"], "data": "more"}
    )
    assert pressed.status == 200
    async with admin.session.get(
        f"{botapi.url}/bot1:x/getUpdates", params={"offset": update["update_id"] + 1}
    ) as response:
        assert (await response.json())["result"][0]["callback_query"]["data"] == "more"


async def test_the_simulator_api_refuses_cross_site_and_form_posts(admin: TestClient) -> None:
    await admin.get("/simulator")
    form = await admin.post("/simulator/api/send", data={"text": "hello"})
    assert form.status == 403
    foreign = await admin.post(
        "/simulator/api/send", json={"text": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403


async def test_without_sandbox_the_simulator_says_it_is_sandbox_only(db: str) -> None:
    async with TestClient(TestServer(create_app())) as client:
        page = await (await client.get("/simulator")).text()
        assert "only available in sandbox mode" in page
        assert (await client.get("/simulator/api/messages")).status == 404
