"""Accountability: response plans (recommendations, actions, evidence, target-date changes), indicators,
resources, community engagement and protected concerns about handling.

Every table is a cache of the ledger: write only through ``sightline.accountability.services``. Nothing is
deleted: withdrawing evidence, moving a date or reopening an action is a new version with a reason.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from sightline.ledger.models import LedgeredModel

AGENCY = "access.Agency"


def financial_year_label(year: int) -> str:
    """2014 is the financial year April 2014 to March 2015, "2014/15"."""
    return f"{year}/{(year + 1) % 100:02d}"


class ResponsePlan(LedgeredModel):
    """An inquiry's recommendations as the council and its partners took them on (one per inquiry)."""

    key = models.SlugField(max_length=80, unique=True, help_text="short stable name, e.g. rotherham-2014")
    title = models.CharField(max_length=200)
    inquiry = models.CharField(max_length=300, blank=True, help_text="the inquiry or review it answers")
    published_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    illustrative_note = models.TextField(blank=True, help_text="what in the plan is illustrative, not fact")
    source_name = models.CharField(max_length=300, blank=True, help_text="file it was imported from")
    source_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)

    id_prefix = "RP"

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.title


class Recommendation(LedgeredModel):
    plan = models.ForeignKey(ResponsePlan, on_delete=models.PROTECT, related_name="recommendations")
    ref = models.CharField(max_length=20, help_text="the plan's own number, e.g. R7")
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    target_date = models.DateField()
    indicator_keys = models.JSONField(default=list, blank=True, help_text="indicators that show progress")
    illustrative = models.BooleanField(default=False, help_text="wording made up for the sample plan")
    position = models.PositiveIntegerField(default=0)

    id_prefix = "RC"

    class Meta:
        ordering = ["plan", "position", "ref"]
        constraints = [models.UniqueConstraint(fields=["plan", "ref"], name="recommendation_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.title}"


class ActionStatus(models.TextChoices):
    """What people record. Overdue is never typed: it follows from the target date."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class Action(LedgeredModel):
    """One thing an agency must do towards a recommendation, by a target date.

    ``complete`` needs evidence; it stands only once a second person has signed it off.
    """

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="actions")
    ref = models.CharField(max_length=20)
    description = models.TextField()
    owner_agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, blank=True, help_text="the person or post responsible")
    owner_user = models.CharField(max_length=150, blank=True, help_text="their Sightline username, if any")
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    completed_by = models.CharField(max_length=150, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.CharField(max_length=150, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)
    engagement_event = models.ForeignKey(
        "EngagementEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    position = models.PositiveIntegerField(default=0)

    id_prefix = "AC"

    class Meta:
        ordering = ["recommendation", "position", "ref"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "ref"], name="action_ref_unique")]
        indexes = [models.Index(fields=["status", "target_date"], name="acc_action_due_idx")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.description[:60]}"


class Evidence(LedgeredModel):
    """Evidence that an action is done: an uploaded document (kept by SHA-256), a ledger entry, or a note."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document"
        LEDGER_ENTRY = "ledger_entry", "Ledger entry"
        NOTE = "note", "Note"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    ledger_index = models.BigIntegerField(null=True, blank=True)
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField()
    withdrawn = models.BooleanField(default=False)
    withdrawn_reason = models.TextField(blank=True)

    id_prefix = "EV"

    class Meta:
        ordering = ["added_at"]


class TargetDateChange(LedgeredModel):
    """A moved target date, with the reason. Shown on the board report: nobody moves a date quietly."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="date_changes"
    )
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="date_changes"
    )
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField()
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField()

    id_prefix = "TC"

    class Meta:
        ordering = ["-changed_at"]


class Indicator(LedgeredModel):
    """A live indicator: what it means, the target, which way is better, and the measure that computes
    it from the case records (``sightline.accountability.indicators.MEASURES``)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    measure = models.CharField(max_length=60)
    unit = models.CharField(max_length=20, help_text="percent, hours, count or per_week")
    target = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    id_prefix = "IX"

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class FundingLine(LedgeredModel):
    """Money for one purpose in one financial year (``financial_year`` 2014 is 2014/15)."""

    name = models.CharField(max_length=200, help_text="e.g. CSE team")
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)

    id_prefix = "FL"

    class Meta:
        ordering = ["name", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["name", "agency", "financial_year"], name="funding_line_unique")
        ]

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)


