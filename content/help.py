"""The help directory: whom to call in each country, and which numbers may be shown to the public.

One YAML file per country (`content/help/<CC>.yaml`) plus `regional.yaml` for UN agencies reached
from anywhere. Every entry keeps its source and the date it was verified; only entries marked
`verified: true` are ever shown to the public, the others stay in the files for staff to re-check.
The public sees a country's emergency lines first: someone in danger reads them before the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from content.library import COUNTRIES, ContentError, parse_files
from core.i18n import LANGUAGES, fallback_chain

HELP_DIR = Path(__file__).resolve().parent / "help"
REGIONAL = "regional"
EMERGENCY = "emergency"
KINDS = (EMERGENCY, "anti-trafficking", "child", "women", "un-agency", "other")
ENTRY_FIELDS = ("id", "kind", "name", "phone", "note", "source", "verified", "verified_on")
REQUIRED_FIELDS = ("id", "kind", "name", "source", "verified", "verified_on")
STALE_AFTER_MONTHS = 12

_PHONE = re.compile(r"\+?[0-9](?:[0-9 -]*[0-9])?")
_PHONE_SEPARATORS = re.compile(r"[ -]")
_ENTRY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def older_than(day: date, today: date, months: int = STALE_AFTER_MONTHS) -> bool:
    """Whether more than `months` whole months separate `day` from `today`."""
    elapsed = (today.year - day.year) * 12 + (today.month - day.month)
    return elapsed > months or (elapsed == months and today.day > day.day)


def _pick(texts: Mapping[str, str], lang: str | None) -> str | None:
    for code in fallback_chain(lang):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), None)


@dataclass(frozen=True)
class Entry:
    """One contact; `name` and `note` read in `lang` through the fallback chain."""

    id: str
    country: str  # a code from COUNTRIES, or REGIONAL
    kind: str
    names: Mapping[str, str]
    source: str
    verified: bool
    verified_on: date
    phone: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    lang: str = "en"

    @property
    def name(self) -> str:
        return _pick(self.names, self.lang) or self.id

    @property
    def note(self) -> str | None:
        return _pick(self.notes, self.lang)

    @property
    def dial(self) -> str | None:
        """The number as a phone dials it: digits and a leading '+', nothing between them.

        "+212 537 54 54 00" becomes "+212537545400": one unbroken run of digits is what Telegram
        turns into a tappable number, whatever the language around it.
        """
        return _PHONE_SEPARATORS.sub("", self.phone) if self.phone else None

    def in_language(self, lang: str | None) -> Entry:
        return replace(self, lang=lang or "en")

    def is_stale(self, today: date, months: int = STALE_AFTER_MONTHS) -> bool:
        """Whether the entry was last verified more than `months` months before `today`."""
        return older_than(self.verified_on, today, months)


class HelpDirectory:
    """All help entries; the public sees only verified ones."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)

    def all_entries(self, country: str | None) -> list[Entry]:
        """For staff: the country's entries (verified or not), then the regional ones."""
        code = (country or "").upper()
        local = [e for e in self.entries if e.country == code]
        return local + [e for e in self.entries if e.country == REGIONAL]

    def public_entries(self, country: str | None, lang: str | None) -> list[Entry]:
        """What the public may see: verified entries only, named in `lang`, the country's
        emergency lines first, then its other entries, then the regional ones.

        `country` None or "other" (on the way, elsewhere) gives the regional entries alone.
        """
        shown = [e.in_language(lang) for e in self.all_entries(country) if e.verified]
        return sorted(shown, key=lambda e: (e.country == REGIONAL, e.kind != EMERGENCY))

    def emergency_entries(self, country: str | None, lang: str | None) -> list[Entry]:
        """The country's verified emergency lines that have a number, in `lang`."""
        return [
            e
            for e in self.public_entries(country, lang)
            if e.kind == EMERGENCY and e.country != REGIONAL and e.phone
        ]

    def stale(self, today: date, months: int = STALE_AFTER_MONTHS) -> list[Entry]:
        return [e for e in self.entries if e.is_stale(today, months)]


def load_directory(root: Path | str | None = None) -> HelpDirectory:
    """The help directory under `root` (default: the shipped one), read once and cached.

    Raises ContentError if a file breaks the format: `aman content check` says which.
    """
    return _load_directory(Path(root or HELP_DIR).resolve())


