"""Report anonymously: the questionnaire step by step, a review, then a sealed tip and a receipt.

State lives in the database draft (tips.drafts), never only in this process: any bot process can
take the next message, and an abandoned report expires. Steps: start -> one question at a time
(buttons, text, location or files) -> review -> send -> receipt (shown only after the commit).
The review's Send button carries a random token: pressing it again (a double tap, a receipt
message that failed, a crash) shows the same receipt and never makes a second tip. The server
checks every answer against the questionnaire, whatever the buttons said.
Cancel works at every step; an old button gets a kind "out of date".
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
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
from bot.keyboards import Button, Gettext, menu_only, rows
from bot.report_review import cancel_row, forget_receipt, review, thank, token_data, token_of
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, drafts, intake, media, routing, sessions
from tips.drafts import TooManyFiles
from tips.questionnaire import (
    YES_NO_LABELS,
    AnswerError,
    Question,
    check_text,
    load,
    round_location,
)

log = get_logger(__name__)

commands = [("report", N_("Report something anonymously"))]
menu_entries = [(N_("📝 Report anonymously"), "report:start")]
GROUP = -2  # before the gate and the other flows: a message may belong to an open report
REVIEW = "review"


def _keyboard(question: Question, _: Gettext) -> InlineKeyboardMarkup:
    buttons: list[Button] = []
    if question.kind == "choice":
        buttons = [
            Button(_(c.label), callback_data=f"report:a:{question.id}:{c.value}")
            for c in question.choices
        ]
    elif question.kind == "yesno":
        buttons = [
            Button(_(label), callback_data=f"report:a:{question.id}:{value}")
            for value, label in YES_NO_LABELS.items()
        ]
    elif question.kind == "files":
        buttons = [Button(_("✔ Done"), callback_data=f"report:skip:{question.id}")]
    extra = []
    if question.optional and question.kind != "files":
        extra = [Button(_("Skip ›"), callback_data=f"report:skip:{question.id}")]
    return InlineKeyboardMarkup([*rows(buttons), *([extra] if extra else []), cancel_row(_)])


# The report's messages (the person's and the bot's), by draft row, for the chats this process
# serves: so the purge job can delete an expired report's messages from the chat.
_open_reports: dict[int, int] = {}


def _track(draft: drafts.DraftState, *message_ids: int) -> None:
    """Remember a message of this report, to delete it from the chat on send, cancel or expiry
    (the ids are sealed inside the draft with everything else)."""
    seen = draft.extra.setdefault("messages", [])
    seen.extend(m for m in message_ids if m and m not in seen)


async def _ask(update: Update, context: Context, draft: drafts.DraftState, note: str = "") -> None:
    """Show the draft's current step (a question or the review) and save the draft."""
    _ = tr(draft.language).gettext
    if draft.state == REVIEW:
        shown = await review(update, context, draft)
    else:
        question = load().get(draft.state)
        text = _(question.prompt)
        if question.kind == "files" and draft.file_count:
            text += "\n\n" + _("Files received: {count}").format(count=draft.file_count)
        text = f"{note}\n\n{text}" if note else text
        shown = await show(update, context, text, _keyboard(question, _), fresh=True)
    _track(draft, shown)
    chat_id = update.effective_chat.id
    await drafts.save(chat_id, draft)
    _open_reports[draft.row_id] = chat_id


async def _clear(context: Context, chat_id: int, draft: drafts.DraftState | None, *keep: int):
    """Delete the report's messages from the chat, except `keep`."""
    if draft is None:
        return
    _open_reports.pop(draft.row_id, None)
    await delete_messages(context, chat_id, set(draft.extra.get("messages", [])) - set(keep))


