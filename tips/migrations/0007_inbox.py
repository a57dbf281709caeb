from enum import StrEnum

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# The inbox: the statuses new -> acknowledged -> investigating -> referred -> closed (rows with
# the old in_review and action_taken move to investigating and referred), a clear
# `child_involved` routing fact, assignment, labels, internal notes, per-member read marks, and
# the indexes that keep an inbox page fast at a million tips.


# The status enum as it is from this migration on (a migration never imports live models).
class TipStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    REFERRED = "referred"
    CLOSED = "closed"


RENAMED = {"in_review": "investigating", "action_taken": "referred"}
# Going back, acknowledged had no status of its own: it was still being looked at.
RENAMED_BACK = {"investigating": "in_review", "referred": "action_taken", "acknowledged": "in_review"}


async def rename_statuses(apps, schema_editor):
    for old, new in RENAMED.items():
        await schema_editor.client.execute_query(
            f"UPDATE \"tip\" SET \"status\" = '{new}' WHERE \"status\" = '{old}'"
        )


async def rename_statuses_back(apps, schema_editor):
    for new, old in RENAMED_BACK.items():
        await schema_editor.client.execute_query(
            f"UPDATE \"tip\" SET \"status\" = '{old}' WHERE \"status\" = '{new}'"
        )


class DescribeField(ops.AlterField):
    """An AlterField that changes only a column's description (here the status enum's values).
    PostgreSQL records it as a comment. SQLite would rebuild the whole `tip` table for it, and
    dropping the old table cascades, with foreign keys on, to every tip's keys, receipts, files
    and messages: on SQLite nothing is done (it keeps no column comments)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


# The inbox's order, then what its list shows and filters on: a page is read from the index alone.
INBOX_COLUMNS = ['unit_id', 'child_involved', 'urgency', 'created_at', 'id', 'category', 'country', 'status', 'assignee_id']


def open_only(index):
    """The open inbox (the default view: tips not closed), partial so a million closed tips never
    stand in front of the open ones (as tips.models declares it)."""
    index.extra = ' WHERE "closed_at" IS NULL'
    return index


class AddIndexToCore(ops.AddIndex):
    """AddIndex on a model of the core app. A tip page's timeline reads the audit entries about
    that tip (target "tip:<id>"); the audit log is the kernel's table (core.models declares the
    index), and this migration of the inbox that needs it makes it."""

    def state_forward(self, app_label, state):
        super().state_forward("core", state)

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        await super().database_forward("core", old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        await super().database_backward("core", old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('core', '0004_staff_sign_in'), ('tips', '0006_sharing')]

    initial = False

    operations = [
        DescribeField(
            model_name='Tip',
            name='status',
            field=fields.CharEnumField(default=TipStatus.NEW, description='NEW: new\nACKNOWLEDGED: acknowledged\nINVESTIGATING: investigating\nREFERRED: referred\nCLOSED: closed', enum_type=TipStatus, max_length=16),
        ),
        ops.RunPython(rename_statuses, rename_statuses_back),
        ops.AddField(
            model_name='Tip',
            name='assignee',
            field=fields.ForeignKeyField('core.StaffMember', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_tips', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Tip',
            name='child_involved',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.CreateModel(
            name='Label',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('core.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='tip_labels', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_label', 'app': 'tips', 'unique_together': (('unit', 'name'),), 'pk_attr': 'id', 'table_description': 'A word a unit sorts its tips by ("needs translation", "duplicate"). Labels are kept in'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipLabel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='labels', on_delete=OnDelete.CASCADE)),
                ('label', fields.ForeignKeyField('tips.Label', source_field='label_id', db_constraint=True, to_field='id', related_name='tips', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'tip_label_link', 'app': 'tips', 'unique_together': (('tip', 'label'),), 'indexes': [Index(fields=['label_id', 'tip_id'], name='tip_label_link_by_label')], 'pk_attr': 'id', 'table_description': 'One label on one tip.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('core.StaffMember', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='tip_notes', on_delete=OnDelete.SET_NULL)),
                ('closes', fields.BooleanField(default=False)),
                ('body', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_note', 'app': 'tips', 'indexes': [Index(fields=['tip_id', 'id'], name='tip_note_by_tip')], 'pk_attr': 'id', 'table_description': 'An internal note of the team on a tip (the reporter never sees it), or the written reason'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipRead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('core.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='tips_read', on_delete=OnDelete.CASCADE)),
                ('tip', fields.ForeignKeyField('tips.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='read_by', on_delete=OnDelete.CASCADE)),
                ('last_message_id', fields.IntField(default=0)),
                ('last_file_id', fields.IntField(default=0)),
            ],
            options={'table': 'tip_read', 'app': 'tips', 'unique_together': (('staff', 'tip'),), 'pk_attr': 'id', 'table_description': "A member's read mark on a tip: what the reporter had sent when they last opened it, so"},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Tip',
            index=Index(fields=INBOX_COLUMNS, name='tip_inbox_all'),
        ),
        ops.AddIndex(
            model_name='Tip',
            index=Index(fields=['unit_id', 'status', 'child_involved', 'urgency', 'created_at', 'id'], name='tip_inbox_status'),
        ),
        ops.AddIndex(
            model_name='Tip',
            index=Index(fields=['assignee_id', 'child_involved', 'urgency', 'created_at', 'id'], name='tip_inbox_assignee'),
        ),
        ops.AddIndex(
            model_name='TipMessage',
            index=Index(fields=['tip_id', 'id'], name='tip_message_by_tip'),
        ),
        ops.AddIndex(
            model_name='TipFile',
            index=Index(fields=['tip_id', 'id'], name='tip_file_by_tip'),
        ),
        ops.AddIndex(
            model_name='Tip',
            index=open_only(Index(fields=INBOX_COLUMNS, name='tip_inbox_open')),
        ),
        AddIndexToCore(
            model_name='AuditEntry',
            index=Index(fields=['target', 'id'], name='audit_entry_by_target'),
        ),
    ]
