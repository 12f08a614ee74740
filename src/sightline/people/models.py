"""Source records exactly as agencies sent them, and the people they are linked into.

Every table here is a cache of the ledger: write only through services (``sightline.ledger.services``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sightline.ledger.models import LedgeredModel


class Extract(LedgeredModel):
    """One agency extract as received (multi-agency-extract/1)."""

    agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="extracts")
    source_name = models.CharField(max_length=300, help_text="folder or zip name as given")
    digest = models.CharField(max_length=64, db_index=True, help_text="SHA-256 over the extract's files")
    extracted_on = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    manifest = models.JSONField(default=dict)
    record_count = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()
    # The consistent identifier: of the extract's records about children, how many carry a valid NHS
    # number (null for extracts imported before this was measured).
    child_records = models.PositiveIntegerField(null=True, blank=True)
    child_records_with_nhs = models.PositiveIntegerField(null=True, blank=True)

    id_prefix = "X"

    class Meta:
        ordering = ["-imported_at"]


class Person(LedgeredModel):
    """A real person as Sightline understands them: one or more linked source records."""

    class Kind(models.TextChoices):
        CHILD = "child", "Child"
        ADULT = "adult", "Adult"
        UNKNOWN = "unknown", "Unknown"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MERGED = "merged", "Merged into another person"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    other_names = models.CharField(max_length=500, blank=True)
    date_of_birth = models.CharField(max_length=10, blank=True, help_text="YYYY-MM-DD, YYYY-MM or YYYY")
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    # Recorded because suppressing it was part of the failure; never an input to scores or alerts.
    ethnicity = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.CharField(max_length=40, blank=True)
    created_by = models.CharField(max_length=20, default="hand", help_text="hand or linkage")
    # The agency whose worker entered the person by hand: it is involved with them (need to know).
    entered_by_agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    id_prefix = "P"

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            models.Index(fields=["postcode"], name="person_postcode_idx"),
            # Who was merged into these people: every record page and access check asks.
            models.Index(
                fields=["merged_into"], name="person_merged_into_idx", condition=models.Q(status="merged")
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.id

    @property
    def display_name(self) -> str:
        return str(self)


class SourceRecord(LedgeredModel):
    """One row of an agency's people.csv, exactly as received, and the person it is linked to."""

    # No index of its own: record_unique_per_agency (agency, record_id) serves agency lookups. No
    # database check either: the agency is always its extract's, which the database checks (a check
    # per row costs an import a tenth of the server's time; docs/decisions/0005).
    agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, related_name="records", db_index=False, db_constraint=False
    )
    record_id = models.CharField(max_length=200)
    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField(help_text="row in people.csv (header is row 1)")
    data = models.JSONField(help_text="every column as received, unknown columns included")
    # Indexed only where set (record_person_idx): an import adds unlinked records, and indexing
    # their empty links cost it an index write per row.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="records", db_index=False
    )
    match_probability = models.FloatField(null=True, blank=True)
    # Search columns, normalised from ``data``.
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    id_prefix = "R"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="record_unique_per_agency")
        ]
        # No index on the search columns: search goes through the search index's postings, and an
        # index nothing read cost an import a fifth of the server's time for these rows.
        indexes = [
            models.Index(fields=["person"], name="record_person_idx", condition=Q(person__isnull=False)),
        ]

    @property
    def key(self) -> str:
        return f"{self.agency_id}:{self.record_id}"


class SourceEvent(LedgeredModel):
    """One row of an agency's events.csv, exactly as received."""

    # No index and no database check, as for SourceRecord.agency: the agency is its extract's.
    agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, related_name="events", db_index=False, db_constraint=False
    )
    event_id = models.CharField(max_length=200)
    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="events")
    row_number = models.PositiveIntegerField()
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    occurred_on = models.DateField(help_text="date part of occurred_on, for ordering and filtering")
    ended_on = models.DateField(null=True, blank=True)
    data = models.JSONField(help_text="every column as received")

    id_prefix = "E"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "event_id"], name="event_unique_per_agency")]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="event_kind_date_idx")]


class PersonIdentifier(LedgeredModel):
    """An identifier an agency holds for a person, entered by hand (imported ones stay on SourceRecord).

    Never deleted: a wrong identifier is retired (``active=False``) with a reason in the ledger.
    """

    class Scheme(models.TextChoices):
        NHS_NUMBER = "nhs_number", "NHS number"
        UPN = "upn", "Unique pupil number"
        PNC_ID = "pnc_id", "Police National Computer id"
        AGENCY_REF = "agency_ref", "Agency reference"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=Scheme.choices)
    value = models.CharField(max_length=100, db_index=True, help_text="normalised: upper case, no spaces")
    agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    # Where the agency got it: typed in by hand, or taken from one of its extracts (``source_ref``
    # names the extract and record).
    source = models.CharField(
        max_length=10,
        choices=[("manual", "Entered by hand"), ("extract", "From an extract")],
        default="manual",
    )
    source_ref = models.CharField(max_length=300, blank=True)

    id_prefix = "PI"


