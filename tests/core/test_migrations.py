"""The migrations are how every real database gets its tables: applied in order they build exactly
the schema the models describe, on SQLite and on PostgreSQL; an upgrade keeps the rows already
there usable; and no migration leans on live model code that may change after it was written."""

from __future__ import annotations

import ast
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as migrate_to

from core import crypto
from core.db import APPS, close_db, init_db, migrate, tortoise_config
from core.models import Unit
from tests.conftest import BACKENDS, PG_URL
from tips import receipts, sealing
from tips.models import Category, Receipt

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"core", "tips", "campaigns", "content", "bot", "admin", "cli", "benchmarks"}
RECORDER_TABLE = "tortoise_migrations"  # the migrations' own bookkeeping, not a model's


class Databases:
    """Empty databases of one backend, made on demand and dropped afterwards."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self.folder = folder
        self.made: list[str] = []

    async def new(self) -> str:
        name = f"aman_m_{uuid.uuid4().hex[:12]}"
        self.made.append(name)
        if self.backend == "sqlite":
            return f"sqlite://{self.folder / name}.sqlite3"
        await self._admin(f'CREATE DATABASE "{name}"')
        return PG_URL.rsplit("/", 1)[0] + f"/{name}"

    async def drop_all(self) -> None:
        if self.backend == "postgres":
            for name in self.made:
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def schema(self, url: str) -> dict[str, Any]:
        """Tables with their columns, indexes and constraints, by name where the name is the
        application's (tables, columns) and by content where it is generated (indexes)."""
        if self.backend == "sqlite":
            return _sqlite_schema(url.removeprefix("sqlite://"))
        return await _postgres_schema(url.replace("postgres://", "postgresql://", 1))


def _sqlite_schema(path: str) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        schema = {}
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (table,) in tables:
            columns = {
                name: (kind, bool(notnull), default, pk)
                for _cid, name, kind, notnull, default, pk in conn.execute(
                    f'PRAGMA table_info("{table}")'
                )
            }
            indexes = set()
            for _seq, index, unique, _origin, partial in conn.execute(
                f'PRAGMA index_list("{table}")'
            ):
                names = tuple(row[2] for row in conn.execute(f'PRAGMA index_info("{index}")'))
                indexes.add((names, bool(unique), bool(partial)))
            foreign_keys = {
                tuple(row[2:]) for row in conn.execute(f'PRAGMA foreign_key_list("{table}")')
            }
            schema[table] = {"columns": columns, "indexes": indexes, "foreign": foreign_keys}
        return schema
    finally:
        conn.close()


_PG_COLUMNS = """
SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
FROM information_schema.columns WHERE table_schema = 'public'"""
_PG_INDEXES = """
SELECT t.relname, ix.indisunique, ix.indisprimary, pg_get_expr(ix.indpred, ix.indrelid),
       array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o)
FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public'"""
_PG_CONSTRAINTS = """
SELECT t.relname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public'"""


async def _postgres_schema(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        schema: dict[str, Any] = {}

        def table(name: str) -> dict[str, Any]:
            return schema.setdefault(name, {"columns": {}, "indexes": set(), "constraints": set()})

        for name, column, *shape in await conn.fetch(_PG_COLUMNS):
            table(name)["columns"][column] = tuple(shape)
        for name, unique, primary, predicate, columns in await conn.fetch(_PG_INDEXES):
            table(name)["indexes"].add((tuple(columns), unique, primary, predicate))
        for name, kind, definition in await conn.fetch(_PG_CONSTRAINTS):
            table(name)["constraints"].add((kind, definition))
        return schema
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def databases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Databases]:
    made = Databases(request.param, tmp_path)
    try:
        yield made
    finally:
        await close_db()
        await made.drop_all()


async def test_migrations_yield_the_models_schema(databases: Databases) -> None:
    migrated = await databases.new()
    await migrate(migrated)
    described = await databases.new()
    await Tortoise.init(config=tortoise_config(described))
    await Tortoise.generate_schemas()
    await close_db()

    by_migrations = await databases.schema(migrated)
    by_models = await databases.schema(described)

    assert by_migrations.pop(RECORDER_TABLE)
    assert {"tip", "tip_receipt", "staff_member", "campaign", "delivery"} <= set(by_models)
    assert set(by_migrations) == set(by_models)
    for name, table in by_models.items():
        assert by_migrations[name] == table, f"table {name} differs"


async def test_upgrade_keeps_existing_data(databases: Databases) -> None:
    """A reporter's receipt, made before receipts recorded their Argon2id cost (all at
    MODERATE's then), still opens their tip after the upgrade, on a server now at another
    cost."""
    url = await databases.new()
    await migrate_to(config=tortoise_config(url), target="tips.0002_receipt_key")
    await Tortoise.close_connections()

    await init_db(url, apply_migrations=False)
    unit = await Unit.create(code="TN", name="Tunisia unit", country="TN")
    tip_key = crypto.new_content_key()
    answers = {"what": "boat", "description": "a boat leaves Sfax tonight"}
    placeholders = ["?", "?", "?"] if databases.backend == "sqlite" else ["$1", "$2", "$3"]
    connection = Tortoise.get_connection("default")
    # The tip as that version wrote it: the live model has columns added since.
    await connection.execute_query(
        "INSERT INTO tip (unit_id, country, category, urgency, status, content, created_at, "
        f"updated_at) VALUES ({', '.join(placeholders)}, 'normal', 'new', "
        f"{'?' if databases.backend == 'sqlite' else '$4'}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        [unit.id, "TN", Category.BOAT.value, sealing.encrypt_json(tip_key, answers)],
    )
    tip_id = (await connection.execute_query_dict("SELECT id FROM tip"))[0]["id"]
    crypto.use_kdf_limits(crypto.MODERATE)
    receipt = receipts.new_receipt()
    old = await crypto.open_receipt(receipt)
    await connection.execute_query(
        "INSERT INTO tip_receipt (tip_id, digest, sealed_key, created_at) "
        f"VALUES ({', '.join(placeholders)}, CURRENT_TIMESTAMP)",
        [tip_id, old.digest, crypto.encrypt_content(old.key, tip_key)],
    )
    await close_db()

    await migrate(url)
    await init_db(url, apply_migrations=False)
    crypto.use_kdf_limits(crypto.FAST)
    receipts.forget_kdfs()

    row = await Receipt.get(tip_id=tip_id)
    assert row.kdf == crypto.receipt_kdf(crypto.MODERATE) == "argon2id:t=3,m=65536,p=1"
    opened = await receipts.open_tip(receipt)
    assert opened is not None and opened.tip.id == tip_id
    assert sealing.decrypt_json(opened.key, opened.tip.content) == answers
    assert (await Unit.get(code="TN")).name == "Tunisia unit"


def _migration_files() -> list[Path]:
    return sorted(
        path
        for label in APPS
        for path in (ROOT / label / "migrations").glob("*.py")
        if path.name != "__init__.py"
    )


def test_migrations_never_import_live_models() -> None:
    files = _migration_files()
    assert len(files) >= 5
    leaning = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in PROJECT_PACKAGES:
                    leaning.setdefault(path.relative_to(ROOT).as_posix(), []).append(module)
    assert leaning == {}
