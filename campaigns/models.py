"""The campaigns domain's tables."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models

from core.models import Organisation, StaffMember


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


class CampaignState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"


class ScheduleKind(StrEnum):
    NOW = "now"  # as soon as it is scheduled
    AT = "at"  # params: {"at": "2026-05-01T09:00"} in the campaign's time zone
    WEEKLY = "weekly"  # params: {"day_of_week": "mon", "hour": 9, "minute": 0}
    MONTHLY = "monthly"  # params: {"day": 1, "hour": 9, "minute": 0}
    CRON = "cron"  # params: {"cron": "0 9 * * mon"}
    SEQUENCE = "sequence"  # params: {"steps": [0, 3, 10]} days after subscribing, one variant set


class Campaign(models.Model):
    """An awareness push owned by an organisation, with its audience filter and its schedule."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="campaigns", null=True, on_delete=fields.SET_NULL
    )
    author: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="campaigns_written", null=True, on_delete=fields.SET_NULL
    )
    approved_by: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="campaigns_approved", null=True, on_delete=fields.SET_NULL
    )
    state = fields.CharEnumField(CampaignState, max_length=16, default=CampaignState.DRAFT)
    resume_state = fields.CharField(max_length=16, null=True)  # where "resume" goes back to
    schedule_kind = fields.CharEnumField(ScheduleKind, max_length=16, default=ScheduleKind.NOW)
    schedule_params = fields.JSONField(default=dict)
    timezone = fields.CharField(max_length=64, default="UTC")
    next_run_at = fields.DatetimeField(null=True, db_index=True)
    # The run whose deliveries are still being added (the sender must not call it finished).
    filling = fields.CharField(max_length=40, null=True)
    expires_at = fields.DatetimeField(null=True)
    quiet_hours = fields.BooleanField(default=True)
    # Channels: {"dm": true, "partner_channels": [ids], "webhooks": [ids]}
    channels = fields.JSONField(default=dict)
    # Audience filter: {"countries": [...], "languages": [...], "topics": [...]}, empty = all
    audience = fields.JSONField(default=dict)
    default_language = fields.CharField(max_length=16, default="en")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign"


class Variant(models.Model):
    """One language's version of a campaign message (Telegram HTML, optional media and buttons)."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "campaigns.Campaign", related_name="variants", on_delete=fields.CASCADE
    )
    language = fields.CharField(max_length=16)
    step = fields.IntField(default=0)  # the day offset for sequence campaigns, else 0
    text = fields.TextField()
    image = fields.BinaryField(null=True)
    image_path = fields.CharField(max_length=500, null=True)
    document = fields.BinaryField(null=True)
    document_path = fields.CharField(max_length=500, null=True)
    document_name = fields.CharField(max_length=200, null=True)
    # [{"label": "...", "url": "https://...", "track": false}]
    buttons = fields.JSONField(default=list)

    class Meta:
        table = "campaign_variant"
        unique_together = (("campaign", "language", "step"),)


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"  # was in flight when the sender stopped: never resent
    SKIPPED = "skipped"  # cancelled or expired before it was sent


class Delivery(models.Model):
    """The outbox and the delivery log: one row per recipient, channel and occurrence.

    The recipient is a subscriber id, a partner channel id or a webhook id depending on the
    channel. It is a plain integer (no foreign key) so the log outlives a stopped subscription.
    """

    id = fields.BigIntField(primary_key=True)
    campaign_id = fields.IntField()
    variant_id = fields.IntField(null=True)
    channel = fields.CharField(max_length=16)  # dm | channel | webhook
    recipient = fields.BigIntField()
    occurrence = fields.CharField(max_length=40, default="")
    country = fields.CharField(max_length=8, null=True)
    language = fields.CharField(max_length=16, null=True)
    state = fields.CharField(max_length=16, default="queued")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()  # not before this time (quiet hours, retries)
    error = fields.CharField(max_length=200, null=True)
    sent_at = fields.DatetimeField(null=True)
    message_id = fields.BigIntField(null=True)

    class Meta:
        table = "delivery"
        unique_together = (("campaign_id", "recipient", "channel", "occurrence"),)
        # The sender claims a campaign's due rows in this order, skipping deferred ones.
        indexes = (("campaign_id", "state", "next_attempt_at", "id"),)


class ButtonTap(models.Model):
    """How many times a campaign button was tapped on a day (no identity kept)."""

    id = fields.IntField(primary_key=True)
    campaign_id = fields.IntField()
    variant_id = fields.IntField()
    button = fields.IntField()
    day = fields.DateField()
    taps = fields.IntField(default=0)

    class Meta:
        table = "button_tap"
        unique_together = (("campaign_id", "variant_id", "button", "day"),)


class PartnerChannel(models.Model):
    """A partner's Telegram channel or group where the bot is an administrator."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="partner_channels", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200)
    chat_id = fields.BigIntField(unique=True)
    kind = fields.CharField(max_length=16, default="channel")  # channel | group
    active = fields.BooleanField(default=True)

    class Meta:
        table = "partner_channel"


class WebhookEndpoint(models.Model):
    """A partner system that receives campaign messages as signed HTTP POSTs."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="webhooks", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=200)
    url = fields.CharField(max_length=500)
    secret_sealed = fields.BinaryField()
    active = fields.BooleanField(default=True)

    class Meta:
        table = "webhook_endpoint"
