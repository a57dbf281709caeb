"""The Tunis focal point, in a real browser (Debian's Chromium, headless), signs in with their
password and the code their authenticator app shows, finds the urgent boat from Sfax at the top
of the inbox although a newer tip came in after it, opens it and reads what the reporter wrote."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect

from admin.app import create_app
from core import accounts

from .staff import PASSWORD, SFAX_BOAT, TUNIS_PAST, submit, unit_with_focal_point
from .test_simulator_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
async def admin_url(db: str) -> AsyncIterator[str]:
    server = TestServer(create_app())
    await server.start_server()
    yield str(server.make_url("/"))
    await server.close()


async def test_the_tunis_focal_point_signs_in_and_reads_the_urgent_sfax_tip_first(
    admin_url: str,
) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    _unit, tunis, _recovery = await unit_with_focal_point("TN", "TN")
    sfax = await submit(SFAX_BOAT)
    await submit(TUNIS_PAST)  # newer, but not urgent
    app_code = pyotp.TOTP(accounts.totp_secret(tunis))  # what their authenticator app shows

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            page.set_default_timeout(5000)
            await page.goto(admin_url)
            await page.get_by_role("link", name="Staff sign-in").first.click()

            await page.get_by_label("Username").fill("fp-tn")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Next").click()
            await page.get_by_label("The 6-digit code").fill(app_code.now())
            await page.get_by_role("button", name="Sign in").click()

            await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
            first = page.locator("table.tips tbody tr").first
            await expect(first).to_contain_text(f"#{sfax}")
            await expect(first).to_contain_text("Urgent")
            await expect(page.locator("table.tips tbody tr")).to_have_count(2)

            await first.get_by_role("link", name=f"#{sfax}").click()
            await expect(page.get_by_role("heading", name=f"Tip #{sfax}")).to_be_visible()
            await expect(page.locator(".answers")).to_contain_text(
                "A boat leaves Sfax tonight with forty people"
            )
        finally:
            await browser.close()
