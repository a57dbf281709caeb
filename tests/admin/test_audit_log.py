"""Stories of the audit log: the auditor reads it in the admin, filters it by action, actor,
target and date, pages through it, and exports it as CSV (which is itself audited, and safe to
open in a spreadsheet); no other role can read it, whatever the URL."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from core import audit
from core.models import AuditEntry, Role, StaffMember

from .staff import SFAX_BOAT, Browser, staff_member, submit, unit_with_focal_point


def rows_of(page: str) -> list[str]:
    """The actions listed on an audit page, top to bottom."""
    return re.findall(r'<td dir="ltr" class="action">([^<]*)</td>', page)


def numbers(page: str) -> list[int]:
    """The `n` of each bulk entry listed, top to bottom."""
    return [int(n) for n in re.findall(r'class="details">n=(\d+)</td>', page)]


async def as_auditor(client: TestClient) -> tuple[Browser, StaffMember]:
    auditor = await staff_member("auditor", Role.AUDITOR)
    browser = Browser(client)
    await browser.sign_in(auditor)
    return browser, auditor


async def test_auditor_reads_and_exports_the_log(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    tip_id = await submit(SFAX_BOAT)
    reader = Browser(client)
    await reader.sign_in(tunis)
    assert (await reader.page(f"/tips/{tip_id}"))[0] == 200
    await reader.sign_out()
    await audit.record("note.made", actor="system", target='=HYPERLINK("http://x")', why="-1+1")

    browser, auditor = await as_auditor(client)
    status, page = await browser.page("/audit")
    assert status == 200 and 'href="/audit"' in page  # the auditor's menu leads here
    shown = rows_of(page)
    assert shown[0] == "signin.ok"  # newest first: the auditor's own sign-in
    assert {"tip.submitted", "tip.routed", "tip.opened", "signout", "note.made"} <= set(shown)
    assert "forty people" not in page

    # By action, and by the reader's username: only their opening of the tip.
    _status, page = await browser.page("/audit?action=tip.opened&actor=fp-tn")
    assert rows_of(page) == ["tip.opened"]
    assert f"staff:{tunis.id} (fp-tn)" in page
    _status, page = await browser.page(f"/audit?target=tip:{tip_id}&action=tip.")
    assert set(rows_of(page)) == {"tip.submitted", "tip.routed", "tip.opened"}
    today = datetime.now(UTC).date()
    _status, page = await browser.page(f"/audit?from={today}&to={today}&action=tip.opened")
    assert rows_of(page) == ["tip.opened"]
    _status, page = await browser.page(f"/audit?from={today + timedelta(days=1)}")
    assert rows_of(page) == [] and "No entries match these filters." in page
    for bad in ("from=31/01/2027", "before=abc", "actor=" + "x" * 65):
        status, page = await browser.page(f"/audit?{bad}")
        assert status == 400, bad

    # Paged in SQL by id: 50 a page, older then newer again.
    for n in range(60):
        await audit.record("bulk.entry", actor="system", n=n)
    _status, first = await browser.page("/audit?action=bulk.entry")
    assert rows_of(first) == ["bulk.entry"] * 50 and 'rel="prev"' not in first
    older = re.search(r'href="(/audit\?[^"]*before=\d+)"', first)
    assert older, "no link to older entries"
    _status, second = await browser.page(older.group(1).replace("&amp;", "&"))
    assert rows_of(second) == ["bulk.entry"] * 10 and 'rel="next"' not in second
    assert numbers(first) == list(range(59, 9, -1)) and numbers(second) == list(range(9, -1, -1))
    newer = re.search(r'href="(/audit\?[^"]*after=\d+)"', second)
    assert newer, "no link back to newer entries"
    _status, again = await browser.page(newer.group(1).replace("&amp;", "&"))
    assert numbers(again) == numbers(first)

    # The CSV export: the same filters, every matching entry, cells a spreadsheet keeps as text.
    response = await browser.get("/audit.csv?action=note.")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(await response.text())))
    assert table[0] == ["id", "at", "actor", "action", "target", "details"]
    assert [row[3] for row in table[1:]] == ["note.made"]
    assert table[1][4] == '\'=HYPERLINK("http://x")'
    assert '"why": "-1+1"' in table[1][5]

    everything = await browser.get("/audit.csv")
    all_rows = list(csv.reader(io.StringIO(await everything.text())))[1:]
    assert len(all_rows) == await AuditEntry.all().count()
    assert [int(row[0]) for row in all_rows] == sorted((int(r[0]) for r in all_rows), reverse=True)

    exported = await AuditEntry.filter(action="audit.exported").order_by("id")
    assert [(e.actor, e.details) for e in exported] == [
        (f"staff:{auditor.id}", {"filters": {"action": "note."}}),
        (f"staff:{auditor.id}", {"filters": {}}),
    ]


@pytest.mark.parametrize(
    "role",
    [Role.ADMIN, Role.FOCAL_POINT, Role.UNIT_LEAD, Role.ANALYST, Role.EDITOR, Role.APPROVER],
)
async def test_other_roles_cannot_read_the_audit_log(client: TestClient, role: Role) -> None:
    unit, _tunis, _ = await unit_with_focal_point("TN", "TN")
    await submit(SFAX_BOAT)
    member = await staff_member("someone", role, unit if role != Role.ADMIN else None)
    browser = Browser(client)
    await browser.sign_in(member)
    assert 'href="/audit"' not in (await browser.page("/"))[1]
    for path in ("/audit", "/audit?action=tip.routed", "/audit.csv"):
        response = await browser.get(path)
        page = await response.text()
        assert response.status == 403, path
        assert "Your role does not give access to this page." in page
        assert "tip.routed" not in page
    denied = await AuditEntry.filter(action="access.denied", actor=f"staff:{member.id}").count()
    assert denied == 3
    assert not await AuditEntry.filter(action="audit.exported").exists()


async def test_the_audit_log_asks_strangers_to_sign_in(client: TestClient) -> None:
    for path in ("/audit", "/audit.csv"):
        response = await Browser(client).get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/sign-in")
