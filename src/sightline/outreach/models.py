"""Outreach to a child identified at risk: the assignment, each attempt to reach them, and the decisions
taken when a child declines (or when outreach ends).

Every table is a cache of the ledger: write only through ``sightline.outreach.services``. Nothing is
deleted; closing is a new version with a reason. ``first_contact_at``, ``engaged_at``, ``consent`` and
``wishes`` on an assignment repeat what its attempts say, so lists and the funnel need no join.
"""

from __future__ import annotations

from django.db import models

from sightline.access.models import User
from sightline.ledger.models import LedgeredModel

PERSON = "people.Person"
AGENCY = "access.Agency"
ALERT = "intelligence.Alert"


class Outcome(models.TextChoices):
    NOT_FOUND = "not_found", "Not found"
    CONTACT_MADE = "contact_made", "Contact made"
    ENGAGED = "engaged", "Engaged"
    DECLINED = "declined", "Declined"
    REFERRED_ON = "referred_on", "Referred on"


# Outcomes where the worker spoke with the child: contact was made, whatever the child then said.
CONTACT_OUTCOMES = frozenset({Outcome.CONTACT_MADE, Outcome.ENGAGED, Outcome.DECLINED, Outcome.REFERRED_ON})


class Method(models.TextChoices):
    STREET = "street", "Detached (street) outreach"
    HOME_VISIT = "home_visit", "Home visit"
    SCHOOL = "school", "At school or college"
    DROP_IN = "drop_in", "Drop-in or youth club"
    PHONE = "phone", "Phone call"
    MESSAGE = "message", "Text or social media message"
    TRUSTED_ADULT = "trusted_adult", "Through a trusted adult"
    OTHER = "other", "Another way"


class Consent(models.TextChoices):
    GIVEN = "given", "Gave consent to work with us"
    REFUSED = "refused", "Refused consent"
    NOT_ASKED = "not_asked", "Not asked yet"


class Assignment(LedgeredModel):
    """Outreach to one child, assigned from an alert to a team (an agency) and, optionally, a named
    worker in it. A child has at most one assignment that is not closed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECISION_NEEDED = "decision_needed", "Declined: decision needed"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="outreach")
    alert = models.ForeignKey(ALERT, on_delete=models.PROTECT, related_name="outreach")
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+", help_text="the team")
    worker = models.CharField(max_length=150, blank=True, help_text="username of the named worker")
    assigned_by = models.CharField(max_length=150)
    assigned_at = models.DateTimeField()
    note = models.TextField(blank=True, help_text="what the worker should know")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    engaged_at = models.DateTimeField(null=True, blank=True)
    consent = models.CharField(max_length=12, choices=Consent.choices, blank=True, help_text="latest")
    wishes = models.TextField(blank=True, help_text="the child's wishes, as last recorded")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    id_prefix = "OR"

    @property
    def worker_name(self) -> str:
        """The named worker as people know them (one query: for a page showing an outreach or two)."""
        found = User.objects.filter(username=self.worker).first() if self.worker else None
        return found.display_name if found else self.worker

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [models.Index(fields=["status", "agency"], name="outreach_status_agency_idx")]


class Attempt(LedgeredModel):
    """One attempt to reach the child: when, where and how, and what came of it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="attempts")
    occurred_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    consent = models.CharField(max_length=12, choices=Consent.choices, blank=True)
    wishes = models.TextField(blank=True, help_text="what the child said they want")
    referred_to = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    id_prefix = "OA"

    class Meta:
        ordering = ["occurred_at"]


class Decision(LedgeredModel):
    """What was decided about the outreach, and why: to continue after the child declined (with the
    reason it is not pursuing them blindly), or to close it."""

    class Choice(models.TextChoices):
        CONTINUE = "continue", "Continue outreach"
        CLOSE = "close", "Close outreach"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Choice.choices)
    reason = models.TextField()
    after_attempt = models.ForeignKey(
        Attempt, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="the decline"
    )
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField()

    id_prefix = "OD"

    class Meta:
        ordering = ["decided_at"]
