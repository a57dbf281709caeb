"""The campaigns domain's tables."""

from __future__ import annotations

from tortoise import fields, models


class Subscriber(models.Model):
    """A chat that opted in to alerts: the chat id is sealed, rows are found by a blind index."""

    id = fields.IntField(primary_key=True)
    chat_key = fields.CharField(max_length=64, unique=True)
    chat_sealed = fields.BinaryField()
    country = fields.CharField(max_length=8, db_index=True)
    language = fields.CharField(max_length=16, db_index=True)
    topics = fields.JSONField(default=list)
    subscribed_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "subscriber"
