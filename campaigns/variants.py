"""Which variant of a campaign each recipient gets, by the one fallback policy
(`core.i18n.fallback_chain`), and the ready-to-send payload of a variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaigns.models import Campaign, Variant
from core.i18n import fallback_chain

TAP_PREFIX = "ct"  # callback data of a tracked button: ct:<campaign>:<variant>:<button>


def pick(languages: Sequence[str], wanted: str | None, default: str) -> str:
    """The best of the campaign's `languages` for someone who reads `wanted`.

    Tries the person's fallback chain (chosen, base, English), then the campaign's own
    default language, then the first variant there is. With no reader language (a partner's
    channel, a webhook) the campaign's default language comes first.
    """
    available = set(languages)
    chain = fallback_chain(wanted) if wanted else [default, *fallback_chain(None)]
    for code in [*chain, default]:
        if code in available:
            return code
    return languages[0]


def variant_map(
    variants: Iterable[Variant], subscriber_languages: Iterable[str], default: str
) -> tuple[dict[str, int], int]:
    """Variant id per subscriber language, and the variant for anyone else."""
    by_language = {v.language: v.id for v in variants}
    languages = list(by_language)
    mapping = {lang: by_language[pick(languages, lang, default)] for lang in subscriber_languages}
    return mapping, by_language[pick(languages, None, default)]


@dataclass
class Payload:
    """A variant as the channels send it. `file_id` is remembered after the first upload so a
    million recipients do not mean a million uploads."""

    campaign_id: int
    variant_id: int
    language: str
    text: str
    buttons: list[dict[str, Any]]
    image: bytes | None = None
    document: bytes | None = None
    document_name: str | None = None
    file_id: str | None = field(default=None)

    def reply_markup(self) -> dict[str, Any] | None:
        rows = []
        for index, button in enumerate(self.buttons):
            if button.get("track"):
                data = f"{TAP_PREFIX}:{self.campaign_id}:{self.variant_id}:{index}"
                rows.append([{"text": button["label"], "callback_data": data}])
            else:
                rows.append([{"text": button["label"], "url": button["url"]}])
        return {"inline_keyboard": rows} if rows else None


def _bytes(data: bytes | None, path: str | None) -> bytes | None:
    if data:
        return bytes(data)
    return Path(path).read_bytes() if path else None


def payload_of(variant: Variant) -> Payload:
    document = _bytes(variant.document, variant.document_path)
    name = variant.document_name or (
        Path(variant.document_path).name if variant.document_path else "document"
    )
    return Payload(
        campaign_id=variant.campaign_id,  # type: ignore[attr-defined]
        variant_id=variant.id,
        language=variant.language,
        text=variant.text,
        buttons=list(variant.buttons or []),
        image=_bytes(variant.image, variant.image_path),
        document=document,
        document_name=name if document else None,
    )


async def languages_of(campaign: Campaign, step: int = 0) -> list[str]:
    return [v.language for v in await Variant.filter(campaign=campaign, step=step)]
