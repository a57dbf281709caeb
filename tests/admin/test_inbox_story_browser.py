"""The whole loop, in a real browser and a real chat: a reporter in Sfax reports a boat leaving
tonight with a child aboard and asks to be told when the team answers. The Tunis focal point
signs in with password and TOTP, finds that tip first in the inbox (unread, urgent, a child
involved), acknowledges it and asks a question. The reporter gets one neutral notice, and with
the tracking code reads the new status and the question in the bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect
from telegram import Bot

from admin.app import create_app
from bot import check
from core import accounts
from core.telegram_http import AiohttpRequest
from tests.e2e.conftest import bot_options, sandbox  # noqa: F401 - the e2e fixtures
from tests.e2e.story import press, says, send
from tests.e2e.test_report_sfax import _report_boat
from tips import followup
from tips.models import Tip, TipStatus

from .staff import PASSWORD, TUNIS_PAST, submit, unit_with_focal_point
from .test_simulator_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
REPORTER = 777000555666
QUESTION = "Thank you. Is the boat still on Chaffar beach?"


@pytest.fixture
async def admin_url(db: str) -> AsyncIterator[str]:
    server = TestServer(create_app())
    await server.start_server()
    yield str(server.make_url("/"))
    await server.close()


async def _send_due_notices(root_url: str) -> None:
    """What the bot's job queue does every half minute, run once now."""
    bot = Bot("1:sandbox", base_url=f"{root_url}/bot", request=AiohttpRequest())
    async with bot:
        await check.send_due_notices(SimpleNamespace(bot=bot))


async def test_tunis_acknowledges_the_sfax_boat_and_the_reporter_reads_the_question(
    sandbox,  # noqa: F811
    admin_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    # Midday everywhere, so the notice does not wait for the morning.
    monkeypatch.setattr(followup, "clock", lambda: datetime(2027, 1, 14, 12, tzinfo=UTC))
    _unit, tunis, _recovery = await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en", first_name="Reporter")
    receipt = await _report_boat(chat)
    await send(chat, "/check", "16-digit tracking code")
    shown = await send(chat, receipt, "Status:")
    assert "Received, waiting to be read" in shown["text"]
    await press(chat, "🔔 Tell me when they reply", "one short message here")
    await press(chat, "Yes, tell me", "Status:")
    await press(chat, "✔ Finish", "What would you like to do?")
    sfax = (await Tip.get()).id
    newer = await submit(TUNIS_PAST)  # came in later, not urgent
    app_code = pyotp.TOTP(accounts.totp_secret(tunis))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            page.set_default_timeout(5000)
            await page.goto(f"{admin_url}inbox")
            await page.get_by_label("Username").fill("fp-tn")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Next").click()
            await page.get_by_label("The 6-digit code").fill(app_code.now())
            await page.get_by_role("button", name="Sign in").click()

            rows = page.locator("table.tips tbody tr")
            await expect(rows).to_have_count(2)
            for words in (f"#{sfax}", "Unread", "Urgent", "Child involved", "New"):
                await expect(rows.first).to_contain_text(words)
            await expect(rows.nth(1)).to_contain_text(f"#{newer}")

            await rows.first.get_by_role("link", name=f"#{sfax}").click()
            await expect(page.get_by_role("heading", name=f"Tip #{sfax}")).to_be_visible()
            await expect(page.locator(".answers")).to_contain_text("Sfax, Chaffar beach")
            await page.get_by_label("Status", exact=True).select_option(label="Acknowledged")
            await page.get_by_role("button", name="Change the status").click()
            await expect(page.locator("#tip-status")).to_have_text("Acknowledged")

            await page.get_by_label("Message to the reporter").fill(QUESTION)
            await page.get_by_role("button", name="Send to the reporter").click()
            await expect(page.locator(".timeline")).to_contain_text(QUESTION)
            await expect(page.locator(".timeline")).to_contain_text(
                "Focal point TN wrote to the reporter"
            )

            await page.get_by_role("link", name="Back to the inbox").click()
            await expect(rows.first).not_to_contain_text("Unread")
            await expect(rows.first).to_contain_text("Acknowledged")
        finally:
            await browser.close()

    assert (await Tip.get(id=sfax)).status == TipStatus.ACKNOWLEDGED
    await _send_due_notices(sandbox.root_url)
    notice = await says(chat, "You have a new message in Aman")
    assert "report" not in notice["text"].lower()

    await send(chat, "/check", "16-digit tracking code")
    shown = await send(chat, receipt, "Status:")
    assert "Status: Read by the team" in shown["text"]
    assert QUESTION in shown["text"]
