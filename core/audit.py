"""The audit log: every state change in Aman writes one entry here, never with personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import AuditEntry


async def record(
    action: str,
    *,
    actor: str,
    target: str | None = None,
    at: datetime | None = None,
    **details: Any,
) -> None:
    """Write one audit entry, at this moment unless `at` says otherwise (what a reporter's
    actions cause is written at the hour, core.coarse, like the tip itself).

    Example: record("tip.routed", actor="system", target="tip:12", unit="TN").
    """
    fields: dict[str, Any] = {"at": at} if at is not None else {}
    await AuditEntry.create(action=action, actor=actor, target=target, details=details, **fields)
