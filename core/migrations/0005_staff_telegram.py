from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0004_staff_sign_in')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffLinkCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='telegram_code', on_delete=OnDelete.CASCADE)),
                ('code_digest', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_link_code', 'app': 'core', 'pk_attr': 'id', 'table_description': 'The one-time code a member makes in the admin and sends to the bot (`/link <code>`) to'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffTelegram',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='telegram', on_delete=OnDelete.CASCADE)),
                ('chat_key', fields.CharField(unique=True, max_length=64)),
                ('chat_sealed', fields.BinaryField()),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_telegram', 'app': 'core', 'pk_attr': 'id', 'table_description': "A staff member's Telegram chat, linked through the bot with a one-time code, where Aman"},
            bases=['Model'],
        ),
    ]
