"""Completed surveys: the answers stored once, anonymously, and the guard against answering twice.

A finished survey becomes one SurveyResponse row (answers as JSON, the language, the UTC day) and
one SurveyGuard row (a keyed hash of survey id and chat id, expiring after GUARD_DAYS), written in
one transaction: the guard's primary key makes a second completion fail, so two presses of the
last button can never store two responses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import crypto
from surveys.models import SurveyGuard, SurveyResponse

GUARD_DAYS = 180
_PURPOSE = crypto.Purpose.SURVEY_GUARD


class AlreadyAnswered(Exception):
    """This chat has answered this survey within GUARD_DAYS."""


def _today() -> date:
    return datetime.now(UTC).date()


def _digest(survey_id: str, chat_id: int) -> str:
    return crypto.blind_index(_PURPOSE, f"{survey_id}:{chat_id}")


async def has_answered(survey_id: str, chat_id: int) -> bool:
    guard = await SurveyGuard.get_or_none(digest=_digest(survey_id, chat_id))
    return guard is not None and guard.expires_on > _today()


async def complete(survey_id: str, chat_id: int, language: str, answers: dict[str, Any]) -> None:
    """Store a finished survey's answers and its guard together; AlreadyAnswered if the guard
    is there (an expired guard is replaced)."""
    today = _today()
    digest = _digest(survey_id, chat_id)
    try:
        async with in_transaction() as connection:
            await (
                SurveyGuard.filter(digest=digest, expires_on__lte=today)
                .using_db(connection)
                .delete()
            )
            await SurveyGuard.create(
                digest=digest, expires_on=today + timedelta(days=GUARD_DAYS), using_db=connection
            )
            await SurveyResponse.create(
                survey=survey_id, language=language, day=today, answers=answers, using_db=connection
            )
    except IntegrityError:
        raise AlreadyAnswered() from None


async def purge_expired_guards() -> int:
    """Forget guards past their expiry (a periodic job)."""
    return await SurveyGuard.filter(expires_on__lte=_today()).delete()


async def responses(survey_id: str) -> list[SurveyResponse]:
    return await SurveyResponse.filter(survey=survey_id).order_by("id")
