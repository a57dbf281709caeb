"""The report's steps, shared by its handlers: ask the current question (or show the review),
remember every message of the report so it can leave the chat, and find the open report.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.chat import Context, answer, delete_messages, profile_of, send, show, tr
from bot.keyboards import Button, Gettext, menu_only, rows
from bot.report_review import cancel_row, review
from tips import drafts
from tips.questionnaire import YES_NO_LABELS, Question, load

REVIEW = "review"

# The report's messages (the person's and the bot's), by draft row, for the chats this process
# serves: so the purge job can delete an expired report's messages from the chat.
open_reports: dict[int, int] = {}


def keyboard(question: Question, _: Gettext) -> InlineKeyboardMarkup:
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


def track(draft: drafts.DraftState, *message_ids: int) -> None:
    """Remember a message of this report, to delete it from the chat on send, cancel or expiry
    (the ids are sealed inside the draft with everything else)."""
    seen = draft.extra.setdefault("messages", [])
    seen.extend(m for m in message_ids if m and m not in seen)


async def ask(update: Update, context: Context, draft: drafts.DraftState, note: str = "") -> None:
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
        buttons = keyboard(question, _)
        if offers_quick(draft):
            quick = Button(_("📨 Send now, details later"), callback_data="report:quick")
            buttons = InlineKeyboardMarkup([[quick], *buttons.inline_keyboard])
        shown = await show(update, context, text, buttons, fresh=True)
    track(draft, shown)
    chat_id = update.effective_chat.id
    await drafts.save(chat_id, draft)
    open_reports[draft.row_id] = chat_id


async def clear(context: Context, chat_id: int, draft: drafts.DraftState | None, *keep: int):
    """Delete the report's messages from the chat, except `keep`."""
    if draft is None:
        return
    open_reports.pop(draft.row_id, None)
    await delete_messages(context, chat_id, set(draft.extra.get("messages", [])) - set(keep))


def offers_quick(draft: drafts.DraftState) -> bool:
    """Someone is in danger and the person has not yet chosen to send at once: offer it."""
    return load().in_danger(draft.answers) and not draft.extra.get("quick")


async def advance(update: Update, context: Context, draft: drafts.DraftState) -> None:
    following = load().next_step(draft.state, quick=bool(draft.extra.get("quick")))
    draft.state = following.id if following else REVIEW
    await ask(update, context, draft)


async def load_open(context: Context, chat_id: int) -> drafts.DraftState | None:
    """The chat's open report; an expired one is forgotten and its messages deleted now."""
    expired: list[int] = []
    draft = await drafts.load(drafts.REPORT, chat_id, expired=expired)
    if expired:
        await delete_messages(context, chat_id, expired)
    return draft


async def current(update: Update, context: Context) -> drafts.DraftState | None:
    """The draft a button belongs to, or None after saying the button is out of date."""
    draft = await drafts.load(drafts.REPORT, update.effective_chat.id)
    if draft is None:
        _ = tr(await profile_of(update)).gettext
        await answer(update, _("This button is out of date."))
        text = _("This report is no longer open (it was sent, cancelled or timed out).")
        await send(update, context, text, menu_only(_))
    return draft
