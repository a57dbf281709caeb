from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import StrEnum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields


# The enum as it was when this migration was written: a migration never imports live models,
# whose values may change later while what this migration did stays the same.
class Role(StrEnum):
    ADMIN = "admin"
    FOCAL_POINT = "focal_point"
    EDITOR = "editor"
    APPROVER = "approver"


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor', fields.CharField(max_length=64)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('target', fields.CharField(null=True, max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_entry', 'app': 'core', 'pk_attr': 'id', 'table_description': 'One thing that happened, who did it, to what. Written, never edited.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_key', fields.CharField(db_index=True, max_length=64)),
                ('message_id', fields.BigIntField()),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_message', 'app': 'core', 'unique_together': (('chat_key', 'message_id'),), 'pk_attr': 'id', 'table_description': 'A message in a chat that the bot may still delete for "Erase this chat" (kept 48 hours).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_key', fields.CharField(unique=True, max_length=64)),
                ('language', fields.CharField(default='en', max_length=16)),
                ('country', fields.CharField(null=True, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'chat_profile', 'app': 'core', 'pk_attr': 'id', 'table_description': 'What the bot remembers about a private chat: language and country, nothing else.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharField(default='ngo', max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organisation', 'app': 'core', 'pk_attr': 'id', 'table_description': 'An NGO or media partner that owns campaigns.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Unit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=200)),
                ('country', fields.CharField(null=True, max_length=8)),
                ('is_regional', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'unit', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A law-enforcement unit (national focal point) or the regional fallback desk.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(description='ADMIN: admin\nFOCAL_POINT: focal_point\nEDITOR: editor\nAPPROVER: approver', enum_type=Role, max_length=20)),
                ('unit', fields.ForeignKeyField('core.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.SET_NULL)),
                ('organisation', fields.ForeignKeyField('core.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.SET_NULL)),
                ('password_hash', fields.CharField(max_length=255)),
                ('totp_secret_sealed', fields.BinaryField(null=True)),
                ('public_key', fields.BinaryField(null=True)),
                ('private_key_wrapped', fields.BinaryField(null=True)),
                ('private_key_recovery', fields.BinaryField(null=True)),
                ('key_salt', fields.BinaryField(null=True)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_member', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A person who signs in to the admin. Keys are for sealing tips (see tips/ and core.crypto).'},
            bases=['Model'],
        ),
    ]
