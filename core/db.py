"""The database: one Tortoise configuration for every part of Aman, and its migrations.

Each area owns its tables and their migrations (a Tortoise "app" each); SQLite under the data
directory by default, PostgreSQL when AMAN_DATABASE_URL says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate

from core.logs import get_logger

log = get_logger(__name__)

# Order matters: later apps may refer to earlier ones' tables.
APPS: dict[str, str] = {
    "core": "core.models",
    "tips": "tips.models",
    "campaigns": "campaigns.models",
}


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (sqlite://… or postgres://…)."""
    if url.startswith("sqlite://") and not url.startswith("sqlite://:memory:"):
        Path(url.removeprefix("sqlite://")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": url},
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


def _default_url() -> str:
    from core.settings import get_settings

    return get_settings().database


# For the `tortoise` command line (makemigrations): `tortoise -c core.db.TORTOISE_ORM …`.
TORTOISE_ORM = tortoise_config(os.environ.get("AMAN_DATABASE_URL") or "sqlite://var/aman.sqlite3")


async def migrate(url: str | None = None) -> None:
    """Apply every pending migration; safe to run at each start."""
    url = url or _default_url()
    await tortoise_migrate(config=tortoise_config(url))
    await Tortoise.close_connections()


async def init_db(url: str | None = None, *, apply_migrations: bool = True) -> None:
    """Open the database for this process, migrating it first unless told not to."""
    url = url or _default_url()
    if apply_migrations:
        await migrate(url)
    # The global fallback lets tasks started outside this one (aiohttp handlers, PTB updates,
    # scheduler jobs) see the same connections.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    log.info("database ready (%s)", url.split("://", 1)[0])


async def close_db() -> None:
    """Close the connections and forget the models' bindings, so a later init_db may use
    another backend in the same process (the test suite runs SQLite then PostgreSQL)."""
    await Tortoise.close_connections()
    await Tortoise._reset_apps()
    # Tortoise caches INSERT statements per connection name, whatever the backend.
    EXECUTOR_CACHE.clear()
