from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import StrEnum
from tortoise.fields.base import OnDelete
from tortoise import fields


# The enum as it was when this migration was written: a migration never imports live models,
# whose values may change later while what this migration did stays the same.
class Role(StrEnum):
    ADMIN = "admin"
    FOCAL_POINT = "focal_point"
    EDITOR = "editor"
    APPROVER = "approver"
    UNIT_LEAD = "unit_lead"
    ANALYST = "analyst"
    AUDITOR = "auditor"


class Migration(migrations.Migration):
    dependencies = [('core', '0003_chat_profile_without_times')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SignInThrottle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('throttle_key', fields.CharField(unique=True, max_length=64)),
                ('failures', fields.IntField(default=0)),
                ('last_failure', fields.BigIntField(default=0)),
                ('blocked_until', fields.BigIntField(default=0)),
            ],
            options={'table': 'sign_in_throttle', 'app': 'core', 'pk_attr': 'id', 'table_description': 'Failed sign-ins counted per account and per source address, shared by every admin'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('staff', fields.ForeignKeyField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('verified', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('csrf', fields.CharField(max_length=64)),
                ('private_key_sealed', fields.BinaryField(null=True)),
                ('code_tries', fields.IntField(default=0)),
            ],
            options={'table': 'staff_session', 'app': 'core', 'pk_attr': 'id', 'table_description': "A signed-in member's session, shared by every admin process."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffTotpStep',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='totp_step', on_delete=OnDelete.CASCADE)),
                ('last_step', fields.BigIntField(default=0)),
            ],
            options={'table': 'staff_totp_step', 'app': 'core', 'pk_attr': 'id', 'table_description': 'The last TOTP time step a member signed in with: a code is accepted once, never again.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='StaffMember',
            name='role',
            field=fields.CharEnumField(description='ADMIN: admin\nFOCAL_POINT: focal_point\nEDITOR: editor\nAPPROVER: approver\nUNIT_LEAD: unit_lead\nANALYST: analyst\nAUDITOR: auditor', enum_type=Role, max_length=20),
        ),
    ]
