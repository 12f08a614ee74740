import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ALL_SCOPES = ["read", "write", "access", "people", "cases", "intelligence", "accountability", "reports"]


def existing_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Tokens made before expiry and scopes existed keep every scope and expire 90 days after creation.
    ApiToken = apps.get_model("access", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created_at + dt.timedelta(days=90)
        token.scopes = ALL_SCOPES
        token.save(update_fields=["expires_at", "scopes"])


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_user_demo_account_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(default=list, help_text="read, write and the API domains it may use"),
        ),
        migrations.RunPython(existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.CreateModel(
            name="ApiTokenUse",
            fields=[
                (
                    "token",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="use",
                        serialize=False,
                        to="access.apitoken",
                    ),
                ),
                ("last_used_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="RoleChangeRequest",
            fields=[
                ("id", models.CharField(editable=False, max_length=40, primary_key=True, serialize=False)),
                ("version", models.PositiveIntegerField(default=0, editable=False)),
                ("from_role", models.CharField(blank=True, max_length=40)),
                (
                    "to_role",
                    models.CharField(
                        choices=[
                            ("practitioner", "Practitioner"),
                            ("dsl", "Designated safeguarding lead"),
                            ("cse_coordinator", "CSE coordinator"),
                            ("analyst", "Analyst"),
                            ("manager", "Manager"),
                            ("board_member", "Safeguarding board member"),
                            ("independent_reviewer", "Independent reviewer"),
                            ("sysadmin", "System administrator"),
                        ],
                        max_length=40,
                    ),
                ),
                ("reason", models.TextField()),
                ("requested_by", models.CharField(max_length=150)),
                ("requested_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved"),
                            ("refused", "Refused"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("decided_by", models.CharField(blank=True, max_length=150)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_note", models.TextField(blank=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="role_change_requests",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-requested_at"],
            },
        ),
    ]
