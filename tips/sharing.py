"""Cross-border sharing: a unit lead shares one of its unit's tips with another country's unit,
with a written reason, and a lead gives a new member of the unit the tips the unit already has.

Both re-seal the tip key (opened with the lead's own private key) to more members; nothing is
decrypted on the way but the key. The reason may name case details, so it is encrypted with the
tip key (TipShare.reason) and only someone who can open the tip reads it; the audit log keeps
the fact and the two units. Who may see a shared tip is decided in admin.scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core import audit, crypto
from core.i18n import N_
from core.models import Role, StaffMember, Unit
from tips.models import Tip, TipKey, TipShare
from tips.sealing import (
    KEY_HOLDERS,
    decrypt_text,
    encrypt_text,
    open_tip_key,
    recipients,
    share_with,
)

SHORTEST_REASON = 10  # characters: a sentence, not "ok"
LONGEST_REASON = 2000
_BATCH = 500


class ShareRefused(Exception):
    """A share (or a giving of tips) that cannot go ahead: `message` is an untranslated msgid
    for the person, `params` fill it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Shared:
    to_unit: Unit
    members: int  # how many members of the receiving unit can now open the tip


@dataclass(frozen=True)
class ShareEntry:
    """One share as a tip's timeline shows it to someone who can open the tip."""

    from_unit: str
    to_unit: str
    by: str | None
    reason: str
    at: datetime


def clean_reason(text: str) -> str:
    """The reason as written, or ShareRefused when it is too short or too long."""
    reason = text.strip()
    if len(reason) < SHORTEST_REASON:
        raise ShareRefused(
            N_("Write why you share this tip, in a sentence (at least %(n)s characters)."),
            n=SHORTEST_REASON,
        )
    if len(reason) > LONGEST_REASON:
        raise ShareRefused(
            N_("The reason is too long: %(n)s characters at most."), n=LONGEST_REASON
        )
    return reason


async def share_tip(
    tip: Tip, lead: StaffMember, private_key: bytes, to_unit_id: int, reason: str
) -> Shared:
    """Share `tip` with another unit: its key sealed to every member of that unit who can hold
    one, the reason encrypted with it, the fact in the audit log. Only a lead of the tip's own
    unit shares it (ShareRefused otherwise, like for a missing reason or unit; NoAccess when
    the tip is not sealed to the lead's key)."""
    if lead.role != Role.UNIT_LEAD or not lead.is_active or lead.unit_id != tip.unit_id:
        raise ShareRefused(N_("Only a lead of the unit this tip was sent to can share it."))
    reason = clean_reason(reason)
    to_unit = await Unit.get_or_none(id=to_unit_id)
    if to_unit is None or to_unit.id == tip.unit_id:
        raise ShareRefused(N_("Choose another unit to share this tip with."))
    if await TipShare.exists(tip_id=tip.id, to_unit_id=to_unit.id):
        raise ShareRefused(N_("This tip is already shared with that unit."))
    members = await recipients(to_unit)
    if not members:
        raise ShareRefused(N_("Nobody in that unit can open tips yet: no member has a key."))
    key = await open_tip_key(tip, lead, private_key)  # NoAccess when not sealed to the lead
    from_unit = await Unit.get(id=tip.unit_id)
    try:
        async with in_transaction() as connection:
            await TipShare.create(
                tip_id=tip.id,
                from_unit=from_unit,
                to_unit=to_unit,
                by=lead,
                reason=encrypt_text(key, reason),
                using_db=connection,
            )
            for member in members:
                await share_with(tip, key, member, connection)
            await audit.record(
                "tip.shared",
                actor=f"staff:{lead.id}",
                target=f"tip:{tip.id}",
                from_unit=from_unit.code,
                to_unit=to_unit.code,
                members=len(members),
            )
    except IntegrityError:  # the same share, made a moment before by another request
        raise ShareRefused(N_("This tip is already shared with that unit.")) from None
    return Shared(to_unit, len(members))


async def shares_of(tip_id: int, key: bytes | None) -> list[ShareEntry]:
    """The shares of a tip, oldest first, reasons decrypted with the tip key (None: a reader
    who cannot open the tip sees that it was shared, not why)."""
    rows = (
        await TipShare.filter(tip_id=tip_id)
        .select_related("from_unit", "to_unit", "by")
        .order_by("id")
    )
    return [
        ShareEntry(
            row.from_unit.name,
            row.to_unit.name,
            row.by.display_name if row.by else None,
            decrypt_text(key, bytes(row.reason)) if key is not None else "",
            row.created_at,
        )
        for row in rows
    ]


async def share_targets(tip: Tip) -> list[tuple[Unit, bool]]:
    """The units a tip could be shared with, each with whether it has it already."""
    shared = set(await TipShare.filter(tip_id=tip.id).values_list("to_unit_id", flat=True))
    units = await Unit.exclude(id=tip.unit_id).order_by("is_regional", "country", "code")
    return [(unit, unit.id in shared) for unit in units]


async def give_unit_tips(
    lead: StaffMember, private_key: bytes, member: StaffMember, tips: QuerySet[Tip]
) -> int:
    """Seal to `member` (new in the lead's unit) every tip of `tips` (the lead's scope: the
    unit's own tips and those shared with it) that the lead can open and the member cannot yet.
    Audited once, with the count; returns how many tips the member was given."""
    if lead.role != Role.UNIT_LEAD or not lead.is_active or lead.unit_id is None:
        raise ShareRefused(N_("Only a unit lead can give the unit's tips."))
    if member.id == lead.id or member.unit_id != lead.unit_id or member.role not in KEY_HOLDERS:
        raise ShareRefused(N_("Tips can only be given to a focal point or lead of your unit."))
    if not member.is_active or member.public_key is None:
        raise ShareRefused(N_("This member's account is not active or has no key."))
    public_key = bytes(member.public_key)
    given = unopened = 0
    after = 0
    while True:
        held = TipKey.filter(staff_id=member.id).values("tip_id")
        rows = (
            await TipKey.filter(
                staff_id=lead.id, id__gt=after, tip_id__in=Subquery(tips.values("id"))
            )
            .exclude(tip_id__in=Subquery(held))
            .order_by("id")
            .limit(_BATCH)
        )
        if not rows:
            break
        after = rows[-1].id
        sealed = []
        for row in rows:
            try:
                key = crypto.open_sealed(private_key, bytes(row.sealed_key))
            except crypto.DecryptionError:
                unopened += 1
                continue
            resealed = crypto.seal_to(public_key, key)
            sealed.append(TipKey(tip_id=row.tip_id, staff_id=member.id, sealed_key=resealed))
        async with in_transaction() as connection:
            await TipKey.bulk_create(sealed, using_db=connection, ignore_conflicts=True)
        given += len(sealed)
    await audit.record(
        "unit.tips_given",
        actor=f"staff:{lead.id}",
        target=f"staff:{member.id}",
        unit=lead.unit_id,
        tips=given,
        unopened=unopened,
    )
    return given
