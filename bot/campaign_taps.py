"""Taps on a campaign's tracked buttons (callback data `ct:…`): the tap is counted with no
identity kept, and the person is shown the link the button stands for."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.chat import Context, answer, guessed_language, is_private, profile_of, send, tr
from bot.keyboards import Button
from bot.menu import SCREENS
from campaigns.analytics import record_tap
from campaigns.variants import TAP_PREFIX
from core.logs import get_logger

log = get_logger(__name__)


async def tapped(update: Update, context: Context) -> None:
    """Count the tap (only the campaign, variant and button travel in the data), then give the
    link: a message with an "Open" button in a private chat, a notice in a channel or group."""
    data = update.callback_query.data or ""
    try:
        url = await record_tap(data)
    except Exception as error:  # a counting failure must not keep the link from the person
        log.warning("could not count a campaign button tap: %s", type(error).__name__)
        url = None
    if not url:
        await SCREENS["stale"](update, context)  # a deleted campaign or a malformed button
        return
    if not is_private(update):
        # A post in a partner's channel: never write into their channel, answer the tapper only.
        _ = tr(guessed_language(update)).gettext
        await answer(update, _("Open this link: {url}").format(url=url)[:200])
        return
    _ = tr(await profile_of(update)).gettext
    await answer(update)
    text = _("Here is the link from this message:\n{url}").format(url=escape(url))
    await send(update, context, text, InlineKeyboardMarkup([[Button(_("Open"), url=url)]]))


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(tapped, pattern=rf"^{TAP_PREFIX}:")]
