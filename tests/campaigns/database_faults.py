"""The database failing some statements as a dropped connection would: test scaffolding that
sits at the database client, so everything above it (outbox, sender, supervisor) is real."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

# What a statement's text contains, on SQLite and on PostgreSQL.
OUTCOME_WRITE = ("SET state = ?, error = ?, sent_at", "SET state = v.state")
CLAIM = ("SET state = 'sending', attempts",)
CHAT_LOOKUP = ("chat_sealed FROM subscriber",)


class DatabaseFault:
    """Statements containing one of `markers` raise OperationalError: after letting the first
    `after` of them through, the next `times` of them, or every one until `heal()` when times
    is None."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        markers: tuple[str, ...],
        *,
        times: int | None = None,
        after: int = 0,
    ) -> None:
        self.markers, self.left, self.passed, self.refused = markers, times, -after, 0
        client = type(connections.get("default"))
        for name in ("execute_query", "execute_query_dict", "execute_many"):
            monkeypatch.setattr(client, name, self._guard(getattr(client, name)))

    def heal(self) -> None:
        self.left = 0

    def _guard(self, execute: Any) -> Any:
        async def guarded(client: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            matches = any(marker in query for marker in self.markers)
            if matches and self.passed < 0:
                self.passed += 1
            elif matches and (self.left is None or self.left > 0):
                self.refused += 1
                if self.left is not None:
                    self.left -= 1
                raise OperationalError("connection was closed in the middle of operation")
            return await execute(client, query, *args, **kwargs)

        return guarded
