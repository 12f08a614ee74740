"""Fewer indexes to maintain on the import tables (each costs every imported row).

The agency foreign keys need no index of their own: the unique (agency, record_id) and (agency,
event_id) constraints lead with the agency. On PostgreSQL Django also adds a ``varchar_pattern_ops``
("_like") index beside every indexed text column, for LIKE 'abc%' queries; nothing queries these
opaque ids that way, so those on the record and event tables are dropped.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("people_sourcerecord", "people_sourceevent")


def drop_like_indexes(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname LIKE %s",
            [list(TABLES), "%\\_like"],
        )
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_user_demo_account_apitoken"),
        ("people", "0003_link_decisions_reviews"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sourceevent",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="access.agency",
            ),
        ),
        migrations.AlterField(
            model_name="sourcerecord",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="access.agency",
            ),
        ),
        migrations.RunPython(drop_like_indexes, migrations.RunPython.noop, elidable=True),
    ]
