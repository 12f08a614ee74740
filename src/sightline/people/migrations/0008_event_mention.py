"""Which records each agency event's ``others`` cell names (``sightline.people.events``), filled from
the events already there."""

from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    from sightline.people.events import rebuild_mentions  # noqa: PLC0415

    rebuild_mentions()


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0007_nhs_number_status'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventMention',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('agency_id', models.CharField(max_length=40)),
                ('record_id', models.CharField(help_text="the agency's own record id, as in ``others``", max_length=200)),
                ('event_pk', models.CharField(help_text="the SourceEvent's id (not the agency's event_id)", max_length=40)),
                ('role', models.TextField(help_text='lower case, as ``events.event_others`` reads it')),
            ],
            options={
                'db_table': 'people_event_mention',
                'indexes': [models.Index(fields=['agency_id', 'record_id'], name='event_mention_record_idx'), models.Index(fields=['event_pk'], name='event_mention_event_idx')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
