"""Stories of readers in every language finding the whole library in their own words.

A missing translation is only a warning for `aman content check`; these stories make the shipped
library itself complete: every topic in every language, every page naming a source that was found.
"""

from __future__ import annotations

from content.library import TOPICS, load_library
from core.i18n import LANGUAGES, NEEDS_NATIVE_REVIEW

ALARM_PHONE = "+33 4 86 51 71 61"


def test_every_topic_is_served_in_every_language_with_a_checked_source() -> None:
    library = load_library()
    for topic in TOPICS:
        for lang in LANGUAGES:
            page = library.page(topic, lang)
            assert page.lang == lang, f"{topic} has no {lang} page; readers get {page.lang}"
            assert any(s.checked for s in page.sources), f"{topic}/{lang}: no checked source"
            if lang in NEEDS_NATIVE_REVIEW:
                assert page.needs_native_review, f"{topic}/{lang} is not flagged for review"


def test_a_boat_in_distress_finds_alarm_phone_in_every_language() -> None:
    library = load_library()
    for lang in LANGUAGES:
        page = library.page("distress-at-sea", lang)
        assert page.lang == lang
        assert ALARM_PHONE in "".join(page.telegram_chunks()), lang
