"""Someone else may pick up the phone. An Arabic reporter sends a report, a French one cancels, a
reporter checks for replies and leaves, one walks away from an unfinished report: each time the
chat is left holding nothing that gives them away — only a neutral line, and the tracking code
until they say they wrote it down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from telegram import Bot

from bot import report
from core import accounts
from core.i18n import translator
from core.telegram_http import AiohttpRequest
from tests.e2e.story import begin_report, callback_answer, eventually, press, says, send
from tests.tips.helpers import PASSWORD, unit_with_focal_point
from tips import drafts, inbox
from tips.models import Draft, Tip
from tips.questionnaire import load

REPORTER = 777000121212


def _asks(_, question: str) -> str:
    """The start of a question's prompt in the chat's language (enough to recognise it)."""
    return _(load().get(question).prompt)[:12]


async def _walk_report(chat, _) -> None:
    """The whole questionnaire, in the chat's language, up to the review."""
    await begin_report(chat, _)
    await press(chat, _("A boat about to leave"), _asks(_, "country"))
    await press(chat, _("Tunisia"), _asks(_, "place"))
    await send(chat, "Zarzis, the old harbour", _asks(_, "when"))
    await press(chat, _("Today or tonight"), _asks(_, "description"))
    await send(chat, "Forty people waiting with a smuggler called Hamid", _asks(_, "involved"))
    await press(chat, _("Skip ›"), _asks(_, "child"))
    await press(chat, _("No"), _asks(_, "files"))
    await press(chat, _("✔ Done"), _("<b>Please check your report before sending it.</b>")[3:12])


async def _visible(chat) -> list[str]:
    return [(m.get("text") or m.get("kind") or "") for m in await chat.messages()]


async def test_arabic_reporter_keeps_only_a_neutral_line_and_the_tracking_code(sandbox, db):
    await unit_with_focal_point("TN", "TN")
    _ = translator("ar").gettext
    chat = sandbox.chat(REPORTER, language_code="ar")
    await _walk_report(chat, _)
    shown = await press(chat, _("📨 Send the report"), _("Your tracking code:"))

    # The chat holds the tracking code and nothing of the report: no answers, no questions.
    (only,) = await _visible(chat)
    assert only == shown["text"] and only.startswith(_("✅ Saved."))
    assert "Zarzis" not in only and "Hamid" not in only and "/report" not in only

    await press(
        chat, _("✔ I wrote it down — delete it"), _("<b>What would you like to do?</b>")[3:10]
    )
    (neutral,) = await _visible(chat)
    assert neutral.startswith(_("<b>What would you like to do?</b>")[3:10])
    assert await Tip.all().count() == 1


async def test_french_cancel_leaves_no_trace(sandbox, db):
    await unit_with_focal_point("TN", "TN")
    _ = translator("fr").gettext
    chat = sandbox.chat(REPORTER, language_code="fr")
    await begin_report(chat, _)
    await press(chat, _("A smuggling offer or operation"), _asks(_, "country"))
    await press(chat, _("Tunisia"), _asks(_, "place"))
    await send(chat, "Sfax, près du port", _asks(_, "when"))

    await chat.press(_("✖ Cancel the report"))
    await callback_answer(chat, _("Cancelled. Nothing was sent."))
    await says(chat, _("<b>What would you like to do?</b>")[3:10])
    (neutral,) = await _visible(chat)
    assert "Sfax" not in neutral and await Draft.all().count() == 0


async def test_leaving_a_check_takes_the_team_s_replies_off_the_chat(sandbox, db):
    _unit, focal_point, _r = await unit_with_focal_point("TN", "TN")
    _ = translator("fr").gettext
    chat = sandbox.chat(REPORTER, language_code="fr")
    await _walk_report(chat, _)
    shown = await press(chat, _("📨 Send the report"), _("Your tracking code:"))
    code = "".join(ch for ch in shown["text"].split(_("Your tracking code:"))[1] if ch.isdigit())
    await press(
        chat, _("✔ I wrote it down — delete it"), _("<b>What would you like to do?</b>")[3:10]
    )
    tip = await Tip.get()
    private = await accounts.unlock_private_key(focal_point, PASSWORD)
    opened = await inbox.open_tip(tip.id, focal_point, private)
    await inbox.reply(opened, focal_point, "Merci. Le bateau est-il toujours là ?")

    await send(
        chat,
        "/check",
        _("Please send the 16-digit tracking code you got when you sent your report.")[:12],
    )
    await send(chat, code[:16], "Le bateau est-il toujours là")
    assert not any(code[:4] in text for text in await _visible(chat))  # the typed code is gone
    await chat.press(_("✔ Finish"))
    await callback_answer(chat, _("Done. Keep your tracking code safe."))
    await says(chat, _("<b>What would you like to do?</b>")[3:10])
    visible = " ".join(await _visible(chat))
    assert "bateau" not in visible and "/check" not in visible


async def test_an_abandoned_report_leaves_the_chat_when_it_expires(sandbox, db):
    await unit_with_focal_point("TN", "TN")
    _ = translator("ar").gettext
    chat = sandbox.chat(REPORTER, language_code="ar")
    await begin_report(chat, _)
    await press(chat, _("A boat about to leave"), _asks(_, "country"))
    await press(chat, _("Tunisia"), _asks(_, "place"))
    await send(chat, "Zarzis, the old harbour", _asks(_, "when"))

    async def saved() -> bool:  # the bot saves the draft just after showing the question
        draft = await drafts.load(drafts.REPORT, REPORTER)
        return len(draft.extra.get("messages", [])) == len(await _visible(chat))

    await eventually(saved)
    # Two hours and more later, the bot's periodic job forgets the report and its messages.
    await Draft.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    bot = Bot("1:sandbox", base_url=f"{sandbox.root_url}/bot", request=AiohttpRequest())
    async with bot:
        await report.purge(SimpleNamespace(bot=bot))
    assert await _visible(chat) == []
    assert await Draft.all().count() == 0
