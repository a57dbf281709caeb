"""The awareness library: one Markdown page per topic per language, with sources and review date.

Pages live in `content/library/<topic>/<lang>.md` (YAML front matter, then the body). This module
reads and validates them, picks the page to serve through `core.i18n.fallback_chain`, and renders a
page as Telegram messages ending with its sources and the date it was last reviewed.

The English page of a topic is the source of its translations. `Page.revision` fingerprints the
text a translator translates (title, summary and body); a translated page records the revision it
translates in `source_revision`, so `aman content check` can list translations left behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from content.render import BULLET, Block, Run, body_problems, chunk_blocks, parse_blocks
from core.crypto import hmac_sha256
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, fallback_chain, is_rtl, translator

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
T = TypeVar("T")

# Topic id -> its place in menus. Every language of a topic carries the same order.
TOPICS: dict[str, int] = {
    "risks": 1,
    "lies": 2,
    "rights": 3,
    "smuggling-vs-trafficking": 4,
    "signs": 5,
    "safe-options": 6,
    "distress-at-sea": 7,
    "detention": 8,
    "missing-persons": 9,
    "children": 10,
    "fake-job-offers": 11,
    "documents-and-phone": 12,
    "asylum": 13,
    "medical-care": 14,
    "who-reads-reports": 15,
}
COUNTRIES = ("DZ", "EG", "LY", "MA", "TN")
ALL_COUNTRIES = "all"

FIELDS = (
    "id",
    "topic",
    "order",
    "title",
    "summary",
    "countries",
    "sources",
    "reviewed_on",
    "needs_native_review",
)
# Only on translated pages: the revision of the English page they translate ("12 hex digits").
OPTIONAL_FIELDS = ("source_revision",)
SOURCE_FIELDS = ("title", "url", "checked")
REVISION_LENGTH = 12
_REVISION = re.compile(rf"[0-9a-f]{{{REVISION_LENGTH}}}")
# A public label, not a secret: the revision is a fingerprint anyone can recompute, taken through
# core.crypto because nothing else in the house imports a hash library.
_REVISION_LABEL = b"aman library page revision"

# Footer words, translated by the catalogs like every other string. The bot passes them in the
# reader's language; callers without a translator get them in the page's language.
SOURCES_LABEL = N_("Sources")
REVIEWED_LABEL = N_("Reviewed")


class ContentError(ValueError):
    """A content file that breaks the format; `problems` lists every fault found in it."""

    def __init__(self, path: Path, problems: Iterable[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    checked: bool


@dataclass(frozen=True)
class Page:
    """One topic in one language, as served (`lang` is the language actually served)."""

    topic: str
    lang: str
    order: int
    title: str
    summary: str
    countries: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed_on: date
    needs_native_review: bool
    body: str
    source_revision: str | None = None  # translated pages: the English revision they translate

    @property
    def id(self) -> str:
        return self.topic

    @property
    def revision(self) -> str:
        """A fingerprint of the text a translator translates: title, summary and body."""
        text = "\n".join((self.title, self.summary, self.body))
        return hmac_sha256(_REVISION_LABEL, text.encode("utf-8"))[:REVISION_LENGTH]

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def shown_in(self, country: str | None) -> bool:
        """Whether the page is meant for people in `country` (None: no country chosen yet)."""
        if country is None or ALL_COUNTRIES in self.countries:
            return True
        return country.upper() in self.countries

    def telegram_chunks(
        self,
        max_len: int = 3500,
        sources_label: str | None = None,
        reviewed_label: str | None = None,
    ) -> list[str]:
        """The page as Telegram HTML messages, each at most `max_len` characters.

        The last message ends with "<sources_label>: …" and "<reviewed_label>: YYYY-MM-DD";
        labels default to the catalogs' words in the page's language.
        """
        _ = translator(self.lang).gettext
        footer = self._footer(
            sources_label or _(SOURCES_LABEL), reviewed_label or _(REVIEWED_LABEL)
        )
        return chunk_blocks((*parse_blocks(self.body), *footer), max_len, self.rtl)

    def _footer(self, sources_label: str, reviewed_label: str) -> list[Block]:
        """ "Sources:", one source per line, then the review date: italic, kept together."""
        footer = [Block((Run(f"{sources_label}:", italic=True),), keep_with_next=True)]
        footer += [
            Block((Run(s.title, italic=True, href=s.url),), BULLET, tight=True, keep_with_next=True)
            for s in self.sources
        ]
        reviewed = Run(f"{reviewed_label}: {self.reviewed_on.isoformat()}", italic=True)
        return [*footer, Block((reviewed,), tight=True)]


class Library:
    """Every page of the library, and the one way to choose which to serve."""

    def __init__(self, pages: Iterable[Page]) -> None:
        self._pages: dict[tuple[str, str], Page] = {(p.topic, p.lang): p for p in pages}

    @property
    def pages(self) -> list[Page]:
        return sorted(self._pages.values(), key=lambda p: (p.order, p.lang))

    def languages(self, topic: str) -> list[str]:
        return sorted(lang for (t, lang) in self._pages if t == topic)

    def page(self, topic: str, lang: str | None) -> Page:
        """The topic in the first language of the fallback chain that has it; KeyError if none."""
        for code in fallback_chain(lang):
            page = self._pages.get((topic, code))
            if page is not None:
                return page
        raise KeyError(topic)

    def topics(self, lang: str | None, country: str | None = None) -> list[Page]:
        """The pages to list in a menu for this language and country, in topic order."""
        served: list[Page] = []
        for topic in sorted({t for (t, _) in self._pages}, key=lambda t: TOPICS.get(t, 99)):
            try:
                page = self.page(topic, lang)
            except KeyError:
                continue
            if page.shown_in(country):
                served.append(page)
        return served


def load_library(root: Path | str | None = None) -> Library:
    """The library under `root` (default: the shipped one), read once and cached.

    Raises ContentError if any page breaks the format: `aman content check` says which.
    """
    return _load_library(Path(root or LIBRARY_DIR).resolve())


def clear_cache() -> None:
    """Forget loaded libraries (after content changed on disk)."""
    _load_library.cache_clear()


@lru_cache(maxsize=8)
def _load_library(root: Path) -> Library:
    pages, problems = parse_files(page_paths(root), parse_page)
    if problems:
        raise ContentError(root, problems)
    return Library(pages)


def parse_files(paths: Iterable[Path], parse: Callable[[Path], T]) -> tuple[list[T], list[str]]:
    """Parse every file, collecting each broken file's problems instead of stopping at the first."""
    parsed: list[T] = []
    problems: list[str] = []
    for path in paths:
        try:
            parsed.append(parse(path))
        except ContentError as error:
            problems.append(str(error))
    return parsed, problems


