"""Helpers that keep the bot stories readable: press, read the answer, wait a bounded while."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from core.botapi.client import Message, SandboxChat, button_labels


async def says(chat: SandboxChat, words: str) -> Message:
    """The bot's next message (sent or edited) that contains `words` (bounded: 5 s)."""
    return await chat.wait_for_bot_message(lambda m: words in (m.get("text") or ""))


async def press(chat: SandboxChat, label: str, words: str) -> Message:
    """Press a button and return the bot's answer containing `words`."""
    await chat.press(label)
    return await says(chat, words)


async def send(chat: SandboxChat, text: str, words: str) -> Message:
    await chat.send(text)
    return await says(chat, words)


def labels(message: Message) -> list[str]:
    return button_labels(message)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Wait until `check()` holds, polling briefly; fails after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("the expected state was not reached in time")
        await asyncio.sleep(0.05)


async def callback_answer(chat: SandboxChat, words: str) -> dict:
    """Wait for the bot's answer to a button press (the passing notice) containing `words`."""
    found: list[dict] = []

    async def answered() -> bool:
        found[:] = [a for a in await chat.callback_answers() if words in (a.get("text") or "")]
        return bool(found)

    await eventually(answered)
    return found[-1]


async def begin_report(
    chat: SandboxChat, _: Callable[[str], str] = str, danger: str = "No"
) -> Message:
    """/report, ▶ Start on the calm first screen, and the first question (is someone in danger?)
    answered with `danger` (a label in the chat's language); returns the next question."""
    from tips.questionnaire import load

    questions = load()
    await send(chat, "/report", _("<b>Report anonymously</b>").removeprefix("<b>")[:12])
    await press(chat, _("▶ Start"), _(questions.get("danger").prompt))
    return await press(
        chat, _(danger) if danger == "No" else danger, _(questions.get("what").prompt)
    )
