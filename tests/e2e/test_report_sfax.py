"""A reporter in Sfax tells Aman that a boat leaves tonight with a child aboard. The tip reaches
the Tunisia unit as urgent, sealed so that the database holds neither the words nor the chat; the
reporter comes back with the receipt and adds a photo whose location data is gone for triage."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import connections

from core import accounts
from core.models import StaffMember
from tests.e2e.story import begin_report, labels, press, says, send
from tests.tips.helpers import PASSWORD, has_gps, photo_with_gps, unit_with_focal_point
from tips import inbox
from tips.models import Receipt, Tip, TipStatus, Urgency
from tips.sealing import NoAccess

REPORTER = 777000111222
CANARY = "CANARY-7f3a boat leaves from Sfax beach tonight"


async def _report_boat(chat) -> str:
    """Walk the questionnaire as the Sfax reporter; returns the receipt digits."""
    await begin_report(chat)
    await press(chat, "A boat about to leave", "In which country")
    await press(chat, "Tunisia", "Which town or area?")
    await send(chat, "Sfax, Chaffar beach", "When is it happening?")
    await press(chat, "Today or tonight", "What did you see or hear?")
    await send(chat, CANARY, "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "Yes", "You can send photos")
    review = await press(chat, "✔ Done", "Please check your report")
    assert "Sfax, Chaffar beach" in review["text"] and "A boat about to leave" in review["text"]
    done = await press(chat, "📨 Send the report", "Your tracking code")
    digits = "".join(ch for ch in done["text"].split("Your tracking code:")[1] if ch.isdigit())[:16]
    assert len(digits) == 16
    return digits


async def _every_stored_value() -> bytes:
    """Every text and binary value of every table (a dump, on any backend)."""
    conn = connections.get("default")
    dump = bytearray()
    if conn.capabilities.dialect == "sqlite":
        tables = [
            r["name"]
            for r in await conn.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        ]
    else:
        tables = [
            r["tablename"]
            for r in await conn.execute_query_dict(
                "SELECT tablename FROM pg_tables WHERE schemaname='public'"
            )
        ]
    for table in tables:
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            for value in row.values():
                dump += value if isinstance(value, bytes) else str(value).encode()
    return bytes(dump)


async def test_boat_from_sfax_is_sealed_routed_and_followed_up(sandbox, db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    fp_tn = await StaffMember.get(username="fp-tn")
    desk_member = (await unit_with_focal_point("REGIONAL", None))[1]  # another unit
    chat = sandbox.chat(REPORTER, language_code="en", first_name="Reporter")
    receipt = await _report_boat(chat)

    tip = await Tip.get()
    assert tip.country == "TN" and tip.urgency == Urgency.URGENT
    assert (await tip.unit).code == "TN"

    # A dump of the database (and on SQLite the raw file and its WAL) holds neither the words
    # nor the chat id, nor the receipt.
    dump = await _every_stored_value()
    secrets_ = [CANARY.encode(), str(REPORTER).encode(), receipt.encode()]
    assert not any(s in dump for s in secrets_)
    if db.startswith("sqlite://"):
        path = Path(db.removeprefix("sqlite://"))
        for file in [path, Path(f"{path}-wal")]:
            if file.exists():
                raw = file.read_bytes()
                assert not any(s in raw for s in secrets_), file.name

    # Only the Tunisia focal point can read it.
    opened = await inbox.open_tip(tip.id, fp_tn, await accounts.unlock_private_key(fp_tn, PASSWORD))
    assert opened.answers["description"] == CANARY and opened.answers["child"] == "yes"
    other = await accounts.unlock_private_key(desk_member, PASSWORD)
    with pytest.raises(NoAccess):
        await inbox.open_tip(tip.id, desk_member, other)
    await inbox.reply(opened, fp_tn, "Thank you. Is the boat still on the beach?")
    await inbox.set_status(tip.id, fp_tn, TipStatus.IN_REVIEW)

    # The reporter comes back: letters are refused kindly, the right receipt opens the report.
    await send(chat, "/check", "16-digit tracking code")
    await send(chat, "1234 abcd 5678 efgh", "only digits, no letters")
    shown = await send(chat, " ".join(receipt[i : i + 4] for i in range(0, 16, 4)), "Status:")
    assert "Being looked at by the team" in shown["text"]
    assert "Is the boat still on the beach?" in shown["text"]
    await press(chat, "📎 Add a photo or file", "Send the photo")
    await chat.send_photo(photo_with_gps())
    await says(chat, "Added to your report")

    opened = await inbox.open_tip(tip.id, fp_tn, await accounts.unlock_private_key(fp_tn, PASSWORD))
    (photo,) = opened.files
    assert has_gps(await inbox.file_content(opened, photo.id, original=True))
    assert not has_gps(await inbox.file_content(opened, photo.id))
    assert await Receipt.filter(tip_id=tip.id).count() == 1
    assert "✔ Finish" in labels(await chat.last_bot_message())
