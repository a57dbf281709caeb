"""Stories of pages reaching Telegram: message-sized, valid HTML, sources last, RTL readable."""

from __future__ import annotations

import re
from datetime import date

import pytest

from content.library import Page, Source, load_library
from content.render import chunk_blocks, parse_blocks
from core.i18n import FSI, PDI
from tests.content.telegram_html import html_problems, visible_text

SOURCES = (
    Source("IOM, Missing Migrants (2023)", "https://www.iom.int/news/a?b=1&c=2", True),
    Source("UNHCR", "https://help.unhcr.org/egypt/en/", True),
)


def page(body: str, lang: str = "en") -> Page:
    return Page(
        topic="risks",
        lang=lang,
        order=1,
        title="t",
        summary="s",
        countries=("all",),
        sources=SOURCES,
        reviewed_on=date(2026, 11, 23),
        needs_native_review=False,
        body=body,
    )


LONG_PARAGRAPH = " ".join(
    f"Sentence number {n} tells of **the desert** and _the sea_ "
    f"with [a link](https://example.org/{n}) and the figure {n * 37} & more."
    for n in range(120)
)
BODY = "\n\n".join(
    [
        "Intro with **bold**, _italic_ and <not a tag> & ampersands.",
        "## A heading",
        "- first item\n- second item with **bold text**\n  - a nested item\n- third item",
        LONG_PARAGRAPH,
        "1. one\n2. two",
    ]
)


@pytest.mark.parametrize("max_len", [200, 350, 1000, 3500])
def test_every_chunk_fits_telegram_and_keeps_its_html_balanced(max_len: int) -> None:
    chunks = page(BODY).telegram_chunks(max_len, "Sources", "Reviewed")
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= max_len
        assert html_problems(chunk) == [], chunk


@pytest.mark.parametrize("max_len", [200, 500, 3500])
def test_cuts_fall_between_words_and_lose_nothing(max_len: int) -> None:
    body = LONG_PARAGRAPH
    chunks = chunk_blocks(parse_blocks(body), max_len, rtl=False)
    assert all(len(c) <= max_len for c in chunks)
    expected = re.sub(r"\*\*|_|\[|\]\(https://example\.org/\d+\)", "", body).split()
    assert " ".join(visible_text(c) for c in chunks).split() == expected


def test_a_long_paragraph_is_cut_at_sentence_ends() -> None:
    chunks = chunk_blocks(parse_blocks(LONG_PARAGRAPH), 800, rtl=False)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert visible_text(chunk).rstrip().endswith("more.")


def test_the_last_message_ends_with_sources_and_review_date_in_the_given_words() -> None:
    chunks = page(BODY).telegram_chunks(3500, "Sources", "Relu le")
    last = chunks[-1]
    assert last.endswith("<i>Relu le: 2026-11-23</i>")
    assert '<a href="https://www.iom.int/news/a?b=1&amp;c=2">' in last
    assert "<i>Sources:</i>" in last
    assert all("Relu le" not in c for c in chunks[:-1])


def test_markdown_becomes_telegram_html() -> None:
    text = "\n".join(page(BODY).telegram_chunks(3500))
    assert text.startswith("Intro with <b>bold</b>, <i>italic</i> and &lt;not a tag&gt; &amp;")
    assert "<b>A heading</b>\n\n• first item\n• second item with <b>bold text</b>" in text
    assert "\n  • a nested item\n• third item" in text
    assert "1. one\n2. two" in text
    assert '<a href="https://example.org/0">a link</a>' in text


def test_default_footer_words_follow_the_page_language() -> None:
    last = page("نص قصير.", lang="ar").telegram_chunks()[-1]
    assert "المصادر:" in last and "آخر مراجعة" in last


def test_arabic_numbers_urls_and_acronyms_are_isolated() -> None:
    body = "سجّلت المنظمة 441 وفاة في 2023 حسب [UNHCR](https://www.unhcr.org/) و IOM."
    text = page(body, lang="ar").telegram_chunks()[0]
    for run in ("441", "2023", "UNHCR", "IOM", "2026-11-23"):
        assert f"{FSI}{run}{PDI}" in text
    # The link target itself stays untouched: only visible text is isolated.
    assert 'href="https://www.unhcr.org/"' in text
    assert text.count(FSI) == text.count(PDI)


def test_the_shipped_arabic_pages_isolate_their_figures() -> None:
    library = load_library()
    risks = "\n".join(library.page("risks", "ar").telegram_chunks())
    assert f"{FSI}441{PDI}" in risks
    assert f"{FSI}2023{PDI}" in risks
    for chunk in library.page("rights", "ar").telegram_chunks(600):
        assert chunk.count(FSI) == chunk.count(PDI)
        assert html_problems(chunk) == []


def test_english_text_is_not_isolated() -> None:
    text = page("IOM counted 441 deaths in 2023.").telegram_chunks()[0]
    assert FSI not in text and PDI not in text


def test_every_shipped_page_renders_within_limits() -> None:
    for shipped in load_library().pages:
        for max_len in (500, 3500):
            chunks = shipped.telegram_chunks(max_len)
            assert all(len(c) <= max_len for c in chunks), (shipped.topic, shipped.lang)
            assert all(html_problems(c) == [] for c in chunks), (shipped.topic, shipped.lang)


def test_brackets_stay_outside_isolates_so_arabic_can_pair_them() -> None:
    text = page("تقول المفوضية (UNHCR) إن العدد بلغ 441 (2023).", lang="ar").telegram_chunks()[0]
    assert f"({FSI}UNHCR{PDI})" in text
    assert f"({FSI}2023{PDI})." in text


def test_a_heading_never_ends_a_message() -> None:
    heading_at_end = re.compile(r"(?:^|\n\n)<b>[^<\n]*</b>$")
    for shipped in load_library().pages:
        for chunk in shipped.telegram_chunks(400)[:-1]:
            assert not heading_at_end.search(chunk), (shipped.topic, shipped.lang, chunk[-80:])
