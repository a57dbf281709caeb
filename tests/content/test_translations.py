"""Stories of translators keeping up with the English pages, and of footers in every language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from content.check import check_content
from content.library import load_library, parse_page

TODAY = date(2026, 12, 1)
REVISION = re.compile(r'^source_revision: "[0-9a-f]{12}"$', re.MULTILINE)


def outdated(warnings: list[str]) -> list[str]:
    return [w for w in warnings if ": outdated:" in w]


def test_every_shipped_translation_translates_the_current_english_page() -> None:
    report = check_content(today=TODAY)
    assert report.errors == []
    assert outdated(report.warnings) == []
    assert not [w for w in report.warnings if "records no source_revision" in w]


def test_a_translation_whose_english_page_changed_is_listed_as_outdated(
    content_copy: Path,
) -> None:
    english = content_copy / "library" / "signs" / "en.md"
    before = parse_page(english).revision
    english.write_text(
        english.read_text(encoding="utf-8") + "\nA new paragraph nobody has translated yet.\n",
        encoding="utf-8",
    )
    after = parse_page(english).revision
    assert after != before

    report = check_content(content_copy, TODAY)
    assert report.errors == []  # work to do, not a broken library
    stale = outdated(report.warnings)
    assert sorted(w.split(":")[0] for w in stale) == [
        f"library/signs/{lang}.md" for lang in ("ar", "bn", "fr", "ha", "ti")
    ]
    assert f'translates revision "{before}" of en.md, which is now at "{after}"' in stale[0]


def test_recording_the_new_revision_clears_the_warning(content_copy: Path) -> None:
    english = content_copy / "library" / "risks" / "en.md"
    english.write_text(
        english.read_text(encoding="utf-8").replace("the whole picture", "everything in view"),
        encoding="utf-8",
    )
    current = parse_page(english).revision
    french = content_copy / "library" / "risks" / "fr.md"
    french.write_text(
        REVISION.sub(f'source_revision: "{current}"', french.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    stale = outdated(check_content(content_copy, TODAY).warnings)
    assert [w.split(":")[0] for w in stale if w.startswith("library/risks/")] == [
        f"library/risks/{lang}.md" for lang in ("ar", "bn", "ha", "ti")
    ]


def test_a_translation_that_does_not_say_what_it_translates_is_named(content_copy: Path) -> None:
    arabic = content_copy / "library" / "lies" / "ar.md"
    arabic.write_text(REVISION.sub("", arabic.read_text(encoding="utf-8")), encoding="utf-8")
    english = parse_page(content_copy / "library" / "lies" / "en.md")
    warnings = check_content(content_copy, TODAY).warnings
    expected = "library/lies/ar.md: records no source_revision; the English page is at"
    assert f'{expected} "{english.revision}"' in warnings


def test_a_malformed_or_misplaced_revision_is_an_error(content_copy: Path) -> None:
    french = content_copy / "library" / "rights" / "fr.md"
    french.write_text(
        REVISION.sub("source_revision: 123456789012", french.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    english = content_copy / "library" / "rights" / "en.md"
    english.write_text(
        english.read_text(encoding="utf-8").replace(
            "needs_native_review: false",
            'needs_native_review: false\nsource_revision: "0a1b2c3d4e5f"',
        ),
        encoding="utf-8",
    )
    errors = check_content(content_copy, TODAY).errors
    assert (
        "library/rights/fr.md: 'source_revision' must be 12 lowercase hex digits, in quotes"
        in errors
    )
    assert (
        "library/rights/en.md: 'source_revision' belongs on translations: "
        "the English page is the source" in errors
    )


def test_footer_words_come_from_the_catalogs_in_the_page_language() -> None:
    expected = {
        "en": ("Sources:", "Reviewed: "),
        "fr": ("Sources:", "Relu le: "),
        "ar": ("المصادر:", "آخر مراجعة: "),
        "ha": ("Majiyoyi:", "An duba: "),
        "ti": ("ምንጭታት:", "ዝተገምገመሉ: "),
        "bn": ("উৎস:", "পর্যালোচিত: "),
    }
    library = load_library()
    for lang, (sources, reviewed) in expected.items():
        served = library.page("signs", lang)
        assert served.lang == lang
        last = served.telegram_chunks()[-1]  # no labels passed: a caller without a translator
        assert f"<i>{sources}</i>" in last, lang
        assert reviewed in last and served.reviewed_on.isoformat() in last, lang
