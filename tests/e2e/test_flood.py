"""One chat floods the bot with two thousand messages; someone else asks for /help in the middle of
it. The other person is answered while the flood is still being worked through, because each chat
waits only for its own messages and holds at most one of the bot's hands at a time. The flooding
chat keeps a bounded queue: what does not fit is not read, the person is asked once to slow down,
and "Erase this chat" still deletes every message, read or not."""

from __future__ import annotations

import asyncio

from bot.app import build_application, start_polling, stop
from core.botapi import SandboxClient, start_server
from core.botapi.client import BotDidNotAnswer, Message
from tests.e2e.story import callback_answer, eventually, press, says

PASSERS_BY = 200
FLOODER = 600000111
NEIGHBOUR = 600000222
MESSAGES = 2000
SLOW_DOWN = "faster than we can read them"
HELP = "How Aman works"


def _text(message: Message) -> str:
    return message.get("text") or ""


async def _flood(chat) -> None:
    """Send MESSAGES as fast as the sandbox takes them (several at a time)."""
    numbers = iter(range(MESSAGES))

    async def sender() -> None:
        for number in numbers:
            await chat.send(f"hello {number}")

    await asyncio.gather(*(sender() for _ in range(16)))


async def _replies_to_flood(chat) -> list[Message]:
    shown = await chat.bot_messages()
    return [m for m in shown if SLOW_DOWN not in _text(m) and "Privacy & safety" not in _text(m)]


async def test_a_flooding_chat_does_not_delay_another(sandbox, db) -> None:
    await sandbox.config(latency_ms=20)  # every Bot API call takes a while, as across the Internet
    flooder = sandbox.chat(FLOODER, language_code="en")
    neighbour = sandbox.chat(NEIGHBOUR, language_code="en")

    await _flood(flooder)
    await neighbour.send("/help")
    await says(neighbour, HELP)
    replied_before = len(await _replies_to_flood(flooder))

    # The flood is worked through only after the neighbour's answer: a /privacy from the flooder is
    # answered once every earlier message of its chat was handled (or, while its queue is still
    # full, not read at all, so it is sent again).
    async def flood_handled() -> bool:
        await flooder.send("/privacy")
        try:
            await flooder.wait_for_bot_message(lambda m: "Privacy & safety" in _text(m), 1.0)
        except BotDidNotAnswer:
            return False
        return True

    await eventually(flood_handled, within=30.0)
    replied = await _replies_to_flood(flooder)
    assert replied_before < len(replied) < MESSAGES
    notices = [m for m in await flooder.bot_messages() if SLOW_DOWN in _text(m)]
    assert len(notices) == 1  # one polite notice, however many messages were not read

    # Erasing the chat deletes everything on both sides, including what was never read.
    await press(flooder, "🧹 Erase this chat", "Erase this chat?")
    await flooder.press("Yes, erase the chat")
    await callback_answer(flooder, "This chat is erased.")
    assert await flooder.messages() == []


async def test_chats_that_went_quiet_leave_nothing_in_memory(db) -> None:
    """Two hundred people ask for /help at once; once answered, the bot keeps no queue for them."""
    server = await start_server()
    app = build_application("1:sandbox", server.url)
    try:
        await start_polling(app)
        async with SandboxClient(server.url) as client:
            people = [client.chat(FLOODER + n, language_code="en") for n in range(PASSERS_BY)]
            await asyncio.gather(*(person.send("/help") for person in people))
            for person in people:
                await says(person, HELP)

            async def all_quiet() -> bool:
                return app.update_processor.lanes == 0

            await eventually(all_quiet)
    finally:
        try:
            await stop(app)
        finally:
            await server.stop()
