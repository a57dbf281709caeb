"""The report questionnaire: loaded from tips/questionnaire.yaml, with answer checks and the
rules that turn answers into routing fields (category, country, urgency).

Prompts and labels are English msgids translated where they are shown; `extract_babel` lets
`make catalogs-update` pick them out of the YAML.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from core.i18n import N_
from tips.models import Category, Urgency

PATH = Path(__file__).with_name("questionnaire.yaml")
KINDS = frozenset({"choice", "text", "location", "yesno", "files"})
DEFAULT_MAX_LENGTH = 2000
# A shared location is rounded to 2 decimals: about 1.1 km north-south, less east-west.
LOCATION_DECIMALS = 2

# Rough land boxes (south, west, north, east) of the five countries. A point outside all of them
# is taken to be at sea or abroad: accepted, and flagged for the reviewer.
LAND_BOXES: dict[str, tuple[float, float, float, float]] = {
    "DZ": (19.0, -8.7, 37.1, 12.0),
    "EG": (22.0, 24.7, 31.7, 36.9),
    "LY": (19.5, 9.3, 33.2, 25.2),
    "MA": (27.6, -13.2, 35.9, -1.0),
    "TN": (30.2, 7.5, 37.4, 11.6),
}

# Yes/no buttons and their labels (shown by the bot, translated there).
YES, NO = "yes", "no"
YES_NO_LABELS = {YES: N_("Yes"), NO: N_("No")}
# The answer recorded for a question answered with a voice note (the note is a file of the tip).
VOICE_ANSWER = N_("(voice note)")


class AnswerError(ValueError):
    """An answer the question cannot take; `msgid` says why, for the person, in their language
    (`values` fills its placeholders)."""

    def __init__(self, msgid: str, **values: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    sets_urgency: Urgency | None = None


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str
    role: str | None = None
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    sets_urgency: dict[str, Urgency] = field(default_factory=dict)
    voice: bool = False  # a text question that takes a voice note instead of written words
    quick: bool = False  # asked even in a quick report (someone in danger, details later)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def first(self) -> Question:
        return self.questions[0]

    def after(self, question_id: str) -> Question | None:
        """The question after `question_id`, or None when the review comes next."""
        ids = [q.id for q in self.questions]
        index = ids.index(question_id) + 1
        return self.questions[index] if index < len(ids) else None

    def validate(self, answers: dict[str, Any], *, quick: bool = False) -> dict[str, Any]:
        """The answers the questionnaire allows, whatever a client sent: every required question
        answered, each answer of its question's kind (a listed choice, yes/no, a text within its
        limit, a place); AnswerError otherwise. Unknown keys are dropped. A `quick` report (sent
        at once, details later) needs only the quick questions, and only when someone is in
        danger."""
        if quick and not self.in_danger(answers):
            raise AnswerError(N_("Please answer every question that has no Skip button."))
        kept: dict[str, Any] = {}
        for question in self.questions:
            value = answers.get(question.id)
            if question.kind == "files":
                continue
            if value is None:
                if not question.optional and (question.quick or not quick):
                    raise AnswerError(N_("Please answer every question that has no Skip button."))
                continue
            kept[question.id] = _checked(question, value)
        return kept

    def in_danger(self, answers: dict[str, Any]) -> bool:
        """Whether the person said someone is in danger right now."""
        question = self.by_role("danger")
        return question is not None and answers.get(question.id) == YES

    def next_step(self, question_id: str, *, quick: bool = False) -> Question | None:
        """The question after `question_id` (only quick ones in a quick report), or None."""
        following = self.after(question_id)
        while quick and following is not None and not following.quick:
            following = self.after(following.id)
        return following

    def by_role(self, role: str) -> Question | None:
        return next((q for q in self.questions if q.role == role), None)

    def category(self, answers: dict[str, Any]) -> Category:
        question = self.by_role("category")
        value = answers.get(question.id) if question else None
        return Category(value) if value in Category._value2member_map_ else Category.OTHER

    def country(self, answers: dict[str, Any]) -> str:
        question = self.by_role("country")
        return str(answers.get(question.id) or "XX") if question else "XX"

    def urgency(self, answers: dict[str, Any]) -> Urgency:
        """URGENT when any answer's rule says so, NORMAL otherwise."""
        for question in self.questions:
            value = answers.get(question.id)
            if not isinstance(value, str):
                continue
            chosen = question.choice(value)
            rule = chosen.sets_urgency if chosen else question.sets_urgency.get(value)
            if rule == Urgency.URGENT:
                return Urgency.URGENT
        return Urgency.NORMAL


