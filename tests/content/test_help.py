"""Stories of people looking for a number to call: only verified entries reach them."""

from __future__ import annotations

from datetime import date

from content.help import Entry, load_directory


def ids(entries: list[Entry]) -> list[str]:
    return [e.id for e in entries]


def test_morocco_shows_the_child_line_and_police_in_arabic() -> None:
    entries = load_directory().public_entries("MA", "ar")
    phones = {e.phone: e for e in entries}
    assert phones["2511"].kind == "child"
    assert phones["19"].name == "الشرطة"
    assert "112" in (phones["19"].note or "")
    # Country entries first, then the agencies reachable from anywhere.
    assert ids(entries)[-2:] == ["unhcr", "iom"]


def test_libya_hides_the_uncertain_unhcr_line_and_ships_no_police_number() -> None:
    directory = load_directory()
    public = directory.public_entries("LY", "en")
    assert "ly-unhcr" not in ids(public)
    assert all(e.verified for e in public)
    assert not any(e.kind == "emergency" for e in directory.all_entries("LY"))
    # Staff still see the hidden line so that they can check it again.
    assert "ly-unhcr" in ids(directory.all_entries("LY"))


def test_unverified_numbers_never_reach_the_public_anywhere() -> None:
    directory = load_directory()
    for country in ("DZ", "EG", "LY", "MA", "TN", "other", None):
        for entry in directory.public_entries(country, "fr"):
            assert entry.verified
    assert "eg-police" not in ids(directory.public_entries("EG", "en"))
    assert "dz-police" not in ids(directory.public_entries("DZ", "en"))
    assert "tn-inltp-line" not in ids(directory.public_entries("TN", "en"))


def test_someone_on_the_way_gets_the_regional_agencies() -> None:
    directory = load_directory()
    assert ids(directory.public_entries("other", "en")) == ["unhcr", "iom"]
    assert ids(directory.public_entries(None, "en")) == ["unhcr", "iom"]


def test_names_fall_back_to_english_for_languages_without_a_translation() -> None:
    police = next(e for e in load_directory().public_entries("TN", "ha") if e.id == "tn-police")
    assert police.lang == "ha"
    assert police.name == "Police"
    french = police.in_language("fr-TN")
    assert french.name == "Police" and french.lang == "fr-TN"


def test_an_entry_goes_stale_twelve_months_after_its_last_check() -> None:
    entry = Entry(
        id="x",
        country="TN",
        kind="emergency",
        names={"en": "Police"},
        source="test",
        verified=True,
        verified_on=date(2025, 3, 15),
    )
    assert not entry.is_stale(date(2026, 3, 15))
    assert entry.is_stale(date(2026, 3, 16))
    assert not entry.is_stale(date(2025, 9, 1))
    assert entry.is_stale(date(2025, 9, 16), months=6)
    stale = load_directory().stale(date(2026, 11, 23))
    assert "tn-police" in ids(stale)
    assert "ma-child-line" not in ids(stale)
