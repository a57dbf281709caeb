"""A tip's timeline: everything that happened to it, from the audit log entries about it (who
did what, when) and, where an entry stands for words — a message either way, a note, a reason
for closing — those words, decrypted for the member reading it.

Entries keep the audit log's order (its ids), not their times: what the reporter does is logged
at the hour (core.coarse), so sorting by time would put a reporter's answer before the question
it answers. Repeated views by one member in a row are shown once, with a count.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.models import AuditEntry, StaffMember
from tips.inbox import OpenedTip
from tips.models import Label

LONGEST = 500  # entries shown; older ones stay in the audit log
REPEATS = frozenset({"tip.opened", "tip.file", "tip.denied"})


@dataclass(frozen=True)
class Event:
    at: datetime
    action: str  # the audit log's ("tip.status", "tip.replied", …)
    actor: str  # "staff", "reporter" or "system"
    who: str | None  # a member's display name
    details: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # the words of a message, note or reason
    count: int = 1  # the same member doing the same thing this many times in a row


def _actor(actor: str) -> str:
    if actor.startswith("staff:"):
        return "staff"
    return "reporter" if actor == "bot" else "system"


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(await StaffMember.filter(id__in=ids).values_list("id", "display_name"))


def _staff_id(actor: str) -> int | None:
    _, _, number = actor.partition("staff:")
    return int(number) if number.isdigit() else None


async def timeline(opened: OpenedTip, limit: int = LONGEST) -> list[Event]:
    """The tip's events, oldest first (at most the latest `limit`)."""
    entries = list(
        reversed(
            await AuditEntry.filter(target=f"tip:{opened.tip.id}")
            .order_by("-id")
            .limit(limit)
            .values("action", "actor", "at", "details")
        )
    )
    members = {_staff_id(e["actor"]) for e in entries} | {
        e["details"].get("assignee") for e in entries if e["action"] == "tip.assigned"
    }
    names = await _names({m for m in members if isinstance(m, int)})
    label_ids = {e["details"].get("label") for e in entries if "label" in e["details"]}
    labels = dict(
        await Label.filter(id__in=[i for i in label_ids if isinstance(i, int)]).values_list(
            "id", "name"
        )
    )
    # Words stand in order beside the entries that wrote them; matched from the newest, so
    # entries older than `limit` leave their words out rather than shift everyone else's.
    words = {
        "tip.replied": deque(m.text for m in opened.messages if not m.from_reporter),
        "tip.reporter_added": deque(m.text for m in opened.messages if m.from_reporter),
    }
    notes = {n.id: n.text for n in opened.notes if not n.closes}
    reasons = deque(n.text for n in opened.notes if n.closes)
    events: list[Event] = []
    for entry in reversed(entries):
        action, details = entry["action"], dict(entry["details"] or {})
        text = None
        if words.get(action):
            text = words[action].pop()
        elif action == "tip.note":
            text = notes.get(details.get("note"))
        elif action == "tip.status" and details.get("status") == "closed" and reasons:
            text = reasons.pop()
        if action == "tip.assigned":
            details["assignee_name"] = names.get(details.get("assignee"))
        if "label" in details:
            details["label_name"] = labels.get(details["label"])
        staff_id = _staff_id(entry["actor"])
        events.append(
            Event(
                entry["at"],
                action,
                _actor(entry["actor"]),
                names.get(staff_id) if staff_id else None,
                details,
                text,
            )
        )
    events.reverse()
    return _collapsed(events)


def _collapsed(events: list[Event]) -> list[Event]:
    shown: list[Event] = []
    for event in events:
        last = shown[-1] if shown else None
        if (
            last is not None
            and event.action in REPEATS
            and (last.action, last.who, last.actor) == (event.action, event.who, event.actor)
        ):
            shown[-1] = replace(last, at=event.at, count=last.count + 1)
        else:
            shown.append(event)
    return shown
