"""Staff told on Telegram that a tip waits, and nothing more: the Tunis lead and a Libya focal
point link their chats with a one-time code from the admin; when the Sfax reporter's tip reaches
Tunis, and later when it is shared with Libya, each is told "A new tip is in your Aman inbox."
once, without a word of the tip; a code works once; unlinking stops the notices."""

from __future__ import annotations

import re
from types import SimpleNamespace

from telegram import Bot

from admin.app import create_app
from bot import staff_link
from core.models import Role, StaffLinkCode, StaffTelegram
from core.telegram_http import AiohttpRequest
from tests.admin.people import browsers
from tests.admin.staff import Browser, staff_member
from tests.e2e import attacker
from tests.e2e.story import says, send
from tests.e2e.test_report_sfax import _report_boat
from tests.tips.helpers import unit_with_focal_point
from tips.models import StaffNotice, Tip

REPORTER = 777000555666
LEAD_CHAT = 555000111
LIBYA_CHAT = 555000222
NOTICE = "A new tip is in your Aman inbox."
_CODE = re.compile(r"/link ([A-Z0-9]{5}-[A-Z0-9]{5})")


async def _notice_job(root_url: str) -> None:
    """What the bot's job queue does every few seconds, run once now."""
    bot = Bot("1:sandbox", base_url=f"{root_url}/bot", request=AiohttpRequest())
    async with bot:
        await staff_link.send_staff_notices(SimpleNamespace(bot=bot))


async def _a_while_later(root_url: str) -> None:
    """Two looks of the job: a new key is read one look after it is first seen."""
    await _notice_job(root_url)
    await _notice_job(root_url)


async def _link_code(browser: Browser) -> str:
    made = await browser.submit("/account/telegram", "/account/telegram/code")
    found = _CODE.search(await made.text())
    assert made.status == 200 and found, await made.text()
    return found.group(1)


async def _notices(chat) -> list[str]:
    return [m["text"] for m in await chat.bot_messages() if m.get("text") == NOTICE]


async def test_staff_notice_says_nothing_of_the_tip(sandbox, db: str) -> None:
    tn, _tunis_fp, _ = await unit_with_focal_point("TN", "TN")
    ly, libya_fp, _ = await unit_with_focal_point("LY", "LY")
    lead = await staff_member("lead-tn", Role.UNIT_LEAD, tn)
    lead_chat = sandbox.chat(LEAD_CHAT, language_code="en", first_name="Lead")
    libya_chat = sandbox.chat(LIBYA_CHAT, language_code="en", first_name="Libya")
    await _notice_job(sandbox.root_url)  # the job's first look: nothing before it is news

    async with browsers(create_app()) as new:
        lead_browser, libya_browser = await new(), await new()
        await lead_browser.sign_in(lead)
        await libya_browser.sign_in(libya_fp)

        code = await _link_code(lead_browser)
        await send(lead_chat, f"/link {code.lower()}", "now linked to your Aman staff account")
        await send(libya_chat, f"/link {code}", "not valid or has expired")  # used up
        await send(libya_chat, "/link", "like this: /link")
        await send(libya_chat, f"/link {await _link_code(libya_browser)}", "now linked")
        _status, page = await libya_browser.page("/account/telegram")
        assert "A Telegram chat is linked" in page
        assert await StaffLinkCode.all().count() == 0

        # The chat ids are kept sealed: a copy of the database does not show them.
        dump = await attacker.dump()
        assert str(LEAD_CHAT).encode() not in dump and str(LIBYA_CHAT).encode() not in dump

        # A reporter in Sfax sends a tip: Tunis is told, Libya is not.
        reporter = sandbox.chat(REPORTER, language_code="en", first_name="Reporter")
        await _report_boat(reporter)
        tip = await Tip.get()
        await _a_while_later(sandbox.root_url)
        notice = await says(lead_chat, NOTICE)
        assert notice["text"] == NOTICE  # no content, category, place, country or number
        for word in ("Sfax", "boat", "Tunisia", "TN", "urgent", "child", str(tip.id)):
            assert word.lower() not in notice["text"].lower()
        assert await _notices(libya_chat) == []
        await _a_while_later(sandbox.root_url)
        assert len(await _notices(lead_chat)) == 1  # once only
        assert await StaffNotice.all().count() == 0

        # The lead shares it with Libya: now Libya is told, and Tunis hears nothing more.
        shared = await lead_browser.submit(
            f"/tips/{tip.id}/share",
            f"/tips/{tip.id}/share",
            unit=str(ly.id),
            reason="The boat's organiser is said to be in Zuwara.",
        )
        assert shared.status == 200
        await _a_while_later(sandbox.root_url)
        assert (await says(libya_chat, NOTICE))["text"] == NOTICE
        assert len(await _notices(lead_chat)) == 1

        # Libya unlinks: the chat is forgotten and the next tip sends nothing there.
        unlinked = await libya_browser.submit("/account/telegram", "/account/telegram/unlink")
        assert "Your Telegram chat is unlinked" in await unlinked.text()
        assert not await StaffTelegram.filter(staff_id=libya_fp.id).exists()
        await _report_boat(sandbox.chat(REPORTER + 1, language_code="en", first_name="Other"))
        second = await Tip.filter(id__gt=tip.id).get()
        again = await lead_browser.submit(
            f"/tips/{second.id}/share",
            f"/tips/{second.id}/share",
            unit=str(ly.id),
            reason="Same organiser as the first boat, it seems.",
        )
        assert again.status == 200
        await _a_while_later(sandbox.root_url)
        assert len(await _notices(libya_chat)) == 1
        assert len(await _notices(lead_chat)) == 2  # the second tip reached Tunis too
