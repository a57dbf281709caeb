"""Demo data so reporting works out of the box: one unit per country plus a regional desk, each
with a demo focal point (known password, printed), and routing rules (boats leaving from Libya
and Tunisia also to the national unit, everything else by country)."""

from __future__ import annotations

from core import accounts, audit
from core.models import Role, Unit
from tips.models import Category, RoutingRule

DEMO_PASSWORD = "aman-demo-password"  # noqa: S105 - printed on purpose, demo only

UNITS = [
    ("DZ", "Algeria focal point", "DZ"),
    ("EG", "Egypt focal point", "EG"),
    ("LY", "Libya focal point", "LY"),
    ("MA", "Morocco focal point", "MA"),
    ("TN", "Tunisia focal point", "TN"),
    ("REGIONAL", "Regional desk", None),
]


async def load_demo() -> list[str]:
    """Create the demo units, focal points and rules; returns printable login lines."""
    lines = []
    for code, name, country in UNITS:
        unit, _ = await Unit.get_or_create(
            code=code, defaults={"name": name, "country": country, "is_regional": country is None}
        )
        username = f"demo-{code.lower()}"
        _member, recovery, _uri = await accounts.create_staff(
            username, f"Demo {name}", Role.FOCAL_POINT, unit, DEMO_PASSWORD
        )
        lines.append(f"{username} / {DEMO_PASSWORD} (unit {code}, recovery key {recovery})")
        if country is not None:
            await RoutingRule.create(country=country, unit=unit, priority=10)
            await RoutingRule.create(
                country=country, category=Category.BOAT, unit=unit, priority=20
            )
    await audit.record("demo.loaded", actor="system", units=len(UNITS))
    return lines


async def ensure_demo() -> list[str] | None:
    """Load the demo when there is no unit yet (a first sandbox start); None otherwise."""
    if await Unit.exists():
        return None
    return await load_demo()
