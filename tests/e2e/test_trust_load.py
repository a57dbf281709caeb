"""The bot keeps serving everyone: a reporter's photo is cleaned once, off the event loop, and a
check session opens the receipt (two Argon2id derivations) once, however many things the reporter
does in it."""

from __future__ import annotations

import threading

from core import crypto
from tests.e2e.story import begin_report, press, send
from tests.e2e.test_report_sfax import _report_boat
from tests.tips.helpers import photo_with_gps, unit_with_focal_point
from tips import media

REPORTER = 777000999111


async def test_each_photo_is_cleaned_once_off_the_loop(sandbox, db, monkeypatch) -> None:
    await unit_with_focal_point("TN", "TN")
    cleanings: list[str] = []
    real = media.triage_copy

    def watched(data: bytes, mime: str) -> bytes | None:
        cleanings.append(threading.current_thread().name)
        return real(data, mime)

    monkeypatch.setattr(media, "triage_copy", watched)
    chat = sandbox.chat(REPORTER, language_code="en")
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Sfax", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")
    await send(chat, "Forty people at the beach", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")
    await chat.send_photo(photo_with_gps())
    await press(chat, "✔ Done", "Files: 1")
    await press(chat, "📨 Send the report", "Your tracking code")

    assert len(cleanings) == 1  # on arrival; sending reuses the cleaned copy
    assert cleanings[0].startswith(media.CLEANING_THREAD_PREFIX)
    assert threading.main_thread().name not in cleanings


async def test_a_check_session_opens_the_receipt_once(sandbox, db, monkeypatch) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    receipt = await _report_boat(chat)
    opened: list[str] = []
    real = crypto.open_receipt

    async def counted(*args, **kwargs):
        opened.append("derivation")
        return await real(*args, **kwargs)

    monkeypatch.setattr(crypto, "open_receipt", counted)
    await send(chat, "/check", "16-digit tracking code")
    await send(chat, receipt, "Status:")
    await press(chat, "✍ Add information", "Write what you want to add")
    await send(chat, "The boat is blue", "Added to your report")
    await press(chat, "🔔 Tell me when they reply", "one short message here")
    await press(chat, "Yes, tell me", "Status:")
    assert len(opened) == 1