class StaffingLevel(LedgeredModel):
    """Staff in one agency's team in one calendar year (full-time equivalents)."""

    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    team = models.CharField(max_length=200, help_text="e.g. CSE team")
    year = models.PositiveSmallIntegerField()
    staff = models.DecimalField(max_digits=8, decimal_places=1)
    note = models.TextField(blank=True)

    id_prefix = "SL"

    class Meta:
        ordering = ["agency", "team", "year"]
        constraints = [models.UniqueConstraint(fields=["agency", "team", "year"], name="staffing_unique")]


class EngagementEvent(LedgeredModel):
    """One entry in the community engagement plan and log: planned, then held (or cancelled)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey(
        ResponsePlan, on_delete=models.PROTECT, null=True, blank=True, related_name="engagement_events"
    )
    title = models.CharField(max_length=200)
    event_on = models.DateField(help_text="the date it is planned for, or was held on")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    location = models.CharField(max_length=300, blank=True)
    organised_by = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    communities = models.JSONField(default=list, blank=True, help_text="communities reached or to reach")
    attendees = models.PositiveIntegerField(null=True, blank=True)
    issues_raised = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.CharField(max_length=150)

    id_prefix = "EE"

    class Meta:
        ordering = ["-event_on"]

    def __str__(self) -> str:
        return self.title


class ImmutableError(Exception):
    """Refused: this record can never be changed or removed, only answered with a new record."""


class _WriteOnce(LedgeredModel):
    """Rows that are written once. ``do_update`` (and any save after the first) is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("force_insert") or self.version != 1:
            raise ImmutableError(f"{self.ledger_type()} records cannot be changed; add a response instead")
        super().save(*args, **kwargs)

    def delete(self, *_args: Any, **_kwargs: Any) -> Any:
        raise ImmutableError(f"{self.ledger_type()} records cannot be removed")


class ProtectedConcern(_WriteOnce):
    """A concern about how a case or the service is being handled. It goes to the independent reviewer
    only, never up the raiser's management chain; nobody can edit or remove it."""

    class About(models.TextChoices):
        CASE = "case", "A particular case"
        SERVICE = "service", "The service as a whole"

    about = models.CharField(max_length=10, choices=About.choices)
    case_reference = models.CharField(max_length=100, blank=True, help_text="a person, concern or case id")
    agency_concerned = models.ForeignKey(
        AGENCY, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    what_happened = models.TextField()
    raised_by = models.CharField(max_length=150)
    raised_by_agency = models.CharField(max_length=64, blank=True)
    raised_by_role = models.CharField(max_length=64, blank=True)
    raised_at = models.DateTimeField()

    id_prefix = "PCN"

    class Meta:
        ordering = ["-raised_at"]


class ProtectedConcernResponse(_WriteOnce):
    """The independent reviewer's answer or step on a protected concern. Each is a new record."""

    class Outcome(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        LOOKING_INTO_IT = "looking_into_it", "Looking into it"
        REFERRED = "referred", "Referred for action"
        CLOSED = "closed", "Closed"

    concern = models.ForeignKey(ProtectedConcern, on_delete=models.PROTECT, related_name="responses")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    text = models.TextField()
    responded_by = models.CharField(max_length=150)
    responded_at = models.DateTimeField()

    id_prefix = "PCR"

    class Meta:
        ordering = ["responded_at"]


# Ledger entries are numbered in order, so evidence could otherwise name any entry and show who read
# or changed which child. Evidence may cite only a change to the partnership's own records, never a
# read, a person, case work, access or a protected concern (whose raiser must stay private).
NOT_CITABLE = frozenset({ProtectedConcern._meta.label_lower, ProtectedConcernResponse._meta.label_lower})


def citable_as_evidence(object_type: str, version: int | None) -> bool:
    return (
        version is not None and object_type.startswith("accountability.") and object_type not in NOT_CITABLE
    )
