"""Sending a report: one press of the review's Send button, stored once whatever the number of
presses (its token keeps the receipt for another press), then the tracking code in place of the
review and the rest of the report off the chat. Also the job that forgets expired reports.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.chat import Context, answer, delete_messages, profile_of, send, tr
from bot.keyboards import Button, menu_only
from bot.report_review import thank, token_data, token_of
from bot.report_steps import REVIEW, ask, clear, current, open_reports, track
from tips import abuse, drafts, intake
from tips.questionnaire import AnswerError, load


async def submit(update: Update, context: Context) -> None:
    chat_id = update.effective_chat.id
    token = token_of(update.callback_query.data)
    if token is None:  # a Send button from before tokens: show the review again
        draft = await current(update, context)
        if draft is not None:
            await answer(update)
            await ask(update, context, draft)
        return
    language = (await profile_of(update)).language
    draft = await drafts.load(drafts.REPORT, chat_id)
    try:
        submitted = await _send_once(update, context, chat_id, token, draft)
    except intake.NoDraft:
        _ = tr(language).gettext
        await answer(update, _("This button is out of date."))
        text = _("This report is no longer open (it was sent, cancelled or timed out).")
        await send(update, context, text, menu_only(_))
        return
    if submitted is None:
        return
    shown = await thank(update, context, submitted, token, tr(language).gettext)
    if shown is not None:  # the receipt is on screen: the rest of the report leaves the chat
        await clear(context, chat_id, draft, shown)


async def _send_once(
    update: Update, context: Context, chat_id: int, token: bytes, draft: drafts.DraftState | None
) -> intake.Submitted | None:
    """The tip for this press (stored now, or already stored by an earlier press of the same
    button); None after telling the person why it could not be sent."""
    if draft is None:
        kept = await intake.submit_draft(chat_id, token)  # the kept receipt, or NoDraft
        await answer(update)
        return kept
    _ = tr(draft.language).gettext
    await answer(update)
    if draft.state != REVIEW:
        await ask(update, context, draft)
        return None
    if not abuse.submissions.allow(chat_id):
        text = _("You have sent several reports in a short time. Please wait a while, then try.")
        await _say(update, context, draft, text)
        return None
    try:
        return await intake.submit_draft(chat_id, token)
    except AnswerError as error:  # the draft holds an answer the questionnaire does not allow
        draft.state = load().first().id
        await drafts.save(chat_id, draft)
        await ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
    except intake.NobodyCanReceive:
        text = _("Reporting is closed right now: no team can read reports. Your draft is kept.")
        await _say(update, context, draft, text, menu_only(_))
    except intake.SubmitFailed:
        text = _(
            "We could not save your report right now. It is NOT sent yet, but your answers are "
            "kept. Please try again in a moment."
        )
        retry = Button(_("↻ Try again"), callback_data=token_data("send", token))
        await _say(update, context, draft, text, InlineKeyboardMarkup([[retry]]))
    return None


async def _say(
    update: Update,
    context: Context,
    draft: drafts.DraftState,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """A message about the open report: it leaves the chat with the report."""
    track(draft, (await send(update, context, text, keyboard)).message_id)
    await drafts.save(update.effective_chat.id, draft)


async def purge(context: Context) -> None:
    """A job: forget unfinished reports (deleting their messages from chats this process
    serves) and kept receipts whose time ran out."""
    for row_id, message_ids in await drafts.expired_messages():
        chat_id = open_reports.pop(row_id, None)
        if chat_id is not None:
            await delete_messages(context, chat_id, message_ids)
    await drafts.purge_expired()
    await intake.purge_pending()
