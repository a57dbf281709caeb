"""Fetching a file a person sent (photo, video, voice note, document) for a report or a
follow-up, refusing an announced size over the limit before downloading anything, and attaching
it to a report draft: checked by its bytes and cleaned once, on arrival, off the event loop."""

from __future__ import annotations

from telegram import Message
from telegram.ext import filters

from bot.chat import Context
from core.i18n import N_
from tips import abuse, drafts, media

# What a person may send while writing or following up a report: words or a file, in private.
PRIVATE_INPUT = (
    filters.ChatType.PRIVATE
    & filters.UpdateType.MESSAGE
    & ~filters.COMMAND
    & (
        filters.TEXT
        | filters.PHOTO
        | filters.Document.ALL
        | filters.VIDEO
        | filters.VOICE
        | filters.AUDIO
    )
)


def _incoming(message: Message) -> tuple[str, int | None] | None:
    if message.photo:
        return message.photo[-1].file_id, message.photo[-1].file_size
    for attachment in (message.document, message.video, message.voice, message.audio):
        if attachment is not None:
            return attachment.file_id, attachment.file_size
    return None


async def download(message: Message, context: Context) -> bytes:
    """The file's bytes; media.FileRejected when there is none or it is announced too big."""
    found = _incoming(message)
    if found is None:
        raise media.FileRejected(N_("Please send a photo, video, voice note or document."))
    file_id, size = found
    if size and size > media.MAX_FILE_BYTES:
        raise media.FileRejected(
            N_("That file is too big. Files can be up to {limit} MB."),
            limit=media.MAX_FILE_BYTES // (1024 * 1024),
        )
    telegram_file = await context.bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


async def attach_to_draft(message: Message, context: Context, file_count: int) -> int | None:
    """Fetch, check and clean the message's file and add it to the chat's report draft; returns
    the draft's new file count, or None when the report already holds enough files (or this
    chat sent too many too fast). media.FileRejected tells the person what was wrong."""
    chat_id = message.chat_id
    if file_count >= drafts.MAX_FILES or not abuse.uploads.allow(chat_id):
        return None
    data = await download(message, context)
    checked = media.check(data)
    triage = await media.clean(data, checked.mime)  # None: kept as original only, and marked so
    try:
        return await drafts.add_file(chat_id, checked, data, triage)
    except drafts.TooManyFiles:
        return None
