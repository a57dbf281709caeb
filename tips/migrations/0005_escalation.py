from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0004_staff_sign_in'), ('tips', '0004_trust')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Escalation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='escalations', on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('unit', fields.ForeignKeyField('core.Unit', source_field='unit_id', db_index=True, db_constraint=True, to_field='id', related_name='escalations', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tip_escalation', 'app': 'tips', 'unique_together': (('tip', 'level'),), 'pk_attr': 'id', 'table_description': "A level a tip nobody acknowledged was escalated to (tips.escalation): 1 for the unit's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HeldKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='held_keys', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='held_tip_keys', on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('sealed', fields.BinaryField()),
            ],
            options={'table': 'tip_held_key', 'app': 'tips', 'unique_together': (('tip', 'staff'),), 'pk_attr': 'id', 'table_description': 'The tip key sealed to a member who is to receive the tip only if it is escalated to them,'},
            bases=['Model'],
        ),
    ]
