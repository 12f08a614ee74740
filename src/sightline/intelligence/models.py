"""Alerts, networks, places and vehicles raised by ``sightline analyse``.

Every table is a cache of the ledger: write only through ``sightline.intelligence.services``.
Ids are stable across runs: an alert's id is the analysis engine's key for its kind and subject,
a network's the engine's network id, and a place's or vehicle's a hash of its canonical key.
"""

from __future__ import annotations

from django.db import models

from sightline.ledger.models import LedgeredModel


class AnalysisRun(LedgeredModel):
    """One run of the analysis: what it read, what it raised, how long each step took."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    records = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    networks = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)

    id_prefix = "RUN"

    class Meta:
        ordering = ["-started_at"]


class Alert(LedgeredModel):
    class Kind(models.TextChoices):
        CHILD_AT_RISK = "child_at_risk", "Child at risk"
        ADULT_OF_CONCERN = "adult_of_concern", "Adult of concern"
        PLACE_OF_CONCERN = "place_of_concern", "Place of concern"
        VEHICLE_OF_CONCERN = "vehicle_of_concern", "Vehicle of concern"
        GROUP = "group", "Group"

    class Status(models.TextChoices):
        NEW = "new", "New"
        UNDER_REVIEW = "under_review", "Under review"
        ACTIONED = "actioned", "Actioned"
        DISMISSED = "dismissed", "Dismissed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    subject_id = models.CharField(
        max_length=64, db_index=True, help_text="person, place, vehicle or network id"
    )
    subject_label = models.CharField(max_length=300, blank=True)
    score = models.FloatField()
    reasons = models.TextField()
    record_keys = models.JSONField(
        default=list, blank=True, help_text="agency:record_id of the records behind it"
    )
    event_keys = models.JSONField(
        default=list, blank=True, help_text="agency:event_id of the events behind it"
    )
    ties = models.JSONField(
        default=list,
        blank=True,
        help_text="people, places, vehicles and phones the analysis ties to the subject: "
        "type, id, label, score, how, events",
    )
    confidence = models.CharField(
        max_length=12,
        blank=True,
        help_text="child alerts: strong, moderate or limited, from the records tying the child to "
        'adults of concern (docs/analysis.md, "Where the list ends")',
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    status_reason = models.TextField(blank=True)
    status_by = models.CharField(max_length=150, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    dismissed_evidence = models.JSONField(
        default=list, blank=True, help_text="records and events behind the alert when it was dismissed"
    )
    active = models.BooleanField(default=True, help_text="raised by the latest analysis run")
    first_raised_at = models.DateTimeField()
    last_run = models.CharField(max_length=40, blank=True)

    id_prefix = "A"

    class Meta:
        ordering = ["-score", "id"]
        indexes = [
            models.Index(fields=["kind", "status"], name="alert_kind_status_idx"),
            models.Index(fields=["active", "score"], name="alert_active_score_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_label or self.subject_id}"


class Place(LedgeredModel):
    key = models.CharField(max_length=300, unique=True, help_text="the analysis engine's canonical place key")
    label = models.CharField(max_length=300)
    score = models.FloatField(default=0.0)
    n_children = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    id_prefix = "PL"

    class Meta:
        ordering = ["-score", "label"]

    def __str__(self) -> str:
        return self.label


class Vehicle(LedgeredModel):
    key = models.CharField(max_length=64, unique=True, help_text="the analysis engine's vehicle key")
    registration = models.CharField(max_length=32, help_text="as displayed; ? for unknown characters")
    partial = models.BooleanField(default=False)
    candidates = models.JSONField(
        default=list, blank=True, help_text="vehicle ids a partial registration could be"
    )
    score = models.FloatField(default=0.0)
    n_children = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    id_prefix = "VH"

    class Meta:
        ordering = ["-score", "registration"]

    def __str__(self) -> str:
        return self.registration


class Network(LedgeredModel):
    """A group found by community detection; ``links`` holds the edges among its members.

    ``label`` is its name, after its most central adult and place (``analysis.naming``). Viewers
    who may not open ``named_person`` see ``name_without_person`` instead."""

    label = models.CharField(max_length=300, blank=True)
    name_without_person = models.CharField(max_length=300, blank=True)
    named_person = models.CharField(max_length=64, blank=True, help_text="the person the label names")
    size = models.PositiveIntegerField(default=0)
    children = models.PositiveIntegerField(default=0)
    adults = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    links = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    id_prefix = "N"

    class Meta:
        ordering = ["-score", "id"]


class NetworkMember(LedgeredModel):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="members")
    member_type = models.CharField(max_length=10, help_text="person, place, vehicle or phone")
    member_id = models.CharField(max_length=64)
    label = models.CharField(max_length=300, blank=True)
    role = models.CharField(max_length=10, blank=True, help_text="child, adult or blank")
    active = models.BooleanField(default=True)

    id_prefix = "NM"

    class Meta:
        ordering = ["network", "member_type", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "member_type", "member_id"], name="network_member_unique"
            )
        ]
