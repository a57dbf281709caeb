"""Get help: the verified help numbers for the person's country, and the regional agencies.

The danger line and the country's emergency numbers come first, then its other contacts, then
the regional agencies. Only entries the help directory marks verified are shown, each with the
date it was verified; numbers are plain digits, so a tap dials them (see bot.help_numbers).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat import Context, profile_of, show, tr
from bot.help_numbers import danger_line, directory_of, entry_block
from bot.keyboards import OTHER, Button, country_name, country_picker, menu_row
from bot.menu import screen
from content.help import REGIONAL, Entry
from core.i18n import N_

commands = [("help_numbers", N_("Help numbers for your country"))]


@screen("help")
async def contacts(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    if profile.country is None:
        text = _("To show the right numbers, tell me which country you are in:")
        await show(update, context, text, country_picker(_, then="help"))
        return
    lang = profile.language
    if profile.country == OTHER:
        entries = directory_of(context).public_entries(None, lang)
        intro = [_("These international organisations help people on the move, wherever you are.")]
    else:
        entries = directory_of(context).public_entries(profile.country, lang)
        intro = _national_intro(_, profile.country, entries)
    local = [e for e in entries if e.country != REGIONAL]
    regional = [e for e in entries if e.country == REGIONAL]
    title = (
        _("<b>Get help, wherever you are</b>")
        if profile.country == OTHER
        else _("<b>Get help: {country}</b>").format(
            country=escape(country_name(profile.country, _))
        )
    )
    # Emergency entries lead `local`: the directory orders them first.
    parts = [title, danger_line(_), *intro, *(entry_block(_, e, lang) for e in local)]
    if regional:
        parts += [_("<b>In the whole region</b>"), *(entry_block(_, e, lang) for e in regional)]
    change = Button(_("📍 Change country"), callback_data="country:pick:help")
    await show(update, context, "\n\n".join(parts), InlineKeyboardMarkup([[change], menu_row(_)]))


def _national_intro(_, country: str, entries: list[Entry]) -> list[str]:
    if any(e.phone for e in entries if e.country == country):
        return []
    name = escape(country_name(country, _))
    return [_("We have no verified national phone number for {country} yet.").format(country=name)]


def handlers() -> list[BaseHandler]:
    return [CommandHandler("help_numbers", contacts, filters=filters.ChatType.PRIVATE)]
