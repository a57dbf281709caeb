"""Stories of an editor running `aman content check` on the shipped content and on broken copies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from content.check import check_content, main_check

TODAY = date(2026, 11, 23)


def test_the_shipped_content_passes(capsys: pytest.CaptureFixture[str]) -> None:
    report = check_content(today=TODAY)
    assert report.errors == []
    assert main_check(["--today", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "OK: 0 errors" in out


def test_the_report_lists_work_to_do_as_warnings() -> None:
    warnings = "\n".join(check_content(today=TODAY).warnings)
    assert "tn-police (public) last verified 2022-06-01" in warnings
    assert "ly-unhcr (hidden)" in warnings
    a_year_later = "\n".join(check_content(today=date(2027, 12, 2)).warnings)
    assert "library/rights/en.md: last reviewed 2026-12-01" in a_year_later


def test_missing_translations_and_pending_reviews_are_warnings(content_copy: Path) -> None:
    (content_copy / "library" / "signs" / "fr.md").unlink()
    page = content_copy / "library" / "lies" / "fr.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "needs_native_review: false", "needs_native_review: true"
        ),
        encoding="utf-8",
    )
    report = check_content(content_copy, TODAY)
    assert report.errors == []
    assert any(w.startswith("library/signs: no translation yet in fr") for w in report.warnings)
    assert "library/lies/fr.md: awaits a native speaker's review" in report.warnings


def test_a_broken_copy_reports_each_fault(
    content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = content_copy / "library"
    rights = library / "rights" / "fr.md"
    text = rights.read_text(encoding="utf-8")
    rights.write_text(
        text.replace("id: rights", "id: droits")
        .replace("order: 3", "order: 4")
        .replace("https://www.ohchr.org", "http://www.ohchr.org", 1)
        + "\n[lien](http://example.org) <b>gras</b>\n\n### Trop profond\n",
        encoding="utf-8",
    )
    (library / "signs" / "en.md").unlink()
    (library / "risks" / "xx.md").write_text("no front matter\n", encoding="utf-8")
    (library / "weather").mkdir()
    (library / "lies" / "ar.md").write_text(
        "---\nid: lies\ntopic: lies\norder: 2\ntitle: t\nsummary: s\ncountries: [all]\n"
        "sources: []\nreviewed_on: 2026-11-23\nneeds_native_review: false\n---\n\n",
        encoding="utf-8",
    )
    help_dir = content_copy / "help"
    tunisia = help_dir / "TN.yaml"
    tunisia.write_text(
        tunisia.read_text(encoding="utf-8")
        .replace('phone: "197"', 'phone: "19-7 ext. 2"')
        .replace("id: tn-national-guard", "id: tn-police")
        .replace('    source: "Tunisian press, 2017–2022"\n', "", 1),
        encoding="utf-8",
    )
    (help_dir / "DZ.yaml").unlink()

    report = check_content(content_copy, TODAY)
    errors = "\n".join(report.errors)
    for expected in (
        "library/rights/fr.md: id 'droits' differs from its folder 'rights'",
        "library/rights/fr.md: order 4 should be 3",
        "library/rights/fr.md: source 1: url 'http://www.ohchr.org",
        "library/rights/fr.md: link target 'http://example.org' is not an https:// URL",
        "library/rights/fr.md: raw HTML is not allowed",
        "library/rights/fr.md: headings deeper than '## ' are not allowed",
        "library/signs: the English page en.md is missing",
        "library/risks/xx.md: front matter missing",
        "library/weather: unknown topic 'weather'",
        "library/lies/ar.md: 'sources' must be a non-empty list",
        "library/lies/ar.md: the body is empty",
        "help/TN.yaml: entry 1 (tn-police): missing 'source'",
        "help/TN.yaml: entry 1 (tn-police): phone '19-7 ext. 2' may hold only digits",
        "help/TN.yaml: entry id 'tn-police' is used twice",
        "help/DZ.yaml: missing",
    ):
        assert expected in errors, expected
    assert main_check(["--root", str(content_copy), "--today", "2026-11-23"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_order_disagreement_between_languages_is_an_error(content_copy: Path) -> None:
    page = content_copy / "library" / "signs" / "ar.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("order: 5", "order: 6"), encoding="utf-8"
    )
    errors = check_content(content_copy, TODAY).errors
    assert "library/signs/ar.md: order 6 should be 5" in errors


def test_help_entry_problems_are_named(content_copy: Path) -> None:
    libya = content_copy / "help" / "LY.yaml"
    libya.write_text(
        libya.read_text(encoding="utf-8")
        .replace("kind: un-agency", "kind: hotline", 1)
        .replace("verified_on: 2020-06-01", "verified_on: soon")
        .replace('phone: "+218 91 989 7937"', "phone: 218919897937"),
        encoding="utf-8",
    )
    morocco = content_copy / "help" / "MA.yaml"
    morocco.write_text(
        morocco.read_text(encoding="utf-8").replace("id: ma-unhcr-rabat", "id: unhcr"),
        encoding="utf-8",
    )
    errors = "\n".join(check_content(content_copy, TODAY).errors)
    assert "help/regional.yaml: entry id 'unhcr' is already used in help/MA.yaml" in errors
    assert "entry 1 (ly-iom): kind 'hotline' is not one of" in errors
    assert "entry 2 (ly-unhcr): 'verified_on' must be a date" in errors
    assert "entry 2 (ly-unhcr): phone 218919897937 must be quoted text" in errors
