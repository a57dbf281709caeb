"""Everything a tip page shows, loaded in one go for one member: the tip opened with their key
(audited as a view, their read mark moved), its timeline, its labels and the unit's, and the
members it could be given to. The admin's tip page and `aman bench inbox` both use this.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Role, StaffMember
from tips import labels
from tips.inbox import OpenedTip, open_tip
from tips.labels import LabelInfo
from tips.models import Tip
from tips.timeline import Event, timeline

# Who a tip may be given to: the readers of its unit (admin.scope.READERS).
ASSIGNABLE_ROLES = (Role.FOCAL_POINT, Role.UNIT_LEAD)


@dataclass(frozen=True)
class Member:
    id: int
    name: str


@dataclass(frozen=True)
class Sheet:
    opened: OpenedTip
    events: list[Event]
    labels: list[LabelInfo]  # the reader's unit's labels on the tip
    unit_labels: list[LabelInfo]  # all of the reader's unit's labels
    members: list[Member]  # who the tip may be given to
    assignee: Member | None


async def assignable_in(unit_id: int) -> list[Member]:
    """The active focal points and unit leads of a unit: who its tips may be given to."""
    rows = (
        await StaffMember.filter(unit_id=unit_id, role__in=ASSIGNABLE_ROLES, is_active=True)
        .order_by("display_name", "id")
        .values_list("id", "display_name")
    )
    return [Member(member_id, name) for member_id, name in rows]


async def load(tip: Tip, staff: StaffMember, private_key: bytes) -> Sheet:
    """The tip page's data (sealing.NoAccess if the tip is not sealed to this member)."""
    opened = await open_tip(tip.id, staff, private_key)
    members = await assignable_in(opened.tip.unit_id)
    assignee_id = opened.tip.assignee_id
    assignee = next((m for m in members if m.id == assignee_id), None)
    if assignee_id is not None and assignee is None:  # no longer active, or moved away
        other = await StaffMember.get_or_none(id=assignee_id)
        assignee = Member(assignee_id, other.display_name if other else "?")
    return Sheet(
        opened=opened,
        events=await timeline(opened),
        labels=await labels.on_tip(tip.id, staff.unit_id),
        unit_labels=await labels.of_unit(staff.unit_id),
        members=members,
        assignee=assignee,
    )
