"""A tester opens the Simulator in a real browser (Debian's Chromium, headless) and chats with a
small echo bot built on python-telegram-bot, all through a real local Bot API: they write
"hello", see the bot's formatted reply, press its inline button and see the bot's answer."""

from __future__ import annotations

import html
import os
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from admin.app import create_app
from core.botapi import LocalBotApi, start_server
from core.telegram_http import AiohttpRequest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = os.environ.get("AMAN_SIMULATOR_SCREENSHOT")  # a path, for a look during development


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(
        f"You said: <b>{html.escape(update.message.text)}</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Tell me more", callback_data="more")]]
        ),
    )


async def _more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, "Here is more: stay safe.")


@pytest.fixture
async def botapi() -> AsyncIterator[LocalBotApi]:
    async with await start_server() as server:
        yield server


@pytest.fixture
async def echo_bot(botapi: LocalBotApi) -> AsyncIterator[Application]:
    app = (
        Application.builder()
        .token("4242:echo")
        .base_url(botapi.base_url)
        .base_file_url(botapi.base_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_more, pattern="^more$"))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def admin_url(botapi: LocalBotApi) -> AsyncIterator[str]:
    server = TestServer(create_app(sandbox_api=botapi.url))
    await server.start_server()
    yield str(server.make_url("/simulator"))
    await server.close()


async def test_a_tester_chats_with_the_bot_in_the_browser(
    admin_url: str, echo_bot: Application
) -> None:
    assert os.access(CHROMIUM, os.X_OK), "Chromium is missing: run `make browser`"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 780})
            page.set_default_timeout(5000)
            await page.goto(admin_url)

            await page.get_by_label("Message").fill("hello")
            await page.get_by_role("button", name="Send", exact=True).click()

            reply = page.locator(".bubble.from-bot").first
            await expect(reply).to_contain_text("You said: hello")
            await expect(reply.locator("b")).to_have_text("hello")  # formatting, built safely
            await expect(page.locator(".bubble.from-user")).to_contain_text("hello")

            await reply.get_by_role("button", name="Tell me more").click()
            await expect(page.locator(".bubble.from-bot").last).to_contain_text(
                "Here is more: stay safe."
            )
            if SCREENSHOT:
                await page.screenshot(path=SCREENSHOT, full_page=True)
        finally:
            await browser.close()
