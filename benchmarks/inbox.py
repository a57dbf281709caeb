"""Inbox benchmark: N tips seeded in bulk on the configured database, then the inbox's first page,
filtered pages and tip pages measured as the admin runs them (the same functions as its views).

    aman bench inbox --tips 1000000
    AMAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/aman_bench aman bench inbox --tips 1000000

The database is `--database`, else AMAN_DATABASE_URL, else a fresh SQLite file. A database with
tips of its own is refused; one already seeded with the same number of benchmark tips is reused
(so a second run measures at once). Tips spread over three years and six units (the measured
Tunis unit holds 30 %); old tips are mostly closed; some are labelled, assigned, followed up,
read. Their content is one real sealed answer (the same for all), so a tip page decrypts as in
use; every tip has its audit entries, for the timeline.

Prints one JSON line: the inbox's first page, a filtered page (each filter in turn) and a deep
page, p50/p95 in ms; a tip page p50/p95 (scope check, decrypting one tip, messages, files,
notes, timeline, labels, members, the audited view and the read mark).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402

from admin import scope  # noqa: E402
from core import accounts, crypto  # noqa: E402
from core.db import close_db, init_db  # noqa: E402
from core.models import Role, StaffMember, Unit  # noqa: E402
from tips import labels, listing, sheet  # noqa: E402
from tips.listing import UNASSIGNED, Filters  # noqa: E402
from tips.models import Category, Label, Tip, TipStatus, Urgency  # noqa: E402
from tips.sealing import encrypt_json, encrypt_text  # noqa: E402

PREFIX = "BENCH-"
# (country, share of the tips in percent); the regional desk takes "another country or at sea".
UNITS = [("TN", 30), ("MA", 20), ("LY", 20), ("EG", 15), ("DZ", 10), (None, 5)]
PASSWORD = "benchmark-password"
SPAN = timedelta(days=3 * 365)
RECENT = timedelta(days=60)  # older tips are mostly closed
PER_PAGE = 50
ANSWERS = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax, near the port",
    "when": "soon",
    "description": "A boat leaves tonight with forty people " * 8,
    "child": "no",
    "danger": "no",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 0.95), 2),
        "max": round(max(values), 2),
    }


# -- seeding ----------------------------------------------------------------------------------


class Cast:
    """The benchmark's units and members, with the sealed tip key each member holds."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.members: dict[int, list[StaffMember]] = {}  # unit id -> its readers
        self.reader: StaffMember | None = None  # the Tunis focal point who is measured
        self.private_key = b""


async def cast(tip_key: bytes) -> Cast:
    """Units and staff: found if seeded before, made otherwise (keys at the fastest cost)."""
    made = Cast()
    for country, _share in UNITS:
        code = PREFIX + (country or "REGIONAL")
        unit, _ = await Unit.get_or_create(
            code=code,
            defaults={"name": f"{code} unit", "country": country, "is_regional": not country},
        )
        made.units.append(unit)
        names = ["fp1", "fp2", "lead"] if country == "TN" else ["fp1"]
        members = []
        for name in names:
            username = f"bench-{(country or 'rg').lower()}-{name}"
            member = await StaffMember.get_or_none(username=username)
            if member is None:
                role = Role.UNIT_LEAD if name == "lead" else Role.FOCAL_POINT
                member, _recovery, _uri = await accounts.create_staff(
                    username, f"Bench {name} {country or 'regional'}", role, unit, PASSWORD
                )
            members.append(member)
        made.members[unit.id] = members
    made.reader = made.members[made.units[0].id][0]
    made.private_key = await accounts.unlock_private_key(made.reader, PASSWORD)
    return made


def _dialect() -> str:
    return Tortoise.get_connection("default").capabilities.dialect


def _blob() -> str:
    """The one bytes parameter of a statement (PostgreSQL cannot guess its type in a SELECT)."""
    return "?" if _dialect() == "sqlite" else "CAST($1 AS BYTEA)"


def _json(text: str) -> str:
    return f"'{text}'" if _dialect() == "sqlite" else f"CAST('{text}' AS JSONB)"


async def _run(sql: str, values: list[Any] | None = None) -> None:
    await Tortoise.get_connection("default").execute_query(sql, values or [])


