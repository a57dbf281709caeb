"""Surveys as data: `content/surveys/<id>.yaml`, loaded and validated here.

A survey is a list of questions (single or multiple choice, a number, a short text), each with an
English prompt that is a gettext msgid (translated where it is shown, like the report
questionnaire), an optional skip rule `show_if: {question: <earlier id>, answer: <value>}`, and
the standard demographic questions (`- demographic: gender`), which a person may always skip.
`extract_babel` lets `make catalogs-update` pick the wording out of the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from content.library import TOPICS
from core.i18n import N_

SURVEYS_DIR = Path(__file__).resolve().parent / "surveys"
SINGLE, MULTIPLE, NUMBER, TEXT = "single", "multiple", "number", "text"
KINDS = (SINGLE, MULTIPLE, NUMBER, TEXT)
CHOICE_KINDS = (SINGLE, MULTIPLE)
# Ids travel in button data (at most 64 bytes): "sv:a:<survey>:<question>:<value>".
ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,15}$")
SURVEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")
TEXT_MAX_LENGTH = 200

# The demographic questions every survey may ask in the same words, so results can be broken down
# the same way across surveys. A person may always skip them.
GENDER, AGE_BAND, NATIONALITY, COUNTRY_NOW = "gender", "age_band", "nationality", "country_now"
DEMOGRAPHICS: dict[str, dict[str, Any]] = {
    GENDER: {
        "prompt": N_("Are you…"),
        "choices": [
            ("woman", N_("A woman")),
            ("man", N_("A man")),
            ("other", N_("Another answer")),
        ],
    },
    AGE_BAND: {
        "prompt": N_("How old are you?"),
        "choices": [
            ("under18", N_("Under 18")),
            ("18-24", "18–24"),
            ("25-34", "25–34"),
            ("35-49", "35–49"),
            ("50plus", N_("50 or older")),
        ],
    },
    NATIONALITY: {
        "prompt": N_("Where are you from?"),
        "choices": [
            ("north_africa", N_("North Africa")),
            ("west_africa", N_("West Africa")),
            ("east_africa", N_("East Africa or the Horn")),
            ("central_africa", N_("Central Africa")),
            ("asia", N_("Asia or the Middle East")),
            ("elsewhere", N_("Somewhere else")),
        ],
    },
    COUNTRY_NOW: {
        "prompt": N_("Which country are you in now?"),
        "choices": [
            ("DZ", N_("Algeria")),
            ("EG", N_("Egypt")),
            ("LY", N_("Libya")),
            ("MA", N_("Morocco")),
            ("TN", N_("Tunisia")),
            ("other", N_("Other / on the way")),
        ],
    },
}
# What the results can be broken down by: the demographic questions, and the chat's language.
BREAKDOWNS = (GENDER, AGE_BAND, COUNTRY_NOW, "language")


class SurveyError(ValueError):
    """A survey file that breaks the format; `problems` lists every fault found in it."""

    def __init__(self, path: Path | str, problems: Iterable[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # English msgid


@dataclass(frozen=True)
class ShowIf:
    question: str
    answer: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str  # English msgid
    choices: tuple[Choice, ...] = ()
    show_if: ShowIf | None = None
    optional: bool = False
    demographic: bool = False
    minimum: int = 0
    maximum: int = 120

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        """Whether the skip rule lets this question be asked, given the answers so far."""
        if self.show_if is None:
            return True
        given = answers.get(self.show_if.question)
        if isinstance(given, list):
            return self.show_if.answer in given
        return given == self.show_if.answer


@dataclass(frozen=True)
class Survey:
    id: str
    title: str  # English msgid
    intro: str  # English msgid
    questions: tuple[Question, ...]
    related: tuple[str, ...] = ()  # library topics offered in the thank-you

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def visible(self, answers: Mapping[str, Any]) -> list[Question]:
        """The questions this person is (or will be) asked, given their answers so far."""
        return [q for q in self.questions if q.shown(answers)]

    def next_question(self, answers: Mapping[str, Any], done: Iterable[str]) -> Question | None:
        """The first question shown and not yet answered or skipped (None: the survey is done)."""
        finished = set(done)
        return next((q for q in self.visible(answers) if q.id not in finished), None)


def _choices(raw: Any, where: str, problems: list[str]) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(f"{where}: a choice question needs a list of at least two choices")
        return ()
    found: list[Choice] = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("label") or "value" not in item:
            problems.append(f"{where}: each choice needs a value and a label")
            continue
        value = str(item["value"])
        if not ID.match(value):
            problems.append(f"{where}: choice value '{value}' must be a short lower-case id")
        if any(c.value == value for c in found):
            problems.append(f"{where}: choice value '{value}' appears twice")
        found.append(Choice(value, str(item["label"])))
    return tuple(found)


def _question(raw: Any, index: int, problems: list[str]) -> Question | None:
    where = f"question {index + 1}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: not a mapping")
        return None
    if "demographic" in raw:
        name = raw["demographic"]
        if name not in DEMOGRAPHICS:
            known = ", ".join(DEMOGRAPHICS)
            problems.append(f"{where}: unknown demographic '{name}' (known: {known})")
            return None
        spec = DEMOGRAPHICS[name]
        choices = tuple(Choice(v, label) for v, label in spec["choices"])
        return Question(name, SINGLE, spec["prompt"], choices, optional=True, demographic=True)
    qid, kind, prompt = str(raw.get("id", "")), raw.get("kind"), raw.get("prompt")
    if not ID.match(qid):
        problems.append(f"{where}: id '{qid}' must be a short lower-case id (a-z, 0-9, _)")
    where = f"question '{qid}'"
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, not '{kind}'")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(f"{where}: the prompt is missing")
    choices = _choices(raw.get("choices"), where, problems) if kind in CHOICE_KINDS else ()
    show_if = None
    if "show_if" in raw:
        rule = raw["show_if"]
        if not isinstance(rule, dict) or set(rule) != {"question", "answer"}:
            problems.append(f"{where}: show_if must be {{question: <id>, answer: <value>}}")
        else:
            show_if = ShowIf(str(rule["question"]), str(rule["answer"]))
    return Question(
        id=qid,
        kind=str(kind),
        prompt=str(prompt or ""),
        choices=choices,
        show_if=show_if,
        optional=bool(raw.get("optional", False)),
        minimum=int(raw.get("min", 0)),
        maximum=int(raw.get("max", 120)),
    )


def _skip_rule_problems(questions: list[Question]) -> list[str]:
    """A rule may only look back, at a choice question, for one of its values."""
    problems: list[str] = []
    position = {q.id: i for i, q in enumerate(questions)}
    for index, question in enumerate(questions):
        rule = question.show_if
        if rule is None:
            continue
        where = f"question '{question.id}': show_if"
        if rule.question not in position:
            problems.append(f"{where} names an unknown question '{rule.question}'")
            continue
        if position[rule.question] >= index:
            problems.append(
                f"{where} points forward to '{rule.question}', which is asked later (or is "
                "this question): a rule may only depend on an earlier answer"
            )
            continue
        target = questions[position[rule.question]]
        if target.kind not in CHOICE_KINDS:
            problems.append(f"{where} depends on '{rule.question}', which is not a choice question")
        elif target.choice(rule.answer) is None:
            values = ", ".join(c.value for c in target.choices)
            problems.append(
                f"{where}: '{rule.answer}' is not an answer of '{rule.question}' "
                f"(its answers: {values})"
            )
    return problems


def parse_survey(path: Path) -> Survey:
    """Read and validate one survey file; SurveyError lists every problem found."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SurveyError(path, [f"unreadable: {type(error).__name__}"]) from None
    if not isinstance(raw, dict):
        raise SurveyError(path, ["a survey file is a mapping with id, title and questions"])
    problems: list[str] = []
    sid = str(raw.get("id", ""))
    if not SURVEY_ID.match(sid):
        problems.append(f"id '{sid}' must be a short lower-case id (a-z, 0-9, -)")
    if sid != path.stem:
        problems.append(f"id '{sid}' must match the file name '{path.stem}'")
    for name in ("title", "intro"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(f"the {name} is missing")
    questions = [
        q
        for i, item in enumerate(raw.get("questions") or [])
        if (q := _question(item, i, problems)) is not None
    ]
    if not questions:
        problems.append("a survey needs at least one question")
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            problems.append(f"question id '{question.id}' appears twice")
        seen.add(question.id)
    problems += _skip_rule_problems(questions)
    related = tuple(str(t) for t in raw.get("related") or ())
    problems += [f"related topic '{t}' is not in the library" for t in related if t not in TOPICS]
    if problems:
        raise SurveyError(path, problems)
    return Survey(sid, raw["title"], raw["intro"], tuple(questions), related)


def survey_paths(root: Path | None = None) -> list[Path]:
    return sorted((root or SURVEYS_DIR).glob("*.yaml"))


def check_surveys(root: Path | None = None) -> list[str]:
    """Every problem of every survey file under `root`, each prefixed with its file."""
    errors: list[str] = []
    for path in survey_paths(root):
        try:
            parse_survey(path)
        except SurveyError as error:
            errors += [f"surveys/{path.name}: {problem}" for problem in error.problems]
    return errors


@lru_cache(maxsize=4)
def load_surveys(root: Path | None = None) -> dict[str, Survey]:
    """The shipped surveys by id, in file order (a broken file fails loudly here)."""
    return {s.id: s for s in (parse_survey(p) for p in survey_paths(root))}


def extract_babel(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for survey YAML: the title, intro, prompts and choice labels are msgids."""
    data = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    sid = data.get("id", "?")
    for name in ("title", "intro"):
        if data.get(name):
            yield 0, "gettext", data[name], [f"survey {sid}: {name}"]
    for raw in data.get("questions") or []:
        if "demographic" in raw:
            continue  # their words are in this module, marked with N_
        yield 0, "gettext", raw["prompt"], [f"survey {sid}: {raw['id']}"]
        for choice in raw.get("choices") or ():
            yield 0, "gettext", choice["label"], [f"survey {sid}: {raw['id']} choice"]
