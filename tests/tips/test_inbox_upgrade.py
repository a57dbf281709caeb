"""A database from before the inbox (tips migration 0004) is upgraded: tips that were "in review"
are now being investigated, "action taken" ones referred, closed ones stay closed; nothing that
hangs off a tip (its keys, its receipt) is lost on the way, on SQLite or PostgreSQL; and code
that still names the old statuses reads on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as migrate_to

from core.db import close_db, init_db, migrate, tortoise_config
from core.models import Unit
from tests.conftest import BACKENDS
from tests.core.test_migrations import Databases
from tips.models import Receipt, Tip, TipKey, TipStatus

OLD = {"in_review": "investigating", "action_taken": "referred", "closed": "closed", "new": "new"}


@pytest.fixture(params=BACKENDS)
async def databases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Databases]:
    made = Databases(request.param, tmp_path)
    try:
        yield made
    finally:
        await close_db()
        await made.drop_all()


async def test_old_statuses_become_the_new_ones_and_nothing_hanging_off_a_tip_is_lost(
    databases: Databases,
) -> None:
    url = await databases.new()
    await migrate_to(config=tortoise_config(url), target="tips.0004_trust")
    await Tortoise.close_connections()

    await init_db(url, apply_migrations=False)
    unit = await Unit.create(code="TN", name="Tunisia unit", country="TN")
    connection = Tortoise.get_connection("default")
    marks = (lambda n: "?") if databases.backend == "sqlite" else (lambda n: f"${n}")
    for number, status in enumerate(OLD, start=1):
        await connection.execute_query(
            "INSERT INTO tip (unit_id, country, category, urgency, status, content, created_at, "
            f"updated_at) VALUES ({marks(1)}, 'TN', 'boat', 'urgent', {marks(2)}, {marks(3)}, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [unit.id, status, b"sealed"],
        )
        await connection.execute_query(
            "INSERT INTO tip_key (tip_id, is_escrow, sealed_key) "
            f"VALUES ({marks(1)}, {'1' if databases.backend == 'sqlite' else 'TRUE'}, {marks(2)})",
            [number, b"key"],
        )
        await connection.execute_query(
            "INSERT INTO tip_receipt (tip_id, digest, sealed_key, created_at) "
            f"VALUES ({marks(1)}, {marks(2)}, {marks(3)}, CURRENT_TIMESTAMP)",
            [number, f"digest-{number}", b"wrapped"],
        )
    await close_db()

    await migrate(url)
    await init_db(url, apply_migrations=False)
    tips = await Tip.all().order_by("id")
    assert [t.status for t in tips] == [TipStatus(v) for v in OLD.values()]
    assert [t.status.value for t in tips] == list(OLD.values())
    assert not any(t.child_involved for t in tips) and not any(t.assignee_id for t in tips)
    assert await TipKey.all().count() == len(OLD) and await Receipt.all().count() == len(OLD)
    # Code written against the old names, and a row an older process writes, still read.
    assert TipStatus.IN_REVIEW is TipStatus.INVESTIGATING
    assert TipStatus.ACTION_TAKEN is TipStatus.REFERRED
    assert TipStatus("in_review") is TipStatus.INVESTIGATING
    await Tortoise.get_connection("default").execute_query(
        f"UPDATE tip SET status = 'action_taken' WHERE id = {tips[0].id}"
    )
    assert (await Tip.get(id=tips[0].id)).status == TipStatus.REFERRED
