"""Links between tips kept without clear text: one number written many ways gives one link; the
database holds only keyed hashes of it, useless without the server secret; and what a reporter
adds later with the receipt links the tip too."""

from __future__ import annotations

import pytest

from core import crypto
from tests.e2e import attacker
from tips import followup, intake, links, receipts
from tips.models import TipLink

from .helpers import unit_with_focal_point

SFAX_BOAT = {
    "what": "boat",
    "country": "TN",
    "place": "Sfax, near the port",
    "when": "soon",
    "description": "A boat leaves tonight; the organiser answers on +216 98 123 456",
    "involved": "Telegram @Sfax_Crossings, IBAN TN59 1000 6035 1835 9847 8831, "
    "a white van with plate 123 TU 4567",
    "child": "no",
    "danger": "no",
}


@pytest.mark.parametrize(
    ("written", "country", "normal"),
    [
        ("+216 98 123 456", "TN", "phone:+21698123456"),
        ("0021698123456", "LY", "phone:+21698123456"),
        ("98123456", "TN", "phone:+21698123456"),
        ("٩٨١٢٣٤٥٦", "TN", "phone:+21698123456"),  # Arabic-Indic digits
        ("wa.me/21698123456", "XX", "phone:+21698123456"),
        ("06.12.34.56.78", "MA", "phone:+212612345678"),
        ("+212 (0)6 12 34 56 78", "DZ", "phone:+212612345678"),
        ("091 234 5678", "LY", "phone:+218912345678"),
        ("010 1234 5678", "EG", "phone:+201012345678"),
        ("@Sfax_Crossings", "TN", "handle:sfax_crossings"),
        ("https://t.me/Sfax_Crossings", "LY", "handle:sfax_crossings"),
        ("facebook.com/sfax.crossings", "TN", "handle:sfax.crossings"),
        ("tn59 1000 6035 1835 9847 8831", "TN", "iban:TN5910006035183598478831"),
        ("plate 123 TU 4567", "TN", "plate:123TU4567"),
        ("لوحة رقم ١٢٣ تونس ٤٥٦٧", "TN", "plate:123TU4567"),
    ],
)
def test_one_identifier_written_many_ways_has_one_normal_form(
    written: str, country: str, normal: str
) -> None:
    assert normal in links.identifiers(f"they said: {written}, then left", country)


@pytest.mark.parametrize(
    "text",
    [
        "The boat leaves on 25.12.2026 at 22:30, 3 000 dinars each",
        "ali@gmail.com wrote to us",
        "TN59 1000 6035 1835 9847 8832",  # one check digit wrong
        "forty people, 12 children",
    ],
)
def test_dates_amounts_and_near_misses_are_no_identifiers(text: str) -> None:
    assert links.identifiers(text, "TN") == set()


async def test_link_hashes_store_no_clear_number(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    submitted = await intake.submit(SFAX_BOAT)

    digests = set(await TipLink.filter(tip_id=submitted.tip_id).values_list("digest", flat=True))
    assert len(digests) == 4  # the phone, the account, the IBAN and the plate
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in digests)

    clear = [b"98123456", b"98 123 456", b"sfax_crossings", b"Sfax_Crossings",
             b"5910006035", b"123TU4567", b"123 TU 4567", b"4567"]  # fmt: skip
    for row, readable in await attacker.readable_with_secret():
        for value in clear:
            assert value not in readable, (row.table, value)

    # Only the server secret makes the hash: with another one, the same number is another link.
    assert links.digest("phone:+21698123456") in digests
    crypto.use_secret(b"another server's secret, another server's secret")
    assert links.digest("phone:+21698123456") not in digests


async def test_a_number_the_reporter_adds_later_links_the_tip(db: str) -> None:
    await unit_with_focal_point("TN", "TN")
    first = await intake.submit(SFAX_BOAT)
    without = {k: v for k, v in SFAX_BOAT.items() if k != "involved"}
    later = await intake.submit(without | {"description": "Boats leave from Chebba too"})
    assert await TipLink.filter(tip_id=later.tip_id).count() == 0

    opened = await receipts.open_tip(later.receipt)
    assert opened is not None
    await followup.add_information(opened, "I found his number: 98 123 456")

    linked = await links.linked_ids(later.tip_id)
    assert linked == [{"tip_id": first.tip_id}]
