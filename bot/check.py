"""Check my report: with the 16-digit receipt, see the status, read replies, add information or a
file, and opt in to one notice here when the team replies.

The check session (15 minutes) holds the opened tip key in this process's memory only
(tips.sessions), never in the database; the receipt message is deleted from the chat as soon as
it is read. Wrong receipts are rate-limited. If the session is gone (a restart, another bot
process), the person is asked for the receipt again.
Steps: ask receipt -> show the report -> add text / add file / notify consent -> done.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.attachments import PRIVATE_INPUT, download
from bot.chat import Context, answer, delete_messages, profile_of, remember, send, show, tr
from bot.keyboards import Button, Gettext, menu_only
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, followup, media, receipts, sessions
from tips.models import TipStatus
from tips.questionnaire import AnswerError, check_text, load
from tips.sessions import CheckSession

commands = [("check", N_("Check a report with its tracking code"))]
menu_entries = [(N_("🔎 Check my report"), "check:start")]
NOTICE_INTERVAL = 30  # seconds between looks for reply notices to send
log = get_logger(__name__)
GROUP = -3  # a check session (short, explicit) comes before an open report (-2)
ASK_RECEIPT, OPEN, ADD_TEXT, ADD_FILE = "receipt", "open", "add_text", "add_file"

STATUS = {
    TipStatus.NEW: N_("Received, waiting to be read"),
    TipStatus.ACKNOWLEDGED: N_("Read by the team"),
    TipStatus.INVESTIGATING: N_("Being looked at by the team"),
    TipStatus.REFERRED: N_("The team has acted on it"),
    TipStatus.CLOSED: N_("Closed"),
}


def _done_row(_: Gettext) -> list[Button]:
    return [Button(_("✔ Finish"), callback_data="check:done")]


async def start(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    await answer(update)
    session = CheckSession(ASK_RECEIPT, profile.language, chat_id=update.effective_chat.id)
    if update.message is not None:  # the /check command itself says what this chat did
        session.track(update.message.message_id)
    sessions.put(update.effective_chat.id, session)
    text = _("Please send the 16-digit tracking code you got when you sent your report.")
    await _say(update, context, session, text, InlineKeyboardMarkup([_done_row(_)]))


async def _show_report(update: Update, context: Context, session: CheckSession) -> None:
    _ = tr(session.language).gettext
    if session.opened is None:
        await _finish(update, context, session)
        return
    view = await followup.view(session.opened)
    lines = [
        _("<b>Your report of {date}</b>").format(date=view.created_at),
        _("Status: {status}").format(status=_(STATUS[view.status])),
    ]
    replies = [m for m in view.messages if not m.from_reporter]
    if replies:
        lines += ["", _("<b>Replies from the team:</b>")]
        lines += [f"💬 {escape(m.text)}" for m in replies]
    else:
        lines += ["", _("No reply from the team yet.")]
    buttons = [
        [Button(_("✍ Add information"), callback_data="check:add:text")],
        [Button(_("📎 Add a photo or file"), callback_data="check:add:file")],
    ]
    if view.status != TipStatus.CLOSED and not view.notify_requested:
        buttons.append([Button(_("🔔 Tell me when they reply"), callback_data="check:notify")])
    keyboard = InlineKeyboardMarkup([*buttons, _done_row(_)])
    session.track(await show(update, context, "\n".join(lines), keyboard))


async def _finish(update: Update, context: Context, session: CheckSession | None) -> None:
    """Leave the check: its messages (the team's replies among them) leave the chat too."""
    chat_id = update.effective_chat.id
    sessions.end(chat_id)
    _ = tr(session.language if session else (await profile_of(update)).language).gettext
    await answer(update, _("Done. Keep your tracking code safe."))
    if session is not None:
        if update.callback_query is not None and update.callback_query.message is not None:
            session.track(update.callback_query.message.message_id)
        await delete_messages(context, chat_id, session.messages)
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))


