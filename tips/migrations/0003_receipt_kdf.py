from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Each receipt now records the Argon2id cost of its digest and key. Every receipt made before
# this migration was hashed at MODERATE's cost of the time, which the default names.


class Migration(migrations.Migration):
    dependencies = [('tips', '0002_receipt_key')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Receipt',
            name='kdf',
            field=fields.CharField(max_length=64, db_default='argon2id:t=3,m=65536,p=1'),
        ),
    ]
