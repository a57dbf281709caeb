"""Get help: the verified help numbers for the person's country, and the regional agencies.

Only entries the help directory marks verified are shown, each with the date it was verified;
numbers sit in <code> so one tap copies them (Telegram HTML has no tel: links).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat import Context, profile_of, show, tr
from bot.keyboards import OTHER, Button, country_name, country_picker, menu_row
from bot.menu import screen
from content.help import REGIONAL, Entry, HelpDirectory, load_directory
from core.i18n import FSI, N_, PDI, bidi, format_date, is_rtl

commands = [("help_numbers", N_("Help numbers for your country"))]


def directory_of(context: Context) -> HelpDirectory:
    return context.bot_data.get("directory") or load_directory()


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
    title = _("<b>Get help: {country}</b>").format(country=escape(country_name(profile.country, _)))
    parts = [title, *intro, *(_entry(_, e, lang) for e in local)]
    if regional:
        parts += [_("<b>In the whole region</b>"), *(_entry(_, e, lang) for e in regional)]
    parts.append(_("In danger right now? Call the police or emergency number first."))
    change = Button(_("📍 Change country"), callback_data="country:pick:help")
    await show(update, context, "\n\n".join(parts), InlineKeyboardMarkup([[change], menu_row(_)]))


def _national_intro(_, country: str, entries: list[Entry]) -> list[str]:
    if any(e.phone for e in entries if e.country == country):
        return []
    name = escape(country_name(country, _))
    return [_("We have no verified national phone number for {country} yet.").format(country=name)]


def _entry(_, entry: Entry, lang: str) -> str:
    lines = [f"<b>{escape(bidi(entry.name, lang))}</b>"]
    if entry.phone:
        number = f"<code>{escape(entry.phone)}</code>"
        # In right-to-left text the isolate goes around the tag, so a tap copies digits only.
        lines.append(f"{FSI}{number}{PDI}" if is_rtl(lang) else number)
    if entry.note:
        lines.append(escape(bidi(entry.note, lang)))
    verified = _("verified {date}").format(date=format_date(entry.verified_on, lang))
    lines.append(f"<i>{escape(bidi(verified, lang))}</i>")
    return "\n".join(lines)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("help_numbers", contacts, filters=filters.ChatType.PRIVATE)]