def clear_cache() -> None:
    _load_directory.cache_clear()


@lru_cache(maxsize=8)
def _load_directory(root: Path) -> HelpDirectory:
    files, problems = parse_files(sorted(root.glob("*.yaml")), parse_help_file)
    entries = [entry for file_entries in files for entry in file_entries]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            problems.append(f"entry id '{entry.id}' is used twice")
        seen.add(entry.id)
    if problems:
        raise ContentError(root, problems)
    return HelpDirectory(entries)


def parse_help_file(path: Path) -> list[Entry]:
    """Read and validate one directory file; raises ContentError listing every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(path, [f"not valid YAML: {error}"]) from error
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ContentError(path, ["expected a mapping with 'country' and a list of 'entries'"])
    expected = REGIONAL if path.stem.lower() == REGIONAL else path.stem.upper()
    problems: list[str] = []
    if expected != REGIONAL and expected not in COUNTRIES:
        problems.append(f"file name '{path.name}' is neither a country code nor regional.yaml")
    if data.get("country") != expected:
        problems.append(f"country {data.get('country')!r} should be '{expected}'")
    entries: list[Entry] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["entries"], start=1):
        entry_id = raw.get("id") if isinstance(raw, dict) else None
        label = f"entry {n}" + (f" ({entry_id})" if entry_id else "")
        if isinstance(entry_id, str) and entry_id in seen:
            problems.append(f"entry id '{entry_id}' is used twice")
        seen.add(str(entry_id))
        found = _entry_problems(raw)
        problems += [f"{label}: {p}" for p in found]
        if not found:
            entries.append(_entry(raw, expected))
    if problems:
        raise ContentError(path, problems)
    return entries


def _entry(raw: Mapping[str, Any], country: str) -> Entry:
    phone = raw.get("phone")
    return Entry(
        id=raw["id"],
        country=country,
        kind=raw["kind"],
        names=dict(raw["name"]),
        source=raw["source"].strip(),
        verified=raw["verified"],
        verified_on=raw["verified_on"],
        phone=str(phone) if phone is not None else None,
        notes=dict(raw.get("note") or {}),
    )


def _entry_problems(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return ["must be a mapping"]
    problems = [f"missing '{name}'" for name in REQUIRED_FIELDS if name not in raw]
    problems += [f"unknown field '{name}'" for name in raw if name not in ENTRY_FIELDS]
    if "id" in raw and not (isinstance(raw["id"], str) and _ENTRY_ID.fullmatch(raw["id"])):
        problems.append(f"id {raw['id']!r} must be lowercase words joined by '-'")
    if "kind" in raw and raw["kind"] not in KINDS:
        problems.append(f"kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    if "name" in raw:
        problems += _texts_problems("name", raw["name"], require_english=True)
    if raw.get("note") is not None:
        problems += _texts_problems("note", raw["note"], require_english=False)
    phone = raw.get("phone")
    if phone is not None and not isinstance(phone, str):
        problems.append(f'phone {phone!r} must be quoted text, e.g. "197"')
    elif phone is not None and not _PHONE.fullmatch(phone):
        problems.append(f"phone {phone!r} may hold only digits, spaces, '-' and a leading '+'")
    if "source" in raw and (not isinstance(raw["source"], str) or not raw["source"].strip()):
        problems.append("'source' must say where the entry comes from")
    if "verified" in raw and not isinstance(raw["verified"], bool):
        problems.append("'verified' must be true or false")
    if "verified_on" in raw and not isinstance(raw["verified_on"], date):
        problems.append("'verified_on' must be a date written YYYY-MM-DD")
    return problems


def _texts_problems(name: str, texts: Any, require_english: bool) -> list[str]:
    if not isinstance(texts, dict) or not texts:
        return [f"'{name}' must map languages to text, e.g. {{en: …, fr: …, ar: …}}"]
    problems = [
        f"'{name}' has unknown language '{code}'" for code in texts if code not in LANGUAGES
    ]
    problems += [
        f"'{name}' in '{code}' must be non-empty text"
        for code, text in texts.items()
        if not isinstance(text, str) or not text.strip()
    ]
    if require_english and "en" not in texts:
        problems.append(f"'{name}' needs an English text (the last fallback)")
    return problems
