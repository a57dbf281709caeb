"""Escalation: a tip nobody acknowledged in time goes to its unit's lead(s), then to the regional
desk, so that a boat leaving tonight is never left waiting in one focal point's inbox.

Only a holder of a tip's key can seal it to someone else, and when a tip needs escalating nobody
who holds its key has looked at it. So at intake (`standby` + `hold`) the tip key is also sealed
to the members it may be escalated to, and each of those sealed boxes is kept *held*: encrypted
again under the server's at-rest key (HeldKey), not in TipKey. Until the tip escalates, neither
that member's private key nor a copy of the database opens it, and admin.scope does not show it
to the regional desk. Escalating (`run`, a periodic job of the worker) moves the held boxes of
that level into TipKey and records the level (Escalation), which widens the regional desk's
scope (`escalated_to`). Once a tip is acknowledged (any status but "new") its held boxes are
deleted: it will never escalate.

Levels, counted from the hour the tip came in: after AMAN_ESCALATE_AFTER (AMAN_ESCALATE_URGENT_
AFTER for urgent tips) to the lead(s), after twice that to the regional desk. Each level is
claimed by writing its Escalation row (unique per tip and level) in the transaction that releases
the keys, so two workers running the job at once escalate a tip once. Audited as
"tip.escalated" with the level, the unit and how many members received the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from core import audit, crypto, db
from core.logs import get_logger
from core.models import Role, StaffMember, Unit
from core.settings import get_settings
from tips.models import Escalation, HeldKey, Tip, TipKey, TipStatus, Urgency
from tips.sealing import seal_tip_key

log = get_logger(__name__)

UNIT_LEAD = 1
REGIONAL_DESK = 2
LEVEL_NAMES = {UNIT_LEAD: "unit_lead", REGIONAL_DESK: "regional_desk"}
EVERY = timedelta(minutes=5)  # how often the worker runs the job
BATCH = 200  # tips escalated per level per run; the next run takes the rest
_READERS = (Role.FOCAL_POINT, Role.UNIT_LEAD)


@dataclass(frozen=True)
class Standby:
    """A member a tip may be escalated to, and at which level."""

    member: StaffMember
    level: int


def escalated_to(unit_id: int | None) -> Q:
    """The tips escalated to this unit (the regional desk): admin.scope.visible_tips adds these
    to the unit's own tips."""
    reached = Escalation.filter(unit_id=unit_id, level=REGIONAL_DESK).values("tip_id")
    return Q(id__in=Subquery(reached))


async def regional_desk(excluding: int | None = None) -> Unit | None:
    """The regional desk tips escalate to: the first regional unit with a member who could
    open a tip (none when the only one is `excluding`, the tip's own unit)."""
    for unit in await Unit.filter(is_regional=True).exclude(id=excluding or 0).order_by("id"):
        if await _members(unit.id, _READERS):
            return unit
    return None


async def _members(unit_id: int, roles: tuple[Role, ...]) -> list[StaffMember]:
    return await StaffMember.filter(
        unit_id=unit_id, role__in=roles, is_active=True, public_key__isnull=False
    ).order_by("id")


async def standby(unit: Unit, recipients: list[StaffMember]) -> list[Standby]:
    """Whom a tip routed to `unit` may be escalated to, besides its `recipients`: the unit's
    lead(s), then the regional desk's focal points and leads."""
    sealed = {member.id for member in recipients}
    chosen: list[Standby] = []
    for member in await _members(unit.id, (Role.UNIT_LEAD,)):
        if member.id not in sealed:
            chosen.append(Standby(member, UNIT_LEAD))
            sealed.add(member.id)
    desk = None if unit.is_regional else await regional_desk(excluding=unit.id)
    for member in await _members(desk.id, _READERS) if desk else []:
        if member.id not in sealed:
            chosen.append(Standby(member, REGIONAL_DESK))
            sealed.add(member.id)
    return chosen


def hold(tip_key: bytes, members: list[Standby]) -> list[dict[str, Any]]:
    """The held boxes of a new tip's key (HeldKey fields without the tip), made before its
    transaction like every other encryption of intake."""
    rows = []
    for one in members:
        (sealed,) = [k for k in seal_tip_key(tip_key, [one.member]) if not k.is_escrow]
        held = crypto.seal_at_rest(sealed.sealed, crypto.Purpose.TIP_HELD_KEY)
        rows.append({"staff_id": one.member.id, "level": one.level, "sealed": held})
    return rows


async def store_held(tip: Tip, rows: list[dict[str, Any]], connection: Any) -> None:
    """Write the held boxes inside intake's transaction."""
    if rows:
        await HeldKey.bulk_create([HeldKey(tip=tip, **row) for row in rows], using_db=connection)


