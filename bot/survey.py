"""Surveys in the bot: a list under "📊 Surveys", one question at a time with buttons and its
place ("Question 3 of 8"), stop and resume later, and a thank-you with related library pages.

Buttons carry "sv:<verb>:<survey>:<question>[:<value>]" (a answer, t toggle a pick, d done with
picks, s skip, stop); a button for any question but the current one is refused politely, so an
old button or one of a question the skip rules passed over stores nothing. Typed answers (number,
short text) are taken before the other flows only while a survey question is on screen.

    menu ─▶ list ─▶ open ─▶ question ─┬─▶ question … ─▶ thank-you (stored once, guarded)
                                     └─▶ stop (sealed progress) ─▶ open again resumes
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, TypeHandler

from bot.chat import Context, answer, is_private, profile_of, remember, send, show, tr
from bot.keyboards import Button, menu_only, menu_row
from bot.menu import SCREENS, screen
from content.library import load_library
from content.surveys import MULTIPLE, NUMBER, TEXT, TEXT_MAX_LENGTH, Question, Survey, load_surveys
from core.i18n import N_
from surveys import progress as saved
from surveys.progress import Progress, Started
from surveys.responses import AlreadyAnswered, complete, has_answered, purge_expired_guards

GROUP = -4  # before check (-3), report (-2) and the gate: only while a survey question is on screen
PICKED = "✔ "
menu_entries = [(N_("📊 Surveys"), "go:surveys")]


@screen("surveys")
async def listing(update: Update, context: Context) -> None:
    _ = tr(await profile_of(update)).gettext
    buttons = [
        [Button(_(survey.title), callback_data=f"sv:open:{survey.id}")]
        for survey in load_surveys().values()
    ]
    text = _("<b>Surveys</b>\n\nShort anonymous surveys. Your answers help us warn people better.")
    await show(update, context, text, InlineKeyboardMarkup([*buttons, menu_row(_)]))


async def open_survey(update: Update, context: Context) -> None:
    sid = update.callback_query.data.split(":", 2)[2]
    survey = load_surveys().get(sid)
    if survey is None:
        await SCREENS["stale"](update, context)
        return
    chat_id = update.effective_chat.id
    profile = await profile_of(update)
    if await has_answered(sid, chat_id):
        await _finished(update, context, profile.language)
        return
    progress = await saved.load(chat_id)
    started = progress.surveys.get(sid)
    _ = tr(started.language if started else profile.language).gettext
    if started is None:
        started = progress.surveys[sid] = Started(language=profile.language)
        note = f"<b>{escape(_(survey.title))}</b>\n{escape(_(survey.intro))}"
    else:
        note = _("Welcome back: here is where you stopped.")
    await ask(update, context, survey, progress, note)


def _position(survey: Survey, started: Started, question: Question) -> tuple[int, int]:
    visible = survey.visible(started.answers)
    return visible.index(question) + 1, len(visible)


def _buttons(_, survey: Survey, started: Started, question: Question) -> list[list[Button]]:
    base = f"sv:{{}}:{survey.id}:{question.id}"
    laid: list[list[Button]] = []
    for c in question.choices:
        if question.kind == MULTIPLE:
            mark = PICKED if c.value in started.picks else ""
            laid.append([Button(mark + _(c.label), callback_data=f"{base.format('t')}:{c.value}")])
        else:
            laid.append([Button(_(c.label), callback_data=f"{base.format('a')}:{c.value}")])
    if question.kind == MULTIPLE:
        laid.append([Button(_("Done ✔"), callback_data=base.format("d"))])
    if question.optional:
        laid.append([Button(_("Skip this question"), callback_data=base.format("s"))])
    laid.append([Button(_("⏸ Stop for now"), callback_data=f"sv:stop:{survey.id}")])
    return laid


async def ask(
    update: Update, context: Context, survey: Survey, progress: Progress, note: str = ""
) -> None:
    """Show the survey's next question (or finish it), and remember it is on screen."""
    chat_id = update.effective_chat.id
    started = progress.surveys[survey.id]
    question = survey.next_question(started.answers, started.done)
    if question is None:
        await _finish(update, context, survey, progress)
        return
    _ = tr(started.language).gettext
    n, total = _position(survey, started, question)
    lines = [note, ""] if note else []
    lines += [_("Question {n} of {total}").format(n=n, total=total), ""]
    lines.append(f"<b>{escape(_(question.prompt))}</b>")
    if question.kind == NUMBER:
        lines.append(_("Send a number."))
    elif question.kind == TEXT:
        lines.append(_("Send a short answer (up to {n} characters).").format(n=TEXT_MAX_LENGTH))
    progress.awaiting = survey.id
    await saved.save(chat_id, progress)
    markup = InlineKeyboardMarkup(_buttons(_, survey, started, question))
    await show(update, context, "\n".join(lines), markup)


async def on_button(update: Update, context: Context) -> None:
    verb, sid, *rest = update.callback_query.data.split(":")[1:]
    survey = load_surveys().get(sid)
    chat_id = update.effective_chat.id
    profile = await profile_of(update)
    if survey is None or await has_answered(sid, chat_id):
        await _finished(update, context, profile.language)
        return
    progress = await saved.load(chat_id)
    started = progress.surveys.get(sid)
    if started is None:  # never started here, or forgotten after 30 days
        _ = tr(profile.language).gettext
        await answer(update, _("This survey is no longer open here. Please start it again."))
        await listing(update, context)
        return
    _ = tr(started.language).gettext
    if verb == "stop":
        progress.awaiting = None
        await saved.save(chat_id, progress)
        text = _("Saved. You can continue this survey later from 📊 Surveys.")
        await show(update, context, text, menu_only(_))
        return
    current = survey.next_question(started.answers, started.done)
    if current is None or current.id != rest[0]:
        await answer(update, _("That question is no longer open."))
        await ask(update, context, survey, progress)
        return
    note = _take_button(started, current, verb, rest[1] if len(rest) > 1 else None)
    await ask(update, context, survey, progress, _(note) if note else "")


