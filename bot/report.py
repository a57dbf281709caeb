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

from bot.attachments import PRIVATE_INPUT, attach_to_draft
from bot.chat import Context, answer, delete_messages, profile_of, remember, send, show, tr
from bot.help_numbers import danger_block, directory_of
from bot.keyboards import Button, menu_only, rows
from bot.report_review import cancel_row, forget_receipt
from bot.report_send import purge, submit
from bot.report_steps import REVIEW, advance, ask, clear, current, load_open, offers_quick, track
from core.i18n import N_
from core.logs import get_logger
from tips import drafts, media, routing, sessions
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
SHARED_PLACE = "shared_place"  # draft.extra: a shared location waiting for the person's yes


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
    draft = await load_open(context, chat_id)
    if draft is not None:
        if update.message is not None:  # /report typed again: it leaves with the report
            track(draft, update.message.message_id)
        await ask(update, context, draft, _("You have a report in progress. Let us continue."))
        return
    # One calm sentence on its own screen, and the choice to start or not.
    intro = "\n\n".join(
        [
            _("<b>Report anonymously</b>"),
            _(
                "Your report carries no name, number or Telegram account; only the "
                "anti-trafficking unit for that country can read it."
            ),
        ]
    )
    # The typed /report says what this chat did: the buttons carry its id so it leaves too.
    typed = f":{update.message.message_id}" if update.message is not None else ""
    buttons = [
        [Button(_("▶ Start"), callback_data=f"report:begin{typed}")],
        [Button(_("✖ Not now"), callback_data=f"report:notnow{typed}")],
    ]
    await show(update, context, intro, InlineKeyboardMarkup(buttons))


async def begin(update: Update, context: Context) -> None:
    """▶ Start: the first question, someone in danger, comes at once."""
    chat_id = update.effective_chat.id
    draft = await load_open(context, chat_id)
    if draft is None:
        profile = await profile_of(update)
        draft = drafts.DraftState(
            kind=drafts.REPORT, state=load().first().id, language=profile.language
        )
    await answer(update)
    track(draft, *_intro_messages(update))  # the intro and the command leave with the report
    await ask(update, context, draft)


def _intro_messages(update: Update) -> list[int]:
    """The intro screen's message, and the typed /report named in the button's data."""
    query = update.callback_query
    found = [query.message.message_id] if query.message is not None else []
    typed = query.data.rsplit(":", 1)[-1]
    return [*found, int(typed)] if typed.isdigit() else found


async def not_now(update: Update, context: Context) -> None:
    """✖ Not now: the intro leaves the chat; nothing was started."""
    _ = tr(await profile_of(update)).gettext
    await answer(update)
    await delete_messages(context, update.effective_chat.id, _intro_messages(update))
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))


async def on_quick(update: Update, context: Context) -> None:
    """📨 Send now, details later: only the quick questions are left before the review."""
    draft = await current(update, context)
    if draft is None:
        return
    await answer(update)
    if offers_quick(draft):
        draft.extra["quick"] = True
        if draft.state != REVIEW and not load().get(draft.state).quick:
            await advance(update, context, draft)
            return
    await ask(update, context, draft)


async def on_answer(update: Update, context: Context) -> None:
    _prefix, _a, question_id, value = update.callback_query.data.split(":", 3)
    draft = await current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    if draft.state != question_id:
        await answer(update, _("This button is out of date."))
        await ask(update, context, draft)
        return
    question = load().get(question_id)
    valid = question.choice(value) if question.kind == "choice" else value in YES_NO_LABELS
    if not valid:
        await answer(update, _("This button is out of date."))
        return
    await answer(update)
    draft.answers[question_id] = value
    if question.role == "danger" and value == "yes":  # the numbers first, then the report
        lang = draft.language
        numbers = danger_block(_, directory_of(context), (await profile_of(update)).country, lang)
        track(draft, (await send(update, context, numbers)).message_id)
    await advance(update, context, draft)


async def on_skip(update: Update, context: Context) -> None:
    question_id = update.callback_query.data.split(":", 2)[2]
    draft = await current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    if draft.state != question_id:
        await answer(update, _("This button is out of date."))
        await ask(update, context, draft)
        return
    if not load().get(question_id).optional:  # no Skip button was shown: a crafted press
        await answer(update, _("This question needs an answer."))
        await ask(update, context, draft)
        return
    await answer(update)
    await advance(update, context, draft)


async def cancel(update: Update, context: Context) -> None:
    """Cancel: nothing is sent, and the report leaves the chat, ending on a neutral line."""
    chat_id = update.effective_chat.id
    draft = await drafts.load(drafts.REPORT, chat_id)
    await drafts.discard(drafts.REPORT, chat_id)
    _ = tr(await profile_of(update)).gettext
    await answer(update, _("Cancelled. Nothing was sent."))
    if draft is not None and update.callback_query.message is not None:
        track(draft, update.callback_query.message.message_id)
    await clear(context, chat_id, draft)
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))


