"""Stories of people opening the awareness library in their language and country."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.library import TOPICS, ContentError, clear_cache, load_library

PAGE = """---
id: {topic}
topic: {topic}
order: {order}
title: {title}
summary: A line for menus
countries: {countries}
sources:
  - title: UNODC
    url: https://www.unodc.org/
    checked: true
reviewed_on: 2026-11-23
needs_native_review: false
---
{body}
"""


def write_page(root: Path, topic: str, lang: str, **fields: str) -> Path:
    path = root / topic / f"{lang}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"title": f"{topic} in {lang}", "countries": "[all]", "body": "Some text."} | fields
    path.write_text(PAGE.format(topic=topic, order=TOPICS[topic], **values), encoding="utf-8")
    return path


def test_every_topic_is_served_in_order_in_english_french_and_arabic() -> None:
    library = load_library()
    for lang in ("en", "fr", "ar"):
        pages = library.topics(lang, "TN")
        assert [p.topic for p in pages] == list(TOPICS)
        assert {p.lang for p in pages} == {lang}
        assert all(p.title and p.summary and p.sources for p in pages)


def test_a_regional_variant_falls_back_to_its_base_language_then_english(tmp_path: Path) -> None:
    write_page(tmp_path, "rights", "en")
    write_page(tmp_path, "rights", "ar", title="حقوقك")
    write_page(tmp_path, "risks", "en")
    library = load_library(tmp_path)

    assert library.page("rights", "ar-MA").lang == "ar"
    assert library.page("rights", "ar-MA").title == "حقوقك"
    # No Arabic risks page yet: the reader gets English rather than nothing.
    assert library.page("risks", "ar").lang == "en"
    assert [p.lang for p in library.topics("ar", "MA")] == ["en", "ar"]
    with pytest.raises(KeyError):
        library.page("signs", "ar")


def test_a_page_meant_for_some_countries_is_listed_only_there(tmp_path: Path) -> None:
    write_page(tmp_path, "risks", "en")
    write_page(tmp_path, "safe-options", "en", countries="[MA, TN]")
    library = load_library(tmp_path)

    assert [p.topic for p in library.topics("en", "TN")] == ["risks", "safe-options"]
    assert [p.topic for p in library.topics("en", "LY")] == ["risks"]
    assert [p.topic for p in library.topics("en", "other")] == ["risks"]
    assert [p.topic for p in library.topics("en", None)] == ["risks", "safe-options"]


def test_the_library_is_read_once_and_refuses_a_broken_page(tmp_path: Path) -> None:
    write_page(tmp_path, "risks", "en")
    assert load_library(tmp_path) is load_library(tmp_path)

    write_page(tmp_path, "lies", "fr", body="[a link](http://example.org)")
    clear_cache()
    with pytest.raises(ContentError) as error:
        load_library(tmp_path)
    assert "https://" in str(error.value)
    clear_cache()
