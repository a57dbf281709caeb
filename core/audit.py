"""The audit log: every state change in Aman writes one entry here, never with personal data."""

from __future__ import annotations

from typing import Any

from core.models import AuditEntry


async def record(action: str, *, actor: str, target: str | None = None, **details: Any) -> None:
    """Write one audit entry.

    Example: record("tip.routed", actor="system", target="tip:12", unit="TN").
    """
    await AuditEntry.create(action=action, actor=actor, target=target, details=details)
