from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Subscriber',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_key', fields.CharField(unique=True, max_length=64)),
                ('chat_sealed', fields.BinaryField()),
                ('country', fields.CharField(db_index=True, max_length=8)),
                ('language', fields.CharField(db_index=True, max_length=16)),
                ('topics', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('subscribed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'subscriber', 'app': 'campaigns', 'pk_attr': 'id', 'table_description': 'A chat that opted in to alerts: the chat id is sealed, rows are found by a blind index.'},
            bases=['Model'],
        ),
    ]