def _hour_sql(epoch: str) -> str:
    """A whole-hour timestamp from a Unix-time SQL expression, as each backend stores it."""
    if _dialect() == "sqlite":
        return f"strftime('%Y-%m-%d %H:00:00+00:00', {epoch}, 'unixepoch')"
    return f"to_timestamp({epoch})"


async def seed_tips(count: int, made: Cast, tip_key: bytes) -> None:
    """The tips in one INSERT … SELECT over a counter (a recursive CTE: both backends have it)."""
    start = int((datetime.now(UTC) - SPAN).timestamp()) // 3600 * 3600
    step = SPAN.total_seconds() / count
    old_before = int(count * (1 - RECENT / SPAN))
    unit_case, bound = [], 0
    for unit, (_country, share) in zip(made.units, UNITS, strict=True):
        bound += share
        unit_case.append(f"WHEN h_unit < {bound} THEN {unit.id}")
    country_case = " ".join(
        f"WHEN {unit.id} THEN '{country or 'XX'}'"
        for unit, (country, _share) in zip(made.units, UNITS, strict=True)
    )
    tn = made.units[0].id
    tn_members = [m.id for m in made.members[tn]]
    categories = [c.value for c in Category]
    category_case = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(categories))
    created = _hour_sql(f"{start} + CAST(n * {step} AS INTEGER) / 3600 * 3600")
    closed = _hour_sql(f"{start} + CAST(n * {step} AS INTEGER) / 3600 * 3600 + 7 * 86400")
    sql = f"""
WITH RECURSIVE g(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM g WHERE n < {count}),
s AS (
  SELECT n, (n * 40503) % 100 AS h_unit, (n * 2654435761) % 1000 AS h, (n * 97) % 100 AS h_assign
  FROM g
),
t AS (
  SELECT n, h, h_assign, CASE {" ".join(unit_case)} END AS unit_id FROM s
)
INSERT INTO tip (unit_id, country, category, urgency, child_involved, status, content,
                 created_at, updated_at, closed_at, assignee_id)
SELECT
  unit_id,
  CASE unit_id {country_case} END,
  CASE h % 5 {category_case} END,
  CASE WHEN h < 150 THEN '{Urgency.URGENT.value}' ELSE '{Urgency.NORMAL.value}' END,
  h < 40,
  CASE
    WHEN n < {old_before} AND h % 10 < 9 THEN '{TipStatus.CLOSED.value}'
    WHEN n < {old_before} THEN CASE h % 3 WHEN 0 THEN 'investigating' WHEN 1 THEN 'referred'
                                          ELSE 'acknowledged' END
    ELSE CASE h % 4 WHEN 1 THEN 'acknowledged' WHEN 2 THEN 'investigating' ELSE 'new' END
  END,
  {_blob()},
  {created},
  {created},
  CASE WHEN n < {old_before} AND h % 10 < 9 THEN {closed} END,
  CASE WHEN unit_id = {tn} AND h_assign < 25 THEN
    CASE h_assign % 3 WHEN 0 THEN {tn_members[0]} WHEN 1 THEN {tn_members[1]}
                      ELSE {tn_members[2]} END
  END
FROM t ORDER BY n
"""
    await _run(sql, [encrypt_json(tip_key, ANSWERS)])


