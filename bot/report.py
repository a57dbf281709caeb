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

import base64
import binascii
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
from bot.keyboards import Button, Gettext, menu_only, menu_row, rows
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, drafts, intake, media, receipts, routing, sessions
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


def _cancel_row(_: Gettext) -> list[Button]:
    return [Button(_("✖ Cancel the report"), callback_data="report:cancel")]


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
    return InlineKeyboardMarkup([*rows(buttons), *([extra] if extra else []), _cancel_row(_)])


async def _ask(update: Update, context: Context, draft: drafts.DraftState, note: str = "") -> None:
    _ = tr(draft.language).gettext
    if draft.state == REVIEW:
        await _review(update, context, draft)
        return
    question = load().get(draft.state)
    text = _(question.prompt)
    if question.kind == "files" and draft.file_count:
        text += "\n\n" + _("Files received: {count}").format(count=draft.file_count)
    await show(
        update, context, f"{note}\n\n{text}" if note else text, _keyboard(question, _), fresh=True
    )


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
    draft = await drafts.load(drafts.REPORT, chat_id)
    if draft is not None:
        await _ask(update, context, draft, _("You have a report in progress. Let us continue."))
        return
    questionnaire = load()
    draft = drafts.DraftState(
        kind=drafts.REPORT, state=questionnaire.first().id, language=profile.language
    )
    await drafts.save(chat_id, draft)
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
    await drafts.save(update.effective_chat.id, draft)
    await _ask(update, context, draft)


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
    await answer(update)
    await drafts.discard(drafts.REPORT, update.effective_chat.id)
    _ = tr(await profile_of(update)).gettext
    text = _("Your report is cancelled. Nothing of it was kept.")
    await send(update, context, text, menu_only(_))


async def on_message(update: Update, context: Context) -> None:
    """A message while a report is open goes to the current question; otherwise it passes on."""
    chat_id = update.effective_chat.id
    draft = await drafts.load(drafts.REPORT, chat_id)
    if draft is None:
        return  # not ours: the gate and the other flows take it
    await remember(chat_id, update.message.message_id)
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
            await send(update, context, note)
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


def _headline(prompt: str) -> str:
    """A prompt's first sentence, as the label of its answer in the summary."""
    for end, char in enumerate(prompt):
        if char in "?؟.।።":
            return prompt[: end + 1]
    return prompt


def _summary(draft: drafts.DraftState, _: Gettext) -> str:
    lines = [_("<b>Please check your report before sending it.</b>"), ""]
    for question in load().questions:
        value = draft.answers.get(question.id)
        if question.kind == "files" or value is None:
            continue
        if isinstance(value, dict):
            shown = _("shared location (rounded)")
        elif question.choice(value):
            shown = _(question.choice(value).label)
        elif question.kind == "yesno":
            shown = _(YES_NO_LABELS[value])
        else:
            shown = value if len(value) <= 300 else value[:300] + "…"
        lines.append(f"• <i>{escape(_headline(_(question.prompt)))}</i>\n  {escape(shown)}")
    lines += ["", _("Files: {count}").format(count=draft.file_count)]
    return "\n".join(lines)


def _token_data(action: str, token: bytes) -> str:
    return f"report:{action}:" + base64.urlsafe_b64encode(token).decode().rstrip("=")


def _token(data: str) -> bytes | None:
    """The Send button's token from its callback data (None for an old button without one)."""
    parts = data.split(":")
    if len(parts) != 3:
        return None
    try:
        token = base64.urlsafe_b64decode(parts[2] + "=")
    except (binascii.Error, ValueError):
        return None
    return token if len(token) == 32 else None


async def _review(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    send_button = Button(
        _("📨 Send the report"), callback_data=_token_data("send", intake.new_token())
    )
    keyboard = InlineKeyboardMarkup([[send_button], _cancel_row(_)])
    await show(update, context, _summary(draft, _), keyboard, fresh=True)


async def submit(update: Update, context: Context) -> None:
    chat_id = update.effective_chat.id
    token = _token(update.callback_query.data)
    if token is None:  # a Send button from before tokens: show the review again
        draft = await _current(update, context)
        if draft is not None:
            await answer(update)
            await _ask(update, context, draft)
        return
    language = (await profile_of(update)).language
    try:
        submitted = await _send_once(update, context, chat_id, token)
    except intake.NoDraft:
        _ = tr(language).gettext
        await answer(update, _("This button is out of date."))
        text = _("This report is no longer open (it was sent, cancelled or timed out).")
        await send(update, context, text, menu_only(_))
        return
    if submitted is not None:
        await _thank(update, context, submitted, token, tr(language).gettext)


async def _send_once(
    update: Update, context: Context, chat_id: int, token: bytes
) -> intake.Submitted | None:
    """The tip for this press (stored now, or already stored by an earlier press of the same
    button); None after telling the person why it could not be sent."""
    draft = await drafts.load(drafts.REPORT, chat_id)
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
        await send(update, context, text)
        return None
    try:
        return await intake.submit_draft(chat_id, token)
    except AnswerError as error:  # the draft holds an answer the questionnaire does not allow
        draft.state = load().first().id
        await drafts.save(chat_id, draft)
        await _ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
    except intake.NobodyCanReceive:
        text = _("Reporting is closed right now: no team can read reports. Your draft is kept.")
        await send(update, context, text, menu_only(_))
    except intake.SubmitFailed:
        text = _(
            "We could not save your report right now. It is NOT sent yet, but your answers are "
            "kept. Please try again in a moment."
        )
        retry = Button(_("↻ Try again"), callback_data=_token_data("send", token))
        await send(update, context, text, InlineKeyboardMarkup([[retry]]))
    return None


async def _thank(
    update: Update, context: Context, submitted: intake.Submitted, token: bytes, _: Gettext
) -> None:
    receipt = receipts.display(submitted.receipt)
    text = "\n\n".join(
        [
            _("✅ <b>Your report is saved and sealed.</b> Thank you for your courage."),
            _("Your receipt:"),
            f"<code>{receipt}</code>",
            _(
                "Write it down somewhere safe, then you may delete this message. It is shown "
                "only this once and is the only way to check your report and read replies "
                "(🔎 Check my report). We cannot recover it."
            ),
        ]
    )
    if str(submitted.urgency) == "urgent":
        text += "\n\n" + _("If someone is in danger now, also call the emergency numbers.")
    written = Button(_("✔ I wrote it down — delete it"), callback_data=_token_data("forget", token))
    try:
        # The review (which repeats every answer) becomes the receipt: one message, in place.
        await show(update, context, text, InlineKeyboardMarkup([[written], menu_row(_)]))
    except TelegramError as error:
        # The tip is stored and its receipt kept for a while: the same Send button shows it.
        log.warning("could not show a receipt: %s", type(error).__name__)
        again = _(
            "Your report is saved, but its receipt could not be shown. Press “📨 Send the "
            "report” again to see it: it will not be sent twice."
        )
        await send(update, context, again)


async def forget_receipt(update: Update, context: Context) -> None:
    """The person wrote the receipt down: delete its message and the copy kept to show it."""
    token = _token(update.callback_query.data)
    _ = tr(await profile_of(update)).gettext
    if token is not None:
        await intake.forget_pending(token)
    await answer(update, _("Deleted. Keep your receipt somewhere safe."))
    message = update.callback_query.message
    if message is not None:
        try:
            await context.bot.delete_message(update.effective_chat.id, message.message_id)
        except TelegramError:
            pass  # too old or already gone
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))


async def purge(context: Context) -> None:
    """A job: forget unfinished reports and kept receipts whose time ran out."""
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
