"""Export for referral: one opened tip as a JSON document with a documented schema
(docs/tip-export.schema.json) and the same document behind the printable case sheet.

The document holds what the member who exports it can read on the tip page (answers, messages,
attachment metadata, escalations) and never more: no receipt, no key, no file bytes (files are
downloaded one by one, each download audited). Questions and choices are labelled in the
reader's language, with the reporter's raw values beside them for machines. Every export is
written to the audit log as "tip.exported" with its format, never with content.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import audit
from core.i18n import translator
from core.models import StaffMember, Unit
from tips.escalation import LEVEL_NAMES
from tips.inbox import OpenedTip
from tips.models import Escalation
from tips.questionnaire import load

FORMAT = "aman-tip-export"
VERSION = 1
FORMATS = ("json", "case-sheet")


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _shown(value: Any) -> str:
    """An answer as a person reads it: a shared location as its rounded coordinates."""
    if isinstance(value, dict) and "latitude" in value and "longitude" in value:
        where = f"{value['latitude']}, {value['longitude']}"
        return f"{where} (at sea)" if value.get("at_sea") else where
    return str(value)


def labelled_answers(answers: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Each answer with its question's prompt and its choice's label in `language`, in the
    questionnaire's order; an answer the questionnaire no longer asks keeps its id as prompt."""
    gettext = translator(language).gettext
    questions = load().questions
    shown: list[dict[str, Any]] = []
    for question in questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        choice = question.choice(value) if isinstance(value, str) else None
        text = gettext(choice.label) if choice else _shown(value)
        prompt = gettext(question.prompt)
        shown.append({"question": question.id, "prompt": prompt, "answer": text, "value": value})
    known = {q.id for q in questions}
    for key, value in answers.items():
        if key not in known:
            shown.append({"question": key, "prompt": key, "answer": _shown(value), "value": value})
    return shown


async def document(
    opened: OpenedTip, staff: StaffMember, language: str, now: datetime | None = None
) -> dict[str, Any]:
    """The export of an opened tip (see docs/tip-export.schema.json)."""
    tip = opened.tip
    unit = await Unit.get(id=tip.unit_id)
    escalations = await Escalation.filter(tip_id=tip.id).select_related("unit").order_by("level")
    exporter_unit = await Unit.get_or_none(id=staff.unit_id) if staff.unit_id else None
    return {
        "format": FORMAT,
        "version": VERSION,
        "tip": {
            "id": tip.id,
            "unit": unit.code,
            "country": tip.country,
            "category": str(tip.category),
            "urgency": str(tip.urgency),
            "status": str(tip.status),
            "received": _utc(tip.created_at),
            "updated": _utc(tip.updated_at),
            "closed": _utc(tip.closed_at),
        },
        "answers": labelled_answers(opened.answers, language),
        "messages": [
            {
                "from": "reporter" if m.from_reporter else "staff",
                "author": m.author,
                "text": m.text,
                "at": _utc(m.at),
            }
            for m in opened.messages
        ],
        "attachments": [
            {
                "id": f.id,
                "kind": f.kind,
                "mime": f.mime,
                "size": f.size,
                "cleaned_copy": f.has_triage_copy,
            }
            for f in opened.files
        ],
        "escalations": [
            {"level": LEVEL_NAMES.get(e.level, str(e.level)), "unit": e.unit.code, "at": _utc(e.at)}
            for e in escalations
        ],
        "exported": {
            "at": _utc(now or datetime.now(UTC)),
            "by": staff.display_name,
            "unit": exporter_unit.code if exporter_unit else None,
            "language": language,
        },
    }


async def record(opened: OpenedTip, staff: StaffMember, kind: str) -> None:
    """Write an export to the audit log: who, which tip, which format."""
    await audit.record(
        "tip.exported", actor=f"staff:{staff.id}", target=f"tip:{opened.tip.id}", format=kind
    )
