"""Webhook mode: Telegram POSTs updates to AMAN_WEBHOOK_URL; this route checks Telegram's
secret-token header and hands the update to the bot, so any number of bot processes can sit
behind a reverse proxy."""

from __future__ import annotations

import hmac
import json
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def add_webhook_route(
    web_app: web.Application, bot_app: Application, webhook_url: str, secret: str
) -> None:
    """Serve POST <path of AMAN_WEBHOOK_URL> on `web_app`, feeding verified updates to the bot."""
    path = urlsplit(webhook_url).path or "/telegram"

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), bot_app.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await bot_app.update_queue.put(update)
        return web.Response()

    web_app.router.add_post(path, receive)
