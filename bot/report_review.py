"""The end of a report: the review that repeats the answers before sending, and the receipt after.

The review's Send button carries a random token (`report:send:<token>`): the receipt is kept for a
few minutes sealed under it, so the same button shows the same receipt again. The receipt replaces
the review in place, so the answers leave the screen; "I wrote it down" deletes the receipt too.
"""

from __future__ import annotations

import base64
import binascii
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.chat import Context, answer, profile_of, send, show, tr
from bot.help_numbers import danger_block, directory_of
from bot.keyboards import Button, Gettext, menu_only, menu_row
from core.i18n import bidi
from core.logs import get_logger
from tips import drafts, intake, receipts
from tips.questionnaire import VOICE_ANSWER, YES_NO_LABELS, load

log = get_logger(__name__)


def cancel_row(_: Gettext) -> list[Button]:
    return [Button(_("✖ Cancel the report"), callback_data="report:cancel")]


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
        elif value == VOICE_ANSWER:
            shown = _(VOICE_ANSWER)
        else:
            shown = value if len(value) <= 300 else value[:300] + "…"
        # The person's words keep their own direction inside a right-to-left review.
        shown = bidi(shown, draft.language)
        lines.append(f"• <i>{escape(_headline(_(question.prompt)))}</i>\n  {escape(shown)}")
    lines += ["", _("Files: {count}").format(count=draft.file_count)]
    if draft.extra.get("quick"):
        lines += ["", _("You can add the details later with 🔎 Check my report and your code.")]
    return "\n".join(lines)


def token_data(action: str, token: bytes) -> str:
    return f"report:{action}:" + base64.urlsafe_b64encode(token).decode().rstrip("=")


def token_of(data: str) -> bytes | None:
    """The Send button's token from its callback data (None for an old button without one)."""
    parts = data.split(":")
    if len(parts) != 3:
        return None
    try:
        token = base64.urlsafe_b64decode(parts[2] + "=")
    except (binascii.Error, ValueError):
        return None
    return token if len(token) == 32 else None


async def review(update: Update, context: Context, draft: drafts.DraftState) -> int:
    _ = tr(draft.language).gettext
    send_button = Button(
        _("📨 Send the report"), callback_data=token_data("send", intake.new_token())
    )
    keyboard = InlineKeyboardMarkup([[send_button], cancel_row(_)])
    return await show(update, context, _summary(draft, _), keyboard, fresh=True)


async def thank(
    update: Update, context: Context, submitted: intake.Submitted, token: bytes, _: Gettext
) -> int | None:
    """Show the tracking code in place of the review; its message id, or None if Telegram
    failed (the same Send button then shows it again)."""
    profile = await profile_of(update)
    # Isolated, so a right-to-left chat never shows the four groups in reverse order.
    receipt = bidi(receipts.display(submitted.receipt), profile.language)
    # The first line is what a chat list or a lock screen shows: it says nothing of a report.
    text = "\n\n".join(
        [
            _("✅ Saved."),
            _("Your tracking code:"),
            f"<code>{receipt}</code>",
            _(
                "Write it down somewhere safe, then press “✔ I wrote it down — delete it”. "
                "Only this code lets you read the team's replies (🔎 Check my report); we "
                "cannot recover it."
            ),
        ]
    )
    if str(submitted.urgency) == "urgent":  # the numbers to call, not only a reminder
        text += "\n\n" + danger_block(_, directory_of(context), profile.country, profile.language)
    written = Button(_("✔ I wrote it down — delete it"), callback_data=token_data("forget", token))
    try:
        # The review (which repeats every answer) becomes the receipt: one message, in place.
        return await show(update, context, text, InlineKeyboardMarkup([[written], menu_row(_)]))
    except TelegramError as error:
        # The tip is stored and its receipt kept for a while: the same Send button shows it.
        log.warning("could not show a receipt: %s", type(error).__name__)
        again = _(
            "Your report is saved, but its tracking code could not be shown. Press “📨 Send "
            "the report” again to see it: it will not be sent twice."
        )
        await send(update, context, again)
        return None


async def forget_receipt(update: Update, context: Context) -> None:
    """The person wrote the receipt down: delete its message and the copy kept to show it."""
    token = token_of(update.callback_query.data)
    _ = tr(await profile_of(update)).gettext
    if token is not None:
        await intake.forget_pending(token)
    await answer(update, _("Deleted. Keep your tracking code somewhere safe."))
    message = update.callback_query.message
    if message is not None:
        try:
            await context.bot.delete_message(update.effective_chat.id, message.message_id)
        except TelegramError:
            pass  # too old or already gone
    await send(update, context, _("<b>What would you like to do?</b>"), menu_only(_))
