from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

async def restore_sqlite_indexes(apps, schema_editor):
    """SQLite drops a column by rebuilding the table, and the rebuild loses the table's other
    indexes (unique ones included): put back what the models declare. PostgreSQL keeps them."""
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    await client.execute_script(
        'CREATE INDEX IF NOT EXISTS "idx_tip_draft_expires_2d1d4c" ON "tip_draft" ("expires_at");'
        'CREATE UNIQUE INDEX IF NOT EXISTS "uid_tip_notify__tip_id" ON "tip_notify_request" ("tip_id");'
    )


class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('tips', '0003_receipt_kdf')]

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
        ops.RunPython(restore_sqlite_indexes, ops.RunPython.noop),
    ]
