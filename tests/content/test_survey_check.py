"""Stories of an editor writing a survey: `aman content check` accepts the shipped surveys and
refuses, with a message naming the file and the question, a skip rule that names an unknown
question, points forward, or expects an answer the question does not have."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from content.check import CONTENT_DIR, check_content, main_check
from content.surveys import load_surveys

TODAY = date(2026, 11, 23)


@pytest.fixture
def surveys_copy(content_copy: Path) -> Path:
    shutil.copytree(CONTENT_DIR / "surveys", content_copy / "surveys")
    return content_copy


def _break(root: Path, old: str, new: str) -> None:
    path = root / "surveys" / "public-attitude.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_shipped_surveys_pass_and_ask_the_demographics_as_skippable() -> None:
    assert check_content(today=TODAY).errors == []
    shipped = load_surveys()
    assert {"risks-on-the-move", "public-attitude"} <= set(shipped)
    gender = shipped["public-attitude"].get("gender")
    assert gender is not None and gender.optional and gender.demographic


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'show_if: {question: would_report, answer: "no"}',
            'show_if: {question: would_repot, answer: "no"}',
            "question 'why_not': show_if names an unknown question 'would_repot'",
        ),
        (
            'show_if: {question: seen_smuggling, answer: "yes"}',
            'show_if: {question: difference, answer: "same"}',
            "question 'seen_where': show_if points forward to 'difference'",
        ),
        (
            'show_if: {question: would_report, answer: "no"}',
            "show_if: {question: would_report, answer: never}",
            "'never' is not an answer of 'would_report' (its answers: yes, no, unsure)",
        ),
    ],
    ids=["unknown question", "forward rule", "unknown answer"],
)
def test_a_broken_skip_rule_fails_the_check_with_a_clear_message(
    surveys_copy: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    _break(surveys_copy, old, new)
    report = check_content(surveys_copy, TODAY)
    assert any(
        e.startswith("surveys/public-attitude.yaml: ") and message in e for e in report.errors
    )
    assert main_check(["--root", str(surveys_copy), "--today", "2026-11-23"]) == 1
    assert message in capsys.readouterr().out
