"""A reporter's unfinished report is deleted — sent, cancelled, erased or expired — and within
seconds its bytes are gone from the database files too, the write-ahead log included, so a copy
of the data folder taken afterwards holds nothing of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e import attacker
from tests.e2e.story import begin_report, eventually, press, says, send
from tests.tips.helpers import unit_with_focal_point
from tips import drafts
from tips.models import Draft

REPORTER = 777000888999


async def _start_report(chat) -> tuple[bytes, bytes]:
    """Answer the first questions; returns the draft's sealed bytes and its chat key."""
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Zarzis harbour", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")
    await send(chat, "Forty people at the beach", "Who or what is involved?")

    async def saved() -> bool:  # the bot saves the draft just after showing the question
        draft = await drafts.load(drafts.REPORT, REPORTER)
        return len(draft.extra.get("messages", [])) == len(await chat.messages())

    await eventually(saved)
    row = await Draft.get()
    return bytes(row.sealed), row.chat_key.encode()


async def _finish(chat, how: str) -> None:
    if how == "send":
        await press(chat, "Skip ›", "Is a child involved?")
        await press(chat, "No", "You can send photos")
        await press(chat, "✔ Done", "Please check your report")
        await press(chat, "📨 Send the report", "Your tracking code")
    elif how == "cancel":
        await chat.press("✖ Cancel the report")
        await says(chat, "What would you like to do?")
    elif how == "erase":
        await send(chat, "/privacy", "Privacy & safety")
        await press(chat, "🧹 Erase this chat", "unfinished report")
        await chat.press("Yes, erase the chat")
    else:  # two hours and more without an answer
        await Draft.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        assert await drafts.purge_expired() == 1


@pytest.mark.parametrize("how", ["send", "cancel", "erase", "expiry"])
async def test_deleted_drafts_leave_no_bytes_in_sqlite_files(sandbox, db, how) -> None:
    if not db.startswith("sqlite://"):
        pytest.skip("PostgreSQL keeps dead rows until VACUUM: the README says how to purge")
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    sealed, chat_key = await _start_report(chat)
    assert any(sealed in raw for raw in attacker.sqlite_files(db))  # it was on disk

    await _finish(chat, how)

    async def forgotten() -> bool:
        files = attacker.sqlite_files(db)
        return await Draft.all().count() == 0 and not any(
            sealed in raw or chat_key in raw for raw in files
        )

    await eventually(forgotten, within=5.0)
