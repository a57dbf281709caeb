"""In a real browser (Debian's Chromium, headless): an urgent tip that nobody in Tunis
acknowledges is escalated, and the regional desk's focal point finds it in their inbox, opens it
and prints its case sheet, on which the reporter's Arabic reads right to left."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect

from admin.app import create_app
from core import accounts
from tips import escalation
from tips.models import Tip

from .staff import PASSWORD, SFAX_BOAT, submit, unit_with_focal_point
from .test_simulator_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ARABIC = "قارب يغادر صفاقس الليلة وعلى متنه أربعون شخصا"
SCREENSHOTS = os.environ.get("AMAN_ESCALATION_SCREENSHOTS")  # a folder, for a look by hand


@pytest.fixture
async def admin_url(db: str) -> AsyncIterator[str]:
    server = TestServer(create_app())
    await server.start_server()
    yield str(server.make_url("/"))
    await server.close()


async def test_a_tip_nobody_acknowledges_reaches_the_regional_desks_inbox(admin_url: str) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    await unit_with_focal_point("TN", "TN")
    _rd, desk, _ = await unit_with_focal_point("RD", None)
    tip_id = await submit(SFAX_BOAT | {"description": ARABIC})
    app_code = pyotp.TOTP(accounts.totp_secret(desk))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            page.set_default_timeout(5000)
            await page.goto(f"{admin_url}sign-in")
            await page.get_by_label("Username").fill("fp-rd")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Next").click()
            await page.get_by_label("The 6-digit code").fill(app_code.now())
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
            await expect(page.get_by_text("No tips here.")).to_be_visible()

            # Four hours pass and nobody in Tunis has acknowledged the urgent tip.
            received = (await Tip.get(id=tip_id)).created_at
            assert await escalation.run(received + timedelta(hours=4)) == 2

            await page.reload()
            row = page.locator("table.tips tbody tr")
            await expect(row).to_have_count(1)
            await expect(row).to_contain_text(f"#{tip_id}")
            await row.get_by_role("link", name=f"#{tip_id}").click()
            await expect(page.get_by_role("heading", name=f"Tip #{tip_id}")).to_be_visible()
            await expect(page.locator(".answers")).to_contain_text(ARABIC)

            await page.get_by_role("link", name="Case sheet for referral").click()
            await expect(page.get_by_role("heading", name=f"Tip #{tip_id}")).to_be_visible()
            arabic = page.locator(".answers dd", has_text=ARABIC)
            english = page.locator(".answers dd", has_text="Tunisia")
            direction = "element => getComputedStyle(element).direction"
            assert await arabic.evaluate(direction) == "rtl"
            assert await english.evaluate(direction) == "ltr"
            if SCREENSHOTS:
                await page.screenshot(path=f"{SCREENSHOTS}/case-sheet.png", full_page=True)
                await page.emulate_media(media="print")
                await page.screenshot(path=f"{SCREENSHOTS}/case-sheet-print.png", full_page=True)
            await page.emulate_media(media="print")
            await expect(page.locator(".site-header")).to_be_hidden()
            await expect(page.locator(".answers")).to_be_visible()
        finally:
            await browser.close()
