"""A stand-in for a flow another engineer adds later (say tips' report): handlers, a command and
a main-menu entry, wired by bot.app like any other flow."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.chat import Context, show
from bot.keyboards import menu_only
from core.i18n import N_, translator

commands = [("sample", N_("A sample flow"))]
menu_entries = [(N_("Sample"), "sample:start")]


async def begin(update: Update, context: Context) -> None:
    await show(update, context, "Sample flow started", menu_only(translator("en").gettext))


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(begin, pattern=r"^sample:start$")]
