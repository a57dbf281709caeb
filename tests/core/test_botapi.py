"""Stories of a real python-telegram-bot bot and people talking through the local Bot API:
messages, buttons, edits, deletions, files, long polling, webhooks and channels.

Fault emulation (flood control, blocked users, server errors) is in test_botapi_faults.py.
"""

import asyncio
import io

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationBuilder, CommandHandler

from core.botapi import SandboxClient, start_server
from core.telegram_http import AiohttpRequest

TOKEN = "123456:sandbox-token"


def make_bot(server) -> Bot:
    return Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    )


@pytest.fixture
async def server():
    api = await start_server()
    yield api
    await api.stop()


@pytest.fixture
async def bot(server):
    async with make_bot(server) as bot:
        yield bot


@pytest.fixture
async def sandbox(server):
    async with SandboxClient(server.url) as client:
        yield client


def language_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("العربية", callback_data="lang:ar")],
            [InlineKeyboardButton("English", callback_data="lang:en")],
        ]
    )


async def test_the_sandbox_bot_introduces_itself(bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (123456, "aman_sandbox_bot", "Aman Sandbox")
    assert me.is_bot


async def test_a_user_says_start_and_polling_confirms_by_offset(bot, sandbox):
    amina = sandbox.chat(1001, language_code="ar", first_name="Amina")
    await amina.send("/start")

    updates = await bot.get_updates(timeout=0)
    message = updates[0].message
    assert (message.text, message.chat.id, message.from_user.language_code) == (
        "/start",
        1001,
        "ar",
    )
    assert message.entities[0].type == "bot_command"
    assert message.from_user.first_name == "Amina"

    # Until confirmed, the same update comes again; the offset confirms it.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_a_long_poll_wakes_as_soon_as_someone_writes(bot, sandbox, server):
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    for _ in range(200):  # until the poll is waiting on the server
        if server.state.poll_generation:
            break
        await asyncio.sleep(0.005)

    await sandbox.chat(1002).send("hello")

    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "hello"


async def test_a_menu_with_buttons_is_pressed_and_answered(bot, sandbox):
    amina = sandbox.chat(1001)
    await amina.send("/start")
    sent = await bot.send_message(
        1001, "<b>Welcome</b> &amp; choose", parse_mode="HTML", reply_markup=language_menu()
    )
    assert sent.text == "Welcome & choose"
    assert sent.entities[0].type == "bold"

    menu = await amina.wait_for_bot_message()
    assert menu["text"] == "Welcome & choose"
    assert menu["source"] == "<b>Welcome</b> &amp; choose"
    assert menu["parse_mode"] == "HTML"
    assert amina.buttons(menu) == ["العربية", "English"]

    pressed = await amina.press("العربية")
    stale = await amina.press(data="lang:old-version")
    updates = await bot.get_updates(timeout=0)
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["lang:ar", "lang:old-version"]
    assert queries[0].id == pressed["callback_query_id"]
    assert queries[0].message.message_id == sent.message_id

    await queries[0].answer("تم")
    answers = await amina.callback_answers()
    assert answers[0]["text"] == "تم"
    assert answers[0]["callback_query_id"] == pressed["callback_query_id"]
    with pytest.raises(BadRequest, match="Query is too old"):
        await queries[0].answer("again")
    assert stale["data"] == "lang:old-version"


async def test_a_reply_keyboard_button_is_sent_as_text(bot, sandbox):
    karim = sandbox.chat(1003)
    await bot.send_message(1003, "Your country?", reply_markup=ReplyKeyboardMarkup([["Tunisia"]]))
    result = await karim.press("Tunisia")
    assert result["via"] == "reply_keyboard"
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].message.text == "Tunisia"


async def test_the_bot_edits_a_message_and_telegram_rules_apply(bot, sandbox):
    amina = sandbox.chat(1001)
    sent = await bot.send_message(1001, "Choose", reply_markup=language_menu())
    await amina.wait_for_bot_message()

    await bot.edit_message_text("Chosen: العربية", chat_id=1001, message_id=sent.message_id)
    edited = await amina.wait_for_bot_message()
    assert (edited["message_id"], edited["text"], edited["edited"]) == (
        sent.message_id,
        "Chosen: العربية",
        True,
    )
    assert "reply_markup" not in edited  # editing text without markup drops the keyboard

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Chosen: العربية", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)
    mine = await amina.send("my words")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=1001, message_id=mine["message_id"])

    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=language_menu())
    assert amina.buttons(await amina.wait_for_bot_message()) == ["العربية", "English"]


async def test_markup_that_telegram_refuses_is_refused(bot):
    with pytest.raises(BadRequest, match='Can\'t parse entities: unsupported start tag "div"'):
        await bot.send_message(1001, "<div>hi</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(1001, "<b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1001, "hi", reply_markup=too_long)


