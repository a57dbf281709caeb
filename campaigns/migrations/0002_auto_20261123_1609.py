from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import StrEnum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they were when this migration was written: a migration never imports live
# models, whose values may change later while what this migration did stays the same.
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
    NOW = "now"
    AT = "at"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CRON = "cron"
    SEQUENCE = "sequence"


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0001_initial'), ('core', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ButtonTap',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign_id', fields.IntField()),
                ('variant_id', fields.IntField()),
                ('button', fields.IntField()),
                ('day', fields.DateField()),
                ('taps', fields.IntField(default=0)),
            ],
            options={'table': 'button_tap', 'app': 'campaigns', 'unique_together': (('campaign_id', 'variant_id', 'button', 'day'),), 'pk_attr': 'id', 'table_description': 'How many times a campaign button was tapped on a day (no identity kept).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.SET_NULL)),
                ('author', fields.ForeignKeyField('core.StaffMember', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='campaigns_written', on_delete=OnDelete.SET_NULL)),
                ('approved_by', fields.ForeignKeyField('core.StaffMember', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='campaigns_approved', on_delete=OnDelete.SET_NULL)),
                ('state', fields.CharEnumField(default=CampaignState.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nAPPROVED: approved\nSCHEDULED: scheduled\nSENDING: sending\nPAUSED: paused\nSENT: sent\nCANCELLED: cancelled', enum_type=CampaignState, max_length=16)),
                ('resume_state', fields.CharField(null=True, max_length=16)),
                ('schedule_kind', fields.CharEnumField(default=ScheduleKind.NOW, description='NOW: now\nAT: at\nWEEKLY: weekly\nMONTHLY: monthly\nCRON: cron\nSEQUENCE: sequence', enum_type=ScheduleKind, max_length=16)),
                ('schedule_params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('next_run_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('filling', fields.CharField(null=True, max_length=40)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('quiet_hours', fields.BooleanField(default=True)),
                ('channels', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('audience', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('default_language', fields.CharField(default='en', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'campaigns', 'pk_attr': 'id', 'table_description': 'An awareness push owned by an organisation, with its audience filter and its schedule.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign_id', fields.IntField()),
                ('variant_id', fields.IntField(null=True)),
                ('channel', fields.CharField(max_length=16)),
                ('recipient', fields.BigIntField()),
                ('occurrence', fields.CharField(default='', max_length=40)),
                ('country', fields.CharField(null=True, max_length=8)),
                ('language', fields.CharField(null=True, max_length=16)),
                ('state', fields.CharField(default='queued', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('message_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'delivery', 'app': 'campaigns', 'unique_together': (('campaign_id', 'recipient', 'channel', 'occurrence'),), 'indexes': [Index(fields=['campaign_id', 'state', 'next_attempt_at', 'id'])], 'pk_attr': 'id', 'table_description': 'The outbox and the delivery log: one row per recipient, channel and occurrence.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerChannel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='partner_channels', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('chat_id', fields.BigIntField(unique=True)),
                ('kind', fields.CharField(default='channel', max_length=16)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'partner_channel', 'app': 'campaigns', 'pk_attr': 'id', 'table_description': "A partner's Telegram channel or group where the bot is an administrator."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Variant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('campaigns.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='variants', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=16)),
                ('step', fields.IntField(default=0)),
                ('text', fields.TextField(unique=False)),
                ('image', fields.BinaryField(null=True)),
                ('image_path', fields.CharField(null=True, max_length=500)),
                ('document', fields.BinaryField(null=True)),
                ('document_path', fields.CharField(null=True, max_length=500)),
                ('document_name', fields.CharField(null=True, max_length=200)),
                ('buttons', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'campaign_variant', 'app': 'campaigns', 'unique_together': (('campaign', 'language', 'step'),), 'pk_attr': 'id', 'table_description': "One language's version of a campaign message (Telegram HTML, optional media and buttons)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=200)),
                ('url', fields.CharField(max_length=500)),
                ('secret_sealed', fields.BinaryField()),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'campaigns', 'pk_attr': 'id', 'table_description': 'A partner system that receives campaign messages as signed HTTP POSTs.'},
            bases=['Model'],
        ),
    ]
