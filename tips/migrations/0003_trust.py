from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('tips', '0002_receipt_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PendingReceipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('sealed', fields.BinaryField()),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tip_pending_receipt', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A receipt kept for a few minutes after sending, so that pressing "Send" again (a double'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReplyNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_sealed', fields.BinaryField()),
            ],
            options={'table': 'tip_reply_notice', 'app': 'tips', 'pk_attr': 'id', 'table_description': 'A notice waiting to go out ("you have a new message"): the chat id sealed at rest, with no'},
            bases=['Model'],
        ),
        ops.RemoveField(model_name='Draft', name='state'),
        ops.RemoveField(model_name='Draft', name='updated_at'),
        ops.AddField(
            model_name='DraftFile',
            name='triage',
            field=fields.BinaryField(null=True),
        ),
        ops.AlterModelOptions(
            name='NotifyRequest',
            options={'table': 'tip_notify_request', 'app': 'tips', 'pk_attr': 'id', 'table_description': "A reporter's opt-in to one notice when staff reply. The chat id is sealed under the tip's"},
        ),
        ops.RemoveField(model_name='NotifyRequest', name='created_at'),
        ops.RemoveField(model_name='NotifyRequest', name='due'),
        ops.AlterField(
            model_name='Tip',
            name='created_at',
            field=fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Tip',
            name='updated_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='TipFile',
            name='created_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='TipMessage',
            name='created_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
    ]
