"""The person search index (``sightline.people.search_index``), filled from the rows already there.

On PostgreSQL: the pg_trgm extension where this role may create it, and a trigram GIN index on the
name tokens. Without it (no permission), search finds misspellings through trigram keys instead.
"""

from typing import Any

from django.db import migrations, models


def trigram_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cur.fetchone() is None:
            return
        cur.execute("SAVEPOINT sightline_pg_trgm")
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # not permitted: trigram keys stand in (search_index.has_pg_trgm)
            cur.execute("ROLLBACK TO SAVEPOINT sightline_pg_trgm")
            return
        cur.execute("RELEASE SAVEPOINT sightline_pg_trgm")
        cur.execute(
            "CREATE INDEX IF NOT EXISTS people_name_token_trgm ON people_name_token "
            "USING gin (token gin_trgm_ops)"
        )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS people_name_token_trgm")


def fill(apps: Any, schema_editor: Any) -> None:
    from sightline.people.search_index import reindex  # noqa: PLC0415

    reindex()


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_person_entered_by_agency'),
    ]

    operations = [
        migrations.CreateModel(
            name='NameToken',
            fields=[
                ('token', models.CharField(max_length=100, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'people_name_token',
            },
        ),
        migrations.CreateModel(
            name='NameKey',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('key', models.CharField(max_length=110)),
                ('token', models.CharField(max_length=100)),
            ],
            options={
                'db_table': 'people_name_key',
                'constraints': [models.UniqueConstraint(fields=('key', 'token'), name='name_key_unique')],
            },
        ),
        migrations.CreateModel(
            name='SearchPosting',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('owner_id', models.CharField(help_text='the person or record the term is from', max_length=40)),
                ('person_id', models.CharField(max_length=40)),
                ('term', models.CharField(max_length=100)),
            ],
            options={
                'db_table': 'people_search_posting',
                'indexes': [models.Index(fields=['term', 'person_id'], name='search_posting_term_idx'), models.Index(fields=['owner_id'], name='search_posting_owner_idx')],
            },
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
