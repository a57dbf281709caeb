"""Stories of an analyst reading survey results: counts broken down by gender, with a group of
fewer than five answers suppressed together with the cells that would let someone subtract it
back out of a total; the CSV export carries the same suppressed numbers and is audited; a focal
point cannot see survey results."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Role
from surveys.responses import complete
from surveys.results import Row, suppress

from .staff import Browser, staff_member, unit_with_focal_point

SURVEY = "public-attitude"


async def _people_answer(answers: list[tuple[str, str]]) -> None:
    for chat_id, (gender, would_report) in enumerate(answers, start=7000):
        await complete(SURVEY, chat_id, "ar", {"gender": gender, "would_report": would_report})


def _row(page: str, breakdown: str, group: str) -> list[str]:
    section = page.split(f'id="t-would_report-{breakdown}"', 1)[1].split("</section>", 1)[0]
    row = section.split(f'data-group="{group}"', 1)[1].split("</tr>", 1)[0]
    return [
        re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


async def test_results_by_gender_suppress_small_cells_and_their_complements(
    client: TestClient,
) -> None:
    # Women: 6 yes, 3 no. Men: 7 yes, 5 no. (would_report answers: yes, no, unsure.)
    await _people_answer(
        [("woman", "yes")] * 6 + [("woman", "no")] * 3 + [("man", "yes")] * 7 + [("man", "no")] * 5
    )
    analyst = await staff_member("ana", Role.ANALYST)
    browser = Browser(client)
    await browser.sign_in(analyst)
    status, page = await browser.page(f"/surveys/{SURVEY}")
    assert status == 200
    assert "<svg" in page and 'role="img"' in page

    # Everyone: nothing small, all shown.
    assert _row(page, "all", "all") == ["13 (61.9%)", "8 (38.1%)", "0 (0.0%)", "21"]
    # The 3 women who said no are hidden, and so is a second cell of their row (or 3 = 9 - 6);
    # then the men's "no" (or 3 = 8 - 5), and a second cell of the men's row in turn.
    women, men = _row(page, "gender", "woman"), _row(page, "gender", "man")
    assert women[1] == "&lt;5" and "3" not in women[1]
    for row in (women, men):
        assert row.count("&lt;5") >= 2  # never a lone hidden cell in a row
    for column in range(4):
        hidden = [row[column] == "&lt;5" for row in (women, men)]
        assert sum(hidden) != 1  # never a lone hidden cell in a column

    response = await browser.get(f"/surveys/{SURVEY}/results.csv")
    text = await response.text()
    assert response.status == 200
    assert "would_report,gender,woman,no,<5" in text
    assert ",woman,no,3," not in text
    exported = await AuditEntry.get(action="survey.results_exported")
    assert (exported.actor, exported.target) == (f"staff:{analyst.id}", f"survey:{SURVEY}")


async def test_a_focal_point_cannot_read_survey_results(client: TestClient) -> None:
    _unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    browser = Browser(client)
    await browser.sign_in(focal_point)
    status, _page = await browser.page(f"/surveys/{SURVEY}")
    assert status == 403


def test_a_lone_small_cell_is_never_left_recoverable_from_totals() -> None:
    rows = [Row("a", [6, 3, 0], 9), Row("b", [7, 5, 8], 20), Row("c", [9, 9, 9], 27)]
    suppress(rows)
    for row in rows:
        assert len(row.hidden) + row.total_hidden != 1
    for column in range(3):
        assert sum(column in row.hidden for row in rows) != 1
    assert 1 in rows[0].hidden
