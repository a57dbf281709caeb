"""Intake: turning a finished draft into a sealed, routed tip in one database transaction.

Everything slow or fallible that needs no database (hashing the receipt, encrypting, cleaning
images) happens first; then the tip, its sealed keys, files and receipt digest are written in one
transaction; only after the commit is the receipt handed back. If the database fails, nothing is
half-written and the draft stays where it was, so the person can try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from core import audit, crypto
from core.logs import get_logger
from tips import drafts, media, receipts, routing
from tips.media import Checked
from tips.models import Receipt, Tip, TipFile, TipKey, Urgency
from tips.questionnaire import Questionnaire, load
from tips.sealing import encrypt_json, recipients, seal_tip_key

log = get_logger(__name__)


class SubmitFailed(Exception):
    """The tip could not be stored; the draft is kept and the person may try again."""


class NobodyCanReceive(SubmitFailed):
    """No unit has anyone who could open the tip, and no escrow key is configured."""


@dataclass(frozen=True)
class Submitted:
    tip_id: int
    receipt: str  # shown once to the reporter, never stored
    unit_code: str
    urgency: Urgency


def _encrypted_files(tip_key: bytes, files: list[tuple[Checked, bytes]]) -> list[dict[str, Any]]:
    rows = []
    for checked, data in files:
        triage = media.triage_copy(data, checked.mime)
        rows.append(
            {
                "kind": checked.kind,
                "mime": checked.mime,
                "size": checked.size,
                "original": crypto.encrypt_content(tip_key, data),
                "triage": crypto.encrypt_content(tip_key, triage) if triage else None,
            }
        )
    return rows


async def submit(
    answers: dict[str, Any],
    files: list[tuple[Checked, bytes]] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Submitted:
    """Seal, route and store one tip; the receipt is returned only once it is committed."""
    questionnaire = questionnaire or load()
    country = questionnaire.country(answers)
    category = questionnaire.category(answers)
    urgency = questionnaire.urgency(answers)
    try:
        decision = await routing.route(country, category, urgency)
        members = await recipients(decision.unit) if decision else []
    except Exception as error:
        log.error("routing failed: %s", type(error).__name__)
        raise SubmitFailed("the database is not available") from error
    if decision is None:
        raise NobodyCanReceive("no unit can receive tips")

    tip_key = crypto.new_content_key()
    receipt = receipts.new_receipt()
    digest, reporter_key = await receipts.seal_for_reporter(receipt, tip_key)
    content = encrypt_json(tip_key, answers)
    sealed_keys = seal_tip_key(tip_key, members)
    file_rows = _encrypted_files(tip_key, files or [])

    try:
        async with in_transaction():
            tip = await Tip.create(
                unit=decision.unit,
                country=country,
                category=category,
                urgency=urgency,
                content=content,
            )
            await TipKey.bulk_create(
                [
                    TipKey(tip=tip, staff_id=k.staff_id, is_escrow=k.is_escrow, sealed_key=k.sealed)
                    for k in sealed_keys
                ]
            )
            for row in file_rows:
                await TipFile.create(tip=tip, **row)
            await routing.record(tip, decision)
            await audit.record(
                "tip.submitted", actor="bot", target=f"tip:{tip.id}", files=len(file_rows)
            )
            await Receipt.create(tip=tip, digest=digest, sealed_key=reporter_key)
    except Exception as error:
        # The message of a database error may quote values; log only its kind.
        log.error("storing a tip failed: %s", type(error).__name__)
        raise SubmitFailed("the tip could not be stored") from error
    return Submitted(tip.id, receipt, decision.unit.code, urgency)


async def submit_draft(chat_id: int) -> Submitted:
    """Submit this chat's report draft; the draft is forgotten only after the commit."""
    try:
        draft = await drafts.load(drafts.REPORT, chat_id)
        files = await drafts.files(chat_id) if draft else []
    except Exception as error:
        log.error("reading a draft failed: %s", type(error).__name__)
        raise SubmitFailed("the database is not available") from error
    if draft is None:
        raise LookupError("no report draft")
    submitted = await submit(draft.answers, files)
    try:
        await drafts.discard(drafts.REPORT, chat_id)
    except Exception as error:  # the tip is safe; the draft will expire on its own
        log.warning("could not discard a submitted draft: %s", type(error).__name__)
    return submitted
