"""Staff notices through the bot: a staff member links this chat to their Aman account with the
one-time code the admin shows (`/link <code>`), and a job tells linked members "A new tip is in
your Aman inbox." when one is newly theirs to open, never what it says (tips.staff_notices).

The command is not in the public command menu: it means nothing to anyone without a code.
Steps: /link <code> -> linked (or: wrong code, too many tries). Job: queue, claim, send.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat import Context, profile_of, remember, send, tr
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, staff_notices

log = get_logger(__name__)
NOTICE_INTERVAL = 15  # seconds between looks for tips newly in a linked member's inbox
link_tries = abuse.TokenBucket("staff-link", capacity=10, per_second=1 / 60)
NOTICE_TEXT = N_("A new tip is in your Aman inbox.")


async def link(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    code = "".join(context.args or [])
    if not code:
        text = _("Send the code that the Aman admin shows you, like this: /link ABCDE-FGHJK")
        await send(update, context, text)
        return
    if not link_tries.allow(update.effective_chat.id):
        await send(
            update, context, _("Too many tries. Please wait a few minutes before trying again.")
        )
        return
    linked = await staff_notices.link_chat(code, update.effective_chat.id, profile.language)
    if linked is None:
        text = _(
            "This code is not valid or has expired. Make a new one on the Telegram page of "
            "your account in the Aman admin."
        )
        await send(update, context, text)
        return
    text = _(
        "This chat is now linked to your Aman staff account. When a new tip is in your inbox, "
        "you will get a short message here, never what the tip says."
    )
    await send(update, context, text)


async def send_staff_notices(context: Context) -> None:
    """A job: queue notices for tips newly sealed to linked members, then send each once."""
    await staff_notices.queue_new_keys()
    for notice in await staff_notices.due_notices():
        if not await staff_notices.claim(notice):
            continue  # another bot process took it
        text = tr(notice.language).gettext(NOTICE_TEXT)
        try:
            sent = await context.bot.send_message(notice.chat_id, text)
        except TelegramError as error:  # one try only: the inbox itself is what counts
            log.warning("staff notice not delivered: %s", type(error).__name__)
            continue
        await remember(notice.chat_id, sent.message_id)  # so "Erase this chat" removes it


def handlers() -> list[BaseHandler]:
    return [CommandHandler("link", link, filters=filters.ChatType.PRIVATE)]


jobs = [(NOTICE_INTERVAL, send_staff_notices)]
