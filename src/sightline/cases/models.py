"""Case work: concerns and triage, screenings, plans, missing episodes, placements, investigations.

Every table is a cache of the ledger: write only through ``sightline.cases.services``. Nothing is
deleted; closing, withdrawing and correcting are new versions. Who recorded a row, and when, is in its
ledger entries; the ``recorded_by``/``agency`` columns keep it queryable.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sightline.ledger.models import LedgeredModel

PERSON = "people.Person"
AGENCY = "access.Agency"


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent"
    STANDARD = "standard", "Standard"


class InvolvementRole(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    ASSOCIATE = "associate", "Associate"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    PROFESSIONAL = "professional", "Professional"


class Concern(LedgeredModel):
    """A concern any agency raises about a child. It waits in the triage queue until decided.

    Raising one never makes the raiser's agency involved with the child (``docs/access.md``): a
    concern about a child the raiser cannot see is accepted ``raised_blind`` and triaged by the hub."""

    class Status(models.TextChoices):
        AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
        TRIAGED = "triaged", "Triaged"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="concerns")
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="concerns_raised")
    raised_by = models.CharField(max_length=150)
    raised_at = models.DateTimeField()
    what_was_seen = models.TextField()
    occurred_at = models.DateTimeField(help_text="when it was seen or happened")
    place = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    indicators = models.JSONField(default=list, blank=True, help_text="screening indicator codes")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    triage_due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_TRIAGE)
    decision = models.CharField(max_length=30, blank=True, help_text="latest triage decision")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="first triage decision")
    raised_blind = models.BooleanField(
        default=False, help_text="raised by someone who could not open the child's record"
    )

    id_prefix = "CN"

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["status", "triage_due_at"], name="concern_queue_idx")]


class ConcernPerson(LedgeredModel):
    """Someone else involved in what a concern describes (a suspect, a friend, a parent...)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="others")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="concern_involvements")
    role = models.CharField(max_length=20, choices=InvolvementRole.choices)

    id_prefix = "CP"


class TriageDecision(LedgeredModel):
    """One triage decision on a concern. Every decision is kept; the concern shows the latest."""

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        ADVICE = "advice", "Advice given"
        SCREENING = "screening", "Screening"
        STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
        REFERRAL = "referral_social_care", "Referral to children's social care"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    id_prefix = "TD"

    class Meta:
        ordering = ["decided_at"]


class Screening(LedgeredModel):
    """A completed screening: the ticked indicators, the computed score and band, and any override."""

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="screenings")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    indicator_set = models.CharField(max_length=64)
    indicator_set_version = models.PositiveIntegerField()
    answers = models.JSONField(
        default=dict, blank=True, help_text='{code: {"current": bool, "earlier": bool}} for ticked indicators'
    )
    score = models.PositiveIntegerField()
    computed_band = models.CharField(max_length=30)
    override_band = models.CharField(max_length=30, blank=True)
    override_reason = models.TextField(blank=True)
    band = models.CharField(max_length=30, help_text="the band that stands: the override if any")
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField()
    completed_by = models.CharField(max_length=150)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    next_due_on = models.DateField(help_text="reassessment due by")

    id_prefix = "SC"

    class Meta:
        ordering = ["-completed_at"]


