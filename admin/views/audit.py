"""The audit log, for auditors only: every entry, newest first, filtered by action, actor, target
and date, paged in SQL (by id, so the thousandth page costs what the first does), and exported as
CSV with the same filters. The export is itself written to the audit log ("audit.exported").

Filters: an action exactly ("tip.opened") or a family ending in a dot ("tip."); an actor as the
log writes it ("staff:12", "system", "bot", "cli") or a member's username; a target as written
("tip:12"); dates from and to (inclusive, UTC days).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiohttp import web
from tortoise.expressions import Q

from admin.auth import Refusal, actor, requires
from admin.language import render
from core import audit
from core.i18n import N_
from core.models import AuditEntry, Role, StaffMember

PER_PAGE = 50
EXPORT_CHUNK = 1000
LONGEST_FILTER = 64
CSV_COLUMNS = ("id", "at", "actor", "action", "target", "details")
# A spreadsheet runs a cell that starts with one of these as a formula: never let it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page, name="audit")
    app.router.add_get("/audit.csv", audit_csv, name="audit_csv")


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None

    def query_string(self) -> dict[str, str]:
        """The filters as the page's form and links write them."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "target": self.target,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {name: value for name, value in values.items() if value}


def _text(request: web.Request, name: str) -> str:
    value = request.query.get(name, "").strip()
    if len(value) > LONGEST_FILTER or any(ord(ch) < 32 for ch in value):
        raise Refusal(400, N_("A filter is too long or holds characters that are not allowed."))
    return value


def _day(request: web.Request, name: str) -> date | None:
    value = _text(request, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refusal(400, N_("That date could not be read. Write it as 2027-01-31.")) from None


def filters_of(request: web.Request) -> Filters:
    return Filters(
        action=_text(request, "action"),
        actor=_text(request, "actor"),
        target=_text(request, "target"),
        since=_day(request, "from"),
        until=_day(request, "to"),
    )


async def _actor_as_logged(text: str) -> str:
    """A username stands for "staff:<id>"; anything else is matched as the log writes it."""
    if ":" in text or text in ("system", "bot", "cli", "anonymous"):
        return text
    member = await StaffMember.get_or_none(username=text)
    return f"staff:{member.id}" if member else text


async def condition(filters: Filters) -> Q:
    """The filters as one SQL condition."""
    parts = [Q()]
    if filters.action.endswith("."):
        parts.append(Q(action__startswith=filters.action))
    elif filters.action:
        parts.append(Q(action=filters.action))
    if filters.actor:
        parts.append(Q(actor=await _actor_as_logged(filters.actor)))
    if filters.target:
        parts.append(Q(target=filters.target))
    if filters.since:
        parts.append(Q(at__gte=datetime.combine(filters.since, time(), UTC)))
    if filters.until:
        parts.append(Q(at__lt=datetime.combine(filters.until + timedelta(days=1), time(), UTC)))
    return Q(*parts)


def _cursor(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and 0 < len(value) <= 19):
        raise Refusal(400, N_("There is no such page of the audit log."))
    return int(value)


async def _names(entries: list[AuditEntry]) -> dict[str, str]:
    """Usernames of the staff actors on a page, so the auditor reads who, not a number."""
    ids = {
        int(e.actor[6:]) for e in entries if e.actor.startswith("staff:") and e.actor[6:].isdigit()
    }
    members = await StaffMember.filter(id__in=ids).values_list("id", "username")
    return {f"staff:{member_id}": username for member_id, username in members}


@requires(Role.AUDITOR)
async def audit_page(request: web.Request) -> web.Response:
    filters = filters_of(request)
    where = await condition(filters)
    before, after = _cursor(request, "before"), _cursor(request, "after")
    query = AuditEntry.filter(where)
    if after is not None:  # a newer page: read upwards from the cursor, then show newest first
        rows = await query.filter(id__gt=after).order_by("id").limit(PER_PAGE + 1)
        more_newer = len(rows) > PER_PAGE
        entries = list(reversed(rows[:PER_PAGE]))
        more_older = bool(entries) and await query.filter(id__lt=entries[-1].id).exists()
    else:
        if before is not None:
            query = query.filter(id__lt=before)
        rows = await query.order_by("-id").limit(PER_PAGE + 1)
        entries = rows[:PER_PAGE]
        more_older = len(rows) > PER_PAGE
        more_newer = before is not None and bool(entries)
    context = {
        "entries": entries,
        "names": await _names(entries),
        "filters": filters.query_string(),
        "older": entries[-1].id if more_older else None,
        "newer": entries[0].id if more_newer else None,
        "details": _details,
    }
    return render(request, "audit.html", context)


def _details(entry: AuditEntry) -> str:
    """An entry's details as `name=value` pairs (the page escapes them)."""
    return ", ".join(
        f"{name}={value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for name, value in sorted((entry.details or {}).items())
    )


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_rows(entries: list[AuditEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for e in entries:
        details = json.dumps(e.details or {}, ensure_ascii=False, sort_keys=True)
        cells = (e.id, e.at.astimezone(UTC).isoformat(), e.actor, e.action, e.target, details)
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue().encode()


@requires(Role.AUDITOR)
async def audit_csv(request: web.Request) -> web.StreamResponse:
    filters = filters_of(request)
    where = await condition(filters)
    # Written first: an export cut short by a closed connection is still on the record.
    await audit.record("audit.exported", actor=actor(request), filters=filters.query_string())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="aman-audit-{stamp}.csv"',
        }
    )
    await response.prepare(request)
    await response.write(",".join(CSV_COLUMNS).encode() + b"\r\n")
    last: int | None = None
    while True:
        query = AuditEntry.filter(where)
        if last is not None:
            query = query.filter(id__lt=last)
        chunk = await query.order_by("-id").limit(EXPORT_CHUNK)
        if not chunk:
            break
        await response.write(_csv_rows(chunk))
        last = chunk[-1].id
    await response.write_eof()
    return response
