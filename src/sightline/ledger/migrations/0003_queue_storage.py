"""PostgreSQL storage settings for the two ledger tables that are rewritten all the time.

``ledger_pending`` is a queue: every write inserts a row and the integrator deletes it moments
later, so it is vacuumed after every thousand dead rows instead of after a fifth of the table.
``ledger_treehead`` is one row updated on every integration: free space on its page keeps each
update a HOT update.
"""

from typing import Any

from django.db import migrations

STATEMENTS = [
    "ALTER TABLE ledger_pending SET (autovacuum_vacuum_scale_factor = 0.0, "
    "autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0)",
    "ALTER TABLE ledger_treehead SET (fillfactor = 10, autovacuum_vacuum_scale_factor = 0.0, "
    "autovacuum_vacuum_threshold = 1000)",
]
UNDO = [
    "ALTER TABLE ledger_pending RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
    "autovacuum_vacuum_cost_delay)",
    "ALTER TABLE ledger_treehead RESET (fillfactor, autovacuum_vacuum_scale_factor, "
    "autovacuum_vacuum_threshold)",
]


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in STATEMENTS:
            schema_editor.execute(sql, None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in UNDO:
            schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
