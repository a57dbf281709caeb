"""The inbox's list: a page of tips in one SQL query, with its filters in SQL, in the order a
focal point works (a child involved first, then urgent, then newest), plus each member's read
marks. The caller gives the tips the member may see (admin.scope); this module never widens it.

The order follows indexes of migration 0005 (`tip_inbox_open` for the default view of open
tips, `tip_inbox_all`, `tip_inbox_status`, `tip_inbox_assignee`), so a page costs the same at a
million tips as at a hundred (`aman bench inbox`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Max
from tortoise.queryset import QuerySet

from core.models import StaffMember
from tips.models import Category, Tip, TipFile, TipLabel, TipMessage, TipRead, TipStatus, Urgency

OPEN = "open"  # the default view: every tip not closed
ALL = "all"
UNASSIGNED = 0  # the assignee filter for tips given to nobody
# Descending on every key: child_involved true before false, urgency "urgent" before "normal"
# (compared as text, which is why the values of Urgency must keep that order), newest first.
ORDER = ("-child_involved", "-urgency", "-created_at", "-id")
LIST_FIELDS = (
    "id",
    "created_at",
    "country",
    "category",
    "urgency",
    "status",
    "child_involved",
    "assignee_id",
)
assert Urgency.URGENT.value > Urgency.NORMAL.value, "the inbox orders urgency as text"


@dataclass(frozen=True)
class Filters:
    status: str = OPEN  # OPEN, ALL or a TipStatus value
    category: Category | None = None
    urgency: Urgency | None = None
    country: str | None = None
    since: date | None = None  # received on or after this day (UTC)
    until: date | None = None  # received on or before this day (UTC)
    label_id: int | None = None
    assignee_id: int | None = None  # a member's id, or UNASSIGNED

    def apply(self, tips: QuerySet[Tip]) -> QuerySet[Tip]:
        """These filters on a query of tips, all in SQL."""
        if self.status == OPEN:
            tips = tips.filter(closed_at__isnull=True)
        elif self.status != ALL:
            tips = tips.filter(status=TipStatus(self.status))
        if self.category is not None:
            tips = tips.filter(category=self.category)
        if self.urgency is not None:
            tips = tips.filter(urgency=self.urgency)
        if self.country is not None:
            tips = tips.filter(country=self.country)
        if self.since is not None:
            tips = tips.filter(created_at__gte=_start_of(self.since))
        if self.until is not None:
            tips = tips.filter(created_at__lt=_start_of(self.until + timedelta(days=1)))
        if self.label_id is not None:
            labelled = TipLabel.filter(label_id=self.label_id).values("tip_id")
            tips = tips.filter(id__in=Subquery(labelled))
        if self.assignee_id == UNASSIGNED:
            tips = tips.filter(assignee_id__isnull=True)
        elif self.assignee_id is not None:
            tips = tips.filter(assignee_id=self.assignee_id)
        return tips


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


@dataclass(frozen=True)
class Row:
    id: int
    created_at: datetime
    country: str
    category: str
    urgency: str
    status: str
    child_involved: bool
    assignee: str | None  # the member's display name
    labels: list[str] = field(default_factory=list)  # the reader's unit's labels on it
    unread: bool = False


@dataclass(frozen=True)
class InboxPage:
    rows: list[Row]
    number: int
    has_next: bool


async def page(
    visible: QuerySet[Tip], filters: Filters, number: int, per_page: int, reader: StaffMember
) -> InboxPage:
    """Page `number` (from 1) of the tips in `visible` that pass `filters`, in the inbox's
    order; metadata only (nothing to decrypt). One query for the page, small ones for its
    names, labels and the reader's read marks."""
    found = (
        await filters.apply(visible)
        .order_by(*ORDER)
        .offset((number - 1) * per_page)
        .limit(per_page + 1)
        .values(*LIST_FIELDS)
    )
    shown = found[:per_page]
    ids = [row["id"] for row in shown]
    names = await _names({row["assignee_id"] for row in shown if row["assignee_id"]})
    labels = await labels_on(ids, reader.unit_id)
    unread = await unread_among(reader.id, ids)
    rows = [
        Row(
            id=row["id"],
            created_at=row["created_at"],
            country=row["country"],
            category=str(row["category"]),
            urgency=str(row["urgency"]),
            status=str(row["status"]),
            child_involved=bool(row["child_involved"]),
            assignee=names.get(row["assignee_id"]),
            labels=labels.get(row["id"], []),
            unread=row["id"] in unread,
        )
        for row in shown
    ]
    return InboxPage(rows, number, len(found) > per_page)


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await StaffMember.filter(id__in=ids).values_list("id", "display_name")
    return dict(rows)


async def labels_on(tip_ids: list[int], unit_id: int | None) -> dict[int, list[str]]:
    """The names of `unit_id`'s labels on each of these tips."""
    if not tip_ids or unit_id is None:
        return {}
    rows = (
        await TipLabel.filter(tip_id__in=tip_ids, label__unit_id=unit_id)
        .order_by("label__name")
        .values_list("tip_id", "label__name")
    )
    found: dict[int, list[str]] = {}
    for tip_id, name in rows:
        found.setdefault(tip_id, []).append(name)
    return found


# -- read marks -----------------------------------------------------------------------------


async def mark_read(staff_id: int, tip_id: int, last_message_id: int, last_file_id: int) -> None:
    """The member has seen the tip with the reporter's messages and files up to these ids."""
    values = {"last_message_id": last_message_id, "last_file_id": last_file_id}
    if await TipRead.filter(staff_id=staff_id, tip_id=tip_id).update(**values):
        return
    try:
        await TipRead.create(staff_id=staff_id, tip_id=tip_id, **values)
    except IntegrityError:  # the same member opened it in two tabs at once
        await TipRead.filter(staff_id=staff_id, tip_id=tip_id).update(**values)


async def unread_among(staff_id: int, tip_ids: list[int]) -> set[int]:
    """Those of these tips the member never opened, or whose reporter sent a message or a file
    since they last did."""
    if not tip_ids:
        return set()
    marks = {
        tip_id: (message, file)
        for tip_id, message, file in await TipRead.filter(
            staff_id=staff_id, tip_id__in=tip_ids
        ).values_list("tip_id", "last_message_id", "last_file_id")
    }
    unread = {tip_id for tip_id in tip_ids if tip_id not in marks}
    seen = [tip_id for tip_id in tip_ids if tip_id in marks]
    if seen:
        messages = await _latest(TipMessage.filter(tip_id__in=seen, from_reporter=True))
        files = await _latest(TipFile.filter(tip_id__in=seen))
        for tip_id in seen:
            message, file = marks[tip_id]
            if messages.get(tip_id, 0) > message or files.get(tip_id, 0) > file:
                unread.add(tip_id)
    return unread


async def _latest(rows: QuerySet) -> dict[int, int]:
    """The highest id of these rows per tip (ordered by tip: the models' own order by id
    cannot stand beside GROUP BY)."""
    found = (
        await rows.annotate(latest=Max("id"))
        .group_by("tip_id")
        .order_by("tip_id")
        .values_list("tip_id", "latest")
    )
    return {tip_id: latest for tip_id, latest in found}