async def _say(
    update: Update,
    context: Context,
    session: CheckSession,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """A message of the check session: it leaves the chat when the session ends."""
    session.track((await send(update, context, text, keyboard)).message_id)


async def _session(update: Update, context: Context) -> CheckSession | None:
    session = sessions.get(update.effective_chat.id)
    if session is None or (session.state != ASK_RECEIPT and session.opened is None):
        _ = tr(await profile_of(update)).gettext
        await answer(update, _("This button is out of date."))
        text = _("This check has ended. Use 🔎 Check my report to start again.")
        await send(update, context, text, menu_only(_))
        return None
    return session


async def on_button(update: Update, context: Context) -> None:
    data = update.callback_query.data
    session = await _session(update, context)
    if session is None:
        return
    _ = tr(session.language).gettext
    if data == "check:done":
        await _finish(update, context, session)  # answers the button with a passing notice
        return
    await answer(update)
    sessions.put(update.effective_chat.id, session)  # still here: 15 more minutes
    if data in ("check:add:text", "check:add:file"):
        session.state = ADD_TEXT if data.endswith("text") else ADD_FILE
        prompt = (
            _("Write what you want to add, in one message.")
            if session.state == ADD_TEXT
            else _("Send the photo, video, voice note or document (up to 10 MB).")
        )
        await _say(update, context, session, prompt, InlineKeyboardMarkup([_done_row(_)]))
        return
    if data == "check:notify":
        text = _(
            "If you agree, we keep this chat's address, locked so that only the team can open it "
            "when they reply, to send you one short message here: “You have a new message in "
            "Aman.” Then the address is deleted (also when the report is closed). Anyone holding "
            "this phone could see that message; mute this chat if someone checks your phone."
        )
        keyboard = InlineKeyboardMarkup(
            [[Button(_("Yes, tell me"), callback_data="check:notify:yes")], _done_row(_)]
        )
        session.track(await show(update, context, text, keyboard))
        return
    if data == "check:notify:yes":
        chat_id = update.effective_chat.id
        country = (await profile_of(update)).country  # notices wait out the night there
        await followup.request_notice(session.opened, chat_id, session.language, country=country)
        await _show_report(update, context, session)


async def on_message(update: Update, context: Context) -> None:
    """A message during a check session: a receipt, or information to add; else it passes on."""
    chat_id = update.effective_chat.id
    session = sessions.get(chat_id)
    if session is None:
        return
    await remember(chat_id, update.message.message_id)
    session.track(update.message.message_id)
    _ = tr(session.language).gettext
    try:
        if session.state == ASK_RECEIPT:
            await _take_receipt(update, context, session)
        elif session.state in (ADD_TEXT, ADD_FILE):
            await _take_addition(update, context, session)
        else:
            await _say(update, context, session, _("Please use the buttons."))
    except (AnswerError, media.FileRejected) as error:
        note = "⚠️ " + _(error.msgid).format(**error.values)
        await _say(update, context, session, note, InlineKeyboardMarkup([_done_row(_)]))
    raise ApplicationHandlerStop


async def _forget_typed_receipt(update: Update, context: Context) -> None:
    """Whatever was typed at the receipt prompt leaves the chat at once (a checked phone)."""
    try:
        await context.bot.delete_message(update.effective_chat.id, update.message.message_id)
    except TelegramError:
        pass  # already gone, or Telegram refuses: "Erase this chat" can try again


async def _take_receipt(update: Update, context: Context, session: CheckSession) -> None:
    _ = tr(session.language).gettext
    keyboard = InlineKeyboardMarkup([_done_row(_)])
    typed = update.message.text or ""
    await _forget_typed_receipt(update, context)
    try:
        receipt = receipts.normalise(typed)
    except receipts.ReceiptFormatError as error:
        await _say(update, context, session, _(error.msgid), keyboard)
        return
    if not await abuse.allow_receipt_try(update.effective_chat.id):
        text = _("Too many tries. Please wait a few minutes before trying again.")
        await _say(update, context, session, text, keyboard)
        return
    opened = await receipts.open_tip(receipt)
    if opened is not None:
        await abuse.right_receipt()
    if opened is None:
        text = _("No report matches this tracking code. Please check the digits and try again.")
        await _say(update, context, session, text, keyboard)
        return
    session.state, session.opened = OPEN, opened
    sessions.put(update.effective_chat.id, session)
    await _show_report(update, context, session)


async def _take_addition(update: Update, context: Context, session: CheckSession) -> None:
    _ = tr(session.language).gettext
    opened = session.opened
    if opened is None:
        await _finish(update, context, session)
        return
    if session.state == ADD_TEXT:
        question = load().get("description")
        await followup.add_information(opened, check_text(question, update.message.text))
    else:
        if not abuse.uploads.allow(update.effective_chat.id):
            text = _("That is enough files for now. Please try later.")
            await _say(update, context, session, text)
            return
        await followup.add_file(opened, await download(update.message, context))
    session.state = OPEN
    sessions.put(update.effective_chat.id, session)
    await _say(update, context, session, _("✔ Added to your report. Thank you."))
    await _show_report(update, context, session)


async def send_due_notices(context: Context) -> None:
    """A job: tell each person who asked that a reply is waiting, then forget their chat.

    Only notices due now are claimed: one held back for the night in the person's country
    stays waiting (sealed) until a run finds it morning there."""
    for notice in await followup.due_notices(followup.clock()):
        if not await followup.claim_notice(notice):
            continue  # another bot process took it
        # Neutral words: a lock screen may show them to someone else.
        text = tr(notice.language).gettext("You have a new message in Aman.")
        try:
            sent = await context.bot.send_message(notice.chat_id, text)
        except TelegramError as error:  # one notice only, even if it could not go out
            log.warning("reply notice not delivered: %s", type(error).__name__)
            continue
        await remember(notice.chat_id, sent.message_id)  # so "Erase this chat" removes it


def handlers() -> dict[int, list[BaseHandler]]:
    private = filters.ChatType.PRIVATE
    return {
        GROUP: [MessageHandler(PRIVATE_INPUT, on_message)],
        0: [
            CommandHandler("check", start, filters=private),
            CallbackQueryHandler(start, pattern=r"^check:start$"),
            CallbackQueryHandler(on_button, pattern=r"^check:(done|add:text|add:file|notify)"),
        ],
    }


async def purge_sessions(context: Context) -> None:
    """A job: end check sessions whose time ran out, and take their messages off the chat."""
    for session in sessions.purge():
        if session.chat_id is not None:
            await delete_messages(context, session.chat_id, session.messages)


jobs = [(NOTICE_INTERVAL, send_due_notices), (60, purge_sessions)]
