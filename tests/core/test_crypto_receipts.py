"""A reporter keeps their receipt for months; the server's Argon2id cost may be raised in the
meantime. Each receipt remembers the cost it was hashed at, so it still opens its tip."""

from __future__ import annotations

import pytest

from core import crypto
from tips import intake, receipts
from tips.models import Receipt

from ..tips.helpers import unit_with_focal_point

BOAT = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax",
    "when": "soon",
    "description": "a boat leaves tonight",
    "child": "no",
    "danger": "no",
}
# FAST's libsodium limits with twice the passes and memory for receipts: a "raised" cost.
RAISED = crypto.KdfLimits(opslimit=1, memlimit=8192, time_cost=2, memory_cost=16)


async def test_receipts_survive_a_change_of_argon2_cost(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    crypto.use_kdf_limits(crypto.FAST)
    old = await intake.submit(BOAT)
    assert (await receipts.open_tip(old.receipt)).tip.id == old.tip_id

    crypto.use_kdf_limits(RAISED)
    new = await intake.submit({**BOAT, "description": "a second boat"})

    assert {r.tip_id: r.kdf for r in await Receipt.all()} == {
        old.tip_id: "argon2id:t=1,m=8,p=1",
        new.tip_id: "argon2id:t=2,m=16,p=1",
    }
    for submitted in (old, new):
        opened = await receipts.open_tip(receipts.normalise(receipts.display(submitted.receipt)))
        assert opened is not None and opened.tip.id == submitted.tip_id
        assert opened.key  # the reporter's own key, derived at the row's cost, opened it
    assert await receipts.open_tip("0" * 16) is None

    receipts.forget_kdfs()  # a fresh process that has never looked at the table
    crypto.use_kdf_limits(crypto.MODERATE)
    assert (await receipts.open_tip(old.receipt)).tip.id == old.tip_id


async def test_a_receipt_hash_depends_on_its_cost_and_nothing_else() -> None:
    fast = crypto.receipt_kdf(crypto.FAST)
    raised = crypto.receipt_kdf(RAISED)
    digest = await crypto.receipt_hash("1234567812345678", fast)
    crypto.use_kdf_limits(RAISED)  # the current cost does not matter once the label is given
    assert await crypto.receipt_hash("1234567812345678", fast) == digest
    assert await crypto.receipt_hash("1234567812345678") != digest
    both = await crypto.open_receipt("1234567812345678", raised)
    assert both.kdf == raised and both.digest == await crypto.receipt_hash("1234567812345678")
    assert both.key == await crypto.receipt_key("1234567812345678", raised)
    for label in ("argon2i:t=1,m=8,p=1", "argon2id:t=0,m=8,p=1", "argon2id:t=1,m=4,p=1"):
        with pytest.raises(ValueError):
            await crypto.open_receipt("1234567812345678", label)
