"""Stories of things going wrong the way they do on Telegram: flood control, people who block
the bot, chats that do not exist, server errors, competing long polls, and the bounded
memory mode benchmarks use to count duplicates.
"""

import asyncio
import datetime as dtm

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from core.botapi import SandboxClient, start_server
from core.telegram_http import AiohttpRequest

TOKEN = "123456:sandbox-token"
# PTB 22 itself warns, when building RetryAfter, that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def server():
    api = await start_server()
    yield api
    await api.stop()


@pytest.fixture
async def bot(server):
    async with Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    ) as bot:
        yield bot


@pytest.fixture
async def sandbox(server):
    async with SandboxClient(server.url) as client:
        yield client


def seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_a_second_message_within_a_second_hits_flood_control(bot, sandbox):
    await sandbox.config(flood_private_per_second=1)
    await bot.send_message(1001, "first")

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(1001, "second")
    assert seconds(refused.value) >= 1
    await bot.send_message(1002, "another chat has its own window")

    stats = await sandbox.stats()
    assert stats["flood_429"] == 1
    assert stats["delivered_per_chat"] == {"1001": 1, "1002": 1}
    assert [m["text"] for m in await sandbox.chat(1001).messages()] == ["first"]


async def test_flood_answers_have_telegrams_shape(server, sandbox):
    await sandbox.config(flood_global_per_second=1)
    url = f"{server.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as session:
        for chat_id in (7, 8):
            async with session.post(url, json={"chat_id": chat_id, "text": "hi"}) as response:
                status, payload = response.status, await response.json()
    assert status == 429
    assert payload["ok"] is False and payload["error_code"] == 429
    assert payload["description"].startswith("Too Many Requests: retry after ")
    assert isinstance(payload["parameters"]["retry_after"], int)


async def test_groups_allow_twenty_messages_a_minute(bot, sandbox):
    await sandbox.add_channel(-100777, "Partners", chat_type="supergroup")
    await sandbox.config(flood_group_per_minute=20)
    for number in range(20):
        await bot.send_message(-100777, f"post {number}")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(-100777, "one too many")
    assert 1 <= seconds(refused.value) <= 60


async def test_a_person_who_blocked_the_bot_answers_403(bot, sandbox):
    nadia = sandbox.chat(1006)
    await nadia.send("/start")
    await sandbox.config(block=[1006])

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1006, "Campaign")
    await sandbox.config(unblock=[1006])
    await bot.send_message(1006, "Welcome back")
    assert [m["text"] for m in await nadia.bot_messages()] == ["Welcome back"]


async def test_unknown_chats_can_answer_chat_not_found(bot, sandbox):
    await bot.send_message(4242, "a chat is made on first send by default")
    await sandbox.config(unknown_chat_not_found=True, missing_chats=[4242])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(9999, "nobody here")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "this one was deleted")


async def test_server_errors_reach_ptb_as_network_errors(bot, sandbox):
    await sandbox.config(fail_next=2, fail_methods=["sendMessage"])
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1001, "lost")
    await bot.get_me()  # other methods are not affected
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "lost too")
    await bot.send_message(1001, "delivered")

    await sandbox.config(fail_rate=1.0, fail_status=500, fail_methods=[])
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_me()
    await sandbox.config(fail_rate=0.0)
    stats = await sandbox.stats()
    assert stats["statuses"]["502"] == 2 and stats["statuses"]["500"] == 1
    assert stats["delivered_total"] == 1


async def test_latency_is_added_to_every_call(bot, sandbox):
    await sandbox.config(latency_ms=30)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.get_me()
    assert loop.time() - started >= 0.03


async def test_a_second_long_poll_ends_the_first_with_conflict(bot, server):
    first = asyncio.create_task(bot.get_updates(timeout=30))
    for _ in range(200):
        if server.state.poll_generation:
            break
        await asyncio.sleep(0.005)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_reset_forgets_chats_and_faults(bot, sandbox):
    await sandbox.config(block=[1001])
    await sandbox.chat(1001).send("hi")
    await sandbox.reset()
    assert await sandbox.chats() == []
    assert (await sandbox.config())["blocked_chats"] == []
    await bot.send_message(1001, "fresh start")


async def test_bounded_mode_counts_without_keeping_messages():
    async with await start_server(record_messages=False) as server:
        bot = Bot(TOKEN, base_url=server.base_url, request=AiohttpRequest())
        async with bot, SandboxClient(server.url) as sandbox:
            for chat_id in (1, 2, 2):
                await bot.send_message(chat_id, "Alert: new scam targeting migrants")
            sent = await bot.send_message(3, "Unique")
            await bot.edit_message_text("Unique, edited", chat_id=3, message_id=sent.message_id)
            assert await bot.delete_message(3, sent.message_id)

            stats = await sandbox.stats()
            assert stats["delivered_total"] == 4
            assert stats["duplicate_chats"] == [2]
            assert stats["duplicate_messages"] == 1
            assert await sandbox.chat(2).messages() == []
