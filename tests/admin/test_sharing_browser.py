"""The Tunis lead, in a real browser (Debian's Chromium, headless), shares the urgent Sfax tip
with the Libya unit, writing why; a Libya focal point, in a browser of their own, then finds it
in their inbox and reads it, and sees why it was shared."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright, expect

from admin.app import create_app
from core import accounts
from core.models import Role, StaffMember

from .staff import PASSWORD, SFAX_BOAT, staff_member, submit, unit_with_focal_point
from .test_simulator_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
REASON = "The organiser is said to live in Zuwara; Libya may know him."


@pytest.fixture
async def admin_url(db: str) -> AsyncIterator[str]:
    server = TestServer(create_app())
    await server.start_server()
    yield str(server.make_url("/")).rstrip("/")
    await server.close()


async def _signed_in(browser: Browser, admin_url: str, member: StaffMember) -> Page:
    """A browser of this member's own, signed in with password and authenticator code."""
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(5000)
    await page.goto(f"{admin_url}/sign-in")
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Next").click()
    await page.get_by_label("The 6-digit code").fill(pyotp.TOTP(accounts.totp_secret(member)).now())
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    return page


async def test_the_tunis_lead_shares_the_sfax_tip_and_libya_reads_it(admin_url: str) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    tn, _tunis, _ = await unit_with_focal_point("TN", "TN")
    _ly, libya, _ = await unit_with_focal_point("LY", "LY")
    await unit_with_focal_point("MA", "MA")
    lead = await staff_member("lead-tn", Role.UNIT_LEAD, tn)
    sfax = await submit(SFAX_BOAT)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            tunis_page = await _signed_in(browser, admin_url, lead)
            await tunis_page.goto(f"{admin_url}/tips/{sfax}/share")
            await expect(tunis_page.get_by_text("not shared with any other unit")).to_be_visible()
            await tunis_page.get_by_label("Unit").select_option(label="LY unit (LY)")
            await tunis_page.get_by_label("Why do you share it?").fill(REASON)
            await tunis_page.get_by_role("button", name="Share the tip").click()
            await expect(tunis_page.get_by_text("The tip is shared.")).to_be_visible()
            await expect(tunis_page.locator(".shares")).to_contain_text("From TN unit to LY unit")

            libya_page = await _signed_in(browser, admin_url, libya)
            await libya_page.get_by_role("link", name=f"#{sfax}").click()
            await expect(libya_page.locator(".answers")).to_contain_text(
                "A boat leaves Sfax tonight with forty people"
            )
            await libya_page.goto(f"{admin_url}/tips/{sfax}/share")
            await expect(libya_page.locator(".shares")).to_contain_text(REASON)
            await expect(libya_page.get_by_role("button", name="Share the tip")).to_have_count(0)
        finally:
            await browser.close()
