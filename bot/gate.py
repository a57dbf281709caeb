"""The gate every update passes first: it records the person's messages for "Erase this chat"
and stops what the bot does not take (edits, channel posts, chatter in groups)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.chat import Context, answer, is_private, remember
from campaigns.variants import TAP_PREFIX

GROUP = -1  # runs before every flow


async def gate(update: Update, context: Context) -> None:
    if update.edited_message or update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop  # an edit changes nothing we did; channels are not ours
    if not is_private(update):
        if update.callback_query:
            if (update.callback_query.data or "").startswith(f"{TAP_PREFIX}:"):
                return  # a tracked link under a campaign post in a partner's channel
            await answer(update)
            raise ApplicationHandlerStop
        message = update.message
        if message is None or not (message.text or "").startswith("/"):
            # In groups the bot only answers commands, and stores nothing.
            raise ApplicationHandlerStop
        return
    if update.message is not None:
        await remember(update.effective_chat.id, update.message.message_id)


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, gate)]
