"""Whatever people send, the bot answers kindly or stays quiet, and keeps working afterwards:
stickers, huge texts, buttons from old menus, groups, edits, unknown commands, a database hiccup."""

from __future__ import annotations

from tortoise.exceptions import OperationalError

from core.models import ChatMessage, ChatProfile
from tests.e2e.story import callback_answer, labels, press, says, send


async def onboard(chat, language: str = "English", country: str = "Morocco") -> None:
    await send(chat, "/start", "")
    await press(chat, language, "")
    await press(chat, country, "")


async def test_a_sticker_a_voice_note_and_a_photo_get_a_gentle_answer(sandbox):
    sam = sandbox.chat(6001, language_code="en")
    await sam.send_sticker()
    reply = await says(sam, "I can only read text and buttons here")
    assert "‹ Menu" in labels(reply)
    await sam.send_voice()
    await says(sam, "I can only read text and buttons here")
    await sam.send_photo(b"\x89PNG not really", caption="look")
    await says(sam, "I can only read text and buttons here")
    await send(sam, "/menu", "What would you like to do?")


async def test_a_huge_text_and_an_unknown_command_are_not_understood_politely(sandbox):
    sam = sandbox.chat(6002, language_code="fr")
    await send(sam, "x" * 10_000, "Désolé, je n'ai pas compris")
    await send(sam, "/frobnicate", "Désolé, je n'ai pas compris")
    await send(sam, "/help", "Comment fonctionne Aman")


async def test_buttons_from_old_menus_are_answered_and_the_menu_comes_back(sandbox):
    sam = sandbox.chat(6003, language_code="ar")
    await onboard(sam, "العربية", "تونس")
    for stale in ("learn:page:no-such-topic:0", "lang:set:xx:menu", "go:nowhere", "v0:old"):
        await sam.press(data=stale)
        await says(sam, "ماذا تريد أن تفعل؟")
        await callback_answer(sam, "هذا الزر لم يعد صالحًا")
    await press(sam, "📚 تعلّم", "اختر موضوعًا")


async def test_in_a_group_the_bot_only_points_to_a_private_chat_and_stores_nothing(sandbox):
    group = sandbox.chat(-100777, language_code="en", chat_type="group")
    await group.send("hello everyone")
    await send(group, "/start", "I only work in private chats")
    assert [m["text"] for m in await group.bot_messages()] == [
        "I only work in private chats. Please write to me directly."
    ]
    assert await ChatProfile.all().count() == 0
    assert await ChatMessage.all().count() == 0


async def test_channel_posts_are_ignored(sandbox):
    await sandbox.add_channel(-100888, "News")
    channel = sandbox.chat(-100888, chat_type="channel")
    await channel.send("/start")
    sam = sandbox.chat(6004, language_code="en")
    await send(sam, "/menu", "What would you like to do?")
    assert await channel.bot_messages() == []


async def test_an_edited_message_is_ignored_and_the_bot_keeps_working(sandbox):
    sam = sandbox.chat(6005, language_code="en")
    said = await sam.send("hello?")
    await says(sam, "did not understand")
    await sam.edit(said["message_id"], "hello, edited")
    await send(sam, "/menu", "What would you like to do?")
    texts = [m.get("text") or "" for m in await sam.bot_messages()]
    assert sum("did not understand" in t for t in texts) == 1


async def test_a_failed_database_write_asks_to_try_again_and_the_same_button_then_works(
    sandbox, monkeypatch
):
    sam = sandbox.chat(6006, language_code="en")
    await send(sam, "/start", "Welcome to Aman")
    await press(sam, "English", "Which country")
    save = ChatProfile.save
    failures = iter([OperationalError("database is locked")])

    async def flaky_save(self, *args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return await save(self, *args, **kwargs)

    monkeypatch.setattr(ChatProfile, "save", flaky_save)
    await press(sam, "Morocco", "Sorry, something went wrong on our side. Please try again.")
    menu = await press(sam, "Morocco", "What would you like to do?")
    assert "Country: Morocco" in menu["text"]


async def test_erasing_after_48_hours_removes_what_telegram_still_allows(sandbox):
    sam = sandbox.chat(6007, language_code="en")
    await onboard(sam)
    old_messages = await sam.messages()
    await sandbox.advance_clock(49 * 3600)
    await send(sam, "/privacy", "What we keep")
    await press(sam, "🧹 Erase this chat", "Erase this chat?")
    await sam.press("Yes, erase the chat")
    await callback_answer(sam, "This chat is erased.")
    left = {m["message_id"] for m in await sam.messages()}
    assert left == {m["message_id"] for m in old_messages}  # too old for Telegram to delete
    assert await ChatProfile.all().count() == 0
