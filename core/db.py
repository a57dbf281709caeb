"""The database: one Tortoise configuration for every part of Aman, its migrations, and the
promise that what Aman deletes does not linger in its SQLite files.

Each area owns its tables and their migrations (a Tortoise "app" each); SQLite under the data
directory by default, PostgreSQL when AMAN_DATABASE_URL says so.

On SQLite the database and its -wal/-shm files are private to the account Aman runs as (0600, in
a 0700 folder when Aman creates it), every connection zeroes deleted content in place
(`secure_delete`), and `forget_deleted()` checkpoints and empties the write-ahead log, which
otherwise keeps every row ever written (a deleted draft included) until SQLite reuses the space.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.exceptions import OperationalError
from tortoise.migrations.api import migrate as tortoise_migrate

from core.logs import get_logger
from core.settings import private_dir

log = get_logger(__name__)

# Order matters: later apps may refer to earlier ones' tables.
APPS: dict[str, str] = {
    "core": "core.models",
    "tips": "tips.models",
    "campaigns": "campaigns.models",
    "surveys": "surveys.models",
}

# Pragmas for every SQLite connection (Tortoise runs `PRAGMA name=value` for each credential it
# does not know). busy_timeout first: later pragmas and checkpoints may wait for another process.
SQLITE_PRAGMAS: dict[str, Any] = {
    "busy_timeout": 5000,  # ms another process's lock is waited for before "database is locked"
}
SQLITE_PRIVACY_PRAGMAS: dict[str, Any] = {
    "secure_delete": "ON",  # deleted rows are overwritten with zeros in the database file
    "temp_store": "MEMORY",  # sorts and temporary tables never reach a file under /tmp
}
SIDE_FILES = ("-wal", "-shm", "-journal")
FORGET_WITHIN = 1.0  # seconds: forget_deleted_soon() gathers the calls of a burst into one


def sqlite_path(url: str) -> Path | None:
    """The database file of a sqlite:// URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite://"):
        return None
    path = expand_db_url(url)["credentials"]["file_path"]
    return None if path == ":memory:" or path.startswith("file::memory:") else Path(path)


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (sqlite://… or postgres://…)."""
    connection: str | dict[str, Any] = url
    if url.startswith("sqlite://"):
        connection = expand_db_url(url)
        connection["credentials"] = {
            **SQLITE_PRAGMAS,
            **connection["credentials"],  # what the URL's query string says wins, except:
            **SQLITE_PRIVACY_PRAGMAS,
        }
    return {
        "connections": {"default": connection},
        "apps": {
            label: {
                "models": [module],
                "migrations": f"{label}.migrations",
                "default_connection": "default",
            }
            for label, module in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def make_files_private(url: str) -> None:
    """Before SQLite opens the database: its folder exists (0700 when created here) and its file
    exists with mode 0600, so the -wal and -shm files SQLite creates beside it get 0600 too
    (SQLite copies the database's mode). Files of an older install are tightened."""
    path = sqlite_path(url)
    if path is None:
        return
    private_dir(path.expanduser().parent)
    try:
        os.close(os.open(path.expanduser(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        file = file.expanduser()
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError as problem:
            log.warning("could not make %s private: %s", file.name, type(problem).__name__)


def _default_url() -> str:
    from core.settings import get_settings

    return get_settings().database


# For the `tortoise` command line (makemigrations): `tortoise -c core.db.TORTOISE_ORM …`.
TORTOISE_ORM = tortoise_config(os.environ.get("AMAN_DATABASE_URL") or "sqlite://var/aman.sqlite3")


async def migrate(url: str | None = None) -> None:
    """Apply every pending migration; safe to run at each start."""
    url = url or _default_url()
    make_files_private(url)
    await tortoise_migrate(config=tortoise_config(url))
    await Tortoise.close_connections()


async def init_db(url: str | None = None, *, apply_migrations: bool = True) -> None:
    """Open the database for this process, migrating it first unless told not to."""
    url = url or _default_url()
    if apply_migrations:
        await migrate(url)
    make_files_private(url)
    # The global fallback lets tasks started outside this one (aiohttp handlers, PTB updates,
    # scheduler jobs) see the same connections.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    log.info("database ready (%s)", url.split("://", 1)[0])


async def close_db() -> None:
    """Close the connections and forget the models' bindings, so a later init_db may use
    another backend in the same process (the test suite runs SQLite then PostgreSQL).
    A forget_deleted_soon() still waiting is done first, so stopping never skips it."""
    await _finish_forgetting()
    await Tortoise.close_connections()
    await Tortoise._reset_apps()
    # Tortoise caches INSERT statements per connection name, whatever the backend.
    EXECUTOR_CACHE.clear()


# --- Forgetting deleted rows -------------------------------------------------------------------


def _base_client() -> BaseDBAsyncClient:
    """The process's connection for "default", not a transaction's wrapper around it."""
    client = connections.get("default")
    while isinstance(client, TransactionalDBClient) and hasattr(client, "_parent"):
        client = client._parent
    return client


async def forget_deleted() -> None:
    """Make sure the bytes of every row deleted (or overwritten) so far are gone from the
    database's files.

    SQLite: with `secure_delete` on, a deletion zeroes the row in its page, but the page's earlier
    versions stay in the -wal file until a checkpoint; `wal_checkpoint(TRUNCATE)` copies the
    current pages into the database file and cuts the -wal file to zero bytes. Aman keeps one
    connection per SQLite database and every statement holds it to the end, so this waits for
    the statement or transaction in progress and then no read of ours can block it; another
    process reading the same file is waited for (busy_timeout), and if it still holds the log the
    checkpoint raises OperationalError (the next call catches up).

    PostgreSQL: nothing to do from here. A deleted row stays in its table's pages as a dead tuple
    until VACUUM reclaims the space (and until reused, the bytes may remain), and in the WAL
    segments (and any WAL archive or replica) until they are recycled; backups keep it until
    rotated. The operator's part is in the README.

    Inside a transaction the deletion is not committed yet and the transaction holds the
    connection, so this schedules `forget_deleted_soon()` instead of waiting for itself.
    """
    if isinstance(connections.get("default"), TransactionalDBClient):
        forget_deleted_soon()
        return
    client = _base_client()
    if not isinstance(client, SqliteClient):
        return
    async with client.acquire_connection() as connection:
        cursor = await connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            busy, _frames, _copied = await cursor.fetchone()
        finally:
            await cursor.close()
    if busy:
        raise OperationalError("another connection kept the SQLite log busy; not yet forgotten")


_waiting: asyncio.Task | None = None  # the scheduled forget_deleted() that has not started
_tasks: set[asyncio.Task] = set()  # every scheduled one, so none is garbage-collected mid-way


def forget_deleted_soon() -> None:
    """Schedule one forget_deleted() within about FORGET_WITHIN seconds and return at once.

    Calls in a burst share one checkpoint; a call made while a checkpoint is already running
    gets a new one, so every call is followed by a checkpoint that starts after it. Safe from
    any coroutine (in a transaction too: the checkpoint waits for its commit); never raises into
    the caller; failures are logged by type only."""
    global _waiting
    try:
        loop = asyncio.get_running_loop()
        if _waiting is not None and not _waiting.done() and _waiting.get_loop() is loop:
            return
        _waiting = loop.create_task(_forget_later(), name="aman-forget-deleted")
        _tasks.add(_waiting)
        _waiting.add_done_callback(_tasks.discard)
    except Exception as error:
        log.warning("could not schedule forgetting deleted rows: %s", type(error).__name__)


async def _forget_later() -> None:
    global _waiting
    await asyncio.sleep(FORGET_WITHIN)
    if _waiting is asyncio.current_task():
        _waiting = None  # from here on a new call needs a new checkpoint
    await _forget_logged()


async def _forget_logged() -> None:
    try:
        await forget_deleted()
    except Exception as error:
        log.warning("forgetting deleted rows failed: %s", type(error).__name__)


async def _finish_forgetting() -> None:
    """Run now what forget_deleted_soon() promised, before the connections close."""
    loop = asyncio.get_running_loop()
    mine = [task for task in _tasks if task.get_loop() is loop and not task.done()]
    if not mine:
        return
    if _waiting in mine:
        _waiting.cancel()
    await asyncio.gather(*mine, return_exceptions=True)
    await _forget_logged()