async def seed_around(made: Cast, tip_key: bytes) -> None:
    """Keys, messages, labels, read marks and audit entries of the seeded tips."""
    true = "1" if _dialect() == "sqlite" else "TRUE"
    false = "0" if _dialect() == "sqlite" else "FALSE"
    for unit in made.units:
        for member in made.members[unit.id]:
            sealed = crypto.seal_to(bytes(member.public_key), tip_key)
            await _run(
                "INSERT INTO tip_key (tip_id, staff_id, is_escrow, sealed_key) "
                f"SELECT id, {member.id}, {false}, {_blob()} FROM tip WHERE unit_id = {unit.id}",
                [sealed],
            )
    # One tip in ten has an exchange with its reporter.
    for from_reporter, author, text in ((true, "NULL", "More"), (false, made.reader.id, "Where?")):
        await _run(
            "INSERT INTO tip_message (tip_id, from_reporter, author_id, body, created_at) "
            f"SELECT id, {from_reporter}, {author}, {_blob()}, created_at FROM tip "
            "WHERE id % 10 = 3",
            [encrypt_text(tip_key, text)],
        )
    for unit in made.units:
        ids = []
        for number in range(10):
            label, _ = await Label.get_or_create(unit_id=unit.id, name=f"label {number}")
            ids.append(label.id)
        await _run(
            "INSERT INTO tip_label_link (tip_id, label_id) "
            f"SELECT id, CASE id % 10 {' '.join(f'WHEN {i} THEN {v}' for i, v in enumerate(ids))}"
            f" END FROM tip WHERE unit_id = {unit.id} AND id % 7 = 1"
        )
    await _run(
        "INSERT INTO tip_read (staff_id, tip_id, last_message_id, last_file_id) "
        f"SELECT {made.reader.id}, id, 2147483647, 2147483647 FROM tip "
        f"WHERE unit_id = {made.units[0].id} AND id % 2 = 0"
    )
    target = "'tip:' || id"
    for action, actor, details, where in (
        ("tip.routed", "system", '{"reason": "rule"}', ""),
        ("tip.submitted", "bot", '{"files": 0}', ""),
        ("tip.opened", f"staff:{made.reader.id}", "{}", "WHERE id % 3 = 0"),
        ("tip.status", f"staff:{made.reader.id}", '{"status": "acknowledged"}', "WHERE id % 3 = 0"),
    ):
        await _run(
            "INSERT INTO audit_entry (at, actor, action, target, details) "
            f"SELECT created_at, '{actor}', '{action}', {target}, {_json(details)} FROM tip {where}"
        )
    if _dialect() != "sqlite":
        await _run("VACUUM ANALYZE")
    else:
        await _run("ANALYZE")


async def ensure_seeded(count: int, made: Cast, tip_key: bytes) -> tuple[bool, float]:
    """(seeded now, seconds it took); refuses a database with tips that are not ours."""
    ours = [u.id for u in made.units]
    theirs = await Tip.exclude(unit_id__in=ours).count()
    if theirs:
        raise SystemExit(
            f"this database holds {theirs} tips that are not the benchmark's: "
            "point --database (or AMAN_DATABASE_URL) at an empty database"
        )
    present = await Tip.filter(unit_id__in=ours).count()
    if present == count:
        return False, 0.0
    if present:
        raise SystemExit(
            f"this database holds {present} benchmark tips, not {count}: drop it or use another"
        )
    started = time.perf_counter()
    await seed_tips(count, made, tip_key)
    await seed_around(made, tip_key)
    return True, time.perf_counter() - started


# -- measuring --------------------------------------------------------------------------------


async def inbox_page(reader: StaffMember, filters: Filters, number: int = 1) -> int:
    """What GET /inbox asks of the database (admin/views/inbox.py and the scope's middleware)."""
    await scope.prepare(reader)
    found = await listing.page(scope.visible_tips(reader), filters, number, PER_PAGE, reader)
    await labels.of_unit(reader.unit_id)
    await sheet.assignable_in(reader.unit_id)
    return len(found.rows)


async def tip_page(reader: StaffMember, private_key: bytes, tip_id: int) -> int:
    """What GET /tips/{id} asks of the database (admin/views/tip.py and the scope's middleware),
    decryption included."""
    await scope.prepare(reader)
    tip = await scope.tip_for(reader, tip_id)
    loaded = await sheet.load(tip, reader, private_key)
    return len(loaded.events)


