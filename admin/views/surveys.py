"""Survey results, for admins and analysts: each choice question's counts and percentages, for
everyone and by gender, age band, country and language, as server-rendered SVG bars with the
numbers in a table beside them. Small cells are suppressed in surveys.results, never here; the
CSV export carries the same suppressed tables and is written to the audit log.
"""

from __future__ import annotations

import csv
import io

from aiohttp import web

from admin.auth import Refusal, actor, requires
from admin.language import render
from content.surveys import load_surveys
from core import audit
from core.i18n import N_
from core.models import Role
from surveys.results import MIN_CELL, results

READERS = (Role.ADMIN, Role.ANALYST)
HIDDEN = f"<{MIN_CELL}"


def add_routes(app: web.Application) -> None:
    app.router.add_get("/surveys", survey_list, name="surveys")
    app.router.add_get("/surveys/{survey_id}", survey_results, name="survey_results")
    app.router.add_get("/surveys/{survey_id}/results.csv", survey_csv, name="survey_csv")


def _survey(request: web.Request):
    survey = load_surveys().get(request.match_info["survey_id"])
    if survey is None:
        raise Refusal(404, N_("There is no such survey."))
    return survey


@requires(*READERS)
async def survey_list(request: web.Request) -> web.Response:
    return render(request, "surveys.html", {"surveys": list(load_surveys().values())})


@requires(*READERS)
async def survey_results(request: web.Request) -> web.Response:
    survey = _survey(request)
    completed, tables = await results(survey)
    return render(
        request,
        "survey_results.html",
        {"survey": survey, "completed": completed, "tables": tables, "hidden": HIDDEN},
    )


@requires(*READERS)
async def survey_csv(request: web.Request) -> web.Response:
    survey = _survey(request)
    _completed, tables = await results(survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "breakdown", "group", "answer", "count", "percent", "group_total"])
    for table in tables:
        for row in table.rows:
            total = HIDDEN if row.total_hidden else row.total
            for index, choice in enumerate(table.question.choices):
                hidden = index in row.hidden
                percent = row.percent(index)
                writer.writerow(
                    [
                        table.question.id,
                        table.breakdown or "all",
                        row.group or "all",
                        choice.value,
                        HIDDEN if hidden else row.counts[index],
                        "" if percent is None else percent,
                        total,
                    ]
                )
    await audit.record(
        "survey.results_exported", actor=actor(request), target=f"survey:{survey.id}"
    )
    return web.Response(
        body=out.getvalue().encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="aman-survey-{survey.id}.csv"'},
    )
