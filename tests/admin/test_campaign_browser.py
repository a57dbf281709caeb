"""Salma, an NGO editor, in a real browser (Debian's Chromium, headless): she writes an Arabic and
French campaign for Morocco, previews it (the Arabic right to left), saves and submits it;
Youssef, the NGO's approver, in his own browser finds it in his queue, approves and schedules
it, and watches its progress page count the messages as the sender delivers them, without
reloading the page."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright, expect

from admin.app import create_app
from campaigns import schedules
from campaigns.models import Campaign
from core import accounts
from core.botapi import start_server
from core.models import StaffMember
from tests.campaigns.conftest import drain, make_sender

from .campaign_cast import ARABIC, FRENCH, moroccan_and_tunisian_subscribers, ngo
from .staff import PASSWORD
from .test_simulator_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
async def admin_url(db: str) -> AsyncIterator[str]:
    server = TestServer(create_app())
    await server.start_server()
    yield str(server.make_url("/"))
    await server.close()


@pytest.fixture
async def botapi() -> AsyncIterator[Any]:
    server = await start_server()
    try:
        yield server
    finally:
        await server.stop()


async def signed_in(browser: Browser, admin_url: str, member: StaffMember) -> Page:
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(5000)
    await page.goto(admin_url + "sign-in")
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Next").click()
    code = pyotp.TOTP(accounts.totp_secret(member)).now()
    await page.get_by_label("The 6-digit code").fill(code)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Campaigns").click()
    await expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    return page


async def test_an_editor_composes_and_submits_and_an_approver_approves_and_watches_it_send(
    admin_url: str, botapi: Any
) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            salma = await signed_in(browser, admin_url, cast["editor"])
            await salma.get_by_role("link", name="New campaign").click()
            await salma.get_by_label("Name").fill("Free UN services")
            await salma.locator("#text_ar").fill(ARABIC)
            await salma.locator("#text_fr").fill(FRENCH)
            await salma.get_by_role("checkbox", name="MA", exact=True).check()
            await expect(salma.locator("#audience-count")).to_have_text("3")  # live, no reload
            await salma.get_by_role("button", name="Preview").click()

            arabic = salma.locator('figure.tg-preview[lang="ar"]')
            await expect(arabic).to_have_attribute("dir", "rtl")
            await expect(arabic.locator("strong")).to_have_text("خدمات المفوضية مجانية.")
            await expect(salma.locator("#missing-languages")).to_contain_text("English")
            await salma.get_by_role("button", name="Save the draft").click()
            await expect(salma.get_by_role("status")).to_contain_text("Saved.")
            await salma.get_by_role("button", name="Submit for review").click()
            await expect(salma.get_by_role("status")).to_contain_text("Submitted for review.")

            youssef = await signed_in(browser, admin_url, cast["approver"])
            queue = youssef.get_by_role("region", name="Waiting for your review")
            await queue.get_by_role("link", name="Free UN services").click()
            await youssef.get_by_role("button", name="Approve").click()
            await expect(youssef.get_by_role("status")).to_contain_text("Approved.")
            await youssef.get_by_role("button", name="Schedule").click()
            await expect(youssef.get_by_role("status")).to_contain_text("Scheduled.")
            await youssef.get_by_role("link", name="Watch it send").click()
            await expect(youssef.get_by_role("heading", name="Free UN services")).to_be_visible()

            # The scheduler starts it and the sender delivers while the page stays open.
            campaign = await Campaign.get(name="Free UN services")
            assert await schedules.run_due(campaign.next_run_at) == 3
            await drain(make_sender(botapi))
            sent = youssef.locator('[data-field="sent"]')
            await expect(sent).to_have_text("3", timeout=10000)
            await expect(youssef.locator('[data-field="remaining"]')).to_have_text("0")
        finally:
            await browser.close()
