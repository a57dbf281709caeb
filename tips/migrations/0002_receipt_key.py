from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('tips', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Receipt',
            name='sealed_key',
            field=fields.BinaryField(null=True),
        ),
    ]
