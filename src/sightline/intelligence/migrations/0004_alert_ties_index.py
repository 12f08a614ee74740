"""On PostgreSQL, a GIN index on alerts' ties, so that a person's page finds the alerts naming
them by containment (``ties @> [{"type": "person", "id": ...}]``) instead of reading every alert's
ties as text: at a million people that read took 5 to 12 s a page (docs/performance.md). SQLite has
no such index; there the ties are matched as text, as before."""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS intelligence_alert_ties_gin "
            "ON intelligence_alert USING gin (ties jsonb_path_ops)"
        )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS intelligence_alert_ties_gin")


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0003_alert_ties")]

    operations = [migrations.RunPython(forward, backward)]
