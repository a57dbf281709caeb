"""The campaign pages' cast: an NGO with an editor and an approver who sign in to the admin,
another NGO's editor, subscribers in Morocco and Tunisia, and campaigns made as the domain
makes them (tests/campaigns/conftest.py)."""

from __future__ import annotations

from typing import Any

from campaigns import lifecycle
from campaigns.models import Campaign, ScheduleKind, Variant
from campaigns.subscriptions import subscribe
from core.models import Organisation, Role, StaffMember

from .staff import staff_member

ARABIC = "<b>خدمات المفوضية مجانية.</b> إذا طلب منك أحد المال مقابلها، أبلغ عنه."
FRENCH = "<b>Les services du HCR sont gratuits.</b> Si on vous demande de l'argent, signalez-le."


async def member_of(org: Organisation, username: str, role: Role) -> StaffMember:
    member = await staff_member(username, role)
    member.organisation = org
    await member.save(update_fields=["organisation_id"])
    return member


async def ngo(name: str = "Caritas Maroc") -> dict[str, Any]:
    org = await Organisation.create(name=name)
    prefix = "" if name == "Caritas Maroc" else "other-"
    return {
        "org": org,
        "editor": await member_of(org, f"{prefix}salma", Role.EDITOR),
        "approver": await member_of(org, f"{prefix}youssef", Role.APPROVER),
    }


async def moroccan_and_tunisian_subscribers() -> None:
    people = [(1001, "MA", "ar"), (1002, "MA", "fr"), (1003, "MA", "en"), (1004, "TN", "ar")]
    for chat_id, country, language in people:
        await subscribe(chat_id, country=country, language=language)


async def campaign(cast: dict[str, Any], *, state: str = "draft", **fields: Any) -> Campaign:
    """A campaign written by the editor (ar and fr), moved as far as `state`."""
    fields.setdefault("audience", {"countries": ["MA"]})
    made = await Campaign.create(
        name="Know your rights",
        organisation=cast["org"],
        author=cast["editor"],
        schedule_kind=ScheduleKind.NOW,
        quiet_hours=False,
        channels={"dm": True},
        **fields,
    )
    await Variant.create(campaign=made, language="ar", text=ARABIC)
    await Variant.create(campaign=made, language="fr", text=FRENCH)
    if state in ("submitted", "approved", "scheduled"):
        await lifecycle.submit(made, cast["editor"])
    if state in ("approved", "scheduled"):
        await lifecycle.approve(made, cast["approver"])
    if state == "scheduled":
        await lifecycle.schedule(made, cast["approver"])
    return made
