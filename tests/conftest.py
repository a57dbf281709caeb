"""Shared fixtures: a real, freshly migrated database per story, on SQLite and (when
AMAN_TEST_DATABASE_URL is set) on PostgreSQL, plus a clean settings environment.

Migrations run once per backend into a template; each test gets a copy (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL), so every story starts from the real schema quickly.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import Tortoise

from core import crypto
from core.db import close_db, init_db, migrate
from core.settings import reset_settings
from tips import abuse

PG_URL = os.environ.get("AMAN_TEST_DATABASE_URL") or ""
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
TEST_SECRET = b"aman-test-secret-aman-test-secret-0123456789"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _migrate_template(url: str) -> None:
    await migrate(url)
    await Tortoise.close_connections()


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each story runs with its own data directory, a known secret, no real Telegram token,
    the fastest Argon2id cost (so stories with several staff stay quick) and fresh abuse limits."""
    for name in list(os.environ):
        if name.startswith("AMAN_") and name != "AMAN_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AMAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AMAN_SECRET_KEY", TEST_SECRET.decode())
    reset_settings()
    crypto.use_secret(TEST_SECRET)
    crypto.use_kdf_limits(crypto.FAST)
    abuse.reset_all()
    yield
    abuse.reset_all()
    crypto.use_kdf_limits(None)
    crypto.use_secret(None)
    reset_settings()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases, made once per run (before any event loop is running)."""
    path = tmp_path_factory.mktemp("template") / "aman.sqlite3"
    asyncio.run(_migrate_template(f"sqlite://{path}"))
    made = {"sqlite": str(path)}
    if PG_URL:
        name = f"aman_tpl_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        asyncio.run(_migrate_template(_with_database(PG_URL, name)))
        made["postgres"] = name
    yield made
    if PG_URL:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{made["postgres"]}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, templates: dict[str, str]
) -> AsyncIterator[str]:
    """A migrated database of its own, opened for this test; yields its URL."""
    if request.param == "sqlite":
        path = tmp_path / "var" / "aman.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates["sqlite"], path)
        url = f"sqlite://{path}"
        await init_db(url, apply_migrations=False)
        yield url
        await close_db()
        return
    template = templates["postgres"]
    name = f"aman_t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _with_database(PG_URL, name)
    await init_db(url, apply_migrations=False)
    try:
        yield url
    finally:
        await close_db()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
