from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import StrEnum
from tortoise.fields.base import OnDelete
from tortoise import fields


# The enums as they were when this migration was written: a migration never imports live
# models, whose values may change later while what this migration did stays the same.
class Category(StrEnum):
    SMUGGLING = "smuggling"
    TRAFFICKING = "trafficking"
    MISSING = "missing"
    BOAT = "boat"
    OTHER = "other"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class TipStatus(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    ACTION_TAKEN = "action_taken"
    CLOSED = "closed"


class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Draft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_key', fields.CharField(unique=True, max_length=64)),
                ('state', fields.CharField(max_length=32)),
                ('sealed', fields.BinaryField()),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tip_draft', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A report being written: found by a blind index of the chat, sealed at rest, expiring.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DraftFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('draft', fields.ForeignKeyField('tips.Draft', source_field='draft_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('mime', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('sealed', fields.BinaryField()),
            ],
            options={'table': 'tip_draft_file', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A file attached to a draft, already checked, sealed at rest until the tip is submitted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoutingRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('country', fields.CharField(null=True, max_length=8)),
                ('category', fields.CharEnumField(null=True, description='SMUGGLING: smuggling\nTRAFFICKING: trafficking\nMISSING: missing\nBOAT: boat\nOTHER: other', enum_type=Category, max_length=16)),
                ('urgency', fields.CharEnumField(null=True, description='NORMAL: normal\nURGENT: urgent', enum_type=Urgency, max_length=16)),
                ('unit', fields.ForeignKeyField('core.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='routing_rules', on_delete=OnDelete.CASCADE)),
                ('priority', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_routing_rule', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'Where tips go: a rule matches on country, category and urgency (empty = any) and names'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tip',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('core.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='tips', on_delete=OnDelete.RESTRICT)),
                ('country', fields.CharField(db_index=True, max_length=8)),
                ('category', fields.CharEnumField(description='SMUGGLING: smuggling\nTRAFFICKING: trafficking\nMISSING: missing\nBOAT: boat\nOTHER: other', enum_type=Category, max_length=16)),
                ('urgency', fields.CharEnumField(default=Urgency.NORMAL, description='NORMAL: normal\nURGENT: urgent', enum_type=Urgency, max_length=16)),
                ('status', fields.CharEnumField(default=TipStatus.NEW, description='NEW: new\nIN_REVIEW: in_review\nACTION_TAKEN: action_taken\nCLOSED: closed', enum_type=TipStatus, max_length=16)),
                ('content', fields.BinaryField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tip', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A submitted report. Routing metadata in clear, the answers as ciphertext.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotifyRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.OneToOneField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='notify', on_delete=OnDelete.CASCADE)),
                ('chat_sealed', fields.BinaryField()),
                ('due', fields.BooleanField(default=False, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_notify_request', 'app': 'tips', 'pk_attr': 'id', 'table_description': "A reporter's opt-in to one notice when staff reply: the chat id sealed at rest, deleted"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Receipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.OneToOneField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='receipt', on_delete=OnDelete.CASCADE)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_receipt', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'The only link from a reporter back to their tip: an Argon2id hash of the 16 digits.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('mime', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('original', fields.BinaryField()),
                ('triage', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_file', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'An attachment: the original kept encrypted as evidence, plus a cleaned copy for triage.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='keys', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('core.StaffMember', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='tip_keys', on_delete=OnDelete.CASCADE)),
                ('is_escrow', fields.BooleanField(default=False)),
                ('sealed_key', fields.BinaryField()),
            ],
            options={'table': 'tip_key', 'app': 'tips', 'unique_together': (('tip', 'staff'),), 'pk_attr': 'id', 'table_description': 'The tip key sealed to one staff member or to the offline escrow key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('from_reporter', fields.BooleanField()),
                ('author', fields.ForeignKeyField('core.StaffMember', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='tip_replies', on_delete=OnDelete.SET_NULL)),
                ('body', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_message', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A follow-up in either direction: the reporter adding information, or a staff reply.'},
            bases=['Model'],
        ),
    ]