async def start(update: Update, context: Context) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    await answer(update)
    if not await routing.can_receive_tips():
        text = _(
            "Reporting is not open yet: no team is ready to read reports safely. "
            "Please come back later, or use ☎️ Get help for urgent help."
        )
        await send(update, context, text, menu_only(_))
        return
    chat_id = update.effective_chat.id
    sessions.end(chat_id)  # the newest intent takes the next messages
    draft = await _load(context, chat_id)
    if draft is not None:
        if update.message is not None:  # /report typed again: it leaves with the report
            _track(draft, update.message.message_id)
        await _ask(update, context, draft, _("You have a report in progress. Let us continue."))
        return
    questionnaire = load()
    draft = drafts.DraftState(
        kind=drafts.REPORT, state=questionnaire.first().id, language=profile.language
    )
    if update.message is not None:  # the /report command itself says what this chat did
        _track(draft, update.message.message_id)
    intro = _(
        "<b>Report anonymously</b>\n"
        "We do not keep your name, phone number or Telegram account with your report. "
        "It is encrypted so that only the responsible team can read it. "
        "You can cancel at any step. Unfinished reports are deleted after two hours."
    )
    await _ask(update, context, draft, intro)


async def _advance(update: Update, context: Context, draft: drafts.DraftState) -> None:
    following = load().after(draft.state)
    draft.state = following.id if following else REVIEW
    await _ask(update, context, draft)


async def _load(context: Context, chat_id: int) -> drafts.DraftState | None:
    """The chat's open report; an expired one is forgotten and its messages deleted now."""
    expired: list[int] = []
    draft = await drafts.load(drafts.REPORT, chat_id, expired=expired)
    if expired:
        await delete_messages(context, chat_id, expired)
    return draft


async def _current(update: Update, context: Context) -> drafts.DraftState | None:
    """The draft a button belongs to, or None after saying the button is out of date."""
    draft = await drafts.load(drafts.REPORT, update.effective_chat.id)
    if draft is None:
        _ = tr(await profile_of(update)).gettext
        await answer(update, _("This button is out of date."))
        text = _("This report is no longer open (it was sent, cancelled or timed out).")
        await send(update, context, text, menu_only(_))
    return draft


async def on_answer(update: Update, context: Context) -> None:
    _prefix, _a, question_id, value = update.callback_query.data.split(":", 3)
    draft = await _current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    if draft.state != question_id:
        await answer(update, _("This button is out of date."))
        await _ask(update, context, draft)
        return
    question = load().get(question_id)
    valid = question.choice(value) if question.kind == "choice" else value in YES_NO_LABELS
    if not valid:
        await answer(update, _("This button is out of date."))
        return
    await answer(update)
    draft.answers[question_id] = value
    await _advance(update, context, draft)


async def on_skip(update: Update, context: Context) -> None:
    question_id = update.callback_query.data.split(":", 2)[2]
    draft = await _current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    if draft.state != question_id:
        await answer(update, _("This button is out of date."))
        await _ask(update, context, draft)
        return
    if not load().get(question_id).optional:  # no Skip button was shown: a crafted press
        await answer(update, _("This question needs an answer."))
        await _ask(update, context, draft)
        return
    await answer(update)
    await _advance(update, context, draft)


async def cancel(update: Update, context: Context) -> None:
    """Cancel: nothing is sent, and the report leaves the chat, ending on a neutral line."""
    chat_id = update.effective_chat.id
    draft = await drafts.load(drafts.REPORT, chat_id)
    await drafts.discard(drafts.REPORT, chat_id)
    _ = tr(await profile_of(update)).gettext
    await answer(update, _("Cancelled. Nothing was sent."))
    if draft is not None and update.callback_query.message is not None:
        _track(draft, update.callback_query.message.message_id)
    await _clear(context, chat_id, draft)
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))


