"""Stories of exporting a tip for referral: the Tunis focal point downloads the Sfax tip as JSON
that validates against the published schema, and prints its case sheet, on which an answer
written in Arabic reads right to left; both exports are in the audit log, neither is cached, and a
focal point of another unit gets neither, whatever the URL."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from core.models import AuditEntry
from tips import followup, media, receipts
from tips.intake import submit as submit_tip

from ..tips.helpers import photo_with_gps
from .staff import RABAT_OFFER, SFAX_BOAT, Browser, submit, unit_with_focal_point

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "tip-export.schema.json"
ARABIC_DESCRIPTION = "قارب يغادر صفاقس الليلة وعلى متنه أربعون شخصا"
ARABIC_PLACE = "صفاقس، قرب الميناء"


async def exports() -> list[tuple[str, str | None, str]]:
    entries = await AuditEntry.filter(action="tip.exported").order_by("id")
    return [(e.actor, e.target, e.details["format"]) for e in entries]


async def test_export_json_matches_the_schema(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    where = {"latitude": 34.7406, "longitude": 10.7603}  # a shared location, rounded at intake
    photo = photo_with_gps()
    submitted = await submit_tip(SFAX_BOAT | {"place": where}, [(media.check(photo), photo)])
    tip_id = submitted.tip_id
    opened = await receipts.open_tip(submitted.receipt)
    assert opened is not None
    await followup.add_information(opened, "The boat is blue and white")

    browser = Browser(client)
    await browser.sign_in(tunis)
    response = await browser.get(f"/tips/{tip_id}/export.json")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"].startswith("application/json")
    assert f'filename="aman-tip-{tip_id}.json"' in response.headers["Content-Disposition"]
    document = json.loads(await response.text())

    schema = json.loads(SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    problems = [e.message for e in Draft202012Validator(schema).iter_errors(document)]
    assert problems == []
    assert document["tip"]["id"] == tip_id and document["tip"]["urgency"] == "urgent"
    answers = {a["question"]: a for a in document["answers"]}
    assert answers["description"]["answer"] == SFAX_BOAT["description"]
    assert answers["what"] == {
        "question": "what",
        "prompt": "What do you want to report?",
        "answer": "A boat about to leave",
        "value": "boat",
    }
    assert answers["place"]["value"]["latitude"] == 34.74
    assert [m["text"] for m in document["messages"]] == ["The boat is blue and white"]
    assert [(f["kind"], f["cleaned_copy"]) for f in document["attachments"]] == [("photo", True)]
    assert "receipt" not in json.dumps(document).lower()
    assert document["exported"]["by"] == tunis.display_name

    # The schema really holds the export to its shape: a changed document fails it.
    broken = document | {"tip": document["tip"] | {"urgency": "very"}, "extra": 1}
    assert len(list(Draft202012Validator(schema).iter_errors(broken))) == 2

    # Another unit's focal point cannot export it, even by URL.
    await browser.sign_out()
    offer = await submit(RABAT_OFFER)
    await browser.sign_in(rabat)
    for path in (f"/tips/{tip_id}/export.json", f"/tips/{tip_id}/case-sheet"):
        status, page = await browser.page(path)
        assert status == 404 and SFAX_BOAT["description"] not in page
    assert (await browser.get(f"/tips/{offer}/export.json")).status == 200

    assert await exports() == [
        (f"staff:{tunis.id}", f"tip:{tip_id}", "json"),
        (f"staff:{rabat.id}", f"tip:{offer}", "json"),
    ]
    denied = await AuditEntry.filter(action="tip.denied", actor=f"staff:{rabat.id}").count()
    assert denied == 2


class Answers(HTMLParser):
    """The answers of a case sheet: each <dd> of the answers list with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.html_dir: str | None = None
        self.stylesheets: list[str] = []
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._in_answers = False
        self._dd: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_dir = found.get("dir")
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found.get("href") or "")
        elif tag == "dl" and "answers" in (found.get("class") or ""):
            self._in_answers = True
        elif tag == "dd" and self._in_answers:
            self._dd = found
            self.found.append((found, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "dl":
            self._in_answers = False
        elif tag == "dd":
            self._dd = None

    def handle_data(self, data: str) -> None:
        if self._dd is not None:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)


async def test_case_sheet_is_right_to_left_for_arabic_answers(client: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    tip_id = await submit(SFAX_BOAT | {"description": ARABIC_DESCRIPTION, "place": ARABIC_PLACE})
    browser = Browser(client)
    await browser.sign_in(tunis)

    for lang, page_dir in (("en", "ltr"), ("ar", "rtl")):
        response = await browser.get(f"/tips/{tip_id}/case-sheet?lang={lang}")
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        sheet = Answers()
        sheet.feed(await response.text())
        assert sheet.html_dir == page_dir
        assert any("case-sheet" in href for href in sheet.stylesheets)  # its print stylesheet
        # Every answer takes the direction of its own text: the Arabic ones read right to left
        # on an English page too, the English ones left to right on an Arabic page.
        assert len(sheet.found) == 7
        assert all(attrs.get("dir") == "auto" for attrs, _text in sheet.found)
        texts = [text for _attrs, text in sheet.found]
        assert ARABIC_DESCRIPTION in texts and ARABIC_PLACE in texts

    stylesheet = await browser.get(next(h for h in sheet.stylesheets if "case-sheet" in h))
    rules = await stylesheet.text()
    assert "@media print" in rules and "unicode-bidi: plaintext" in rules
    assert await exports() == [(f"staff:{tunis.id}", f"tip:{tip_id}", "case-sheet")] * 2
