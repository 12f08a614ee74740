"""Outreach: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import DateTime, LongText, ObjectId, RequiredReason, Str150, Str300

Method = Literal[
    "street", "home_visit", "school", "drop_in", "phone", "message", "trusted_adult", "other"
]  # fmt: skip
Outcome = Literal["not_found", "contact_made", "engaged", "declined", "referred_on"]


class OutreachAttemptOut(Schema):
    id: str
    occurred_at: dt.datetime
    place: str
    method: str
    outcome: str
    consent: str = Field(description="given, refused, not_asked, or blank when the child was not spoken with")
    wishes: str = Field(description="what the child said they want")
    referred_to: str
    notes: str
    agency_id: str
    recorded_by: str


class OutreachDecisionOut(Schema):
    id: str
    decision: str = Field(description="continue or close")
    reason: str
    after_attempt_id: str | None = Field(description="the decline the decision answers")
    agency_id: str
    decided_by: str
    decided_at: dt.datetime


class OutreachOut(Schema):
    # Read from ``outreach.selectors.AssignmentView``.
    id: str = Field(alias="assignment.id")
    version: int = Field(alias="assignment.version")
    person_id: str = Field(alias="assignment.person_id")
    child_name: str = Field(alias="child.display_name")
    alert_id: str = Field(alias="assignment.alert_id")
    agency_id: str = Field(alias="assignment.agency_id", description="the team")
    team: str
    worker: str = Field(alias="assignment.worker")
    assigned_by: str = Field(alias="assignment.assigned_by")
    assigned_at: dt.datetime = Field(alias="assignment.assigned_at")
    note: str = Field(alias="assignment.note")
    status: str = Field(alias="assignment.status", description="open, decision_needed or closed")
    first_contact_at: dt.datetime | None = Field(alias="assignment.first_contact_at")
    engaged_at: dt.datetime | None = Field(alias="assignment.engaged_at")
    consent: str = Field(alias="assignment.consent")
    wishes: str = Field(alias="assignment.wishes")
    closed_at: dt.datetime | None = Field(alias="assignment.closed_at")
    close_reason: str = Field(alias="assignment.close_reason")
    attempts: list[OutreachAttemptOut]
    decisions: list[OutreachDecisionOut]
    may_work: bool = Field(description="whether you may record attempts and decisions on it")


class OutreachRowOut(Schema):
    id: str
    person_id: str
    child_name: str = Field(description="blank when the child is outside your access")
    restricted: bool
    alert_id: str
    agency_id: str
    team: str
    worker: str
    status: str
    assigned_at: dt.datetime
    first_contact_at: dt.datetime | None
    attempts: int


class OutreachListParams(Schema):
    closed: bool = Field(False, description="closed outreach instead of open")


class OutreachAssignIn(Schema):
    alert_id: ObjectId = Field(description="a child-at-risk alert")
    agency: ObjectId = Field(description="the team, e.g. youth_service")
    worker: Str150 = Field("", description="username of a named worker in the team")
    note: LongText = ""


class OutreachAttemptIn(Schema):
    method: Method
    outcome: Outcome
    occurred_at: DateTime | None = Field(None, description="when; now if left out")
    place: Str300 = ""
    consent: Literal["given", "refused", "not_asked", ""] = ""
    wishes: LongText = ""
    referred_to: Str300 = ""
    notes: LongText = ""
    version: int | None = Field(None, ge=1)


class OutreachDecisionIn(Schema):
    decision: Literal["continue", "close"]
    reason: RequiredReason
    version: int | None = Field(None, ge=1)


class StageOut(Schema):
    key: str
    label: str
    count: int
    percent: float | None


class CapacityOut(Schema):
    at: dt.datetime
    workers: int
    caseload: int
    unallocated: int
    per_worker: float | None
    funded_workers: int = Field(alias="funded.workers")
    funded_caseload_per_worker: int = Field(alias="funded.caseload")
    funded_children: int = Field(alias="funded.children")


class FunnelOut(Schema):
    start: dt.datetime
    end: dt.datetime
    stages: list[StageOut]
    median_hours_to_contact: float | None
    capacity: CapacityOut


class FunnelParams(Schema):
    months: int = Field(12, ge=1, le=36, description="the months before now the children were identified in")
