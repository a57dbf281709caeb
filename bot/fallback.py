"""Everything no flow took: /help, words and media the bot does not understand, buttons from old
menus, and commands in groups. Always a short, kind answer and the way back to the menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat import Context, answer, guessed_language, is_private, profile_of, send, tr
from bot.help_numbers import danger_block, directory_of
from bot.keyboards import Button, menu_only, menu_row, rows
from bot.menu import screen, show_menu
from core.i18n import N_

commands = [("help", N_("How this bot works"))]


async def help_(update: Update, context: Context) -> None:
    """Someone typing /help may be in danger: the emergency numbers come before the how-to."""
    profile = await profile_of(update)
    _ = tr(profile).gettext
    danger = danger_block(_, directory_of(context), profile.country, profile.language)
    text = "\n\n".join(
        [
            danger,
            _("<b>How Aman works</b>"),
            _(
                "Use the buttons. 📚 Learn explains the tricks of smugglers and traffickers and "
                "your rights; ☎️ Get help lists trusted numbers; 🔔 Alerts sends short warnings; "
                "🛡 Privacy & safety explains what we keep and lets you erase this chat."
            ),
            _("Commands: /menu, /language, /country, /alerts, /stop, /privacy."),
        ]
    )
    get_help = Button(_("☎️ Get help"), callback_data="go:help")
    await send(update, context, text, InlineKeyboardMarkup(rows([get_help, *menu_row(_)])))


async def not_understood(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    text = _("Sorry, I did not understand that. Please use the buttons, or /help.")
    await send(update, context, text, menu_only(_))


async def media(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    text = _("I can only read text and buttons here. Please use the menu.")
    await send(update, context, text, menu_only(_))


@screen("stale")
async def stale(update: Update, context: Context) -> None:
    if not is_private(update):
        await answer(update)
        return
    _ = tr(await profile_of(update)).gettext
    await answer(update, _("This button is out of date."))
    await show_menu(update, context, fresh=True)  # a new message, under the old one


async def group(update: Update, context: Context) -> None:
    _ = tr(guessed_language(update)).gettext
    await send(update, context, _("I only work in private chats. Please write to me directly."))


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("help", help_, filters=private),
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, group),
        MessageHandler(private & filters.TEXT, not_understood),
        MessageHandler(private, media),
        CallbackQueryHandler(stale),
    ]