def page_paths(root: Path) -> list[Path]:
    """Every page file under a library root, as <topic>/<lang>.md."""
    return sorted(root.glob("*/*.md"))


def parse_page(path: Path) -> Page:
    """Read and validate one page file; raises ContentError listing every problem."""
    text = path.read_text(encoding="utf-8")
    meta, body, problems = _split_front_matter(text)
    if meta is None:
        raise ContentError(path, problems)
    topic, lang = path.parent.name, path.stem
    problems += _meta_problems(meta, topic, lang)
    problems += body_problems(body)
    if problems:
        raise ContentError(path, problems)
    return Page(
        topic=topic,
        lang=lang,
        order=meta["order"],
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        countries=tuple(meta["countries"]),
        sources=tuple(Source(s["title"], s["url"], s["checked"]) for s in meta["sources"]),
        reviewed_on=meta["reviewed_on"],
        needs_native_review=meta["needs_native_review"],
        body=body.strip() + "\n",
        source_revision=meta.get("source_revision"),
    )


def _split_front_matter(text: str) -> tuple[dict[str, Any] | None, str, list[str]]:
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return None, "", ["front matter missing: the file must start with a '---' line"]
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, "", ["front matter is not closed by a '---' line"]
    try:
        meta = yaml.safe_load("\n".join(lines[1:close]))
    except yaml.YAMLError as error:
        return None, "", [f"front matter is not valid YAML: {error}"]
    if not isinstance(meta, dict):
        return None, "", ["front matter must be a YAML mapping"]
    return meta, "\n".join(lines[close + 1 :]), []