async def timed(samples: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    for number in range(min(5, samples)):  # warm the caches and the prepared statements
        await call(number)
    spent = []
    for number in range(samples):
        began = time.perf_counter()
        await call(number)
        spent.append(1000 * (time.perf_counter() - began))
    return spent


def filters_of(made: Cast, label_id: int) -> dict[str, Filters]:
    today = datetime.now(UTC).date()
    return {
        "status=new": Filters(status=TipStatus.NEW.value),
        "status=all": Filters(status="all"),
        "status=closed": Filters(status=TipStatus.CLOSED.value),
        "category=trafficking": Filters(category=Category.TRAFFICKING),
        "urgency=urgent": Filters(urgency=Urgency.URGENT),
        "urgency=normal": Filters(urgency=Urgency.NORMAL),
        "country=TN": Filters(country="TN"),
        "country=MA (none here)": Filters(country="MA"),
        "last 30 days": Filters(since=today - timedelta(days=30), until=today),
        "a year ago, one week": Filters(
            status="all", since=today - timedelta(days=365), until=today - timedelta(days=358)
        ),
        "label": Filters(label_id=label_id),
        "assignee=me": Filters(assignee_id=made.reader.id),
        "assignee=none": Filters(assignee_id=UNASSIGNED),
        "label+category+urgent": Filters(
            label_id=label_id, category=Category.BOAT, urgency=Urgency.URGENT, status="all"
        ),
    }


async def measure(args: argparse.Namespace, database: str) -> dict[str, Any]:
    await init_db(database)
    tip_key = crypto.new_content_key()
    made = await cast(tip_key)
    seeded_before = await Tip.filter(unit_id=made.units[0].id).first()
    if seeded_before is not None:
        # Sealed under an earlier run's key: the measured member opens it like any tip.
        tip_key = await _key_of(seeded_before, made)
    seeded, seed_seconds = await ensure_seeded(args.tips, made, tip_key)
    reader = made.reader
    assert reader is not None
    unit_tips = await Tip.filter(unit_id=reader.unit_id).count()
    open_tips = await Tip.filter(unit_id=reader.unit_id, closed_at__isnull=True).count()
    label = await Label.filter(unit_id=reader.unit_id).order_by("id").first()
    assert label is not None

    first = await timed(args.samples, lambda _n: inbox_page(reader, Filters()))
    named = list(filters_of(made, label.id).items())

    async def filtered(number: int) -> None:
        await inbox_page(reader, named[number % len(named)][1])

    for number in range(len(named)):  # each filter once first (`timed` warms only five)
        await filtered(number)
    every_filter = await timed(args.samples * 2, filtered)
    by_filter: dict[str, list[float]] = {name: [] for name, _ in named}
    for number, spent in enumerate(every_filter):
        by_filter[named[number % len(named)][0]].append(spent)
    deep = await timed(args.samples, lambda _n: inbox_page(reader, Filters(), number=20))
    ids = await Tip.filter(unit_id=reader.unit_id).values_list("id", flat=True)
    chooser = random.Random(7)
    picks = [chooser.choice(ids) for _ in range(args.samples + 5)]
    tips = await timed(args.samples, lambda n: tip_page(reader, made.private_key, picks[n]))
    await close_db()
    return {
        "benchmark": "inbox",
        "database": database.split("://", 1)[0],
        "tips": args.tips,
        "unit_tips": unit_tips,
        "unit_open_tips": open_tips,
        "seeded": seeded,
        "seed_s": round(seed_seconds, 1),
        "samples": args.samples,
        "inbox_first_page_ms": summary(first),
        "inbox_filtered_ms": summary(every_filter)
        | {"p95_by_filter": {n: round(percentile(v, 0.95), 2) for n, v in by_filter.items()}},
        "inbox_page_20_ms": summary(deep),
        "tip_page_ms": summary(tips),
    }


async def _key_of(tip: Tip, made: Cast) -> bytes:
    from tips.sealing import open_tip_key

    assert made.reader is not None
    return await open_tip_key(tip, made.reader, made.private_key)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="aman bench inbox", description=__doc__)
    parser.add_argument("--tips", type=_positive_int, default=100_000)
    parser.add_argument("--samples", type=_positive_int, default=200, help="per measurement")
    parser.add_argument(
        "--database", help="a Tortoise DSN (default: AMAN_DATABASE_URL, else a fresh SQLite file)"
    )
    args = parser.parse_args(argv)
    crypto.use_secret(b"aman-benchmark-secret-aman-benchmark-secret")
    crypto.use_kdf_limits(crypto.FAST)  # the staff's keys; nothing measured hashes a password
    with tempfile.TemporaryDirectory(prefix="aman-bench-") as tmp:
        database = (
            args.database or os.environ.get("AMAN_DATABASE_URL") or f"sqlite://{tmp}/bench.sqlite3"
        )
        result = asyncio.run(measure(args, database))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
