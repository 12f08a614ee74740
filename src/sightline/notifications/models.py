"""Each user's notifications and their choice of email. Outside the ledger (``ledger/outside.py``):
per-user delivery state (seen, emailed), derived from ledgered events; who was told about which
child's event is ledgered on the child when the notification is made."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One new event about a child, for one of the child's owners (``owners.py``)."""

    id = models.CharField(primary_key=True, max_length=40, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person_id = models.CharField(max_length=40, db_index=True)
    kind = models.CharField(max_length=40, help_text="an events.csv kind, or concern")
    occurred_on = models.DateField()
    agency = models.CharField(max_length=64, help_text="the agency that recorded the event")
    source_type = models.CharField(max_length=64, help_text="the ledger type of the row that holds it")
    source_id = models.CharField(max_length=40)
    basis = models.CharField(max_length=20, help_text="why this user owns the child (owners.BASES)")
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True, help_text="first shown in the inbox")
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="sent alone or in a digest")

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source_type", "source_id"], name="notification_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["user", "seen_at"], name="notification_unseen_idx")]

    def __str__(self) -> str:
        return f"{self.kind} about {self.person_id} for user {self.user_id}"


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each new event, straight away"
    DIGEST = "digest", "One email a day listing the new events"
    NONE = "none", "No email: I will look in Sightline"


class EmailPreference(models.Model):
    """How a user wants to hear by email. No row means the default, an email straight away."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    email = models.CharField(max_length=10, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.email}"
