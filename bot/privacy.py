"""Privacy & safety: what the bot keeps and never keeps, and "Erase this chat".

Erasing deletes every message of the last 48 hours on both sides (Telegram allows no older ones),
then everything stored under the chat: its profile, an unfinished report and its files, a check
session, reply notices waiting to go out. It leaves nothing behind in the chat, only a passing
notice on the button, because a phone may be checked by someone else.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat import (
    Context,
    answer,
    delete_messages,
    forget_chat,
    profile_of,
    prune_messages,
    recent_message_ids,
    show,
    tr,
)
from bot.keyboards import MENU, Button, menu_row
from bot.menu import screen
from campaigns.subscriptions import subscription_of, unsubscribe
from core.i18n import N_
from core.logs import get_logger
from tips import drafts, followup, sessions

log = get_logger(__name__)
commands = [("privacy", N_("What we keep, and erasing this chat"))]


@screen("privacy")
async def privacy(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    text = "\n\n".join(
        [
            _("<b>Privacy & safety</b>"),
            _(
                "<b>What we keep:</b> your language, your country and, if you turn them on, "
                "your alert subscription. Your chat is known to us only by an encrypted code, "
                "not by your Telegram number or name."
            ),
            _(
                "<b>What we never keep:</b> your name, username or phone number, and what you "
                "write here (except an anonymous report, if you choose to send one)."
            ),
            _(
                "<b>Staying safe:</b> if someone else may look at your phone, use “Erase this "
                "chat”. It deletes the messages of the last 48 hours on both sides and "
                "everything kept under this chat, an unfinished report included (your alerts "
                "only if you also stop them). Older "
                "messages, and what you forwarded elsewhere, cannot be deleted by the bot. A "
                "report you already sent stays with the team, with nothing that links it to "
                "this chat; if you asked to hear about a reply, that one short message may "
                "still come."
            ),
        ]
    )
    erase = Button(_("🧹 Erase this chat"), callback_data="privacy:erase")
    await show(update, context, text, InlineKeyboardMarkup([[erase], menu_row(_)]))


async def confirm(update: Update, context: Context) -> None:
    translations = tr(await profile_of(update))
    _ = translations.gettext
    buttons = [[Button(_("Yes, erase the chat"), callback_data="privacy:erase:chat")]]
    if await subscription_of(update.effective_chat.id):
        all_ = Button(_("Erase and stop alerts"), callback_data="privacy:erase:all")
        buttons.append([all_])
    buttons.append([Button(_("No, go back"), callback_data=MENU)])
    count = len(await recent_message_ids(update.effective_chat.id))
    text = translations.ngettext(
        "Erase this chat? {n} message of the last 48 hours will disappear on both sides and "
        "the bot will forget your language, your country and any unfinished report. This "
        "cannot be undone.",
        "Erase this chat? {n} messages of the last 48 hours will disappear on both sides and "
        "the bot will forget your language, your country and any unfinished report. This "
        "cannot be undone.",
        count,
    ).format(n=count)
    await show(update, context, text, InlineKeyboardMarkup(buttons))


async def erase(update: Update, context: Context) -> None:
    chat_id = update.effective_chat.id
    _ = tr(await profile_of(update)).gettext
    if update.callback_query.data.endswith(":all"):
        await unsubscribe(chat_id)
    ids = await recent_message_ids(chat_id)
    if update.callback_query.message is not None:
        ids = sorted({*ids, update.callback_query.message.message_id})
    await delete_messages(context, chat_id, ids)
    await drafts.discard(drafts.REPORT, chat_id)
    sessions.end(chat_id)
    await followup.forget_chat_notices(chat_id)
    await forget_chat(chat_id)
    # A passing notice on the button, nothing that stays in the chat.
    await answer(update, _("This chat is erased."))


async def prune(context: Context) -> None:
    """A job: forget message records older than Telegram lets us delete."""
    await prune_messages()


jobs = [(600, prune)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("privacy", privacy, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(confirm, pattern=r"^privacy:erase$"),
        CallbackQueryHandler(erase, pattern=r"^privacy:erase:(chat|all)$"),
    ]
