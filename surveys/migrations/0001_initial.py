from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.CharField(max_length=32, db_index=True)),
                ('language', fields.CharField(max_length=8)),
                ('day', fields.DateField()),
                ('answers', fields.JSONField()),
            ],
            options={'table': 'survey_response', 'app': 'surveys', 'pk_attr': 'id', 'table_description': "One person's answers to one survey, written once when they finish."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyGuard',
            fields=[
                ('digest', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('expires_on', fields.DateField(db_index=True)),
            ],
            options={'table': 'survey_guard', 'app': 'surveys', 'pk_attr': 'digest', 'table_description': 'This chat has answered this survey, as a keyed hash of both.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyProgress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_key', fields.CharField(unique=True, max_length=64)),
                ('sealed', fields.BinaryField()),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_progress', 'app': 'surveys', 'pk_attr': 'id', 'table_description': 'The surveys a chat has started and not finished, sealed.'},
            bases=['Model'],
        ),
    ]