async def on_message(update: Update, context: Context) -> None:
    """A message while a report is open goes to the current question; otherwise it passes on."""
    chat_id = update.effective_chat.id
    draft = await _load(context, chat_id)
    if draft is None:
        return  # not ours: the gate and the other flows take it
    await remember(chat_id, update.message.message_id)
    _track(draft, update.message.message_id)
    _ = tr(draft.language).gettext
    if draft.state == REVIEW:
        await _ask(update, context, draft, _("Please use the buttons to send or cancel."))
        raise ApplicationHandlerStop
    question = load().get(draft.state)
    try:
        if question.kind == "files":
            await _take_file(update, context, draft)
        elif question.kind in ("text", "location"):
            await _take_text(update, context, draft, question)
        else:
            await _ask(update, context, draft, _("Please choose one of the buttons."))
    except AnswerError as error:
        await _ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
    except media.FileRejected as error:
        await _ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
    raise ApplicationHandlerStop


async def _take_text(
    update: Update, context: Context, draft: drafts.DraftState, question: Question
) -> None:
    _ = tr(draft.language).gettext
    message = update.message
    if question.kind == "location" and message.location is not None:
        place = round_location(message.location.latitude, message.location.longitude)
        draft.answers[question.id] = place
        if place["at_sea"]:
            note = _("This location seems to be at sea. That is fine: we noted it as at sea.")
            _track(draft, (await send(update, context, note)).message_id)
    elif message.text:
        draft.answers[question.id] = check_text(question, message.text)
    else:
        raise AnswerError(N_("Please write your answer as a message."))
    await _advance(update, context, draft)


async def _take_file(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    chat_id = update.effective_chat.id
    if update.message.text:
        await _ask(update, context, draft, _("Send a file, or press Done."))
        return
    enough = _("That is enough files for one report.")
    if draft.file_count >= drafts.MAX_FILES or not abuse.uploads.allow(chat_id):
        await _ask(update, context, draft, enough)
        return
    data = await download(update.message, context)
    checked = media.check(data)
    triage = await media.clean(data, checked.mime)  # once, off the loop; refuses what it cannot
    try:
        draft.file_count = await drafts.add_file(chat_id, checked, data, triage)
    except TooManyFiles:
        await _ask(update, context, draft, enough)
        return
    await _ask(update, context, draft, _("✔ File received."))


async def submit(update: Update, context: Context) -> None:
    chat_id = update.effective_chat.id
    token = token_of(update.callback_query.data)
    if token is None:  # a Send button from before tokens: show the review again
        draft = await _current(update, context)
        if draft is not None:
            await answer(update)
            await _ask(update, context, draft)
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
        await _clear(context, chat_id, draft, shown)


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
        await _ask(update, context, draft)
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
        await _ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
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
    _track(draft, (await send(update, context, text, keyboard)).message_id)
    await drafts.save(update.effective_chat.id, draft)


async def purge(context: Context) -> None:
    """A job: forget unfinished reports (deleting their messages from chats this process
    serves) and kept receipts whose time ran out."""
    for row_id, message_ids in await drafts.expired_messages():
        chat_id = _open_reports.pop(row_id, None)
        if chat_id is not None:
            await delete_messages(context, chat_id, message_ids)
    await drafts.purge_expired()
    await intake.purge_pending()


jobs = [(300, purge)]


def handlers() -> dict[int, list[BaseHandler]]:
    private = filters.ChatType.PRIVATE
    return {
        GROUP: [
            # A shared place counts only when sent, not as live-location edits.
            MessageHandler(
                PRIVATE_INPUT | (private & filters.UpdateType.MESSAGE & filters.LOCATION),
                on_message,
            )
        ],
        0: [
            CommandHandler("report", start, filters=private),
            CallbackQueryHandler(start, pattern=r"^report:start$"),
            CallbackQueryHandler(on_answer, pattern=r"^report:a:[a-z_]+:[A-Za-z0-9_]+$"),
            CallbackQueryHandler(on_skip, pattern=r"^report:skip:[a-z_]+$"),
            CallbackQueryHandler(cancel, pattern=r"^report:cancel$"),
            CallbackQueryHandler(submit, pattern=r"^report:send(:[A-Za-z0-9_-]{43})?$"),
            CallbackQueryHandler(forget_receipt, pattern=r"^report:forget:[A-Za-z0-9_-]{43}$"),
        ],
    }
