"""The surveys' tables: answers of completed surveys, the guard against answering twice, and the
sealed progress of a survey being answered.

Nothing here holds a Telegram identity or a time finer than the day. A completed survey is one
row written at the end (so row ids say nothing about when each question was answered); the guard
and the progress are found by keyed hashes of the chat (core.crypto.blind_index).
"""

from __future__ import annotations

from tortoise import fields, models


class SurveyResponse(models.Model):
    """One person's answers to one survey, written once when they finish: {question id: value}."""

    id = fields.IntField(primary_key=True)
    survey = fields.CharField(max_length=32, db_index=True)
    language = fields.CharField(max_length=8)
    day = fields.DateField()  # the UTC day it was finished: never a finer time
    answers = fields.JSONField()

    class Meta:
        table = "survey_response"


class SurveyGuard(models.Model):
    """ "This chat has answered this survey", as a keyed hash of both, until `expires_on`.

    With the server secret one can test whether a given chat answered a given survey (never what
    it answered); without it the digest says nothing."""

    digest = fields.CharField(max_length=64, primary_key=True)
    expires_on = fields.DateField(db_index=True)

    class Meta:
        table = "survey_guard"


class SurveyProgress(models.Model):
    """The surveys a chat has started and not finished: found by a keyed hash of the chat, the
    answers sealed at rest and padded, expiring at a whole hour."""

    id = fields.IntField(primary_key=True)
    chat_key = fields.CharField(max_length=64, unique=True)
    sealed = fields.BinaryField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "survey_progress"