def _meta_problems(meta: Mapping[str, Any], topic: str, lang: str) -> list[str]:
    problems = [f"missing field '{name}'" for name in FIELDS if name not in meta]
    known = (*FIELDS, *OPTIONAL_FIELDS)
    problems += [f"unknown field '{name}'" for name in meta if name not in known]
    if topic not in TOPICS:
        problems.append(f"unknown topic '{topic}' (known: {', '.join(TOPICS)})")
    if lang not in LANGUAGES:
        problems.append(f"unknown language '{lang}' (known: {', '.join(LANGUAGES)})")
    if "id" in meta and meta["id"] != topic:
        problems.append(f"id '{meta['id']}' differs from its folder '{topic}'")
    if "topic" in meta and meta["topic"] != topic:
        problems.append(f"topic '{meta['topic']}' differs from its folder '{topic}'")
    order = meta.get("order")
    if "order" in meta and (type(order) is not int or (topic in TOPICS and order != TOPICS[topic])):
        problems.append(f"order {order!r} should be {TOPICS.get(topic, 'an integer')}")
    for name in ("title", "summary"):
        if name in meta and (not isinstance(meta[name], str) or not meta[name].strip()):
            problems.append(f"'{name}' must be non-empty text")
    if "countries" in meta:
        problems += _countries_problems(meta["countries"])
    if "sources" in meta:
        problems += _sources_problems(meta["sources"])
    if "reviewed_on" in meta and not isinstance(meta["reviewed_on"], date):
        problems.append("'reviewed_on' must be a date written YYYY-MM-DD")
    if "needs_native_review" in meta and not isinstance(meta["needs_native_review"], bool):
        problems.append("'needs_native_review' must be true or false")
    if "source_revision" in meta:
        problems += _revision_problems(meta["source_revision"], lang)
    return problems


def _revision_problems(revision: Any, lang: str) -> list[str]:
    if lang == DEFAULT_LANGUAGE:
        return ["'source_revision' belongs on translations: the English page is the source"]
    if not isinstance(revision, str) or not _REVISION.fullmatch(revision):
        return [f"'source_revision' must be {REVISION_LENGTH} lowercase hex digits, in quotes"]
    return []


def _countries_problems(countries: Any) -> list[str]:
    if not isinstance(countries, list) or not countries:
        return ["'countries' must be a non-empty list, e.g. [all] or [MA, TN]"]
    if ALL_COUNTRIES in countries:
        return [] if countries == [ALL_COUNTRIES] else ["'all' cannot be mixed with countries"]
    return [f"unknown country {c!r}" for c in countries if c not in COUNTRIES]


def _sources_problems(sources: Any) -> list[str]:
    if not isinstance(sources, list) or not sources:
        return ["'sources' must be a non-empty list: every page says where its facts come from"]
    problems: list[str] = []
    for n, source in enumerate(sources, start=1):
        if not isinstance(source, dict):
            problems.append(f"source {n} must be a mapping with title, url, checked")
            continue
        problems += [f"source {n}: missing '{f}'" for f in SOURCE_FIELDS if f not in source]
        problems += [f"source {n}: unknown field '{f}'" for f in source if f not in SOURCE_FIELDS]
        if not isinstance(source.get("title", ""), str) or not str(source.get("title")).strip():
            problems.append(f"source {n}: 'title' must be non-empty text")
        url = source.get("url", "")
        if "url" in source and (not isinstance(url, str) or not url.startswith("https://")):
            problems.append(f"source {n}: url {url!r} is not an https:// URL")
        if "checked" in source and not isinstance(source["checked"], bool):
            problems.append(f"source {n}: 'checked' must be true or false")
    return problems
