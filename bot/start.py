"""First steps: /start picks a language, then a country, then shows the menu; /language and
/country change them later. Each choice travels in its button's callback data."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat import Context, profile_of, save_choice, show, tr
from bot.keyboards import COUNTRY_NAMES, country_picker, language_picker, review_note
from bot.menu import SCREENS, open_screen
from campaigns.subscriptions import subscribe, subscription_of
from core.i18n import LANGUAGES, N_
from core.models import ChatProfile

commands = [
    ("start", N_("Start again: language, country, menu")),
    ("language", N_("Change the language")),
    ("country", N_("Change the country")),
]


async def start(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    text = "\n\n".join(
        [
            _("<b>Welcome to Aman.</b>"),
            _(
                "Here you can learn how smugglers and traffickers deceive people, find "
                "trusted help, and get alerts for your country."
            ),
            _("Please choose your language:"),
            f"<i>{review_note(_)}</i>",
        ]
    )
    await show(update, context, text, language_picker(then="country"))


async def pick_language(update: Update, context: Context) -> None:
    then = _arg(update, 2) or "menu"
    _ = tr(await profile_of(update)).gettext
    text = _("Please choose your language:") + f"\n\n<i>{review_note(_)}</i>"
    await show(update, context, text, language_picker(then=then))


async def set_language(update: Update, context: Context) -> None:
    code, then = _arg(update, 2), _arg(update, 3) or "menu"
    if code not in LANGUAGES:
        await SCREENS["stale"](update, context)
        return
    profile = await save_choice(update, language=code)
    await _follow_subscription(update, profile)
    if then == "country":
        await _ask_country(update, context, tr(profile).gettext, then="menu")
    else:
        await open_screen(then, update, context) or await open_screen("menu", update, context)


async def pick_country(update: Update, context: Context) -> None:
    then = _arg(update, 2) or "menu"
    await _ask_country(update, context, tr(await profile_of(update)).gettext, then=then)


async def _ask_country(update: Update, context: Context, _, then: str) -> None:
    text = _("Which country are you in, or travelling through?")
    await show(update, context, text, country_picker(_, then=then))


async def set_country(update: Update, context: Context) -> None:
    code, then = _arg(update, 2), _arg(update, 3) or "menu"
    if code not in COUNTRY_NAMES:
        await SCREENS["stale"](update, context)
        return
    await _follow_subscription(update, await save_choice(update, country=code))
    await open_screen(then, update, context) or await open_screen("menu", update, context)


async def _follow_subscription(update: Update, profile: ChatProfile) -> None:
    """Alerts follow a changed language or country, so they never come in the old one."""
    chat_id = update.effective_chat.id
    if profile.country and await subscription_of(chat_id):
        await subscribe(chat_id, country=profile.country, language=profile.language)


def _arg(update: Update, index: int) -> str | None:
    """The index-th ':'-separated part of the callback data, if any."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    return parts[index] if len(parts) > index else None


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler("language", pick_language, filters=private),
        CommandHandler("country", pick_country, filters=private),
        CallbackQueryHandler(pick_language, pattern=r"^lang:pick(:[a-z_-]+)?$"),
        CallbackQueryHandler(set_language, pattern=r"^lang:set:"),
        CallbackQueryHandler(pick_country, pattern=r"^country:pick(:[a-z_-]+)?$"),
        CallbackQueryHandler(set_country, pattern=r"^country:set:"),
    ]
