"""The one place that decides which tips a staff member may see: every tip query of the admin
starts here, so a member's role and unit bound it whatever the URL says.

- focal points and unit leads see their own unit's tips, the tips other units shared with their
  unit (tips.sharing), and at the regional desk the tips escalated to it (tips.escalation):
  `visible_tips` is widened here and nowhere else;
- analysts count tips (their unit's, or all of them without a unit) but never read one;
- admins, auditors, editors and approvers see no tips at all.

`tip_for` is how a page gets one tip from an id it was given: anything outside the member's
scope, a tip that does not exist and an id that is not one all look the same (TipNotFound, a 404
to the person) and are written to the audit log as a denied access.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from admin.auth import current_staff
from core import audit
from core.models import Role, StaffMember
from tips import escalation, links
from tips.models import Escalation, Tip, TipShare

READERS = frozenset({Role.FOCAL_POINT, Role.UNIT_LEAD})  # may open tips of their unit
COUNTERS = READERS | {Role.ANALYST}  # may count tips
_LARGEST_ID = 2**63 - 1
# Set on a member by `prepare`: True when no tip is shared with their unit (see there).
_NOTHING_SHARED_IN = "_scope_nothing_shared_in"


class TipNotFound(LookupError):
    """No such tip for this member: outside their scope, missing, or not an id at all."""


def _nothing() -> QuerySet[Tip]:
    return Tip.filter(id__in=[])


def visible_tips(staff: StaffMember) -> QuerySet[Tip]:
    """The tips this member may list and open (metadata in clear, content sealed)."""
    if not staff.is_active or staff.role not in READERS or staff.unit_id is None:
        return _nothing()
    own = Q(unit_id=staff.unit_id)
    if getattr(staff, _NOTHING_SHARED_IN, False):
        return Tip.filter(own)
    shared_here = TipShare.filter(to_unit_id=staff.unit_id).values("tip_id")
    widened = own | Q(id__in=Subquery(shared_here)) | escalation.escalated_to(staff.unit_id)
    return Tip.filter(widened)


async def prepare(staff: StaffMember | None) -> None:
    """Look up once per request whether any tip is shared with, or escalated to, this member's
    unit. Most units' are not, and then `visible_tips` stays one range of the unit's own tips,
    which an index serves in order; an OR with the shares would make the inbox read every tip
    of the unit to sort them. A member not prepared gets the full query: the same tips, only
    slower."""
    if staff is not None and staff.role in READERS and staff.unit_id is not None:
        shared = await TipShare.exists(to_unit_id=staff.unit_id)
        escalated = await Escalation.exists(unit_id=staff.unit_id, level=2)
        nothing = not shared and not escalated
        setattr(staff, _NOTHING_SHARED_IN, nothing)


@web.middleware
async def scope_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Prepare the signed-in member's scope (after the session middleware found them)."""
    await prepare(current_staff(request))
    return await handler(request)


def countable_tips(staff: StaffMember) -> QuerySet[Tip]:
    """The tips this member may count (for figures without content)."""
    if not staff.is_active or staff.role not in COUNTERS:
        return _nothing()
    if staff.role == Role.ANALYST and staff.unit_id is None:
        return Tip.all()
    return visible_tips(staff) if staff.role in READERS else Tip.filter(unit_id=staff.unit_id)


def parse_tip_id(text: str | int) -> int | None:
    """A tip id from a URL or a form, or None for anything that cannot be one."""
    if isinstance(text, int):
        number = text
    elif text.isascii() and text.isdigit() and len(text) <= 19:
        number = int(text)
    else:
        return None
    return number if 0 < number <= _LARGEST_ID else None


async def deny(staff: StaffMember, tip_id: int | None, reason: str) -> None:
    """Write a refused look at a tip to the audit log."""
    await audit.record(
        "tip.denied",
        actor=f"staff:{staff.id}",
        target=f"tip:{tip_id}" if tip_id is not None else None,
        reason=reason,
    )


async def tip_for(staff: StaffMember, tip_id: str | int) -> Tip:
    """The tip with this id, if this member may open it; TipNotFound (audited) otherwise."""
    number = parse_tip_id(tip_id)
    if number is None:
        await deny(staff, None, "not an id")
        raise TipNotFound("not a tip id")
    if staff.role not in READERS:
        await deny(staff, number, "role")
        raise TipNotFound(f"tip {number} is not for this role")
    tip = await visible_tips(staff).get_or_none(id=number)
    if tip is None:
        await deny(staff, number, "out of scope" if await Tip.exists(id=number) else "no such tip")
        raise TipNotFound(f"tip {number} is not in this member's scope")
    return tip


LINKED_SHOWN = 100  # linked tips listed on a tip's page; all of them are counted


async def linked_tips(staff: StaffMember, tip_id: str | int) -> tuple[list[Tip], int]:
    """The tips linked to this one (naming the same phone number, handle, IBAN or plate) that
    this member may open, newest first, and how many others exist in other units' scopes (a
    count only, so the units can ask each other). TipNotFound (audited) as for `tip_for`."""
    tip = await tip_for(staff, tip_id)
    linked = Subquery(links.linked_ids(tip.id))
    visible = visible_tips(staff).filter(id__in=linked)
    shown = await visible.order_by("-id").limit(LINKED_SHOWN)
    seen = len(shown) if len(shown) < LINKED_SHOWN else await visible.count()
    elsewhere = await Tip.filter(id__in=linked).count() - seen
    return shown, elsewhere


def may_manage(staff: StaffMember, tip: Tip) -> bool:
    """Whether this member may give the tip to someone, close it or reopen it: an active unit
    lead of the unit the tip was routed to."""
    return staff.is_active and staff.role == Role.UNIT_LEAD and staff.unit_id == tip.unit_id
