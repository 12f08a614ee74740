"""Defence in depth: the database itself refuses UPDATE, DELETE and TRUNCATE on ledger tables.

The guarantee is the hash chain and the signed checkpoints; these triggers stop accidents and
casual edits, and make tampering need deliberate privileged steps.
"""

from typing import Any

from django.db import migrations

TABLES = ["ledger_entry", "ledger_checkpoint"]


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


# TRUNCATE of an empty table destroys nothing, so it is let through: test teardown (Django's flush)
# empties the ledger tables with the triggers bypassed, then truncates every table.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sightline_append_only() RETURNS trigger AS $$
DECLARE
  has_rows boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO has_rows;
    IF NOT has_rows THEN
      RETURN NULL;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _postgres(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION sightline_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION sightline_append_only()",
    ]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    if vendor == "sqlite":
        for t in TABLES:
            statements += _sqlite(t)
    elif vendor == "postgresql":
        statements.append(PG_FUNCTION)
        for t in TABLES:
            statements += _postgres(t)
    for sql in statements:
        # No params: on PostgreSQL any params make Django treat '%' in the function body as a placeholder.
        schema_editor.execute(sql, None)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for t in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sightline_append_only()")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
