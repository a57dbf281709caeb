"""No report lost, none doubled: a reporter whose network or thumb misbehaves still ends with
exactly one receipt for exactly one tip, and a crafted button cannot make the server skip a
question."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.story import begin_report, press, says, send
from tests.tips.helpers import photo_with_gps, unit_with_focal_point
from tips import drafts, intake, media
from tips.models import Draft, DraftFile, PendingReceipt, Tip
from tips.questionnaire import AnswerError

REPORTER = 777000666777
SFAX_BOAT = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax",
    "when": "soon",
    "description": "Forty people waiting at the beach",
    "child": "no",
    "danger": "no",
}


async def _to_review(chat) -> None:
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Sfax", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")
    await send(chat, "Forty people waiting at the beach", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")
    await press(chat, "✔ Done", "Please check your report")


def _digits(text: str) -> str:
    return "".join(ch for ch in text.split("Your tracking code:")[1] if ch.isdigit())[:16]


async def test_two_presses_handled_at_once_store_one_tip(db) -> None:
    """Two presses of one Send button handled at once, as two bot processes would."""
    await unit_with_focal_point("TN", "TN")
    await drafts.save(REPORTER, drafts.DraftState(drafts.REPORT, "review", answers=SFAX_BOAT))
    token = intake.new_token()
    first, second = await asyncio.gather(
        intake.submit_draft(REPORTER, token), intake.submit_draft(REPORTER, token)
    )
    assert first.receipt == second.receipt
    assert await Tip.all().count() == 1 and await Draft.all().count() == 0


async def test_files_sent_at_once_never_pass_the_limit(db) -> None:
    await drafts.save(REPORTER, drafts.DraftState(drafts.REPORT, "files", answers=SFAX_BOAT))
    photo = photo_with_gps()
    checked = media.check(photo)
    results = await asyncio.gather(
        *(drafts.add_file(REPORTER, checked, photo, None) for _ in range(14)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, drafts.TooManyFiles)]
    assert len(refused) == 4 and await DraftFile.all().count() == drafts.MAX_FILES


async def test_lost_receipt_message_shows_the_same_receipt_again(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_review(chat)
    review = await chat.last_bot_message()
    send_data = _send_data(review)
    # Telegram fails the call that would show the receipt (a 502), once.
    await sandbox.config(fail_next=1, fail_methods=["editmessagetext"])
    await press(chat, "📨 Send the report", "its tracking code could not be shown")
    assert await Tip.all().count() == 1

    shown = await press(chat, "📨 Send the report", "Your tracking code")
    receipt = _digits(shown["text"])
    assert len(receipt) == 16 and shown["message_id"] == review["message_id"]
    await chat.press(data=send_data, message_id=review["message_id"])  # a third press, stale
    await asyncio.sleep(0.3)
    assert await Tip.all().count() == 1
    holding = [
        m for m in await chat.messages() if receipt in (m.get("text") or "").replace(" ", "")
    ]
    assert len(holding) == 1  # one receipt on the screen, and the answers are no longer shown
    assert "Sfax" not in "".join(m.get("text") or "" for m in await chat.bot_messages())

    # Written down: the receipt message and the copy kept to show it again are gone.
    await press(chat, "✔ I wrote it down — delete it", "What would you like to do?")
    texts = [m.get("text") or "" for m in await chat.messages()]
    assert not any(receipt in t.replace(" ", "") for t in texts)
    assert await PendingReceipt.all().count() == 0


async def test_crash_after_the_commit_still_gives_the_one_receipt(sandbox, db) -> None:
    """The tip was committed but the process died before answering: the same button, pressed
    again after the restart, shows the receipt and makes no second tip."""
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_review(chat)
    review = await chat.last_bot_message()
    send_data = _send_data(review)
    token = _token_of(send_data)
    died = await intake.submit_draft(REPORTER, token)  # committed; nobody told the person

    await chat.press(data=send_data, message_id=review["message_id"])
    shown = await says(chat, "Your tracking code")
    assert _digits(shown["text"]) == died.receipt
    assert await Tip.all().count() == 1


def _send_data(review: dict) -> str:
    return next(
        b["callback_data"]
        for row in review["reply_markup"]["inline_keyboard"]
        for b in row
        if b.get("callback_data", "").startswith("report:send:")
    )


def _token_of(data: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(data.rsplit(":", 1)[1] + "=")


async def test_crafted_skip_of_a_required_question_is_refused(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Sfax", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")
    await chat.press(data="report:skip:description")  # no such button was ever shown
    await says(chat, "What did you see or hear?")
    await send(chat, "Forty people at the beach", "Who or what is involved?")
    assert await Tip.all().count() == 0


async def test_server_refuses_a_tip_that_breaks_the_questionnaire(db) -> None:
    await unit_with_focal_point("TN", "TN")
    without_description = {k: v for k, v in SFAX_BOAT.items() if k != "description"}
    with pytest.raises(AnswerError):
        await intake.submit(without_description)
    with pytest.raises(AnswerError):
        await intake.submit({**SFAX_BOAT, "when": "next-year"})  # not one of the choices
    with pytest.raises(AnswerError):
        await intake.submit({**SFAX_BOAT, "description": "x" * 10_000})
    assert await Tip.all().count() == 0
