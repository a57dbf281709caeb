from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='ChatMessage',
            name='at',
            field=fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.RemoveField(model_name='ChatProfile', name='created_at'),
        ops.RemoveField(model_name='ChatProfile', name='updated_at'),
    ]
