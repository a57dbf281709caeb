"""A reporter who sends what the bot does not expect: emoji, a wall of text, an executable, a
huge file, an old button, a receipt with letters, many reports in a row, and a database that
fails at the moment of sending. Each gets a clear answer; nothing half-written stays behind."""

from __future__ import annotations

from tests.e2e.story import begin_report, press, says, send
from tests.tips.helpers import unit_with_focal_point
from tips import abuse, media
from tips.models import Draft, Receipt, Tip, TipKey

CHAT = 555000111


async def _to_review(chat) -> None:
    await begin_report(chat)
    await press(chat, "A smuggling offer or operation", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Tunis", "When is it happening?")
    await press(chat, "It already happened", "What did you see or hear?")
    await send(chat, "A man offered places on a boat", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")


async def test_bad_answers_and_files_get_clear_replies(sandbox, db, monkeypatch) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(CHAT, language_code="en")
    await begin_report(chat)
    old = await press(chat, "A smuggling offer or operation", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await chat.press(data="report:a:what:boat", message_id=old["message_id"])
    await says(
        chat, "Which town or area?"
    )  # the old button changed nothing; the question is asked again
    at_sea = await chat.send_location(36.2, 12.6)
    assert at_sea
    await says(chat, "can point to where you are now")
    await press(chat, "Keep it", "at sea")
    await says(chat, "When is it happening?")
    await press(chat, "Right now", "What did you see or hear?")
    await send(chat, "🚤🚤😱", "not only with emoji")
    await send(chat, "x" * 10_000, "too long")
    await send(chat, "Men loading a boat", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")
    await chat.send_document(b"MZ\x90\x00 not a photo", name="photo.jpg", mime_type="image/jpeg")
    await says(chat, "cannot be accepted")
    monkeypatch.setattr(media, "MAX_FILE_BYTES", 1000)
    await chat.send_document(b"%PDF-1.7" + b"0" * 2000, name="big.pdf")
    await says(chat, "too big")


async def test_database_failure_keeps_the_draft_and_retry_works(sandbox, db, monkeypatch) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(CHAT, language_code="en")
    await _to_review(chat)
    await press(chat, "✔ Done", "Please check your report")

    async def database_gone(*args, **kwargs):
        raise ConnectionError("database went away")

    real = Receipt.create
    monkeypatch.setattr(Receipt, "create", database_gone)
    failed = await press(chat, "📨 Send the report", "could not save your report")
    assert "Your tracking code" not in failed["text"]
    assert await Tip.all().count() == 0 and await TipKey.all().count() == 0
    assert await Draft.all().count() == 1
    monkeypatch.setattr(Receipt, "create", real)
    await press(chat, "↻ Try again", "Your tracking code")
    assert await Tip.all().count() == 1 and await Draft.all().count() == 0


async def test_many_reports_from_one_chat_are_slowed_down(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(CHAT, language_code="en")
    for _ in range(abuse.submissions.capacity):
        await _to_review(chat)
        await press(chat, "✔ Done", "Please check your report")
        await press(chat, "📨 Send the report", "Your tracking code")
    await _to_review(chat)
    await press(chat, "✔ Done", "Please check your report")
    await press(chat, "📨 Send the report", "several reports in a short time")
    assert await Tip.all().count() == abuse.submissions.capacity

    await send(chat, "/check", "16-digit tracking code")
    for _ in range(abuse.receipt_tries.capacity):
        await send(chat, "1111 2222 3333 4444", "No report matches")
    await send(chat, "1111 2222 3333 4444", "Too many tries")
