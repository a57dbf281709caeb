from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AbuseCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('counter_key', fields.CharField(unique=True, max_length=64)),
                ('scope', fields.CharField(db_index=True, max_length=32)),
                ('window_start', fields.BigIntField()),
                ('hits', fields.IntField(default=0)),
            ],
            options={'table': 'abuse_counter', 'app': 'core', 'pk_attr': 'id', 'table_description': 'How often something was tried in the current window, shared by every bot process.'},
            bases=['Model'],
        ),
    ]
