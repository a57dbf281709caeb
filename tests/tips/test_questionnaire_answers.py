"""What the server accepts as answers, whatever a client sends: "I don't know" where a person may
not know, no place at all, a voice note standing for written words; and the urgency rules still
hold ("yes, someone is in danger" makes a tip urgent, "I don't know" does not)."""

from __future__ import annotations

import pytest

from tips.models import Urgency
from tips.questionnaire import VOICE_ANSWER, AnswerError, load, parse

ANSWERS = {
    "what": "smuggling",
    "country": "TN",
    "when": "coming",
    "description": "A man sells places on a boat",
    "child": "no",
    "danger": "no",
}


def test_i_dont_know_is_an_answer_to_when_child_and_danger() -> None:
    questions = load()
    for question_id in ("when", "child", "danger"):
        assert questions.get(question_id).choice("unknown").label == "I don't know"
    unsure = {**ANSWERS, "when": "unknown", "child": "unknown", "danger": "unknown"}
    assert questions.validate(unsure) == unsure
    assert questions.urgency(unsure) == Urgency.NORMAL
    with pytest.raises(AnswerError):
        questions.validate({**ANSWERS, "what": "unknown"})  # not offered there


def test_danger_or_a_child_still_make_a_tip_urgent() -> None:
    questions = load()
    assert questions.urgency(ANSWERS) == Urgency.NORMAL
    assert questions.urgency({**ANSWERS, "danger": "yes"}) == Urgency.URGENT
    assert questions.urgency({**ANSWERS, "child": "yes"}) == Urgency.URGENT


def test_the_place_may_be_left_out_and_a_voice_note_stands_for_the_description() -> None:
    questions = load()
    assert questions.get("place").optional
    assert questions.get("description").voice and not questions.get("involved").voice
    spoken = {**ANSWERS, "description": VOICE_ANSWER}
    assert questions.validate(spoken) == spoken
    assert "place" not in questions.validate(ANSWERS)


def test_a_bare_yes_in_the_yaml_is_the_yes_button_and_voice_is_for_text_only() -> None:
    parsed = parse(
        """
questions:
  - id: safe
    kind: choice
    prompt: "Are you safe?"
    choices:
      - {value: yes, label: "Yes"}
      - {value: no, label: "No", sets_urgency: urgent}
"""
    )
    assert parsed.urgency({"safe": "no"}) == Urgency.URGENT
    assert parsed.validate({"safe": "yes"}) == {"safe": "yes"}
    with pytest.raises(ValueError, match="voice"):
        parse(
            """
questions:
  - {id: where, kind: location, voice: true, prompt: "Where?"}
"""
        )
