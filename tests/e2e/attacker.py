"""What someone who copied the database sees, with or without the server secret: every stored
value, and every sealed value that the server secret opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise import connections

from core import crypto

# An attacker holding the secret can try every purpose the kernel knows, for boxes and indexes.
PURPOSES = tuple(crypto.Purpose)


@dataclass(frozen=True)
class Row:
    table: str
    values: dict

    def raw(self) -> bytes:
        return b"".join(
            v if isinstance(v, bytes) else str(v).encode() for v in self.values.values()
        )


def times(row: Row) -> dict[str, datetime]:
    """The row's timestamps (SQLite hands them back as text, PostgreSQL as datetimes)."""
    found = {}
    for column, value in row.values.items():
        if isinstance(value, str) and (column == "at" or column.endswith("_at")):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            found[column] = value if value.tzinfo else value.replace(tzinfo=UTC)
    return found


async def tables() -> list[str]:
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type='table'"
        return [r["name"] for r in await conn.execute_query_dict(sql)]
    sql = "SELECT tablename FROM pg_tables WHERE schemaname='public'"
    return [r["tablename"] for r in await conn.execute_query_dict(sql)]


async def rows() -> list[Row]:
    """Every row of every table (a dump, on any backend)."""
    conn = connections.get("default")
    found = []
    for table in await tables():
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            found.append(Row(table, dict(row)))
    return found


async def dump() -> bytes:
    return b"".join(row.raw() for row in await rows())


def opened_with_secret(value: object) -> list[bytes]:
    """What the server secret opens of one stored value (nothing, usually)."""
    if not isinstance(value, bytes | bytearray | memoryview):
        return []
    opened = []
    for purpose in PURPOSES:
        try:
            opened.append(crypto.open_at_rest(bytes(value), purpose))
        except Exception:  # sealed under something else
            continue
    return opened


async def readable_with_secret() -> list[tuple[Row, bytes]]:
    """(row, what the secret opens in it) for every row, raw values included."""
    found = []
    for row in await rows():
        plain = row.raw()
        for value in row.values.values():
            plain += b"".join(opened_with_secret(value))
        found.append((row, plain))
    return found


def blind_indexes(chat_id: int) -> list[bytes]:
    """The keyed hashes under which the secret's holder could look this chat up."""
    return [crypto.blind_index(p, chat_id).encode() for p in PURPOSES]


def sqlite_files(url: str) -> list[bytes]:
    """The raw bytes of the SQLite database and its write-ahead log (none on PostgreSQL)."""
    if not url.startswith("sqlite://"):
        return []
    path = Path(url.removeprefix("sqlite://"))
    return [f.read_bytes() for f in (path, Path(f"{path}-wal")) if f.exists()]
