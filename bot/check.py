"""Check my report: with the 16-digit receipt, see the status, read replies, add information or a
file, and opt in to one notice here when the team replies.

A short check session (15 minutes) is a database draft holding the receipt sealed at rest, so
any bot process can take the next message. Wrong receipts are rate-limited per chat.
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
from bot.chat import Context, answer, profile_of, remember, send, show, tr
from bot.keyboards import Button, Gettext, menu_only
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, drafts, followup, media, receipts
from tips.models import TipStatus
from tips.questionnaire import AnswerError, check_text, load

commands = [("check", N_("Check a report with its receipt"))]
menu_entries = [(N_("🔎 Check my report"), "check:start")]
NOTICE_INTERVAL = 30  # seconds between looks for reply notices to send
log = get_logger(__name__)
GROUP = -3  # a check session (short, explicit) comes before an open report (-2)
ASK_RECEIPT, OPEN, ADD_TEXT, ADD_FILE = "receipt", "open", "add_text", "add_file"

STATUS = {
    TipStatus.NEW: N_("Received, waiting to be read"),
    TipStatus.IN_REVIEW: N_("Being looked at by the team"),
    TipStatus.ACTION_TAKEN: N_("The team has acted on it"),
    TipStatus.CLOSED: N_("Closed"),
}


def _done_row(_: Gettext) -> list[Button]:
    return [Button(_("✔ Finish"), callback_data="check:done")]


async def start(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    await answer(update)
    draft = drafts.DraftState(kind=drafts.CHECK, state=ASK_RECEIPT, language=profile.language)
    await drafts.save(update.effective_chat.id, draft)
    text = _("Please send the 16-digit receipt you got when you sent your report.")
    await send(update, context, text, InlineKeyboardMarkup([_done_row(_)]))


async def _opened(draft: drafts.DraftState) -> receipts.Opened | None:
    receipt = draft.extra.get("receipt")
    return await receipts.open_tip(receipt) if receipt else None


async def _show_report(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    opened = await _opened(draft)
    if opened is None:
        await _finish(update, context, draft)
        return
    view = await followup.view(opened)
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
    await show(update, context, "\n".join(lines), InlineKeyboardMarkup([*buttons, _done_row(_)]))


async def _finish(update: Update, context: Context, draft: drafts.DraftState | None) -> None:
    await drafts.discard(drafts.CHECK, update.effective_chat.id)
    _ = tr(draft.language if draft else (await profile_of(update)).language).gettext
    await send(update, context, _("Done. Keep your receipt safe."), menu_only(_))


async def _session(update: Update, context: Context) -> drafts.DraftState | None:
    draft = await drafts.load(drafts.CHECK, update.effective_chat.id)
    if draft is None or (draft.state != ASK_RECEIPT and "receipt" not in draft.extra):
        _ = tr(await profile_of(update)).gettext
        await answer(update, _("This button is out of date."))
        text = _("This check has ended. Use 🔎 Check my report to start again.")
        await send(update, context, text, menu_only(_))
        return None
    return draft


async def on_button(update: Update, context: Context) -> None:
    data = update.callback_query.data
    draft = await _session(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    await answer(update)
    if data == "check:done":
        await _finish(update, context, draft)
        return
    if data in ("check:add:text", "check:add:file"):
        draft.state = ADD_TEXT if data.endswith("text") else ADD_FILE
        await drafts.save(update.effective_chat.id, draft)
        prompt = (
            _("Write what you want to add, in one message.")
            if draft.state == ADD_TEXT
            else _("Send the photo, video, voice note or document (up to 10 MB).")
        )
        await send(update, context, prompt, InlineKeyboardMarkup([_done_row(_)]))
        return
    if data == "check:notify":
        text = _(
            "If you agree, we keep this chat's address, encrypted, only to send you one short "
            "message here when the team replies. It is deleted after that message, or when the "
            "report is closed. Anyone holding this phone could see that message."
        )
        keyboard = InlineKeyboardMarkup(
            [[Button(_("Yes, tell me"), callback_data="check:notify:yes")], _done_row(_)]
        )
        await show(update, context, text, keyboard)
        return
    if data == "check:notify:yes":
        opened = await _opened(draft)
        if opened is not None:
            await followup.request_notice(opened, update.effective_chat.id, draft.language)
        await _show_report(update, context, draft)


async def on_message(update: Update, context: Context) -> None:
    """A message during a check session: a receipt, or information to add; else it passes on."""
    chat_id = update.effective_chat.id
    draft = await drafts.load(drafts.CHECK, chat_id)
    if draft is None:
        return
    await remember(chat_id, update.message.message_id)
    _ = tr(draft.language).gettext
    try:
        if draft.state == ASK_RECEIPT:
            await _take_receipt(update, context, draft)
        elif draft.state in (ADD_TEXT, ADD_FILE):
            await _take_addition(update, context, draft)
        else:
            await send(update, context, _("Please use the buttons."))
    except (AnswerError, media.FileRejected) as error:
        note = "⚠️ " + _(error.msgid).format(**error.values)
        await send(update, context, note, InlineKeyboardMarkup([_done_row(_)]))
    raise ApplicationHandlerStop


async def _take_receipt(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    keyboard = InlineKeyboardMarkup([_done_row(_)])
    try:
        receipt = receipts.normalise(update.message.text or "")
    except receipts.ReceiptFormatError as error:
        await send(update, context, _(error.msgid), keyboard)
        return
    if not abuse.receipt_tries.allow(update.effective_chat.id):
        text = _("Too many tries. Please wait a few minutes before trying again.")
        await send(update, context, text, keyboard)
        return
    opened = await receipts.open_tip(receipt)
    if opened is None:
        text = _("No report matches this receipt. Please check the digits and try again.")
        await send(update, context, text, keyboard)
        return
    draft.state, draft.extra["receipt"] = OPEN, receipt
    await drafts.save(update.effective_chat.id, draft)
    await _show_report(update, context, draft)


async def _take_addition(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    opened = await _opened(draft)
    if opened is None:
        await _finish(update, context, draft)
        return
    if draft.state == ADD_TEXT:
        question = load().get("description")
        await followup.add_information(opened, check_text(question, update.message.text))
    else:
        if not abuse.uploads.allow(update.effective_chat.id):
            await send(update, context, _("That is enough files for now. Please try later."))
            return
        await followup.add_file(opened, await download(update.message, context))
    draft.state = OPEN
    await drafts.save(update.effective_chat.id, draft)
    await send(update, context, _("✔ Added to your report. Thank you."))
    await _show_report(update, context, draft)


async def send_due_notices(context: Context) -> None:
    """A job: tell each person who asked that a reply is waiting, then forget their chat."""
    for notice in await followup.due_notices():
        if not await followup.claim_notice(notice):
            continue  # another bot process took it
        _ = tr(notice.language).gettext
        text = _("🔔 The team replied to your report. Use 🔎 Check my report with your receipt.")
        try:
            await context.bot.send_message(notice.chat_id, text)
        except TelegramError as error:  # one notice only, even if it could not go out
            log.warning("reply notice not delivered: %s", type(error).__name__)


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


async def purge_drafts(context: Context) -> None:
    """A job: forget unfinished reports and check sessions whose time ran out."""
    await drafts.purge_expired()


jobs = [(NOTICE_INTERVAL, send_due_notices), (300, purge_drafts)]
