"""Stories of the inbox list: a tip where a child is involved comes first, then urgent ones, then
the newest; the focal point narrows the list by status, category, urgency, country, date, label
and assignee (all in SQL, page by page); each member sees which tips they have not read — and
a tip comes back unread when the reporter adds to it. A filter the inbox does not know is a clear
400, never an error."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from core.models import Role
from tips import followup, intake, receipts
from tips.models import RoutingRule, Tip

from .staff import SFAX_BOAT, TUNIS_PAST, Browser, staff_member, unit_with_focal_point

URGENT_NO_CHILD = SFAX_BOAT | {"child": "no", "what": "trafficking"}
NOWHERE = TUNIS_PAST | {"country": "XX", "place": "At sea"}


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/tips/(\d+)"', page)]


def unread(page: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'href="/tips/(\d+)">#\d+</a> <span class="unread-mark"', page)
    ]


async def submit(answers: dict) -> int:
    submitted = await intake.submit(answers)
    assert submitted.tip_id is not None
    return submitted.tip_id


async def test_a_child_involved_comes_first_then_urgent_then_newest(client: TestClient) -> None:
    _unit, tunis, _ = await unit_with_focal_point("TN", "TN")
    child = await submit(SFAX_BOAT)
    urgent = await submit(URGENT_NO_CHILD)
    older, newer = await submit(TUNIS_PAST), await submit(TUNIS_PAST)
    later_child = await submit(SFAX_BOAT | {"when": "coming"})  # a child makes it urgent too
    assert (await Tip.get(id=child)).child_involved and not (
        await Tip.get(id=urgent)
    ).child_involved

    browser = Browser(client)
    await browser.sign_in(tunis)
    _status, page = await browser.page("/inbox")
    assert listed(page) == [later_child, child, urgent, newer, older]
    assert page.count('class="child-mark"') == 2


async def test_filters_narrow_the_inbox(client: TestClient) -> None:
    unit, tunis, _ = await unit_with_focal_point("TN", "TN")
    lead = await staff_member("tn-lead", Role.UNIT_LEAD, unit)
    await RoutingRule.create(country="XX", unit=unit, priority=5)  # the sea goes to Tunis here
    boat = await submit(SFAX_BOAT)
    trafficking = await submit(URGENT_NO_CHILD)
    past = await submit(TUNIS_PAST)
    at_sea = await submit(NOWHERE)
    await Tip.filter(id=past).update(created_at=datetime(2026, 3, 10, 14, tzinfo=UTC))

    browser = Browser(client)
    await browser.sign_in(lead)
    await browser.submit(f"/tips/{boat}", f"/tips/{boat}/labels", name="coast guard")
    await browser.submit(f"/tips/{at_sea}", f"/tips/{at_sea}/labels", name="coast guard")
    await browser.submit(
        f"/tips/{trafficking}", f"/tips/{trafficking}/assign", assignee=str(tunis.id)
    )
    await browser.submit(
        f"/tips/{boat}", f"/tips/{boat}/status", status="acknowledged", **{"from": "new"}
    )
    _status, page = await browser.page("/inbox")
    label = re.search(r'<option value="(\d+)" >coast guard</option>', page)
    assert label, "the label filter offers the unit's labels"

    expectations = {
        "": [boat, trafficking, at_sea, past],
        "status=acknowledged": [boat],
        "status=new": [trafficking, at_sea, past],
        "category=trafficking": [trafficking],
        "category=smuggling&urgency=normal": [at_sea, past],
        "urgency=urgent": [boat, trafficking],
        "country=XX": [at_sea],
        "country=TN&urgency=normal": [past],
        "since=2026-03-10&until=2026-03-10": [past],
        "until=2026-03-09": [],
        f"label={label.group(1)}": [boat, at_sea],
        f"label={label.group(1)}&category=boat": [boat],
        f"assignee={tunis.id}": [trafficking],
        "assignee=none": [boat, at_sea, past],
        "assignee=me": [],
    }
    for query, expected in expectations.items():
        status, page = await browser.page(f"/inbox?{query}")
        assert status == 200 and listed(page) == expected, query
    # The filters stay chosen on the page, and in its pager's links.
    _status, page = await browser.page("/inbox?urgency=urgent&country=TN")
    assert '<option value="urgent" selected>' in page and '<option value="TN" selected>' in page

    for bad in (
        "status=in_progress",
        "category=drugs",
        "country=FR",
        "since=2026-13-01",
        "until=yesterday",
        "label=99999",
        "label=1%20OR%201=1",
        "assignee=-1",
    ):
        status, page = await browser.page(f"/inbox?{bad}")
        assert status == 400 and "The inbox has no such filter." in page, bad


async def test_another_units_label_is_no_filter_here(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    sfax = await submit(SFAX_BOAT)
    browser = Browser(client)
    await browser.sign_in(tunis)
    await browser.submit(f"/tips/{sfax}", f"/tips/{sfax}/labels", name="coast guard")
    _status, page = await browser.page("/inbox")
    label_id = re.search(r'<option value="(\d+)" >coast guard</option>', page).group(1)
    await browser.sign_out()
    await browser.sign_in(rabat)
    status, page = await browser.page(f"/inbox?label={label_id}")
    assert status == 400 and "coast guard" not in page


async def test_filtered_pages_carry_their_filters(client: TestClient) -> None:
    _unit, tunis, _ = await unit_with_focal_point("TN", "TN")
    normal = [await submit(TUNIS_PAST) for _ in range(51)]
    await submit(SFAX_BOAT)
    browser = Browser(client)
    await browser.sign_in(tunis)
    _status, first = await browser.page("/inbox?urgency=normal")
    assert listed(first) == sorted(normal, reverse=True)[:50]
    assert 'href="/inbox?urgency=normal&amp;page=2" rel="next"' in first
    _status, second = await browser.page("/inbox?urgency=normal&page=2")
    assert listed(second) == [min(normal)]
    assert 'href="/inbox?urgency=normal" rel="prev"' in second


async def test_unread_marks_are_each_members_own(client: TestClient) -> None:
    unit, salma, _ = await unit_with_focal_point("TN", "TN")
    youssef = await staff_member("youssef", Role.FOCAL_POINT, unit)
    submitted = await intake.submit(SFAX_BOAT)
    sfax = submitted.tip_id
    past = await submit(TUNIS_PAST)

    browser = Browser(client)
    await browser.sign_in(salma)
    _status, page = await browser.page("/inbox")
    assert unread(page) == [sfax, past]
    await browser.page(f"/tips/{sfax}")
    _status, page = await browser.page("/inbox")
    assert unread(page) == [past]

    # The reporter comes back with more: the tip is unread again for whoever had read it.
    reporter = await receipts.open_tip(submitted.receipt)
    assert reporter is not None
    await followup.add_information(reporter, "The boat left at midnight")
    _status, page = await browser.page("/inbox")
    assert unread(page) == [sfax, past]
    _status, tip_page = await browser.page(f"/tips/{sfax}")
    assert "The reporter added information" in tip_page
    assert "The boat left at midnight" in tip_page
    _status, page = await browser.page("/inbox")
    assert unread(page) == [past]
    await browser.sign_out()

    # Youssef has read nothing yet.
    await browser.sign_in(youssef)
    _status, page = await browser.page("/inbox")
    assert unread(page) == [sfax, past]
