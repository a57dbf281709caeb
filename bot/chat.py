"""Per-chat state for the bot: the chat's profile (language, country) and the messages it may erase.

Everything lives in the database under a blind index of the chat id, never the id itself, so any
bot process can serve any chat, and "Erase this chat" can find what to delete for 48 hours.
Message records live in the kernel (core.chat_records), where the campaign sender records its
alerts too; they carry the hour only and are pruned by a periodic job.
"""

from __future__ import annotations

from datetime import datetime

from babel.support import NullTranslations
from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from core import chat_records, db
from core.i18n import best_language, translator
from core.logs import get_logger
from core.models import ChatProfile

log = get_logger(__name__)

Context = ContextTypes.DEFAULT_TYPE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# The flows record what they send through these (the records themselves are the kernel's).
chat_key = chat_records.chat_key
remember = chat_records.remember
recent_message_ids = chat_records.recent_message_ids


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def guessed_language(update: Update) -> str:
    """The language Telegram reports for the person, narrowed to one Aman speaks."""
    user = update.effective_user
    return best_language(user.language_code if user else None)


async def profile_of(update: Update) -> ChatProfile:
    """The chat's stored profile, or an unsaved one in the person's Telegram language."""
    key = chat_key(update.effective_chat.id)
    profile = await ChatProfile.get_or_none(chat_key=key)
    return profile or ChatProfile(chat_key=key, language=guessed_language(update), country=None)


async def save_choice(
    update: Update, *, language: str | None = None, country: str | None = None
) -> ChatProfile:
    """Store the person's language or country choice (only for private chats)."""
    profile = await profile_of(update)
    if language is not None:
        profile.language = language
    if country is not None:
        profile.country = country
    await profile.save()
    return profile


def tr(language_or_profile: str | ChatProfile | None) -> NullTranslations:
    """The gettext translator for a language code or a chat profile."""
    if isinstance(language_or_profile, ChatProfile):
        return translator(language_or_profile.language)
    return translator(language_or_profile)


async def prune_messages(now: datetime | None = None) -> int:
    """Forget recorded messages older than 48 hours (Telegram no longer lets us delete them)."""
    return await chat_records.prune(now)


async def forget_chat(chat_id: int) -> None:
    """Delete everything stored about the chat in the kernel's tables."""
    await chat_records.forget(chat_id)
    await ChatProfile.filter(chat_key=chat_key(chat_id)).delete()
    db.forget_deleted_soon()


async def send(
    update: Update,
    context: Context,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    **kwargs: object,
) -> Message:
    """Send an HTML message to the update's chat and record it for erasing (private chats)."""
    chat_id = update.effective_chat.id
    kwargs.setdefault("parse_mode", ParseMode.HTML)
    kwargs.setdefault("link_preview_options", NO_PREVIEW)
    message = await context.bot.send_message(chat_id, text, reply_markup=reply_markup, **kwargs)
    if is_private(update):
        await remember(chat_id, message.message_id)
    return message


async def show(
    update: Update,
    context: Context,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    fresh: bool = False,
) -> int:
    """Answer a button press by editing its message in place (unless `fresh`); anything else
    gets a new message. Returns the id of the message that shows the text."""
    query = update.callback_query
    if query is None or query.message is None or fresh:
        return (await send(update, context, text, reply_markup)).message_id
    await answer(update)
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():  # too old or gone: say it anew
            return (await send(update, context, text, reply_markup)).message_id
    return query.message.message_id


async def delete_messages(context: Context, chat_id: int, ids: list[int] | set[int]) -> None:
    """Delete messages of a private chat from both sides (at most 100 per call, as Telegram
    allows), and forget their records; what Telegram refuses (older than 48 hours, already
    gone) is left, and "Erase this chat" may try again."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), 100):
        batch = ids[start : start + 100]
        try:
            await context.bot.delete_messages(chat_id, batch)
        except TelegramError:
            for message_id in batch:
                try:
                    await context.bot.delete_message(chat_id, message_id)
                except TelegramError:
                    continue
    await chat_records.forget_messages(chat_id, ids)


async def answer(update: Update, text: str | None = None) -> None:
    """Stop the button's spinner; a query answered twice or too late is harmless."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(text)
    except TelegramError:
        pass
