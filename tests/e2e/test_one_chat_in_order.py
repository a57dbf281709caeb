"""A reporter in a hurry: a double tap on "Send", two messages typed before the bot answered the
first, fourteen photos shared at once. Each chat's messages are handled one at a time, in the
order they were sent, so the hurry changes nothing: one tip, one receipt, every answer kept in
its place, and no more files than a report may carry."""

from __future__ import annotations

from tests.e2e.story import begin_report, eventually, press, says, send
from tests.tips.helpers import photo_with_gps, unit_with_focal_point
from tips.drafts import MAX_FILES
from tips.models import Tip, TipFile

REPORTER = 777000333444


async def _to_description(chat) -> None:
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Sfax, Chaffar beach", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")


async def _to_files(chat) -> None:
    await _to_description(chat)
    await send(chat, "A boat with forty people", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")


def _receipt(message: dict) -> bool:
    return "Your tracking code" in (message.get("text") or "")


def _closed(message: dict) -> bool:
    return "This report is no longer open" in (message.get("text") or "")


async def test_double_tap_on_send_stores_one_tip(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_files(chat)
    await press(chat, "✔ Done", "Please check your report")

    await chat.press("📨 Send the report")
    await chat.press("📨 Send the report")  # the second tap, before the bot answered the first

    await says(chat, "Your tracking code")

    async def both_answered() -> bool:
        return len(await chat.callback_answers()) >= 2

    await eventually(both_answered)  # the second tap was handled too: it showed the same receipt
    assert await Tip.all().count() == 1
    assert len([m for m in await chat.bot_messages() if _receipt(m)]) == 1


async def test_two_quick_messages_lose_nothing(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_description(chat)

    await chat.send("Men loading a boat at night")
    await chat.send("A driver in a white van")  # typed before the bot asked the next question

    await says(chat, "Who or what is involved?")
    await says(chat, "Is a child involved?")
    await press(chat, "No", "You can send photos")
    review = await press(chat, "✔ Done", "Please check your report")
    assert "Men loading a boat at night" in review["text"]
    assert "A driver in a white van" in review["text"]
    assert review["text"].index("Men loading") < review["text"].index("A driver")


async def test_fourteen_files_at_once_store_ten(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_files(chat)

    for _ in range(14):
        await chat.send_photo(photo_with_gps())  # shared at once: no answer awaited in between
    await chat.press("✔ Done")

    review = await says(chat, "Please check your report")
    assert f"Files: {MAX_FILES}" in review["text"]
    await press(chat, "📨 Send the report", "Your tracking code")
    tip = await Tip.get()
    assert await TipFile.filter(tip_id=tip.id).count() == MAX_FILES == 10
