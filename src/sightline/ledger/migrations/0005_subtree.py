"""Stored subtree hashes (ledger_subtree), filled from the entries already there, append-only."""

import importlib
from typing import Any

from django.db import migrations, models

TABLES = ["ledger_subtree"]
_TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")


def fill(apps: Any, schema_editor: Any) -> None:
    from sightline.ledger.services.subtrees import compute_subtrees  # noqa: PLC0415 - only when it runs

    connection = schema_editor.connection
    for _done, batch in compute_subtrees(connection):
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO ledger_subtree (level, number, hash) VALUES (%s, %s, %s)", batch)


def triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for sql in _TRIGGERS._sqlite(table) if vendor == "sqlite" else _TRIGGERS._postgres(table):
            schema_editor.execute(sql, None)


def no_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for t in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_verification_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="Subtree",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "level", "number", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("level", models.SmallIntegerField()),
                ("number", models.BigIntegerField()),
                ("hash", models.BinaryField()),
            ],
            options={
                "db_table": "ledger_subtree",
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(triggers, no_triggers),
    ]