async def test_deleting_messages_follows_the_48_hour_rule(bot, sandbox):
    amina = sandbox.chat(1001)
    hers = await amina.send("a tip I regret")
    ours = await bot.send_message(1001, "Received")
    old = await bot.send_message(1001, "Old news")

    assert await bot.delete_message(1001, hers["message_id"])
    assert await bot.delete_message(1001, ours.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(1001, ours.message_id)

    await sandbox.advance_clock(48 * 3600 + 1)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(1001, old.message_id)

    visible = [m["text"] for m in await amina.messages()]
    assert visible == ["Old news"]
    gone = [m["text"] for m in await amina.deleted()]
    assert gone == ["a tip I regret", "Received"]


async def test_delete_messages_skips_what_it_cannot_delete(bot, sandbox):
    first = await bot.send_message(1001, "one")
    second = await bot.send_message(1001, "two")
    assert await bot.delete_messages(1001, [first.message_id, second.message_id, 999])
    assert await sandbox.chat(1001).messages() == []


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_photo_upload_comes_back_through_get_file(bot, sandbox):
    picture = png(640, 480)
    sent = await bot.send_photo(1001, photo=picture, caption="Poster")
    largest = sent.photo[-1]
    assert (largest.width, largest.height, largest.file_size) == (640, 480, len(picture))
    assert sent.photo[0].width == 320  # Telegram also offers smaller sizes
    assert sent.caption == "Poster"

    file = await bot.get_file(largest.file_id)
    assert bytes(await file.download_as_bytearray()) == picture

    again = await bot.send_photo(1001, photo=largest.file_id)
    assert again.photo[-1].file_id == largest.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(1001, photo="no-such-file-id")
    shown = await sandbox.chat(1001).last_bot_message()
    assert await sandbox.file(shown["file_id"]) == picture


async def test_a_user_sends_a_document_and_the_bot_downloads_it(bot, sandbox):
    await sandbox.chat(1001).send_document(b"%PDF-1.4 evidence", name="evidence.pdf")
    update = (await bot.get_updates(timeout=0))[0]
    document = update.message.document
    assert (document.file_name, document.mime_type) == ("evidence.pdf", "application/pdf")
    file = await document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 evidence"

    sent = await bot.send_document(1001, document=io.BytesIO(b"report"), filename="report.txt")
    assert (sent.document.file_name, sent.document.file_size) == ("report.txt", 6)


async def test_locations_edits_and_group_posts_reach_the_bot(bot, sandbox):
    youssef = sandbox.chat(1004)
    await youssef.send_location(36.8, 10.18)
    first = await youssef.send("typo")
    await youssef.edit(first["message_id"], "fixed")
    group = sandbox.chat(-5001, chat_type="group")
    await group.send("hello group")

    updates = await bot.get_updates(timeout=0)
    assert updates[0].message.location.latitude == 36.8
    assert updates[2].edited_message.text == "fixed"
    assert updates[3].message.chat.type == "group"


async def test_a_channel_the_bot_administers(bot, sandbox):
    await sandbox.add_channel(-1001234, "Aman News", username="aman_news")
    member = await bot.get_chat_member("@aman_news", bot.id)
    assert member.status == "administrator"
    assert (await bot.get_chat(-1001234)).title == "Aman News"

    post = await bot.send_message("@aman_news", "Campaign starts today")
    assert post.sender_chat.id == -1001234
    await sandbox.chat(-1001234, chat_type="channel").send("from the editors")
    update = (await bot.get_updates(timeout=0))[0]
    assert update.channel_post.text == "from the editors"


async def test_commands_are_kept_per_language(bot, sandbox):
    await bot.set_my_commands([("start", "Start"), ("report", "Report")])
    await bot.set_my_commands([("start", "ابدأ")], language_code="ar")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "report"]
    assert (await bot.get_my_commands(language_code="ar"))[0].description == "ابدأ"
    await bot.delete_my_commands(language_code="ar")
    assert await bot.get_my_commands(language_code="ar") == ()
    assert len(await sandbox.commands()) == 1
    assert await bot.send_chat_action(1001, "typing")


async def test_webhook_delivery_carries_the_secret_header(bot, sandbox):
    received: asyncio.Queue = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        await received.put(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        await bot.set_webhook(f"http://{host}:{port}/hook", secret_token="s3cret-token")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)

        await sandbox.chat(1001).send("via webhook")
        secret, update = await asyncio.wait_for(received.get(), 3)
        assert secret == "s3cret-token"
        assert update["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook")
        assert info.pending_update_count == 0

        await bot.delete_webhook()
        await sandbox.chat(1001).send("via polling")
        assert (await bot.get_updates(timeout=0))[0].message.text == "via polling"
    finally:
        await runner.cleanup()


async def test_a_ptb_application_answers_through_polling(server, sandbox):
    async def start(update, context) -> None:
        await update.message.reply_text("Welcome to Aman")

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=5)
        try:
            leila = sandbox.chat(1005, language_code="fr")
            await leila.send("/start")
            reply = await leila.wait_for_bot_message(timeout=5)
            assert reply["text"] == "Welcome to Aman"
        finally:
            await application.updater.stop()
            await application.stop()


async def test_raw_calls_get_telegram_shapes(server):
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.url}/bot{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with session.get(f"{server.url}/botnot-a-token/getMe") as response:
            assert response.status == 404
        form = {"chat_id": "1001", "text": "form body", "reply_markup": '{"remove_keyboard":true}'}
        async with session.post(f"{server.url}/bot{TOKEN}/SENDMESSAGE", data=form) as response:
            body = await response.json()
        assert body["ok"] and body["result"]["text"] == "form body"
        async with session.get(f"{server.url}/bot{TOKEN}/getMe?x=1") as response:
            assert (await response.json())["result"]["username"] == "aman_sandbox_bot"
