"""A subscriber whose phone may be checked gets an alert, then erases the chat: the alert goes
with everything else, because the sender records every message it puts in a private chat."""

from __future__ import annotations

from core.models import ChatMessage
from tests.e2e.story import callback_answer, press, says, send
from tests.e2e.test_campaign_taps import ngo_campaign, send_campaign

NADIA = 7301


async def test_an_alert_is_erased_with_the_chat(sandbox, db: str) -> None:
    nadia = sandbox.chat(NADIA, language_code="en")
    await send(nadia, "/start", "Welcome to Aman")
    await press(nadia, "English", "Which country are you in")
    await press(nadia, "Tunisia", "What would you like to do?")
    await send(nadia, "/alerts", "Alerts are short warnings")
    await press(nadia, "🔔 Turn on alerts", "You receive alerts")

    await ngo_campaign()
    await send_campaign(sandbox.root_url)
    alert = await says(nadia, "Fake job offers for Libya.")
    (record,) = await ChatMessage.filter(message_id=alert["message_id"])
    assert str(NADIA) not in record.chat_key  # the chat is known by a blind index only
    assert (record.at.minute, record.at.second, record.at.microsecond) == (0, 0, 0)

    await send(nadia, "/privacy", "Privacy & safety")
    await press(nadia, "🧹 Erase this chat", "Erase this chat?")
    await nadia.press("Yes, erase the chat")
    await callback_answer(nadia, "This chat is erased")

    left = await nadia.messages()
    assert alert["message_id"] not in [m["message_id"] for m in left]
    assert left == []  # nothing at all stays in the chat for someone to find


async def test_the_alerts_screen_says_what_shows_on_the_lock_screen(sandbox, db: str) -> None:
    karim = sandbox.chat(7302, language_code="en")
    await send(karim, "/start", "Welcome to Aman")
    await press(karim, "English", "Which country are you in")
    await press(karim, "Morocco", "What would you like to do?")
    offer = await send(karim, "/alerts", "Alerts are short warnings")
    assert "the name Aman and the first words of the alert, on the lock screen" in offer["text"]
    assert "If someone may check your phone, mute this chat" in offer["text"]
    assert "“Erase this chat” in /privacy deletes the alerts" in offer["text"]
