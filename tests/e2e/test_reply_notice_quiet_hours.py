"""A reply notice never lights up a phone at night: it waits, sealed, until morning in the
reporter's country, then comes once, in neutral words, and "Erase this chat" removes it.

The bot reads the wall clock through `tips.followup.clock`; these stories set it (the clock is
outside the house) and run the notice job as the bot's job queue would.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from telegram import Bot

from bot import check
from core import accounts
from core.i18n import translator
from core.telegram_http import AiohttpRequest
from tests.e2e.story import callback_answer, press, send
from tests.e2e.test_phone_traces import _walk_report
from tests.tips.helpers import PASSWORD, unit_with_focal_point
from tips import followup, inbox, intake, receipts
from tips.models import ReplyNotice, Tip

NOTICE_FR = "Vous avez un nouveau message dans Aman."
NOTICE_EN = "You have a new message in Aman."


class Clock:
    """The wall clock as the story sets it."""

    def __init__(self) -> None:
        self.now = datetime(2027, 1, 13, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, *when: int) -> None:
        self.now = datetime(*when, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(followup, "clock", clock)
    return clock


async def run_notice_job(root_url: str) -> None:
    """What the bot's job queue does every half minute, run once now."""
    bot = Bot("1:sandbox", base_url=f"{root_url}/bot", request=AiohttpRequest())
    async with bot:
        await check.send_due_notices(SimpleNamespace(bot=bot))


async def notices(chat, words: str) -> list[dict]:
    return [m for m in await chat.bot_messages() if words in (m.get("text") or "")]


async def report_in_french(chat) -> str:
    """A reporter in Tunisia who speaks French reports a boat; returns the tracking code."""
    _ = translator("fr").gettext
    await send(chat, "/start", _("<b>Welcome to Aman.</b>")[3:12])
    await press(chat, "Français", _("Which country are you in, or travelling through?")[:12])
    await press(chat, _("Tunisia"), _("<b>What would you like to do?</b>")[3:12])
    await _walk_report(chat, _)
    done = await press(chat, _("📨 Send the report"), _("Your tracking code:"))
    digits = "".join(ch for ch in done["text"].split(_("Your tracking code:"))[1] if ch.isdigit())
    assert len(digits[:16]) == 16
    return digits[:16]


async def test_a_french_reporter_hears_of_a_reply_in_the_morning_not_at_night(
    sandbox, db: str, clock: Clock
) -> None:
    _unit, focal_point, _recovery = await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(777000555666, language_code="fr", first_name="Salma")
    receipt = await report_in_french(chat)
    _ = translator("fr").gettext
    status = _("Status: {status}").split("{")[0]
    await send(
        chat,
        "/check",
        _("Please send the 16-digit tracking code you got when you sent your report.")[:20],
    )
    await send(chat, receipt, status)
    await press(chat, _("🔔 Tell me when they reply"), "Aman")
    await press(chat, _("Yes, tell me"), status)

    # The team replies late in the evening.
    tip = await Tip.get()
    key = await accounts.unlock_private_key(focal_point, PASSWORD)
    await inbox.reply(await inbox.open_tip(tip.id, focal_point, key), focal_point, "Merci")

    clock.at(2027, 1, 13, 22, 0)  # 23:00 in Tunis
    await run_notice_job(sandbox.root_url)
    clock.at(2027, 1, 14, 6, 59)  # 07:59 in Tunis
    await run_notice_job(sandbox.root_url)
    assert await notices(chat, NOTICE_FR) == []
    assert await ReplyNotice.all().count() == 1  # still waiting, sealed

    clock.at(2027, 1, 14, 7, 0)  # 08:00 in Tunis
    await run_notice_job(sandbox.root_url)
    await run_notice_job(sandbox.root_url)
    (notice,) = await notices(chat, NOTICE_FR)
    assert notice["text"] == NOTICE_FR  # neutral words: a lock screen may show them
    assert await ReplyNotice.all().count() == 0

    await send(chat, "/privacy", _("<b>Privacy & safety</b>")[3:15])
    await press(chat, _("🧹 Erase this chat"), _("🧹 Erase this chat")[2:12])
    await chat.press(_("Yes, erase the chat"))
    await callback_answer(chat, _("This chat is erased."))
    assert notice["message_id"] not in [m["message_id"] for m in await chat.messages()]
    assert await chat.messages() == []


TIP = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax, near the port",
    "when": "soon",
    "description": "A boat leaves tonight",
    "child": "no",
    "danger": "no",
}


async def test_each_notice_waits_for_morning_in_its_own_country(
    sandbox, db: str, clock: Clock
) -> None:
    """Reporters on the move in Egypt, in Morocco and somewhere unknown asked to hear of a
    reply, and the team replied to all three in the evening."""
    _unit, focal_point, _recovery = await unit_with_focal_point("TN", "TN")
    key = await accounts.unlock_private_key(focal_point, PASSWORD)
    people = {"EG": 777000600001, "MA": 777000600002, None: 777000600003}
    chats = {}
    for country, chat_id in people.items():
        chats[country] = sandbox.chat(chat_id, language_code="en")
        await send(chats[country], "/start", "Welcome to Aman")
        submitted = await intake.submit(TIP)
        opened = await receipts.open_tip(submitted.receipt)
        assert opened is not None
        await followup.request_notice(opened, chat_id, "en", country=country)
        staff_view = await inbox.open_tip(submitted.tip_id, focal_point, key)
        await inbox.reply(staff_view, focal_point, "Thank you")

    async def told() -> set[str | None]:
        await run_notice_job(sandbox.root_url)
        return {c for c, chat in chats.items() if await notices(chat, NOTICE_EN)}

    clock.at(2027, 1, 13, 19, 30)  # 21:30 in Cairo, 20:30 in Casablanca
    assert await told() == {"MA"}
    clock.at(2027, 1, 14, 5, 59)  # 07:59 in Cairo
    assert await told() == {"MA"}
    clock.at(2027, 1, 14, 6, 0)  # 08:00 in Cairo, 07:00 in Casablanca
    assert await told() == {"MA", "EG"}
    # Not knowing where the person is, the notice waits until it is day in every country
    # Aman serves: 08:00 in Casablanca.
    clock.at(2027, 1, 14, 7, 0)
    assert await told() == {"MA", "EG", None}
    for chat in chats.values():
        assert len(await notices(chat, NOTICE_EN)) == 1
