"""Sharing decisions about a child, and the section 47 workspace where education, social work, health
and police work one enquiry together.

Every table is a cache of the ledger: write only through ``sightline.sharing.services``. Nothing is
deleted: a member who leaves is a new version with ``active=False`` and a reason.
"""

from __future__ import annotations

from django.db import models

from sightline.ledger.models import LedgeredModel

PERSON = "people.Person"
AGENCY = "access.Agency"


class SharingDecision(LedgeredModel):
    """A decision to share information about a child with other agencies, or not to, with the reason."""

    class Outcome(models.TextChoices):
        SHARED = "shared", "Shared"
        NOT_SHARED = "not_shared", "Not shared"

    class Reason(models.TextChoices):
        MORE_DETRIMENTAL = "more_detrimental_to_child", "Sharing would be more detrimental to the child"
        NOT_RELEVANT = "not_relevant", "Not relevant to the child's safeguarding"
        CONSENT_REFUSED = (
            "consent_refused_override_not_met",
            "Consent refused and the test to override it not met",
        )
        OTHER = "other", "Another reason"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="sharing_decisions")
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+", help_text="the decider's")
    decided_by = models.CharField(max_length=150)
    recipients = models.JSONField(default=list, help_text="agency codes shared with or asked")
    what = models.TextField(help_text="what was shared, or asked for and not shared")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason_code = models.CharField(max_length=40, choices=Reason.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_on = models.DateField()
    recorded_at = models.DateTimeField()

    id_prefix = "SD"

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]


class Discipline(models.TextChoices):
    EDUCATION = "education", "Education"
    SOCIAL_WORK = "social_work", "Social work"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    OTHER = "other", "Other"


class Workspace(LedgeredModel):
    """The multi-agency child protection team's workspace for one section 47 enquiry about a child."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="s47_workspaces")
    lead_agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    opened_by = models.CharField(max_length=150)
    opened_on = models.DateField()
    summary = models.TextField(blank=True, help_text="why the enquiry was opened")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    id_prefix = "SW"

    class Meta:
        ordering = ["-opened_on"]


class Member(LedgeredModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="members")
    username = models.CharField(max_length=150)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(max_length=12, choices=Discipline.choices)
    active = models.BooleanField(default=True)
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField()
    removed_reason = models.TextField(blank=True)

    id_prefix = "SM"

    class Meta:
        ordering = ["added_at"]


class Task(LedgeredModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="tasks")
    description = models.TextField()
    assignee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField()
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    set_by = models.CharField(max_length=150)

    id_prefix = "ST"

    class Meta:
        ordering = ["done", "due_on"]


class JointDecision(LedgeredModel):
    """What the team decided together, and who agreed."""

    class Outcome(models.TextChoices):
        THRESHOLD_MET = "threshold_met", "Threshold for significant harm met"
        ICPC = "icpc", "Proceed to an initial child protection conference"
        CHILD_IN_NEED = "child_in_need", "Support as a child in need"
        NFA = "nfa", "No further action"
        OTHER = "other", "Other"

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="decisions")
    decision = models.TextField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    agreed_by = models.JSONField(default=list, help_text="usernames of the members who agreed")
    decided_on = models.DateField()
    recorded_by = models.CharField(max_length=150)

    id_prefix = "SJ"

    class Meta:
        ordering = ["decided_on"]