def _take_button(started: Started, question: Question, verb: str, value: str | None) -> str | None:
    """Apply one press to the current question; a msgid to show when it cannot be taken."""
    if verb == "s":
        if not question.optional:
            return N_("Please answer this question with the buttons.")
        started.done.append(question.id)
        started.picks = []
    elif verb == "a" and value is not None and question.choice(value) is not None:
        started.answers[question.id] = value
        started.done.append(question.id)
    elif verb == "t" and value is not None and question.choice(value) is not None:
        picks = set(started.picks) ^ {value}
        started.picks = [c.value for c in question.choices if c.value in picks]
    elif verb == "d" and question.kind == MULTIPLE:
        if not started.picks:
            return N_("Please choose at least one answer, then press Done.")
        started.answers[question.id] = started.picks
        started.done.append(question.id)
        started.picks = []
    else:
        return N_("Please answer this question with the buttons.")
    return None


async def on_any_update(update: Update, context: Context) -> None:
    """Before the other flows: take a typed answer while a survey question is on screen; any
    other button or command means the person has moved on, so typed text is no longer ours."""
    if not is_private(update) or update.effective_chat is None:
        return
    data = update.callback_query.data if update.callback_query else None
    if data is not None and data.startswith("sv:"):
        return
    message = update.message
    if data is None and message is None:
        return
    chat_id = update.effective_chat.id
    progress = await saved.load(chat_id)
    if progress.awaiting is None:
        return
    if data is not None or (message.text or "").startswith("/"):
        progress.awaiting = None  # moved on elsewhere: the survey waits, untouched
        await saved.save(chat_id, progress)
        return
    await remember(chat_id, message.message_id)
    await _take_typed(update, context, progress, message.text)
    raise ApplicationHandlerStop


async def _take_typed(
    update: Update, context: Context, progress: Progress, text: str | None
) -> None:
    survey = load_surveys().get(progress.awaiting or "")
    started = progress.surveys.get(progress.awaiting or "")
    if survey is None or started is None:
        progress.awaiting = None
        await saved.save(update.effective_chat.id, progress)
        return
    _ = tr(started.language).gettext
    question = survey.next_question(started.answers, started.done)
    if question is None:
        await ask(update, context, survey, progress)
        return
    typed = (text or "").strip()
    note = None
    if question.kind == NUMBER:
        try:
            number = int(typed)
        except ValueError:
            number = None
        if number is None or not question.minimum <= number <= question.maximum:
            note = _("Please send a number from {low} to {high}.").format(
                low=question.minimum, high=question.maximum
            )
        else:
            started.answers[question.id] = number
    elif question.kind == TEXT:
        if not typed or len(typed) > TEXT_MAX_LENGTH:
            note = _("Please send a short answer (up to {n} characters).").format(n=TEXT_MAX_LENGTH)
        else:
            started.answers[question.id] = typed
    else:
        note = _("Please use the buttons to answer this question.")
    if note is None:
        started.done.append(question.id)
    update_note = "⚠️ " + note if note else ""
    # A typed message is answered with a new message, so the question stays below what was typed.
    await ask(update, context, survey, progress, update_note)


async def _finish(update: Update, context: Context, survey: Survey, progress: Progress) -> None:
    """Store the answers of the questions asked (once: the guard refuses a second time), forget
    the progress and thank the person with pages to read next."""
    chat_id = update.effective_chat.id
    started = progress.surveys.pop(survey.id)
    progress.awaiting = None
    asked = {q.id for q in survey.visible(started.answers)}
    answers = {qid: value for qid, value in started.answers.items() if qid in asked}
    try:
        await complete(survey.id, chat_id, started.language, answers)
    except AlreadyAnswered:
        await saved.save(chat_id, progress)
        await _finished(update, context, started.language)
        return
    await saved.save(chat_id, progress)
    _ = tr(started.language).gettext
    library = context.bot_data.get("library") or load_library()
    pages = []
    for topic in survey.related:
        try:
            page = library.page(topic, started.language)
        except KeyError:
            continue
        pages.append([Button(page.title, callback_data=f"learn:page:{topic}:0")])
    text = _("<b>Thank you!</b> Your answers are saved, without your name or number.")
    if pages:
        text += "\n\n" + _("To learn more, read:")
    await show(update, context, text, InlineKeyboardMarkup([*pages, menu_row(_)]))


async def _finished(update: Update, context: Context, language: str) -> None:
    _ = tr(language).gettext
    await answer(update, _("This survey is finished."))
    text = _("You have already answered this survey. Thank you!")
    if update.callback_query is None:
        await send(update, context, text, menu_only(_))
    else:
        await show(update, context, text, menu_only(_))


async def purge(context: Context) -> None:
    """A job: forget unfinished surveys and guards past their time."""
    await saved.purge_expired()
    await purge_expired_guards()


jobs = [(3600, purge)]


def handlers() -> dict[int, list[BaseHandler]]:
    return {
        GROUP: [TypeHandler(Update, on_any_update)],
        0: [
            CallbackQueryHandler(open_survey, pattern=r"^sv:open:[a-z0-9-]+$"),
            CallbackQueryHandler(on_button, pattern=r"^sv:(a|t|d|s|stop):[a-z0-9-]+(:[\w-]+)*$"),
        ],
    }