async def on_message(update: Update, context: Context) -> None:
    """A message while a report is open goes to the current question; otherwise it passes on."""
    chat_id = update.effective_chat.id
    draft = await load_open(context, chat_id)
    if draft is None:
        return  # not ours: the gate and the other flows take it
    await remember(chat_id, update.message.message_id)
    track(draft, update.message.message_id)
    _ = tr(draft.language).gettext
    if draft.state == REVIEW:
        await ask(update, context, draft, _("Please use the buttons to send or cancel."))
        raise ApplicationHandlerStop
    question = load().get(draft.state)
    try:
        if question.kind == "files":
            await _take_file(update, context, draft)
        elif question.kind in ("text", "location"):
            await _take_text(update, context, draft, question)
        else:
            await ask(update, context, draft, _("Please choose one of the buttons."))
    except AnswerError as error:
        await ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
    except media.FileRejected as error:
        await ask(update, context, draft, "⚠️ " + _(error.msgid).format(**error.values))
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
    await advance(update, context, draft)


async def _hold_shared_place(
    update: Update, context: Context, draft: drafts.DraftState, question: Question
) -> None:
    """A shared location may be where the person is now: keep it (rounded) only once they say
    so, and offer to write the town instead."""
    _ = tr(draft.language).gettext
    place = round_location(update.message.location.latitude, update.message.location.longitude)
    held = {"question": question.id, "place": place, "message": update.message.message_id}
    draft.extra[SHARED_PLACE] = held
    text = _(
        "A shared location can point to where you are now. Keep it, or write the town instead?"
    )
    buttons = [
        Button(_("Keep it"), callback_data=f"report:place:keep:{question.id}"),
        Button(_("Write the town instead"), callback_data=f"report:place:write:{question.id}"),
    ]
    keyboard = InlineKeyboardMarkup([*rows(buttons), cancel_row(_)])
    track(draft, await show(update, context, text, keyboard))
    await drafts.save(update.effective_chat.id, draft)


async def on_shared_place(update: Update, context: Context) -> None:
    """Keep the shared location, or forget it (and take its pin out of the chat) and ask again."""
    _prefix, _place, action, question_id = update.callback_query.data.split(":", 3)
    draft = await current(update, context)
    if draft is None:
        return
    _ = tr(draft.language).gettext
    held = draft.extra.pop(SHARED_PLACE, None)
    if draft.state != question_id or not held or held.get("question") != question_id:
        await answer(update, _("This button is out of date."))
        await ask(update, context, draft)
        return
    await answer(update)
    if action == "keep":
        draft.answers[question_id] = held["place"]
        if held["place"]["at_sea"]:
            note = _("This location seems to be at sea. That is fine: we noted it as at sea.")
            track(draft, (await send(update, context, note)).message_id)
        await advance(update, context, draft)
        return
    # Best effort: if Telegram refuses, the person can still delete it, or erase the chat.
    await delete_messages(context, update.effective_chat.id, [held["message"]])
    await ask(update, context, draft)


async def _take_file(update: Update, context: Context, draft: drafts.DraftState) -> None:
    _ = tr(draft.language).gettext
    if update.message.text:
        await ask(update, context, draft, _("Send a file, or press Done."))
        return
    if await _keep_file(update, context, draft):
        await ask(update, context, draft, _("✔ File received."))


async def _keep_file(update: Update, context: Context, draft: drafts.DraftState) -> bool:
    """Attach the message's file to the draft; False, after saying so, when it holds enough."""
    count = await attach_to_draft(update.message, context, draft.file_count)
    if count is None:
        _ = tr(draft.language).gettext
        await ask(update, context, draft, _("That is enough files for one report."))
        return False
    draft.file_count = count
    return True


jobs = [(300, purge)]  # forget expired reports (and take their messages off the chat)


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
            CallbackQueryHandler(begin, pattern=r"^report:begin(:\d+)?$"),
            CallbackQueryHandler(not_now, pattern=r"^report:notnow(:\d+)?$"),
            CallbackQueryHandler(on_quick, pattern=r"^report:quick$"),
            CallbackQueryHandler(on_answer, pattern=r"^report:a:[a-z_]+:[A-Za-z0-9_]+$"),
            CallbackQueryHandler(on_skip, pattern=r"^report:skip:[a-z_]+$"),
            CallbackQueryHandler(on_shared_place, pattern=r"^report:place:(keep|write):[a-z_]+$"),
            CallbackQueryHandler(cancel, pattern=r"^report:cancel$"),
            CallbackQueryHandler(submit, pattern=r"^report:send(:[A-Za-z0-9_-]{43})?$"),
            CallbackQueryHandler(forget_receipt, pattern=r"^report:forget:[A-Za-z0-9_-]{43}$"),
        ],
    }
