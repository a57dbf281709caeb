"""Stories of `aman run`'s background work failing: a sender the database fails is logged,
shown as failing on /healthz and restarted until it works again; one that keeps failing, or a
bot whose token Telegram revokes, stops Aman with a non-zero exit for its process manager."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from tortoise.exceptions import OperationalError

from bot.app import build_application, start_polling, stop
from campaigns import lifecycle
from campaigns.models import Campaign, CampaignState
from campaigns.outbox import state_counts
from cli.serve import build_web_app, start_worker, supervise_bot
from cli.supervisor import Supervisor
from tests.campaigns.conftest import TOKEN, make_campaign, subscribers
from tests.campaigns.database_faults import CLAIM, DatabaseFault
from tests.cli.test_run import environment, free_port

AMAN = Path(sys.executable).with_name("aman")
FR = "Connaissez vos droits : personne n'a le droit de garder votre passeport."


async def until(condition: Callable[[], Awaitable[bool]], limit: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("still not so after the time limit")
        await asyncio.sleep(0.02)


async def campaign_due_now(ngo, chats: list[int]) -> Campaign:
    await subscribers(*[(chat, "MA", "fr") for chat in chats])
    campaign = await make_campaign(ngo, {"fr": FR})
    await lifecycle.schedule(campaign, ngo["approver"])
    return campaign


async def test_a_crashed_background_task_is_logged_and_restarted(
    db, botapi, sandbox, ngo, monkeypatch, caplog
):
    """The database refuses the sender while a campaign is due: each failure is logged by
    type and frames (no chat), the monitor's /healthz answers 503 naming the sender, and the
    sender is restarted with backoff; once the database answers, everyone gets the message
    once and /healthz is 200 again."""
    chats = [8100 + n for n in range(20)]
    campaign = await campaign_due_now(ngo, chats)
    fault = DatabaseFault(monkeypatch, CLAIM)  # every claim refused until healed
    caplog.set_level(logging.INFO)
    supervisor = Supervisor(backoff=0.05, backoff_cap=0.2, steady=0.5, give_up=60)
    monitor = TestClient(TestServer(build_web_app(None, admin=True, supervisor=supervisor)))
    async with AsyncExitStack() as stack:
        stack.push_async_callback(supervisor.close)
        await start_worker(stack, supervisor, api_root=botapi.url, token=TOKEN, send_rate=50)
        await stack.enter_async_context(monitor)

        async def restarted_twice() -> bool:
            return fault.refused >= 3

        await until(restarted_twice)
        health = await monitor.get("/healthz")
        assert health.status == 503
        body = await health.json()
        assert body["status"] == "error" and body["database"] == "ok"
        assert "OperationalError" in body["tasks"]["sender"]
        assert body["tasks"]["scheduler"] == "ok"

        fault.heal()

        async def everyone_reached() -> bool:
            return (await sandbox.stats())["delivered_total"] >= len(chats)

        async def healthy_again() -> bool:
            return (await monitor.get("/healthz")).status == 200

        await until(everyone_reached)
        await until(healthy_again)
        supervisor.wind_down()

    stats = await sandbox.stats(per_chat=True)
    assert stats["delivered_per_chat"] == {str(chat): 1 for chat in chats}
    assert await state_counts(campaign.id) == {"sent": len(chats)}
    assert (await Campaign.get(id=campaign.id)).state == CampaignState.SENT
    lines = [r.getMessage() for r in caplog.records if r.name == "aman.supervisor"]
    failed = [line for line in lines if line.startswith("sender failed: OperationalError at ")]
    assert len(failed) >= 3 and "in claim < campaigns/sender.py:" in failed[0]
    assert any(line.startswith("sender restarts in") for line in lines)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(str(chat) in logged for chat in chats)
    assert "middle of operation" not in logged  # the exception's message is never logged


async def test_a_sender_that_keeps_failing_asks_for_a_fresh_process(
    db, botapi, sandbox, ngo, monkeypatch
):
    """The database stays away: after `give_up` seconds of failures the supervisor stops
    restarting and asks `aman run` to exit non-zero; nothing was sent, nothing is lost."""
    chats = [8200 + n for n in range(5)]
    campaign = await campaign_due_now(ngo, chats)
    DatabaseFault(monkeypatch, CLAIM)
    supervisor = Supervisor(backoff=0.05, backoff_cap=0.1, steady=5, give_up=0.5)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(supervisor.close)
        await start_worker(stack, supervisor, api_root=botapi.url, token=TOKEN, send_rate=50)
        await asyncio.wait_for(supervisor.fatal.wait(), 15)
        assert supervisor.fatal_reason.startswith("sender has kept failing")
        assert supervisor.health()["sender"] == "down after OperationalError"
        supervisor.wind_down()
    assert (await sandbox.stats())["delivered_total"] == 0
    assert await state_counts(campaign.id) == {"queued": len(chats)}


async def test_a_failed_bot_job_is_logged_and_shows_on_health(db, botapi, caplog) -> None:
    """The bot's own tasks are found and watched; a periodic job of the bot that fails (the
    database refusing it) is logged by type and frames and /healthz answers 503 for it."""
    caplog.set_level(logging.INFO)
    app = build_application("1:sandbox", botapi.url)
    supervisor = Supervisor(steady=30)
    monitor = TestClient(TestServer(build_web_app(None, admin=True, supervisor=supervisor)))
    await asyncio.wait_for(start_polling(app), 10)
    try:
        supervise_bot(supervisor, app)
        async with monitor:
            assert (await monitor.get("/healthz")).status == 200
            assert supervisor.health() == {"bot": "ok"}

            async def purge_drafts(context: object) -> None:
                raise OperationalError("cannot delete draft of chat 123456789")

            assert app.job_queue is not None
            app.job_queue.run_once(purge_drafts, 0)

            async def failing() -> bool:
                return supervisor.health().get("bot jobs") == "failing: OperationalError"

            await until(failing)
            health = await monitor.get("/healthz")
            assert health.status == 503
            assert (await health.json())["tasks"] == {
                "bot": "ok",
                "bot jobs": "failing: OperationalError",
            }
    finally:
        supervisor.wind_down()
        await asyncio.wait_for(stop(app), 10)
        await supervisor.close()
    lines = [r.getMessage() for r in caplog.records]
    assert not any("not watched" in line for line in lines)  # the bot's tasks were found
    assert any(line.startswith("bot jobs failed: OperationalError at tests/cli/") for line in lines)
    assert not any("123456789" in line for line in lines)


async def telegram_that_revokes_the_token() -> web.AppRunner:
    """Telegram, outside the house: it knows the bot, then answers 401 to every poll after the
    first, as when the token is revoked in @BotFather while Aman runs."""
    polls = {"n": 0}

    async def bot_api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            me = {"id": 4242, "is_bot": True, "first_name": "Aman", "username": "aman_bot"}
            return web.json_response({"ok": True, "result": me})
        if method == "getUpdates":
            polls["n"] += 1
            if polls["n"] > 1:
                answer = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                return web.json_response(answer, status=401)
            return web.json_response({"ok": True, "result": []})
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", bot_api)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def test_a_revoked_bot_token_stops_aman_with_a_non_zero_exit(tmp_path: Path) -> None:
    """The bot's polling cannot get over a revoked token and cannot be restarted from outside:
    `aman run --role bot` logs what failed (type and frames, not the token) and exits 1, so
    that systemd or Docker restarts it and the operator sees why."""
    telegram = await telegram_that_revokes_the_token()
    env = environment(tmp_path, free_port())
    env.update(
        AMAN_TELEGRAM_TOKEN="4242:revoked-in-botfather",
        AMAN_TELEGRAM_API_URL=f"http://127.0.0.1:{telegram.addresses[0][1]}",
    )
    process = await asyncio.create_subprocess_exec(
        str(AMAN), "run", "--role", "bot", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        printed, _ = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await telegram.cleanup()
    output = printed.decode(errors="replace")
    assert process.returncode == 1, output
    assert "bot failed: BotTaskEnded" in output and "InvalidToken" in output
    assert "revoked-in-botfather" not in output
    # A clean stop, not a crash: the last word is why it stopped.
    assert output.rstrip().splitlines()[-1] == (
        "aman: stopped because bot failed and cannot be restarted"
    )
