"""Learn: the awareness library, one topic list and one page part per message, turned in place.

A page view is "learn:page:<topic>:<part>"; parts come from `Page.telegram_chunks`, so a long page
reads as ‹ Back / Next › on the same message, with its sources and review date on the last part.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.chat import Context, profile_of, show, tr
from bot.keyboards import OTHER, Button, menu_row
from bot.menu import SCREENS, screen
from content.library import Library, load_library
from core.i18n import bidi, language_name

CHUNK_SIZE = 3500  # leaves room for the title and a fallback notice under Telegram's 4096


def library_of(context: Context) -> Library:
    return context.bot_data.get("library") or load_library()


def _country(code: str | None) -> str | None:
    return None if code in (None, OTHER) else code


@screen("learn")
async def topics(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    pages = library_of(context).topics(profile.language, _country(profile.country))
    buttons = [[Button(p.title, callback_data=f"learn:page:{p.topic}:0")] for p in pages]
    text = _("<b>Learn</b>\n\nChoose a topic:")
    await show(update, context, text, InlineKeyboardMarkup([*buttons, menu_row(_)]))


async def page(update: Update, context: Context) -> None:
    _prefix, _verb, topic, part = update.callback_query.data.split(":", 3)
    profile = await profile_of(update)
    _ = tr(profile).gettext
    try:
        served = library_of(context).page(topic, profile.language)
        index = int(part)
    except (KeyError, ValueError):
        await SCREENS["stale"](update, context)
        return
    chunks = served.telegram_chunks(
        CHUNK_SIZE, sources_label=_("Sources"), reviewed_label=_("Reviewed")
    )
    index = max(0, min(index, len(chunks) - 1))
    head = [f"<b>{escape(bidi(served.title, served.lang))}</b>"]
    if served.lang != profile.language:
        notice = _("This page is not yet available in {language}; here it is in {fallback}.")
        head.insert(0, "<i>" + escape(notice.format(
            language=language_name(profile.language, profile.language),
            fallback=language_name(served.lang, profile.language),
        )) + "</i>")  # fmt: skip
    if len(chunks) > 1:
        head.append(_("Part {n} of {total}").format(n=index + 1, total=len(chunks)))
    text = "\n".join(head) + "\n\n" + chunks[index]
    await show(update, context, text, _page_buttons(_, topic, index, len(chunks)))


def _page_buttons(_, topic: str, index: int, total: int) -> InlineKeyboardMarkup:
    turn = []
    if index > 0:
        turn.append(Button(_("‹ Back"), callback_data=f"learn:page:{topic}:{index - 1}"))
    if index < total - 1:
        turn.append(Button(_("Next ›"), callback_data=f"learn:page:{topic}:{index + 1}"))
    back = [Button(_("Back to topics"), callback_data="go:learn")]
    return InlineKeyboardMarkup([row for row in (turn, back, menu_row(_)) if row])


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(page, pattern=r"^learn:page:[a-z-]+:\d+$")]
