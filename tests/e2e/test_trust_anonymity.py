"""Someone copies Aman's database — with the server secret too — while reporters use the bot. A
reporter in Sfax sends a tip, comes back with the receipt and asks to hear about replies; others
read and browse in the same hour. Whatever the copy holds, it must not give the reporter away."""

from __future__ import annotations

from core import accounts
from tests.e2e import attacker
from tests.e2e.story import begin_report, press, send
from tests.e2e.test_report_sfax import _report_boat
from tests.tips.helpers import PASSWORD, unit_with_focal_point
from tips import inbox
from tips.models import NotifyRequest, ReplyNotice, Tip

REPORTER = 777000555666
# Tables whose rows a reporter's actions write (routing rules, units and staff are not).
REPORTER_SIDE = {
    "tip",
    "tip_message",
    "tip_file",
    "tip_receipt",
    "tip_draft",
    "tip_draft_file",
    "tip_notify_request",
    "tip_reply_notice",
    "tip_pending_receipt",
    "chat_message",
    "chat_profile",
}
NEIGHBOURS = (777000555001, 777000555002, 777000555003)


async def _tip_key(focal_point) -> bytes:
    tip = await Tip.get()
    private = await accounts.unlock_private_key(focal_point, PASSWORD)
    return (await inbox.open_tip(tip.id, focal_point, private)).key


async def test_check_session_stores_no_receipt_and_nothing_that_opens_a_tip(sandbox, db) -> None:
    _unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    receipt = await _report_boat(chat)
    tip_key = await _tip_key(focal_point)

    await send(chat, "/check", "16-digit tracking code")
    await send(chat, receipt, "Status:")
    await press(chat, "✍ Add information", "Write what you want to add")  # session still open

    # The receipt the person typed is gone from the chat at once (a checked phone).
    shown = [m.get("text") or "" for m in await chat.messages() if m["from"] == "user"]
    assert not any(receipt in text.replace(" ", "") for text in shown)
    # No stored row holds the receipt or the tip key, even opened with the server secret.
    for row, plain in await attacker.readable_with_secret():
        assert receipt.encode() not in plain, row.table
        assert tip_key not in plain, row.table
    for raw in attacker.sqlite_files(db):
        assert receipt.encode() not in raw and tip_key not in raw

    await send(chat, "The boat is blue", "Added to your report")  # the session works on


async def test_db_and_secret_cannot_map_a_chat_to_a_tip(sandbox, db) -> None:
    _unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    receipt = await _report_boat(chat)
    await send(chat, "/check", "16-digit tracking code")
    await send(chat, receipt, "Status:")
    await press(chat, "🔔 Tell me when they reply", "one short message here")
    await press(chat, "Yes, tell me", "Status:")
    await press(chat, "✔ Finish", "What would you like to do?")

    def reveals_the_chat(row: attacker.Row, plain: bytes) -> bool:
        return str(REPORTER).encode() in plain or any(
            index in plain for index in attacker.blind_indexes(REPORTER)
        )

    # Waiting for a reply: the request names the tip, but its chat is sealed under the tip's key.
    (request,) = await NotifyRequest.all()
    assert attacker.opened_with_secret(request.chat_sealed) == []
    for row, plain in await attacker.readable_with_secret():
        if reveals_the_chat(row, plain):
            assert not any(k.startswith("tip") for k in row.values), row.table
            assert not row.table.startswith("tip_") or row.table == "tip_draft", row.table

    # A focal point replies: the notice to send holds the chat but no tip, and no time.
    tip = await Tip.get()
    private = await accounts.unlock_private_key(focal_point, PASSWORD)
    await inbox.reply(await inbox.open_tip(tip.id, focal_point, private), focal_point, "Thanks")
    (notice,) = await ReplyNotice.all()
    assert set(notice.__class__._meta.db_fields) == {"id", "chat_sealed"}
    for row, plain in await attacker.readable_with_secret():
        if reveals_the_chat(row, plain):
            assert not any(k.startswith("tip") for k in row.values), row.table


async def test_db_and_secret_cannot_time_a_tip_to_a_chat(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    for neighbour in NEIGHBOURS:  # people reading and browsing in the same hour
        other = sandbox.chat(neighbour, language_code="en")
        await send(other, "/start", "Welcome")
        await press(other, "English", "Which country")
    reporter = sandbox.chat(REPORTER, language_code="en")
    await _report_boat(reporter)

    # Every time written about chats or about the tip is a whole hour: the reporter's chat is
    # one of the chats active that hour, and no row ranks it above the others.
    times = []
    for row in await attacker.rows():
        about_people = row.table in REPORTER_SIDE
        if about_people or row.values.get("actor") in ("bot", "system"):
            times += [(row.table, c, v) for c, v in attacker.times(row).items()]
    assert times, "the story wrote no times at all"
    for table, column, value in times:
        if (table, column) == ("tip", "closed_at") or value is None:
            continue
        assert (value.minute, value.second, value.microsecond) == (0, 0, 0), (table, column)
    tip = await Tip.get()
    rows = [r for r in await attacker.rows() if r.table == "chat_message"]
    assert {attacker.times(r)["at"] for r in rows} == {tip.created_at}

    # The tip's size says nothing of how much was written; a draft's step is sealed.
    short = await stored_size("Men loading a boat")
    long = await stored_size("Men loading a boat, " + "the boat is blue and white " * 20)
    assert short == long
    assert "state" not in {
        c for r in await attacker.rows() if r.table == "tip_draft" for c in r.values
    }


async def stored_size(description: str) -> int:
    from tips import intake

    answers = {
        "what": "boat",
        "country": "TN",
        "place": "Sfax",
        "when": "soon",
        "description": description,
        "child": "no",
        "danger": "no",
    }
    submitted = await intake.submit(answers)
    return len((await Tip.get(id=submitted.tip_id)).content)


async def test_erase_removes_everything_keyed_to_the_chat(sandbox, db) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await begin_report(chat)
    await press(chat, "A smuggling offer or operation", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Zarzis harbour", "When is it happening?")

    await send(chat, "/privacy", "Privacy & safety")
    await press(chat, "🧹 Erase this chat", "unfinished report")
    await chat.press("Yes, erase the chat")
    await says_nothing_is_left(chat)

    keyed = attacker.blind_indexes(REPORTER)
    for row, plain in await attacker.readable_with_secret():
        assert not any(index in plain for index in keyed), row.table
        assert str(REPORTER).encode() not in plain, row.table
    assert not [r for r in await attacker.rows() if r.table in ("tip_draft", "tip_draft_file")]

    # The next message does not resume the erased report.
    answer = await send(chat, "In the coming days", "")
    assert "What did you see or hear?" not in (answer.get("text") or "")


async def says_nothing_is_left(chat) -> None:
    from tests.e2e.story import callback_answer

    await callback_answer(chat, "This chat is erased")
    assert [m for m in await chat.messages() if m["from"] == "bot"] == []
