"""Urgent first, and calm words. Someone in danger is asked about first and sees the numbers to
call at once; they may send the report with two more answers and add details later. Someone not
ready yet can step back from the calm first screen without leaving a trace."""

from __future__ import annotations

import pytest

from core.i18n import translator
from tests.e2e.story import labels, press, says, send
from tests.tips.helpers import unit_with_focal_point
from tips import drafts, intake
from tips.models import Tip
from tips.questionnaire import AnswerError, load

REPORTER = 777000343434


async def test_an_urgent_report_shows_the_emergency_contacts_before_anything_else(sandbox, db):
    await unit_with_focal_point("TN", "TN")
    _ = translator("ar").gettext
    chat = sandbox.chat(REPORTER, language_code="ar")
    await send(chat, "/start", _("<b>Welcome to Aman.</b>")[3:12])
    await press(chat, "العربية", _("Which country are you in, or travelling through?")[:12])
    await press(chat, _("Tunisia"), _("<b>What would you like to do?</b>")[3:12])
    questions = load()

    intro = await send(chat, "/report", _("<b>Report anonymously</b>")[3:12])
    calm = _(
        "Your report carries no name, number or Telegram account; only the anti-trafficking "
        "unit for that country can read it."
    )
    assert intro["text"].endswith(calm)  # one calm sentence, on its own screen
    first = await press(chat, _("▶ Start"), _(questions.get("danger").prompt))
    assert first["text"] == _(questions.get("danger").prompt)  # the first question of all

    numbers = await press(chat, _("Yes"), "197")
    assert numbers["text"].startswith("🚨")  # Tunisia's police line, before any other question
    what = await says(chat, _(questions.get("what").prompt))
    assert _("📨 Send now, details later") in labels(what)

    await press(chat, _("📨 Send now, details later"), _(questions.get("what").prompt))
    await press(chat, _("A boat about to leave"), _(questions.get("country").prompt))
    review = await press(
        chat, _("Tunisia"), _("<b>Please check your report before sending it.</b>")[3:12]
    )
    assert (
        _("You can add the details later with 🔎 Check my report and your code.")[:15]
        in review["text"]
    )
    done = await press(chat, _("📨 Send the report"), _("Your tracking code:"))
    assert "197" in done["text"]  # the thank-you for an urgent report gives the numbers again

    tip = await Tip.get()
    assert str(tip.urgency) == "urgent" and tip.country == "TN"


async def test_a_quick_report_is_refused_unless_someone_is_in_danger(db):
    await unit_with_focal_point("TN", "TN")
    calm = {"danger": "no", "what": "smuggling", "country": "TN"}
    await drafts.save(REPORTER, drafts.DraftState(drafts.REPORT, "review", answers=calm))
    row = await drafts.load(drafts.REPORT, REPORTER)
    row.extra["quick"] = True  # a crafted draft: quick without danger
    await drafts.save(REPORTER, row)
    with pytest.raises(AnswerError):
        await intake.submit_draft(REPORTER, intake.new_token())
    assert await Tip.all().count() == 0


async def test_the_calm_first_screen_can_be_declined_without_a_trace(sandbox, db):
    await unit_with_focal_point("TN", "TN")
    _ = translator("fr").gettext
    chat = sandbox.chat(REPORTER, language_code="fr")
    intro = await send(chat, "/report", _("<b>Report anonymously</b>")[3:12])
    assert len([b for row in intro["reply_markup"]["inline_keyboard"] for b in row]) == 2
    await chat.press(_("✖ Not now"))
    await says(chat, _("<b>What would you like to do?</b>")[3:12])
    (only,) = [m.get("text") or "" for m in await chat.messages()]
    assert "/report" not in only and await drafts.load(drafts.REPORT, REPORTER) is None