def _delays() -> dict[Urgency, timedelta]:
    settings = get_settings()
    return {Urgency.NORMAL: settings.escalate_after, Urgency.URGENT: settings.escalate_urgent_after}


async def due(level: int, now: datetime) -> list[Tip]:
    """Tips still new whose time to reach `level` has come and that have not reached it."""
    waited = Q(
        *[
            Q(urgency=urgency, created_at__lte=now - level * delay)
            for urgency, delay in _delays().items()
        ],
        join_type=Q.OR,
    )
    reached = Escalation.filter(level=level).values("tip_id")
    return (
        await Tip.filter(waited, status=TipStatus.NEW)
        .exclude(id__in=Subquery(reached))
        .order_by("created_at", "id")
        .limit(BATCH)
    )


async def run(now: datetime | None = None) -> int:
    """Escalate every tip whose time has come (the worker's periodic job; `now` for tests).
    Returns how many levels were reached by this call."""
    now = now or datetime.now(UTC)
    reached = 0
    for level in (UNIT_LEAD, REGIONAL_DESK):
        for tip in await due(level, now):
            reached += await escalate(tip, level, now)
    await forget_held_of_acknowledged()
    return reached


async def escalate(tip: Tip, level: int, now: datetime) -> bool:
    """Claim `level` for this tip and hand its held keys over; False when another worker did."""
    unit_id = await _desk_for(tip) if level == REGIONAL_DESK else tip.unit_id
    try:
        async with in_transaction() as connection:
            await Escalation.create(
                tip_id=tip.id, level=level, unit_id=unit_id, at=now, using_db=connection
            )
            members = await _release(tip.id, level, unit_id, connection)
            unit = await Unit.get(id=unit_id).using_db(connection)
            await audit.record(
                "tip.escalated",
                actor="system",
                target=f"tip:{tip.id}",
                level=LEVEL_NAMES[level],
                unit=unit.code,
                members=members,
            )
    except IntegrityError:
        return False  # claimed by another worker: it did all of the above
    if members == 0:
        log.warning("tip escalated to the %s with nobody to open it", LEVEL_NAMES[level])
    return True


async def _desk_for(tip: Tip) -> int:
    """The regional desk this tip goes to: the one its keys were held for at intake, else the
    desk of today (whose members then see it without a key, and can ask); with no other desk,
    the tip's own unit (the level is noted, nothing more)."""
    held_for = await HeldKey.filter(
        tip_id=tip.id, level=REGIONAL_DESK, staff__unit__is_regional=True
    ).values_list("staff__unit_id", flat=True)
    if held_for:
        return held_for[0]
    desk = await regional_desk(excluding=tip.unit_id)
    return desk.id if desk else tip.unit_id


async def _release(tip_id: int, level: int, unit_id: int, connection: Any) -> int:
    """Move this level's held boxes into TipKey for members still in that unit and role."""
    released = 0
    held = await HeldKey.filter(tip_id=tip_id, level=level).using_db(connection)
    for row in held:
        member = await StaffMember.get_or_none(id=row.staff_id).using_db(connection)
        if member is None or not member.is_active or member.unit_id != unit_id:
            continue
        if member.role not in _READERS:
            continue
        sealed = crypto.open_at_rest(bytes(row.sealed), crypto.Purpose.TIP_HELD_KEY)
        _key, made = await TipKey.get_or_create(
            tip_id=tip_id,
            staff_id=member.id,
            defaults={"sealed_key": sealed},
            using_db=connection,
        )
        released += 1 if made else 0
    if held:
        await HeldKey.filter(tip_id=tip_id, level=level).using_db(connection).delete()
    return released


async def forget_held_of_acknowledged() -> int:
    """Delete the held boxes of tips someone acknowledged: they will never escalate."""
    tip_ids = set(
        await HeldKey.filter(tip__status__not=TipStatus.NEW)
        .limit(5000)
        .values_list("tip_id", flat=True)
    )
    if not tip_ids:
        return 0
    gone = await HeldKey.filter(tip_id__in=tip_ids).delete()
    db.forget_deleted_soon()
    return gone


async def levels_of(tip_ids: list[int]) -> dict[int, int]:
    """The highest level each of these tips reached (absent: not escalated), for pages that
    want to mark escalated tips."""
    levels: dict[int, int] = {}
    for tip_id, level in await Escalation.filter(tip_id__in=tip_ids).values_list("tip_id", "level"):
        levels[tip_id] = max(level, levels.get(tip_id, 0))
    return levels
