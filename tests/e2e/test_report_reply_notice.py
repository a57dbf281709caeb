"""A reporter who asked to be told when the team answers gets exactly one neutral notice in the
chat, and after it the chat id is gone from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from telegram import Bot

from bot import check
from core import accounts
from core.telegram_http import AiohttpRequest
from tests.e2e.story import press, says, send
from tests.e2e.test_report_sfax import _report_boat
from tests.tips.helpers import PASSWORD, unit_with_focal_point
from tips import followup, inbox
from tips.models import NotifyRequest, ReplyNotice, Tip

REPORTER = 777000333444


async def _run_notice_job(root_url: str) -> None:
    """What the bot's job queue does every half minute, run once now."""
    bot = Bot("1:sandbox", base_url=f"{root_url}/bot", request=AiohttpRequest())
    async with bot:
        await check.send_due_notices(SimpleNamespace(bot=bot))


async def test_reporter_hears_once_that_the_team_replied(sandbox, db: str, monkeypatch) -> None:
    # Midday everywhere: a notice waits out the night (see test_reply_notice_quiet_hours).
    monkeypatch.setattr(followup, "clock", lambda: datetime(2027, 1, 14, 12, tzinfo=UTC))
    _unit, focal_point, _recovery = await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en", first_name="Reporter")
    receipt = await _report_boat(chat)

    await send(chat, "/check", "16-digit tracking code")
    await send(chat, receipt, "Status:")
    await press(chat, "🔔 Tell me when they reply", "one short message here")
    await press(chat, "Yes, tell me", "Status:")
    assert await NotifyRequest.all().count() == 1

    tip = await Tip.get()
    key = await accounts.unlock_private_key(focal_point, PASSWORD)
    await inbox.reply(await inbox.open_tip(tip.id, focal_point, key), focal_point, "Thank you")

    assert await NotifyRequest.all().count() == 0 and await ReplyNotice.all().count() == 1

    await _run_notice_job(sandbox.root_url)
    notice = await says(chat, "You have a new message in Aman")
    assert "report" not in notice["text"].lower()  # a lock screen shows nothing about reporting
    assert await ReplyNotice.all().count() == 0

    await _run_notice_job(sandbox.root_url)  # nothing more to say
    notices = [
        m for m in await chat.bot_messages() if "new message in Aman" in (m.get("text") or "")
    ]
    assert len(notices) == 1
