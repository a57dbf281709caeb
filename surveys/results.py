"""Survey results as aggregate tables: counts and percentages per answer, overall and broken down
by gender, age band, country and language, with small cells suppressed so nobody is singled out.

A cell under MIN_CELL answers (but not zero) is suppressed. So that a suppressed cell cannot be
recovered by subtracting the others from a total, every row (the cells and the row's total) and
every column (a group's cells against the overall count) with exactly one suppressed entry gets a
second one: its smallest non-zero entry, repeated until no line has a lone suppressed entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content.surveys import BREAKDOWNS, CHOICE_KINDS, MULTIPLE, Question, Survey
from surveys.responses import responses

MIN_CELL = 5
NOT_GIVEN = "-"  # a person who skipped the demographic question


@dataclass
class Row:
    group: str  # the breakdown's value ("woman", "ar", …), or "" for everyone
    counts: list[int]
    total: int
    hidden: set[int] = field(default_factory=set)  # suppressed cell indexes
    total_hidden: bool = False

    def percent(self, index: int) -> float | None:
        if index in self.hidden or self.total_hidden or not self.total:
            return None
        return round(100 * self.counts[index] / self.total, 1)


@dataclass
class Table:
    question: Question
    breakdown: str  # "" for everyone, else one of BREAKDOWNS
    rows: list[Row]


def _primary(n: int) -> bool:
    return 0 < n < MIN_CELL


def _hide_one_more(entries: list[tuple[int, bool]]) -> int | None:
    """Index of the smallest non-zero entry not yet hidden, when exactly one entry is hidden."""
    if sum(hidden for _n, hidden in entries) != 1:
        return None
    candidates = [(n, i) for i, (n, hidden) in enumerate(entries) if not hidden and n > 0]
    return min(candidates)[1] if candidates else None


def suppress(rows: list[Row]) -> None:
    """Mark small cells and their complements as hidden, in place."""
    for row in rows:
        row.hidden = {i for i, n in enumerate(row.counts) if _primary(n)}
        row.total_hidden = _primary(row.total)
        if row.total_hidden:
            row.hidden = {i for i, n in enumerate(row.counts) if n > 0}
    width = len(rows[0].counts) if rows else 0
    changed = True
    while changed:
        changed = False
        for row in rows:  # a row: its cells against its total
            entries = [(n, i in row.hidden) for i, n in enumerate(row.counts)]
            pick = _hide_one_more([*entries, (row.total, row.total_hidden)])
            if pick is not None:
                if pick == width:
                    row.total_hidden = True
                else:
                    row.hidden.add(pick)
                changed = True
        for column in range(width + 1):  # a column: the groups against the overall count
            if column == width:
                entries = [(row.total, row.total_hidden) for row in rows]
            else:
                entries = [(row.counts[column], column in row.hidden) for row in rows]
            pick = _hide_one_more(entries)
            if pick is not None:
                if column == width:
                    rows[pick].total_hidden = True
                else:
                    rows[pick].hidden.add(column)
                changed = True


def _group(response: Any, breakdown: str) -> str:
    if breakdown == "language":
        return response.language
    return str(response.answers.get(breakdown) or NOT_GIVEN)


def _row(question: Question, group: str, answered: list[Any]) -> Row:
    values = [c.value for c in question.choices]
    counts = [0] * len(values)
    for given in answered:
        for value in given if question.kind == MULTIPLE else [given]:
            if value in values:
                counts[values.index(value)] += 1
    return Row(group, counts, len(answered))


def tabulate(survey: Survey, stored: list[Any]) -> list[Table]:
    """Every choice question, for everyone and by each breakdown, suppressed."""
    tables: list[Table] = []
    for question in (q for q in survey.questions if q.kind in CHOICE_KINDS):
        answered = [r for r in stored if question.id in r.answers]
        overall = [_row(question, "", [r.answers[question.id] for r in answered])]
        suppress(overall)
        tables.append(Table(question, "", overall))
        for breakdown in BREAKDOWNS:
            if breakdown == question.id:
                continue
            groups = sorted({_group(r, breakdown) for r in answered})
            rows = [
                _row(
                    question,
                    g,
                    [r.answers[question.id] for r in answered if _group(r, breakdown) == g],
                )
                for g in groups
            ]
            suppress(rows)
            tables.append(Table(question, breakdown, rows))
    return tables


async def results(survey: Survey) -> tuple[int, list[Table]]:
    """How many people completed the survey, and its suppressed tables."""
    stored = await responses(survey.id)
    return len(stored), tabulate(survey, stored)
