"""Writing a campaign draft: its name, per-language variants, audience and schedule, checked
before anything is stored (Telegram's HTML and length, a time in the future, an audience of at
least one), refused when someone else changed it since the writer opened it, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from campaigns import audiences, texts
from campaigns.localtime import COUNTRY_TZ
from campaigns.models import Campaign, CampaignState, ScheduleKind, Variant
from core import audit
from core.models import StaffMember

LONGEST_NAME = 200


@dataclass
class Draft:
    """What the writer asks for; `base` is the snapshot they started from (None: a new one)."""

    name: str
    texts: dict[str, str]  # language -> Telegram HTML ("" = no variant in that language)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    schedule: str = "now"  # "now" | "at"
    at: str = ""  # "2026-12-01T09:00", local time in `zone`
    zone: str = ""  # a country code of localtime.COUNTRY_TZ, or "" for UTC
    default_language: str = "en"
    base: dict[str, Any] | None = None


@dataclass(frozen=True)
class Problem:
    """A field that cannot be saved as it is; the admin says why in the reader's language."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class Conflict(Exception):
    """Someone saved this campaign after the writer opened it: `changed` names what."""

    def __init__(self, changed: list[str], current: dict[str, Any]) -> None:
        super().__init__(", ".join(changed))
        self.changed = changed
        self.current = current


class NotEditable(Exception):
    """Only a draft is edited (a submitted campaign is sent back to draft first)."""


async def snapshot(campaign: Campaign) -> dict[str, Any]:
    """The editable parts of a campaign, as compared between two saves."""
    variants = await Variant.filter(campaign=campaign, step=0).order_by("language")
    return {
        "name": campaign.name,
        "texts": {v.language: v.text for v in variants},
        "audience": {k: sorted(v) for k, v in sorted((campaign.audience or {}).items())},
        "schedule": str(campaign.schedule_kind),
        "at": (campaign.schedule_params or {}).get("at", ""),
        "timezone": campaign.timezone,
        "default_language": campaign.default_language,
    }


def _when(draft: Draft, now: datetime) -> tuple[str, datetime | None]:
    zone = COUNTRY_TZ.get(draft.zone.upper(), "UTC")
    try:
        local = datetime.fromisoformat(draft.at)
    except ValueError:
        return zone, None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return zone, local.astimezone(UTC)


async def check(draft: Draft, now: datetime | None = None) -> list[Problem]:
    """Every reason this draft cannot be saved (empty when it can)."""
    now = now or datetime.now(UTC)
    found: list[Problem] = []
    if not draft.name.strip():
        found.append(Problem("name", "name_missing"))
    elif len(draft.name) > LONGEST_NAME:
        found.append(Problem("name", "name_long", {"limit": LONGEST_NAME}))
    written = {lang: text for lang, text in draft.texts.items() if text.strip()}
    if not written:
        found.append(Problem("texts", "no_variant"))
    for language, text in written.items():
        for problem in texts.problems(text):
            params = {"tag": problem.detail, "limit": problem.limit, "length": problem.length}
            found.append(Problem(f"text_{language}", problem.code, params))
    if draft.schedule == "at":
        _zone, at = _when(draft, now)
        if at is None:
            found.append(Problem("at", "time_invalid"))
        elif at <= now:
            found.append(Problem("at", "time_past"))
    elif draft.schedule != "now":
        found.append(Problem("schedule", "schedule_unknown"))
    if await audiences.count(audience_of(draft)) == 0:
        found.append(Problem("audience", "audience_empty"))
    return found


def audience_of(draft: Draft) -> dict[str, list[str]]:
    parts = {"countries": draft.countries, "languages": draft.languages, "topics": draft.topics}
    return {key: sorted(values) for key, values in parts.items() if values}


def _changed(base: dict[str, Any], current: dict[str, Any]) -> list[str]:
    changed = [key for key in current if key != "texts" and base.get(key) != current[key]]
    before, after = base.get("texts", {}), current["texts"]
    changed += [
        f"text_{lang}"
        for lang in sorted(set(before) | set(after))
        if before.get(lang) != after.get(lang)
    ]
    return changed


async def save(
    draft: Draft,
    by: StaffMember,
    campaign: Campaign | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Create or update a draft (call `check` first). Raises Conflict when the campaign changed
    since `draft.base`, NotEditable when it is no longer a draft."""
    zone, _at = _when(draft, now or datetime.now(UTC))
    values = {
        "name": draft.name.strip(),
        "audience": audience_of(draft),
        "schedule_kind": ScheduleKind.AT if draft.schedule == "at" else ScheduleKind.NOW,
        "schedule_params": {"at": draft.at} if draft.schedule == "at" else {},
        "timezone": zone,
        "default_language": draft.default_language,
    }
    written = {lang: text for lang, text in draft.texts.items() if text.strip()}
    async with in_transaction():
        if campaign is None:
            campaign = await Campaign.create(
                **values,
                organisation_id=by.organisation_id,
                author=by,
                channels={"dm": True},  # type: ignore[attr-defined]
            )
            changed = ["created"]
        else:
            campaign = await Campaign.select_for_update().get(id=campaign.id)
            if campaign.state != CampaignState.DRAFT:
                raise NotEditable(str(campaign.state))
            current = await snapshot(campaign)
            if draft.base is not None and _changed(draft.base, current):
                raise Conflict(_changed(draft.base, current), current)
            await Campaign.filter(id=campaign.id).update(**values, updated_at=datetime.now(UTC))
            await campaign.refresh_from_db()
            changed = None
        before = {v.language: v for v in await Variant.filter(campaign=campaign, step=0)}
        for language, text in written.items():
            if language in before:
                if before[language].text != text:
                    before[language].text = text
                    await before[language].save(update_fields=["text"])
            else:
                await Variant.create(campaign=campaign, language=language, text=text)
        gone = [lang for lang in before if lang not in written]
        if gone:
            await Variant.filter(campaign=campaign, step=0, language__in=gone).delete()
    if changed is None:
        changed = _changed(draft.base or {}, await snapshot(campaign)) if draft.base else ["all"]
    await audit.record(
        "campaign.edit", actor=f"staff:{by.id}", target=f"campaign:{campaign.id}", changed=changed
    )
    return campaign
