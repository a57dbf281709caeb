"""Intake: turning a finished draft into a sealed, routed tip in one database transaction.

Everything slow or fallible that needs no database (hashing the receipt, encrypting) happens
first; then, in one transaction, the draft is claimed (deleted: only one claim can succeed), the
tip, its sealed keys (and those held for its escalation, tips.escalation), files and receipt
digest are written, and the receipt is kept for a few minutes sealed under the key carried by
the button the person pressed. So a double tap, a lost answer from Telegram or a crash after the
commit all end the same way: pressing the button again shows the same receipt, and there is only
ever one tip. If the database fails, nothing is half-written and the draft stays where it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core import audit, coarse, crypto, db
from core.logs import get_logger
from tips import drafts, escalation, links, media, receipts, routing
from tips.drafts import DraftFileData
from tips.media import Checked
from tips.models import PendingReceipt, Receipt, Tip, TipFile, TipKey, Urgency
from tips.questionnaire import Questionnaire, load
from tips.sealing import encrypt_json, recipients, seal_tip_key

log = get_logger(__name__)

PENDING_RECEIPT = timedelta(minutes=15)
CHILD_QUESTION = "child"  # the questionnaire's "Is a child involved?" (answers yes, no, unknown)


class SubmitFailed(Exception):
    """The tip could not be stored; the draft is kept and the person may try again."""


class NobodyCanReceive(SubmitFailed):
    """No unit has anyone who could open the tip, and no escrow key is configured."""


class _AlreadyClaimed(Exception):
    """Another press of the same chat turned this draft into a tip first."""


class NoDraft(LookupError):
    """Nothing to send: no draft, and no receipt kept for this button."""


@dataclass(frozen=True)
class Submitted:
    receipt: str  # shown to the reporter, never stored in clear
    urgency: Urgency
    tip_id: int | None = None  # None when the receipt was shown again from the pending copy
    unit_code: str | None = None


def child_involved(answers: dict[str, Any]) -> bool:
    """The reporter said a child is involved: a routing fact kept in clear beside urgency (which
    it implies), so the inbox can put these tips first."""
    return answers.get(CHILD_QUESTION) == "yes"


def new_token() -> bytes:
    """A random key for one "Send" button: it seals the pending receipt and lives only in the
    button's callback data."""
    return crypto.new_content_key()


async def _file_rows(tip_key: bytes, files: list[DraftFileData]) -> list[dict[str, Any]]:
    return [
        {
            "kind": f.checked.kind,
            "mime": f.checked.mime,
            "size": f.checked.size,
            "original": crypto.encrypt_content(tip_key, f.data),
            "triage": crypto.encrypt_content(tip_key, f.triage) if f.triage else None,
        }
        for f in files
    ]


async def cleaned(files: list[tuple[Checked, bytes]]) -> list[DraftFileData]:
    """Checked files with their cleaned triage copies (made off the event loop)."""
    return [DraftFileData(c, data, await media.clean(data, c.mime)) for c, data in files]


