"""The aiohttp transport for python-telegram-bot: what it puts on the wire, how PTB's timeouts
and network failures come out, and that a Bot runs on it end to end.
"""

import asyncio
import json
import socket

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from core.botapi import start_server
from core.telegram_http import AiohttpRequest


@pytest.fixture
async def echo():
    """A tiny server that records each request and can be told to stall."""
    seen: list[dict] = []
    release = asyncio.Event()

    async def record(request: web.Request) -> web.Response:
        if request.match_info.get("method") == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Echo", "username": "echo_bot"}
            return web.json_response({"ok": True, "result": me})
        entry = {"method": request.method, "content_type": request.content_type}
        entry["agent"] = request.headers.get("User-Agent", "")
        if request.content_type == "multipart/form-data":
            fields = {}
            async for part in await request.multipart():
                fields[part.name] = (part.filename, bytes(await part.read()))
            entry["fields"] = fields
        elif request.body_exists:
            entry["json"] = await request.json()
        seen.append(entry)
        return web.json_response({"ok": True, "result": True})

    async def stall(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/record", record)
    app.router.add_route("*", "/bot{token}/{method}", record)
    app.router.add_get("/stall", stall)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}", seen
    release.set()
    await runner.cleanup()


async def test_plain_calls_go_as_json_with_ptbs_user_agent(echo):
    url, seen = echo
    async with Bot("1:x", base_url=f"{url}/bot", request=AiohttpRequest()) as bot:
        markup = {"inline_keyboard": []}
        await bot.do_api_request("anything", api_kwargs={"chat_id": 5, "reply_markup": markup})
    assert seen[-1]["content_type"] == "application/json"
    assert seen[-1]["json"] == {"chat_id": 5, "reply_markup": {"inline_keyboard": []}}
    assert seen[-1]["agent"].startswith("python-telegram-bot")


async def test_uploads_go_as_multipart(echo):
    url, seen = echo
    upload = InputFile(b"field notes", filename="notes.txt")
    async with Bot("1:x", base_url=f"{url}/bot", request=AiohttpRequest()) as bot:
        await bot.do_api_request("uploadNotes", api_kwargs={"chat_id": 5, "document": upload})
    fields = seen[-1]["fields"]
    assert fields["document"] == ("notes.txt", b"field notes")
    assert fields["chat_id"] == (None, b"5")


async def test_downloads_use_get():
    async with await start_server() as server:
        request = AiohttpRequest()
        async with Bot(
            "1:x", base_url=server.base_url, base_file_url=server.base_file_url, request=request
        ) as bot:
            sent = await bot.send_document(5, document=b"bytes on disk", filename="a.bin")
            file = await bot.get_file(sent.document.file_id)
            assert await request.retrieve(file.file_path) == b"bytes on disk"


async def test_a_slow_answer_is_a_timeout(echo):
    url, _ = echo
    request = AiohttpRequest(read_timeout=0.1)
    async with request:
        with pytest.raises(TimedOut):
            await request.retrieve(f"{url}/stall")
        # A per-call timeout overrides the default.
        with pytest.raises(TimedOut):
            await request.retrieve(f"{url}/stall", read_timeout=0.05)
    assert request.read_timeout == 0.1


async def test_a_refused_connection_is_a_network_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as failure:
            await request.retrieve(f"http://127.0.0.1:{port}/nothing")
    assert not isinstance(failure.value, TimedOut)


async def test_it_can_be_shut_down_and_started_again(echo):
    url, seen = echo
    request = AiohttpRequest(connection_pool_size=4)
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    await request.initialize()
    try:
        payload = await request.post(f"{url}/record")
    finally:
        await request.shutdown()
    assert payload is True
    assert json.dumps(seen[-1]["method"]) == '"POST"'