def _value(raw: Any) -> str:
    """A button value from YAML, which reads a bare yes or no as a boolean."""
    return YES if raw is True else NO if raw is False else str(raw)


def _question(raw: dict[str, Any]) -> Question:
    kind = raw["kind"]
    if kind not in KINDS:
        raise ValueError(f"question {raw.get('id')!r}: unknown kind {kind!r}")
    choices = tuple(
        Choice(
            value=_value(c["value"]),
            label=c["label"],
            sets_urgency=Urgency(c["sets_urgency"]) if c.get("sets_urgency") else None,
        )
        for c in raw.get("choices") or ()
    )
    if kind == "choice" and not choices:
        raise ValueError(f"question {raw['id']!r}: a choice needs choices")
    if raw.get("voice") and kind != "text":
        raise ValueError(f"question {raw['id']!r}: only a text question takes a voice note")
    urgency = {_value(k): Urgency(v) for k, v in (raw.get("sets_urgency") or {}).items()}
    return Question(
        id=raw["id"],
        kind=kind,
        prompt=raw["prompt"],
        role=raw.get("role"),
        choices=choices,
        optional=bool(raw.get("optional", False)),
        max_length=int(raw.get("max_length", DEFAULT_MAX_LENGTH)),
        sets_urgency=urgency,
        voice=bool(raw.get("voice", False)),
        quick=bool(raw.get("quick", False)),
    )


def parse(text: str) -> Questionnaire:
    data = yaml.safe_load(text)
    questions = tuple(_question(q) for q in data["questions"])
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError("question ids must be unique")
    return Questionnaire(questions)


@lru_cache(maxsize=1)
def load(path: Path = PATH) -> Questionnaire:
    return parse(path.read_text(encoding="utf-8"))


def check_text(question: Question, text: str | None) -> str:
    """The cleaned answer, or AnswerError: empty, only emoji or symbols, or too long."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise AnswerError(N_("Please write your answer as a message."))
    if len(cleaned) > question.max_length:
        raise AnswerError(
            N_("That is too long: please keep it under {limit} characters."),
            limit=question.max_length,
        )
    # Letters or digits of any script count as words; emoji and symbols alone say too little.
    if not any(unicodedata.category(ch)[0] in "LN" for ch in cleaned):
        raise AnswerError(N_("Please describe it in a few words, not only with emoji."))
    return cleaned


def _checked(question: Question, value: Any) -> Any:
    if question.kind == "choice" and isinstance(value, str) and question.choice(value):
        return value
    if question.kind == "yesno" and value in YES_NO_LABELS:
        return value
    if question.kind in ("text", "location") and isinstance(value, str):
        return check_text(question, value)
    if question.kind == "location" and isinstance(value, dict):
        latitude, longitude = value.get("latitude"), value.get("longitude")
        if isinstance(latitude, int | float) and isinstance(longitude, int | float):
            return round_location(float(latitude), float(longitude))
    raise AnswerError(N_("That answer does not fit the question. Please answer it again."))


def round_location(latitude: float, longitude: float) -> dict[str, Any]:
    """A shared location rounded to ~1 km, with whether it looks like land or sea."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise AnswerError(N_("That location could not be read. Please write the place instead."))
    lat, lon = round(latitude, LOCATION_DECIMALS), round(longitude, LOCATION_DECIMALS)
    on_land = any(s <= lat <= n and w <= lon <= e for s, w, n, e in LAND_BOXES.values())
    return {"latitude": lat, "longitude": lon, "at_sea": not on_land}


def extract_babel(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for questionnaire YAML: every prompt and choice label is a msgid."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for raw in data.get("questions", []):
        yield 0, "gettext", raw["prompt"], [f"questionnaire: {raw['id']}"]
        for choice in raw.get("choices") or ():
            yield 0, "gettext", choice["label"], [f"questionnaire: {raw['id']} choice"]
