"""Stories of links between tips: a reporter in Sfax and one in Libya name the same phone number,
written three ways; the focal points each see the tips they may open that name it, and how many
others exist in other units (a count, no content), so they know whom to ask."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from admin.app import create_app
from core.models import AuditEntry

from .people import NewBrowser, browsers
from .staff import SFAX_BOAT, submit, unit_with_focal_point

LIBYA_SMUGGLER = {
    "what": "smuggling",
    "country": "LY",
    "place": "Zuwara",
    "when": "coming",
    "description": "A man sells places on boats to Italy",
    "involved": "He answers on WhatsApp at 0021698123456",
    "child": "no",
    "danger": "no",
}


@pytest.fixture
async def new(db: str) -> AsyncIterator[NewBrowser]:
    async with browsers(create_app()) as new:
        yield new


async def test_two_tips_in_two_countries_naming_one_phone_number_are_linked(
    new: NewBrowser,
) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ly, libya, _ = await unit_with_focal_point("LY", "LY")
    sfax = await submit(SFAX_BOAT | {"involved": "The organiser's phone: +216 98 123 456"})
    zuwara = await submit(LIBYA_SMUGGLER)
    tunis_again = await submit(SFAX_BOAT | {"involved": "call 98123456 for a place"})
    unrelated = await submit(SFAX_BOAT | {"involved": "another number: +216 22 333 444"})

    tunis_browser = await new()
    await tunis_browser.sign_in(tunis)
    status, page = await tunis_browser.page(f"/tips/{sfax}/links")
    assert status == 200
    assert f'href="/tips/{tunis_again}"' in page  # in Tunis's own inbox: listed
    assert f'href="/tips/{zuwara}"' not in page and f'href="/tips/{unrelated}"' not in page
    assert "1 other tip in another unit names the same." in page  # Libya's: counted only
    assert 'Phone number: <bdi dir="ltr">+21698123456</bdi>' in page
    assert "Zuwara" not in page and "WhatsApp" not in page

    libya_browser = await new()
    await libya_browser.sign_in(libya)
    status, page = await libya_browser.page(f"/tips/{zuwara}/links")
    assert status == 200 and "2 other tips in other units name the same." in page
    assert "Sfax" not in page and f'href="/tips/{sfax}"' not in page

    status, page = await tunis_browser.page(f"/tips/{unrelated}/links")
    assert "No other tip names the same phone number, account, IBAN or plate." in page

    # Another unit's tip is out of scope here as everywhere (404, audited).
    status, page = await libya_browser.page(f"/tips/{sfax}/links")
    assert status == 404 and "+21698123456" not in page
    denied = await AuditEntry.filter(action="tip.denied").first()
    assert denied.target == f"tip:{sfax}"
    assert await AuditEntry.filter(action="tip.links_viewed").count() == 3
