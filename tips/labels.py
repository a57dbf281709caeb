"""Labels: each unit's own words for sorting its tips ("needs translation", "duplicate"), put on
and taken off a tip by its members, audited by id (a label is the unit's, never the tip's
content). Kept in clear so the inbox filters on them in SQL; the page says what not to write.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from core import audit, coarse
from core.models import StaffMember
from tips.models import Label, Tip, TipLabel

NAME_LIMIT = 40
LABELS_PER_UNIT = 200


class BadLabel(ValueError):
    """A label name that is empty, too long, or one too many for the unit."""


@dataclass(frozen=True)
class LabelInfo:
    id: int
    name: str


def clean_name(name: str) -> str:
    """The name as kept: blanks collapsed, at most NAME_LIMIT characters (BadLabel if empty)."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LIMIT:
        raise BadLabel(name)
    return name


async def of_unit(unit_id: int | None) -> list[LabelInfo]:
    """The unit's labels, by name."""
    if unit_id is None:
        return []
    rows = await Label.filter(unit_id=unit_id).order_by("name").values_list("id", "name")
    return [LabelInfo(label_id, name) for label_id, name in rows]


async def on_tip(tip_id: int, unit_id: int | None) -> list[LabelInfo]:
    """The unit's labels on this tip, by name."""
    if unit_id is None:
        return []
    rows = (
        await TipLabel.filter(tip_id=tip_id, label__unit_id=unit_id)
        .order_by("label__name")
        .values_list("label_id", "label__name")
    )
    return [LabelInfo(label_id, name) for label_id, name in rows]


async def find(unit_id: int | None, label_id: int) -> LabelInfo | None:
    row = await Label.get_or_none(id=label_id, unit_id=unit_id) if unit_id else None
    return LabelInfo(row.id, row.name) if row else None


async def _label_named(unit_id: int, name: str) -> Label:
    label = await Label.get_or_none(unit_id=unit_id, name=name)
    if label is not None:
        return label
    if await Label.filter(unit_id=unit_id).count() >= LABELS_PER_UNIT:
        raise BadLabel(name)
    try:
        return await Label.create(unit_id=unit_id, name=name)
    except IntegrityError:  # another member made the same label at the same moment
        return await Label.get(unit_id=unit_id, name=name)


async def add(tip_id: int, staff: StaffMember, name: str) -> LabelInfo:
    """Put the member's unit's label `name` on the tip (made if new); BadLabel for a bad name."""
    if staff.unit_id is None:
        raise BadLabel(name)
    label = await _label_named(staff.unit_id, clean_name(name))
    try:
        _row, made = await TipLabel.get_or_create(tip_id=tip_id, label_id=label.id)
    except IntegrityError:  # put on by someone else at the same moment: it is there
        made = False
    if made:
        await Tip.filter(id=tip_id).update(updated_at=coarse.hour())
        await audit.record(
            "tip.labelled", actor=f"staff:{staff.id}", target=f"tip:{tip_id}", label=label.id
        )
    return LabelInfo(label.id, label.name)


async def remove(tip_id: int, staff: StaffMember, label_id: int) -> bool:
    """Take one of the member's unit's labels off the tip; False if it was not on it."""
    if staff.unit_id is None or not await Label.exists(id=label_id, unit_id=staff.unit_id):
        return False
    gone = await TipLabel.filter(tip_id=tip_id, label_id=label_id).delete()
    if gone:
        await Tip.filter(id=tip_id).update(updated_at=coarse.hour())
        await audit.record(
            "tip.unlabelled", actor=f"staff:{staff.id}", target=f"tip:{tip_id}", label=label_id
        )
    return bool(gone)
