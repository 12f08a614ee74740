import django.db.models.deletion
from django.db import migrations, models


def from_the_ledger(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Who entered each person by hand was known only from the ledger's create entries.
    Entry = apps.get_model("ledger", "Entry")
    Agency = apps.get_model("access", "Agency")
    Person = apps.get_model("people", "Person")
    agencies = set(Agency.objects.values_list("pk", flat=True))
    created = Entry.objects.filter(object_type="people.person", version=1, action="create")
    for person_id, agency in created.values_list("object_id", "actor_agency").iterator():
        if agency in agencies:
            Person.objects.filter(pk=person_id, created_by="hand").update(entered_by_agency_id=agency)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("ledger", "0003_queue_storage"),
        ("people", "0004_agency_index_and_like_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="entered_by_agency",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="access.agency",
            ),
        ),
        migrations.RunPython(from_the_ledger, migrations.RunPython.noop),
    ]