class NhsNumberStatus(LedgeredModel):
    """Why a person has no NHS number here. One row per person; a new reason is a new version, and
    recording a number makes ``resolved`` true."""

    class Reason(models.TextChoices):
        NOT_KNOWN_TO_HEALTH = "not_known_to_health", "Not known to health services"
        NOT_YET_TRACED = "not_yet_traced", "Not yet traced"
        REFUSED = "refused", "The family refused to give it"
        NON_UK = "not_applicable_non_uk", "Not applicable: not registered in the UK"
        OTHER = "other", "Another reason"

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="nhs_status")
    reason_code = models.CharField(max_length=30, choices=Reason.choices)
    note = models.TextField(blank=True)
    agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.CharField(max_length=150)
    resolved = models.BooleanField(default=False)

    id_prefix = "NS"


class LinkDecision(LedgeredModel):
    """A practitioner's ruling on two source records; honoured by every later linkage run.

    One row per pair (keys ``agency:record_id``, left < right); a changed mind is a new version.
    """

    record_key_l = models.CharField(max_length=300)
    record_key_r = models.CharField(max_length=300)
    same_person = models.BooleanField()
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField()

    id_prefix = "LD"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_key_l", "record_key_r"], name="link_decision_pair_unique")
        ]


class LinkReview(LedgeredModel):
    """A pair linkage was unsure about, waiting for a human decision."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        DECIDED = "decided", "Decided"
        CLOSED = "closed", "No longer uncertain"

    record_key_l = models.CharField(max_length=300)
    record_key_r = models.CharField(max_length=300)
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    reason = models.TextField(blank=True)
    # Pairs one look can decide together (linkage.review_groups): "" for none.
    group = models.CharField(max_length=20, blank=True, default="")
    group_kind = models.CharField(max_length=20, blank=True, default="")
    # The chance a decision changes what linkage did (review_groups.change_chances): behind an alert,
    # the queue puts the likeliest changes first.
    change_chance = models.FloatField(default=0.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.ForeignKey(
        LinkDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    raised_at = models.DateTimeField()

    id_prefix = "LR"

    class Meta:
        ordering = ["status", "-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["record_key_l", "record_key_r"], name="link_review_pair_unique")
        ]
        indexes = [
            models.Index(fields=["status", "match_probability"], name="link_review_status_idx"),
            models.Index(fields=["group"], name="link_review_group_idx", condition=~models.Q(group="")),
        ]


# --- the search index (outside the ledger: derived from the rows above, see ``search_index``) ------


class NameToken(models.Model):
    """Every name token (lower case, letters only) that any person or linked record holds."""

    token = models.CharField(primary_key=True, max_length=100)

    class Meta:
        db_table = "people_name_token"

    def __str__(self) -> str:
        return self.token


class NameKey(models.Model):
    """A key that finds a name token: a nickname canonical form (``c:``), a phonetic code (``m:``
    metaphone, ``n:`` NYSIIS) or, where PostgreSQL's pg_trgm is not there, a trigram (``g:``)."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=110)
    token = models.CharField(max_length=100)

    class Meta:
        db_table = "people_name_key"
        constraints = [models.UniqueConstraint(fields=["key", "token"], name="name_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.token}"


class SearchPosting(models.Model):
    """One search term of one row (a person, or an agency record linked to a person): a name
    token, ``#y`` and a year of birth, or ``#p`` and a postcode district."""

    id = models.BigAutoField(primary_key=True)
    owner_id = models.CharField(max_length=40, help_text="the person or record the term is from")
    person_id = models.CharField(max_length=40)
    term = models.CharField(max_length=100)

    class Meta:
        db_table = "people_search_posting"
        indexes = [
            models.Index(fields=["term", "person_id"], name="search_posting_term_idx"),
            models.Index(fields=["owner_id"], name="search_posting_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term} -> {self.person_id}"


# --- who events name (outside the ledger: derived from SourceEvent rows, see ``events``) -----------


class EventMention(models.Model):
    """A record an event's ``others`` cell names, by the agency's own record id, and the role it gives
    (an event names records of its own agency). What finds a person's events filed under someone else."""

    id = models.BigAutoField(primary_key=True)
    agency_id = models.CharField(max_length=40)
    record_id = models.CharField(max_length=200, help_text="the agency's own record id, as in ``others``")
    event_pk = models.CharField(max_length=40, help_text="the SourceEvent's id (not the agency's event_id)")
    role = models.TextField(help_text="lower case, as ``events.event_others`` reads it")

    class Meta:
        db_table = "people_event_mention"
        indexes = [
            models.Index(fields=["agency_id", "record_id"], name="event_mention_record_idx"),
            models.Index(fields=["event_pk"], name="event_mention_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.record_id} -> {self.event_pk} ({self.role})"
