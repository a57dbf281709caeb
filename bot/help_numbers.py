"""Help numbers as they read in a chat, shared by ☎️ Get help and /help: the danger line and the
country's emergency numbers first, and every number as plain digits that a phone can dial.

Telegram makes a number tappable when it stands as one unbroken run of digits (a leading '+'
allowed) outside any <code> or <pre>, so numbers are never wrapped in tags nor split by spaces.
In right-to-left text one isolate goes around the whole number, so it keeps its order and place.
"""

from __future__ import annotations

from html import escape

from bot.chat import Context
from bot.keyboards import OTHER, Gettext
from content.help import Entry, HelpDirectory, load_directory
from core.i18n import FSI, PDI, bidi, format_date, is_rtl


def directory_of(context: Context) -> HelpDirectory:
    return context.bot_data.get("directory") or load_directory()


def dialable(entry: Entry, lang: str) -> str:
    """The entry's number, ready to tap: digits only, isolated as a whole in right-to-left text."""
    number = escape(entry.dial or "")
    return f"{FSI}{number}{PDI}" if is_rtl(lang) else number


def danger_line(_: Gettext) -> str:
    # Never "police first": police may detain or deport people without papers (issue 9).
    line = _(
        "In danger right now? For a medical or life emergency, call the numbers below. Police may "
        "also detain or deport people without papers; UNHCR, IOM and the Red Cross or Red "
        "Crescent can help people who are held."
    )
    return "🚨 <b>" + line + "</b>"


def danger_block(_: Gettext, directory: HelpDirectory, country: str | None, lang: str) -> str:
    """The danger line, then one short line per emergency number of the chat's country."""
    lines = [danger_line(_)]
    if country is None:
        lines.append(_("Tell me your country with /country to see its emergency numbers here."))
    elif country != OTHER:
        lines += [
            f"{escape(bidi(e.name, lang))} — {dialable(e, lang)}"
            for e in directory.emergency_entries(country, lang)
        ]
    return "\n".join(lines)


def entry_block(_: Gettext, entry: Entry, lang: str) -> str:
    """One contact in full: its name, its number on a line of its own, its note, when verified."""
    lines = [f"<b>{escape(bidi(entry.name, lang))}</b>"]
    if entry.phone:
        lines.append(dialable(entry, lang))
    if entry.note:
        lines.append(escape(bidi(entry.note, lang)))
    verified = _("verified {date}").format(date=format_date(entry.verified_on, lang))
    lines.append(f"<i>{escape(bidi(verified, lang))}</i>")
    return "\n".join(lines)