async def submit(
    answers: dict[str, Any],
    files: list[tuple[Checked, bytes]] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Submitted:
    """Seal, route and store one tip from answers (the domain's door; the bot uses
    submit_draft). The receipt is returned only once it is committed."""
    return await _store(answers, await cleaned(files or []), questionnaire)


async def _store(
    answers: dict[str, Any],
    files: list[DraftFileData],
    questionnaire: Questionnaire | None = None,
    *,
    draft_id: int | None = None,
    token: bytes | None = None,
    quick: bool = False,
) -> Submitted:
    questionnaire = questionnaire or load()
    answers = questionnaire.validate(answers, quick=quick)  # the server decides, not the buttons
    country = questionnaire.country(answers)
    category = questionnaire.category(answers)
    urgency = questionnaire.urgency(answers)
    try:
        decision = await routing.route(country, category, urgency)
        members = await recipients(decision.unit) if decision else []
        standby = await escalation.standby(decision.unit, members) if decision else []
    except Exception as error:
        log.error("routing failed: %s", type(error).__name__)
        raise SubmitFailed("the database is not available") from error
    if decision is None:
        raise NobodyCanReceive("no unit can receive tips")

    tip_key = crypto.new_content_key()
    receipt = receipts.new_receipt()
    reporter_seal = await receipts.seal(receipt, tip_key)
    content = encrypt_json(tip_key, answers)
    sealed_keys = seal_tip_key(tip_key, members)
    held_keys = escalation.hold(tip_key, standby)
    file_rows = await _file_rows(tip_key, files)
    hour = coarse.hour()

    try:
        async with in_transaction() as connection:
            if draft_id is not None and not await drafts.claim(draft_id, connection):
                raise _AlreadyClaimed()
            tip = await Tip.create(
                unit=decision.unit,
                country=country,
                category=category,
                urgency=urgency,
                child_involved=child_involved(answers),
                content=content,
                created_at=hour,
                using_db=connection,
            )
            # updated_at stamps itself to the second on insert; bring it back to the hour.
            await Tip.filter(id=tip.id).using_db(connection).update(updated_at=hour)
            await TipKey.bulk_create(
                [
                    TipKey(tip=tip, staff_id=k.staff_id, is_escrow=k.is_escrow, sealed_key=k.sealed)
                    for k in sealed_keys
                ],
                using_db=connection,
            )
            await escalation.store_held(tip, held_keys, connection)
            for row in file_rows:
                await TipFile.create(tip=tip, created_at=hour, using_db=connection, **row)
            await links.record_answers(tip.id, country, answers, connection)
            await routing.record(tip, decision)
            await audit.record(
                "tip.submitted", actor="bot", target=f"tip:{tip.id}", at=hour, files=len(file_rows)
            )
            await Receipt.create(
                tip=tip, created_at=hour, using_db=connection, **reporter_seal.fields()
            )
            if token is not None:
                await _keep_pending(token, receipt, urgency, connection)
    except _AlreadyClaimed:
        raise
    except Exception as error:
        # The message of a database error may quote values; log only its kind.
        log.error("storing a tip failed: %s", type(error).__name__)
        raise SubmitFailed("the tip could not be stored") from error
    return Submitted(receipt, urgency, tip.id, decision.unit.code)


async def _keep_pending(token: bytes, receipt: str, urgency: Urgency, connection: Any) -> None:
    plain = json.dumps({"receipt": receipt, "urgency": str(urgency)}).encode()
    await PendingReceipt.create(
        token_digest=crypto.blind_index(crypto.Purpose.PENDING_RECEIPT, token.hex()),
        sealed=crypto.encrypt_content(token, plain),
        expires_at=coarse.hour_after(PENDING_RECEIPT),
        using_db=connection,
    )


async def pending(token: bytes) -> Submitted | None:
    """The receipt kept for this button, if it was pressed before and the tip stored."""
    digest = crypto.blind_index(crypto.Purpose.PENDING_RECEIPT, token.hex())
    row = await PendingReceipt.get_or_none(token_digest=digest)
    if row is None or row.expires_at <= datetime.now(UTC):
        return None
    data = json.loads(crypto.decrypt_content(token, bytes(row.sealed)))
    return Submitted(data["receipt"], Urgency(data["urgency"]))


async def forget_pending(token: bytes) -> None:
    """The person wrote the receipt down: forget the copy kept for showing it again."""
    digest = crypto.blind_index(crypto.Purpose.PENDING_RECEIPT, token.hex())
    if await PendingReceipt.filter(token_digest=digest).delete():
        db.forget_deleted_soon()


async def purge_pending() -> int:
    gone = await PendingReceipt.filter(expires_at__lte=datetime.now(UTC)).delete()
    if gone:
        db.forget_deleted_soon()
    return gone


async def submit_draft(chat_id: int, token: bytes) -> Submitted:
    """Turn this chat's report draft into a tip, once, whatever the number of presses; NoDraft
    when there is neither a draft nor a receipt kept for this button."""
    try:
        draft = await drafts.load(drafts.REPORT, chat_id)
        files = await drafts.files(draft.row_id) if draft else []
        if draft is None:
            found = await pending(token)
            if found is None:
                raise NoDraft("no report draft")
            return found
    except NoDraft:
        raise
    except Exception as error:
        log.error("reading a draft failed: %s", type(error).__name__)
        raise SubmitFailed("the database is not available") from error
    try:
        quick = bool(draft.extra.get("quick"))  # someone in danger: sent now, details later
        submitted = await _store(
            draft.answers, files, draft_id=draft.row_id, token=token, quick=quick
        )
    except _AlreadyClaimed:
        found = await pending(token)
        if found is None:
            raise NoDraft("sent by another press") from None
        return found
    db.forget_deleted_soon()  # the draft's bytes, now that it is a tip
    return submitted
