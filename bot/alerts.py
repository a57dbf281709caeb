"""Alerts: opt in to short warnings for your country in your language; /stop or a button opts out
and deletes the subscription at once. The screen says what an alert looks like on a lock screen
and how to keep it from someone who checks the phone."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat import Context, profile_of, send, show, tr
from bot.keyboards import Button, country_picker, menu_only, menu_row, place_in_sentence
from bot.menu import screen
from campaigns.subscriptions import subscribe, subscription_of, unsubscribe
from core.i18n import N_, language_name

commands = [("alerts", N_("Alerts for your country")), ("stop", N_("Stop all alerts"))]


@screen("alerts")
async def alerts(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    if profile.country is None:
        text = _("Alerts are sent for one country. Which country are you in?")
        await show(update, context, text, country_picker(_, then="alerts"))
        return
    subscribed = await subscription_of(update.effective_chat.id)
    where = {
        "country": escape(place_in_sentence(profile.country, _)),
        "language": language_name(profile.language, profile.language),
    }
    if subscribed:
        text = _("🔔 You receive alerts for {country} in {language}.").format(**where)
        toggle = Button(_("🔕 Stop alerts"), callback_data="alerts:off")
    else:
        text = _(
            "Alerts are short warnings about new tricks used by smugglers and traffickers in "
            "{country}, and news about help. They come in {language}, a few times a month at most."
        ).format(**where)
        toggle = Button(_("🔔 Turn on alerts"), callback_data="alerts:on")
    # Exactly what someone holding the phone could see, and what to do about it.
    looks = _(
        "An alert shows like any Telegram message: the name Aman and the first words of the "
        "alert, on the lock screen too. If someone may check your phone, mute this chat (tap "
        "the name Aman at the top, then Mute). “Erase this chat” in /privacy deletes the alerts "
        "of the last 48 hours too."
    )
    footer = _("You can stop them at any time with /stop.")
    await show(
        update,
        context,
        f"{text}\n\n{looks}\n\n{footer}",
        InlineKeyboardMarkup([[toggle], menu_row(_)]),
    )


async def turn_on(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    if profile.country is None:
        await alerts(update, context)
        return
    await subscribe(update.effective_chat.id, country=profile.country, language=profile.language)
    await alerts(update, context)


async def turn_off(update: Update, context: Context) -> None:
    await unsubscribe(update.effective_chat.id)
    await alerts(update, context)


async def stop(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    if await unsubscribe(update.effective_chat.id):
        text = _("🔕 Done. Your alert subscription is deleted; you will get no more alerts.")
    else:
        text = _("You were not receiving alerts. Nothing else is sent to you unless you ask.")
    await send(update, context, text, menu_only(_))


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("alerts", alerts, filters=private),
        CommandHandler("stop", stop, filters=private),
        CallbackQueryHandler(turn_on, pattern=r"^alerts:on$"),
        CallbackQueryHandler(turn_off, pattern=r"^alerts:off$"),
    ]
