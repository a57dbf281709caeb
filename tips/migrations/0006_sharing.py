from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('tips', '0005_escalation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='tip_notice', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'tip_staff_notice', 'app': 'tips', 'pk_attr': 'id', 'table_description': '"A new tip is in your Aman inbox", waiting to go to one member\'s linked Telegram chat:'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffNoticeMark',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('done_up_to', fields.BigIntField(default=0)),
                ('seen_up_to', fields.BigIntField(default=0)),
            ],
            options={'table': 'tip_staff_notice_mark', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'How far the staff-notice job has read the sealed keys (TipKey ids): every key sealed to a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('digest', fields.CharField(db_index=True, max_length=64)),
            ],
            options={'table': 'tip_link', 'app': 'tips', 'unique_together': (('tip', 'digest'),), 'pk_attr': 'id', 'table_description': 'One phone number, account handle, IBAN or plate named in a tip, as a keyed hash only'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipShare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('from_unit', fields.ForeignKeyField('core.Unit', source_field='from_unit_id', db_constraint=True, to_field='id', related_name='shares_given', on_delete=OnDelete.CASCADE)),
                ('to_unit', fields.ForeignKeyField('core.Unit', source_field='to_unit_id', db_constraint=True, to_field='id', related_name='shares_received', on_delete=OnDelete.CASCADE)),
                ('by', fields.ForeignKeyField('core.StaffMember', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='tip_shares', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_share', 'app': 'tips', 'unique_together': (('tip', 'to_unit'),), 'indexes': [Index(fields=['to_unit_id', 'tip_id'])], 'pk_attr': 'id', 'table_description': "A tip shared by its unit's lead with another unit, whose members then hold its key too."},
            bases=['Model'],
        ),
    ]
