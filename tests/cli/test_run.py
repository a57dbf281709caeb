"""`make run`'s promise: `aman run` in sandbox mode starts the local Bot API, the bot, the admin
with its Simulator and the campaign worker; a person chats with the bot in the Simulator, a
campaign already waiting in the database reaches its partner system; Ctrl-C stops everything
cleanly, and nothing printed names the person's chat."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from yarl import URL

from campaigns.channels.webhook import add_endpoint
from campaigns.models import Campaign, CampaignState, Variant
from core.db import close_db, init_db
from tests.conftest import TEST_SECRET

AMAN = Path(sys.executable).with_name("aman")
STARTS_WITHIN = 60.0  # demo staff passwords are hashed with Argon2: a few seconds
STOPS_WITHIN = 15.0
SIMULATOR = re.compile(r"(http://\S+)/simulator\b")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMAN_")}
    env.update(
        AMAN_DATA_DIR=str(data_dir),
        AMAN_SECRET_KEY=TEST_SECRET.decode(),
        AMAN_ADMIN_HOST="127.0.0.1",
        AMAN_ADMIN_PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


async def read_until_simulator(process: asyncio.subprocess.Process, output: list[str]) -> str:
    assert process.stdout is not None
    while True:
        line = (await process.stdout.readline()).decode(errors="replace")
        if not line:
            raise AssertionError("aman run ended before it was ready:\n" + "".join(output))
        output.append(line)
        found = SIMULATOR.search(line)
        if found:
            return found.group(1)


async def read_rest(process: asyncio.subprocess.Process, output: list[str]) -> None:
    assert process.stdout is not None
    async for line in process.stdout:
        output.append(line.decode(errors="replace"))


async def chat_in_the_simulator(base: str) -> int:
    """Open the Simulator, say /start and wait (bounded) for the bot's welcome; returns the
    chat id the Simulator gave this browser."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(f"{base}/healthz") as health:
            assert health.status == 200 and (await health.json())["status"] == "ok"
        async with browser.get(f"{base}/simulator") as page:
            assert page.status == 200 and "<html" in (await page.text()).lower()
        chat_id = int(browser.cookie_jar.filter_cookies(URL(base))["aman_sim_chat"].value)
        async with browser.post(f"{base}/simulator/api/send", json={"text": "/start"}) as sent:
            assert sent.status == 200, await sent.text()
        deadline = asyncio.get_running_loop().time() + 10
        while asyncio.get_running_loop().time() < deadline:
            async with browser.get(f"{base}/simulator/api/messages") as answer:
                seen = (await answer.json())["messages"]
            if any("Welcome to Aman" in (m.get("text") or "") for m in seen if m["from"] == "bot"):
                return chat_id
            await asyncio.sleep(0.1)
        raise AssertionError(f"the bot did not welcome the person: {seen}")


async def partner_system(received: asyncio.Queue) -> web.AppRunner:
    async def newsroom(request: web.Request) -> web.Response:
        await received.put(await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/aman", newsroom)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def campaign_waiting(data_dir: Path, url: str) -> None:
    """An approved campaign, due now, for one partner webhook, in the database `aman run` will
    open: only a running worker can deliver it."""
    await init_db(f"sqlite://{data_dir / 'aman.sqlite3'}")
    try:
        endpoint, _ = await add_endpoint("Radio Mars", url)
        campaign = await Campaign.create(
            name="On air", state=CampaignState.SCHEDULED, quiet_hours=False,
            channels={"dm": False, "webhooks": [endpoint.id]}, next_run_at=datetime.now(UTC),
        )  # fmt: skip
        await Variant.create(campaign=campaign, language="en", text="Check before you go.")
    finally:
        await close_db()


async def test_aman_run_serves_the_simulator_and_stops_cleanly(tmp_path: Path) -> None:
    received: asyncio.Queue = asyncio.Queue()
    partner = await partner_system(received)
    data_dir = tmp_path  # a fresh AMAN_DATA_DIR
    await campaign_waiting(data_dir, f"http://127.0.0.1:{partner.addresses[0][1]}/aman")
    process = await asyncio.create_subprocess_exec(
        str(AMAN), "run", env=environment(data_dir, free_port()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output: list[str] = []
    try:
        base = await asyncio.wait_for(read_until_simulator(process, output), STARTS_WITHIN)
        rest = asyncio.create_task(read_rest(process, output))
        chat_id = await chat_in_the_simulator(base)
        posted = await asyncio.wait_for(received.get(), 10)
        assert posted["text"] == "Check before you go."
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), STOPS_WITHIN)
        await asyncio.wait_for(rest, STOPS_WITHIN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await partner.cleanup()
    printed = "".join(output)
    assert code == 0, printed
    assert "sandbox mode" in printed and "aman: stopped" in printed
    assert str(chat_id) not in printed