class Plan(LedgeredModel):
    """A child's plan: actions with owners and due dates, reviewed on a schedule."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    review_due_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    id_prefix = "PL"

    class Meta:
        ordering = ["-created_at"]


class PlanAction(LedgeredModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    owner_user = models.CharField(max_length=150, blank=True, help_text="username; blank means the agency")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    id_prefix = "PA"

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_due_idx")]


class PlanReview(LedgeredModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.CharField(max_length=150)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    next_review_on = models.DateField()

    id_prefix = "PR"

    class Meta:
        ordering = ["-reviewed_on"]


class MissingEpisode(LedgeredModel):
    """A missing or absent episode with its SSDA903 meaning."""

    class Category(models.TextChoices):
        MISSING = "M", "Missing (whereabouts unknown)"
        ABSENT = "A", "Absent (away without authorisation)"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="missing_episodes")
    category = models.CharField(max_length=1, choices=Category.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="return or found")
    reported_by_agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now, help_text="when Sightline was told")
    where_found = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    id_prefix = "ME"

    class Meta:
        ordering = ["-started_at"]


class ReturnInterview(LedgeredModel):
    """The return home interview offered after an episode (statutory expectation: within 72 hours)."""

    class Response(models.TextChoices):
        PENDING = "pending", "Awaiting reply"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="return_interviews")
    offered_at = models.DateTimeField()
    offered_by_agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now, help_text="when Sightline was told")
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    held_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    disclosure = models.BooleanField(
        default=False, help_text="the child disclosed harm or exploitation in the interview"
    )

    id_prefix = "RI"

    class Meta:
        ordering = ["-offered_at"]


class Placement(LedgeredModel):
    """Where a looked-after child lives, including children placed here by other councils."""

    class Type(models.TextChoices):
        FOSTER = "foster", "Foster care"
        FOSTER_FAMILY = "family_friends", "Foster care with family or friends"
        CHILDRENS_HOME = "childrens_home", "Children's home"
        SEMI_INDEPENDENT = "semi_independent", "Semi-independent or supported accommodation"
        RESIDENTIAL_SCHOOL = "residential_school", "Residential school"
        SECURE = "secure", "Secure unit"
        PARENTS = "with_parents", "Placed with parents"
        ADOPTION = "adoption", "Placed for adoption"
        OTHER = "other", "Other"

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="placements")
    placement_type = models.CharField(max_length=30, choices=Type.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    in_area = models.BooleanField(help_text="inside this council's area")
    placing_authority = models.CharField(max_length=120, help_text="the council responsible for the child")
    provider = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    end_reason = models.TextField(blank=True)
    recorded_by = models.CharField(max_length=150)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")

    id_prefix = "PC"

    class Meta:
        ordering = ["-started_on"]


class Investigation(LedgeredModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    operation_name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    lead_officer = models.CharField(max_length=150, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.CharField(max_length=150)

    id_prefix = "IN"

    class Meta:
        ordering = ["-opened_on"]


class InvestigationPerson(LedgeredModel):
    """A victim or suspect linked to an investigation. Unlinking is a new version (``active=False``)."""

    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        SUSPECT = "suspect", "Suspect"

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="people")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="investigations")
    role = models.CharField(max_length=10, choices=Role.choices)
    linked_on = models.DateField()
    linked_by = models.CharField(max_length=150)
    active = models.BooleanField(default=True)

    id_prefix = "IP"


class SuspectStatus(LedgeredModel):
    """One step in a suspect's status history. The latest by ``effective_on`` is the current one."""

    class Status(models.TextChoices):
        ARRESTED = "arrested", "Arrested"
        RELEASED_UNDER_INVESTIGATION = "released_under_investigation", "Released under investigation"
        BAIL = "bail", "On bail"
        CHARGED = "charged", "Charged"
        CONVICTED = "convicted", "Convicted"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="suspect_statuses"
    )
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="suspect_statuses")
    status = models.CharField(max_length=30, choices=Status.choices)
    effective_on = models.DateField()
    bail_conditions = models.TextField(blank=True)
    bail_end_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    id_prefix = "SS"

    class Meta:
        ordering = ["-effective_on", "-recorded_at"]


class SelfReferral(LedgeredModel):
    """A victim coming forward. The person may not be known yet."""

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="self_referrals"
    )
    received_on = models.DateField()
    channel = models.CharField(max_length=60, blank=True, help_text="phone, in person, online, via school...")
    summary = models.TextField(blank=True)
    agency = models.ForeignKey(AGENCY, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.CharField(max_length=150)

    id_prefix = "SR"

    class Meta:
        ordering = ["-received_on"]
