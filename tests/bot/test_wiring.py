"""How the bot is put together: flows plug in by module, commands are set in every language,
and per-chat state lives in the database under a blind index only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import app as bot_app
from bot import chat, menu
from bot.app import build_application, start_polling, stop
from core.botapi import SandboxClient, start_server
from core.i18n import LANGUAGES
from core.models import ChatMessage
from tests.e2e.story import labels, press, send


@pytest.fixture
def with_sample_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot_app, "OPTIONAL_FLOWS", ("tests.bot.sample_flow", "bot.not_there_yet"))
    monkeypatch.setattr(menu, "MENU_EXTRAS", [])


async def test_a_new_flow_module_plugs_into_handlers_commands_and_the_menu(db, with_sample_flow):
    async with await start_server() as server:
        application = build_application("1:sandbox", server.url)
        await start_polling(application)
        try:
            async with SandboxClient(server.url) as sandbox:
                sam = sandbox.chat(8001, language_code="en")
                menu_message = await send(sam, "/menu", "What would you like to do?")
                assert "Sample" in labels(menu_message)
                await press(sam, "Sample", "Sample flow started")
                commands = await sandbox.commands()
        finally:
            await stop(application)
    assert any(c["command"] == "sample" for scope in commands for c in scope["commands"])


async def test_the_command_menu_is_set_in_every_language(sandbox):
    scopes = await sandbox.commands()
    by_language = {s.get("language_code") or "": s["commands"] for s in scopes}
    assert set(LANGUAGES) <= set(by_language)
    arabic = {c["command"]: c["description"] for c in by_language["ar"]}
    assert arabic["menu"] == "عرض القائمة الرئيسية"
    assert {"start", "language", "country", "alerts", "stop", "help", "privacy"} <= set(arabic)


async def test_recorded_messages_are_kept_48_hours_and_keyed_blindly(db):
    await chat.remember(99001, 10)
    await chat.remember(99001, 10)  # recorded once however often it is seen
    await chat.remember(99001, 11)
    old = datetime.now(UTC) - timedelta(hours=49)
    await ChatMessage.create(chat_key=chat.chat_key(99001), message_id=3, at=old)
    assert await chat.recent_message_ids(99001) == [10, 11]
    rows = await ChatMessage.all()
    assert all("99001" not in row.chat_key for row in rows)
    # Only the hour is kept, so these rows cannot be paired with a tip to the minute.
    assert all(row.at.minute == row.at.second == row.at.microsecond == 0 for row in rows[:2])
    assert await chat.prune_messages() == 1
    await chat.forget_chat(99001)
    assert await ChatMessage.all().count() == 0


async def test_a_failed_recording_never_interrupts_the_conversation(db, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChatMessage, "get_or_create", broken)
    await chat.remember(99002, 1)  # logged and swallowed
