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
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.attachments import PRIVATE_INPUT, attach_to_draft
from bot.chat import Context, answer, profile_of, remember, send, show, tr
from bot.keyboards import Button, Gettext, menu_only, rows
from bot.report_review import cancel_row, forget_receipt, review, thank, token_data, token_of
from core.i18n import N_
from core.logs import get_logger
from tips import abuse, drafts, intake, media, routing, sessions
from tips.questionnaire import (
    VOICE_ANSWER,
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
SHARED_PLACE = "shared_place"  # draft.extra: a shared location waiting for the person's yes


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


async def _ask(update: Update, context: Context, draft: drafts.DraftState, note: str = "") -> None:
    _ = tr(draft.language).gettext
    if draft.state == REVIEW:
        await review(update, context, draft)
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
    message = update.message
    if question.kind == "location" and message.location is not None:
        await _hold_shared_place(update, context, draft, question)
        return
    if question.voice and message.voice is not None:
        if not await _keep_file(update, context, draft):
            return
        draft.answers[question.id] = VOICE_ANSWER  # the words are in the voice note, a file
    elif message.text:
        draft.answers[question.id] = check_text(question, message.text)
    elif question.voice:
        raise AnswerError(N_("Please write your answer, or send a voice note."))
    else:
        raise AnswerError(N_("Please write your answer as a message."))
    draft.extra.pop(SHARED_PLACE, None)  # written words replace a location not yet confirmed
    await _advance(update, context, draft)


async def _hold_shared_place(
    update: Update, context: Context, draft: drafts.DraftState, question: Question
) -> None:
    """A shared location may be where the person is now: keep it (rounded) only once they say
    so, and offer to write the town instead."""
    _ = tr(draft.language).gettext
    place = round_location(update.message.location.latitude, update.message.location.longitude)
    held = {"question": question.id, "place": place, "message": update.message.message_id}
    draft.extra[SHARED_PLACE] = held
    await drafts.save(update.effective_chat.id, draft)
    text = _(
        "A shared location can point to where you are now. Keep it, or write the town instead?"
    )
    buttons = [
        Button(_("Keep it"), callback_data=f"report:place:keep:{question.id}"),
        Button(_("Write the town instead"), callback_data=f"report:place:write:{question.id}"),
    ]
    await show(update, context, text, InlineKeyboardMarkup([*rows(buttons), cancel_row(_)]))


async def on_shared_place(update: Update, context: Context) -> None:
    """Keep the shared location, or forget it (and take its pin out of the chat) and ask again."""
    _prefix, _place, action, question_id = update.callback_query.data.split(":", 3)
    draft = await _current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    held = draft.extra.pop(SHARED_PLACE, None)
    if draft.state != question_id or not held or held.get("question") != question_id:
        await answer(update, _("This button is out of date."))
        await _ask(update, context, draft)
        return
    await answer(update)
    if action == "keep":
        draft.answers[question_id] = held["place"]
        if held["place"]["at_sea"]:
            note = _("This location seems to be at sea. That is fine: we noted it as at sea.")
            await send(update, context, note)
        await _advance(update, context, draft)
        return
    try:  # best effort: the person can still delete it themselves
        await context.bot.delete_message(update.effective_chat.id, held["message"])
    except TelegramError:
        log.info("a shared location could not be taken out of the chat")
    await drafts.save(update.effective_chat.id, draft)
    await _ask(update, context, draft)


async def _take_file(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    if update.message.text:
        await _ask(update, context, draft, _("Send a file, or press Done."))
        return
    if await _keep_file(update, context, draft):
        await _ask(update, context, draft, _("✔ File received."))


async def _keep_file(update: Update, context: Context, draft: drafts.DraftState) -> bool:
    """Attach the message's file to the draft; False, after saying so, when it holds enough."""
    count = await attach_to_draft(update.message, context, draft.file_count)
    if count is None:
        _ = tr(draft.language).gettext
        await _ask(update, context, draft, _("That is enough files for one report."))
        return False
    draft.file_count = count
    return True


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
    try:
        submitted = await _send_once(update, context, chat_id, token)
    except intake.NoDraft:
        _ = tr(language).gettext
        await answer(update, _("This button is out of date."))
        text = _("This report is no longer open (it was sent, cancelled or timed out).")
        await send(update, context, text, menu_only(_))
        return
    if submitted is not None:
        await thank(update, context, submitted, token, tr(language).gettext)


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
        retry = Button(_("↻ Try again"), callback_data=token_data("send", token))
        await send(update, context, text, InlineKeyboardMarkup([[retry]]))
    return None


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
            CallbackQueryHandler(on_shared_place, pattern=r"^report:place:(keep|write):[a-z_]+$"),
            CallbackQueryHandler(cancel, pattern=r"^report:cancel$"),
            CallbackQueryHandler(submit, pattern=r"^report:send(:[A-Za-z0-9_-]{43})?$"),
            CallbackQueryHandler(forget_receipt, pattern=r"^report:forget:[A-Za-z0-9_-]{43}$"),
        ],
    }
