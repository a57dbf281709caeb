"""Someone in danger reads the emergency lines first, whatever order the directory file keeps,
and every number comes as one run of digits that a phone can dial."""

from __future__ import annotations

from datetime import date

from content.help import REGIONAL, Entry, HelpDirectory, load_directory


def entry(entry_id: str, kind: str, country: str = "TN", phone: str | None = "1") -> Entry:
    return Entry(
        id=entry_id,
        country=country,
        kind=kind,
        names={"en": entry_id},
        source="test",
        verified=True,
        verified_on=date(2026, 1, 1),
        phone=phone,
    )


def test_emergency_lines_come_before_the_rest_even_when_the_file_lists_them_last() -> None:
    directory = HelpDirectory(
        [
            entry("agency", "un-agency", country=REGIONAL, phone=None),
            entry("child-line", "child"),
            entry("police", "emergency"),
            entry("ambulance", "emergency"),
            entry("women-line", "women"),
        ]
    )
    ordered = [e.id for e in directory.public_entries("TN", "ar")]
    assert ordered == ["police", "ambulance", "child-line", "women-line", "agency"]
    assert [e.id for e in directory.emergency_entries("TN", "ar")] == ["police", "ambulance"]
    assert directory.emergency_entries("other", "ar") == []


def test_every_shipped_country_shows_its_emergency_lines_first() -> None:
    directory = load_directory()
    for country in ("DZ", "EG", "LY", "MA", "TN"):
        kinds = [e.kind == "emergency" for e in directory.public_entries(country, "fr")]
        assert kinds == sorted(kinds, reverse=True), country
    assert directory.emergency_entries("TN", "fr")[0].phone == "197"


def test_a_spaced_number_is_dialled_as_one_run_of_digits() -> None:
    rabat = next(e for e in load_directory().public_entries("MA", "ar") if e.id == "ma-unhcr-rabat")
    assert rabat.phone == "+212 537 54 54 00"  # as its source writes it
    assert rabat.dial == "+212537545400"
    assert entry("x", "other", phone="80-104-748").dial == "80104748"
    assert entry("x", "other", phone=None).dial is None
