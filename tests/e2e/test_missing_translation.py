"""A page not yet translated into the person's language comes in English, and the bot says so."""

from __future__ import annotations

import pytest

from content.library import Library, load_library
from tests.e2e.story import labels, press, says, send


@pytest.fixture
def bot_options() -> dict:
    """A library where the rights page has not been translated into Hausa yet."""
    pages = [p for p in load_library().pages if (p.topic, p.lang) != ("rights", "ha")]
    return {"library": Library(pages)}


async def test_a_page_missing_in_hausa_comes_in_english_with_a_notice(sandbox):
    musa = sandbox.chat(5007, language_code="ha")
    await send(musa, "/start", "Barka da zuwa Aman")
    await press(musa, "Hausa", "A wace ƙasa kuke")
    await press(musa, "Moroko", "Me kuke so ku yi?")
    english_title = load_library().page("rights", "en").title
    topics = await press(musa, "📚 Koyo", "Zaɓi maudu'i")
    assert english_title in labels(topics)
    await musa.press(english_title)
    page = await says(musa, "Babu wannan shafin cikin Hausa tukuna; ga shi cikin Turanci.")
    assert english_title in page["text"]
    while "Gaba ›" in labels(page):  # the page's last part ends with its sources
        page = await press(musa, "Gaba ›", "Babu wannan shafin cikin Hausa tukuna")
    assert "Majiyoyi" in page["text"]
