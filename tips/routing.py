"""Routing: which unit a tip goes to. Rules are data (RoutingRule rows: country x category x
urgency -> unit, with a priority); a unit nobody could open a tip for is skipped, then the
country's own unit, then the regional desk. Every decision is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import audit
from core.models import Unit
from tips.models import Category, RoutingRule, Tip, Urgency
from tips.sealing import escrow_key, recipients


@dataclass(frozen=True)
class Decision:
    unit: Unit
    reason: str  # rule, country, regional, escrow-only
    rule_id: int | None = None


async def can_receive(unit: Unit | int) -> bool:
    """A unit can receive tips only if someone in it could ever open them."""
    return bool(await recipients(unit))


async def can_receive_tips() -> bool:
    """Whether the bot may offer reporting at all: some unit can receive, or escrow is set
    (and some unit exists to route to)."""
    for unit in await Unit.all():
        if await can_receive(unit):
            return True
    return escrow_key() is not None and await Unit.exists()


async def units_without_recipients() -> list[Unit]:
    """Units that could not open a tip routed to them (no focal point with a key): staff see
    these as a warning, since their tips fall through to the regional desk."""
    return [unit for unit in await Unit.all().order_by("code") if not await can_receive(unit)]


def _specificity(rule: RoutingRule) -> int:
    return sum(value is not None for value in (rule.country, rule.category, rule.urgency))


async def _matching_rules(country: str, category: Category, urgency: Urgency) -> list[RoutingRule]:
    rules = await RoutingRule.all().select_related("unit")
    matching = [
        r
        for r in rules
        if r.country in (None, country)
        and r.category in (None, category)
        and r.urgency in (None, urgency)
    ]
    return sorted(matching, key=lambda r: (-_specificity(r), -r.priority, r.id))


async def route(country: str, category: Category, urgency: Urgency) -> Decision | None:
    """Where a tip with this metadata goes, or None when nobody at all could open it."""
    rules = await _matching_rules(country, category, urgency)
    for rule in rules:
        if await can_receive(rule.unit):
            return Decision(rule.unit, "rule", rule.id)
    for unit in await Unit.filter(country=country, is_regional=False).order_by("id"):
        if await can_receive(unit):
            return Decision(unit, "country")
    for unit in await Unit.filter(is_regional=True).order_by("id"):
        if await can_receive(unit):
            return Decision(unit, "regional")
    if escrow_key() is not None:
        # Nobody on duty can open it, but the offline escrow can: keep it where it belongs.
        fallback = rules[0].unit if rules else await Unit.filter(is_regional=True).first()
        fallback = fallback or await Unit.all().order_by("id").first()
        if fallback is not None:
            return Decision(fallback, "escrow-only")
    return None


async def record(tip: Tip, decision: Decision) -> None:
    """Audit the routing decision: the unit, why, and the metadata it was based on."""
    await audit.record(
        "tip.routed",
        actor="system",
        target=f"tip:{tip.id}",
        at=tip.created_at,  # the hour, like the tip (a finer time could date the reporter)
        unit=decision.unit.code,
        reason=decision.reason,
        rule=decision.rule_id,
        country=tip.country,
        category=str(tip.category),
        urgency=str(tip.urgency),
    )
