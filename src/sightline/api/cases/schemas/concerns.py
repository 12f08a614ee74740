"""Concerns and triage: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import DateTime, ObjectId, Reason, RequiredText, Str10, Str300

Urgency = Literal["urgent", "standard"]
Role = Literal["suspect", "associate", "victim", "witness", "parent", "carer", "professional"]
DecisionChoice = Literal[
    "no_further_action", "advice", "screening", "strategy_meeting", "referral_social_care"
]


class ConcernOtherIn(Schema):
    person_id: ObjectId
    role: Role


class ConcernIn(Schema):
    person_id: ObjectId = Field(description="the child the concern is about")
    what_was_seen: RequiredText
    occurred_at: DateTime = Field(description="when it was seen or happened")
    urgency: Urgency
    place: Str300 = ""
    postcode: Str10 = ""
    indicators: list[Str10] = Field(
        default_factory=list, max_length=60, description="screening indicator codes"
    )
    others: list[ConcernOtherIn] = Field(
        default_factory=list, max_length=20, description="other people involved"
    )


class ConcernOut(Schema):
    id: str
    version: int
    person_id: str
    agency_id: str
    raised_by: str
    raised_at: dt.datetime
    what_was_seen: str
    occurred_at: dt.datetime
    place: str
    postcode: str
    indicators: list[str]
    urgency: str
    triage_due_at: dt.datetime
    status: str
    decision: str
    decided_at: dt.datetime | None
    raised_blind: bool = Field(
        description="raised by someone who could not open the child's record: it gives them no access"
    )


class ConcernOtherOut(Schema):
    person_id: str
    role: str


class TriageDecisionOut(Schema):
    id: str
    concern_id: str
    decision: str
    reason: str
    decided_by: str
    agency_id: str
    decided_at: dt.datetime


class ScreeningIndicatorOut(Schema):
    code: str
    kind: str
    label: str


class ConcernDetailOut(Schema):
    concern: ConcernOut
    others: list[ConcernOtherOut]
    decisions: list[TriageDecisionOut]
    indicators: list[ScreeningIndicatorOut]
    overdue: bool
    receipt_only: bool = Field(
        description="you raised this concern but cannot see the child: your receipt, without decisions"
    )


class TriageQueueItemOut(Schema):
    """A concern in a queue. ``restricted``: you may not see the child, so no name and no detail."""

    concern_id: str = Field(alias="concern.id")
    person_id: str = Field(description="blank when restricted")
    person_name: str
    agency_id: str = Field(alias="concern.agency_id")
    urgency: str = Field(alias="concern.urgency")
    status: str = Field(alias="concern.status")
    raised_at: dt.datetime = Field(alias="concern.raised_at")
    triage_due_at: dt.datetime = Field(alias="concern.triage_due_at")
    overdue: bool
    hours_left: float
    restricted: bool
    raised_blind: bool = Field(alias="concern.raised_blind")

    @staticmethod
    def resolve_person_id(obj: object) -> str:
        return "" if obj.restricted else obj.concern.person_id  # type: ignore[attr-defined]


class TriageIn(Schema):
    decision: DecisionChoice
    reason: Reason = Field("", description="required for no further action")
    version: int | None = Field(None, ge=1, description="the concern version you read; 409 if it moved on")


class TriageQueueParams(Schema):
    view: Literal["queue", "overdue", "new"] = Field(
        "queue", description="the triage queue, overdue only, or new"
    )
