from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('core', '0002_abuse_counter')]

    initial = False

    operations = [
        ops.RemoveField(model_name='ChatProfile', name='created_at'),
        ops.RemoveField(model_name='ChatProfile', name='updated_at'),
    ]
