"""What the case-work API reads and writes. ``*In`` and ``*Params`` are request bodies and query
strings; ``*Out`` schemas read attributes straight from the models and the selectors' view objects
(``Field(alias="plan.title")`` reaches into a view; ``resolve_*`` only where a value is computed)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from sightline.api.people import (
    Date,
    DateTime,
    LongText,
    ObjectId,
    Reason,
    RequiredReason,
    RequiredStr120,
    RequiredStr200,
    RequiredText,
    Str10,
    Str40,
    Str60,
    Str150,
    Str200,
    Str300,
)
from sightline.cases import screening as tool
from sightline.cases.models import InvestigationPerson
from sightline.cases.selectors import SuspectView

Urgency = Literal["urgent", "standard"]
Role = Literal["suspect", "associate", "victim", "witness", "parent", "carer", "professional"]
DecisionChoice = Literal[
    "no_further_action", "advice", "screening", "strategy_meeting", "referral_social_care"
]
PlacementType = Literal[
    "foster", "family_friends", "childrens_home", "semi_independent", "residential_school", "secure",
    "with_parents", "adoption", "other",
]  # fmt: skip
SuspectStatusChoice = Literal[
    "arrested", "released_under_investigation", "bail", "charged", "convicted", "no_further_action"
]


# --- concerns and triage -------------------------------------------------------------------------


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


class TriageQueueItemOut(Schema):
    """A concern in a queue. ``restricted``: you may not see the child, so no name and no detail."""

    concern_id: str = Field(alias="concern.id")
    person_id: str = Field(alias="concern.person_id")
    person_name: str
    agency_id: str = Field(alias="concern.agency_id")
    urgency: str = Field(alias="concern.urgency")
    status: str = Field(alias="concern.status")
    raised_at: dt.datetime = Field(alias="concern.raised_at")
    triage_due_at: dt.datetime = Field(alias="concern.triage_due_at")
    overdue: bool
    hours_left: float
    restricted: bool


class TriageIn(Schema):
    decision: DecisionChoice
    reason: Reason = Field("", description="required for no further action")
    version: int | None = Field(None, ge=1, description="the concern version you read; 409 if it moved on")


class TriageQueueParams(Schema):
    view: Literal["queue", "overdue", "new"] = Field(
        "queue", description="the triage queue, overdue only, or new"
    )


# --- screening -----------------------------------------------------------------------------------


class IndicatorKindOut(Schema):
    key: str
    label: str
    current_points: int
    earlier_points: int
    combine: str


class ScreeningBandOut(Schema):
    key: str
    label: str
    min: int


class IndicatorSetOut(Schema):
    id: str
    name: str
    version: int
    reassess_after_months: int
    kinds: list[IndicatorKindOut]
    bands: list[ScreeningBandOut]
    indicators: list[ScreeningIndicatorOut]

    @staticmethod
    def resolve_kinds(obj: tool.IndicatorSet) -> list[tool.KindRule]:
        return list(obj.kinds.values())


class ScreeningAnswerIn(Schema):
    current: bool = Field(False, description="present now (moderate: in the last 6 months)")
    earlier: bool = Field(False, description="present 6 to 12 months ago")


class ScreeningIn(Schema):
    answers: dict[Str10, ScreeningAnswerIn] = Field(description="ticked indicators by code")
    override_band: Str40 = Field("", description="your judgement, if it differs from the score's band")
    override_reason: Reason = Field("", description="required with an override")
    notes: LongText = ""
    concern_id: ObjectId | None = None


class ScreeningScoreLineOut(Schema):
    code: str
    kind: str
    points: int


class ScreeningOut(Schema):
    # Read from ``selectors.ScreeningView``.
    id: str = Field(alias="screening.id")
    version: int = Field(alias="screening.version")
    person_id: str = Field(alias="screening.person_id")
    concern_id: str | None = Field(alias="screening.concern_id")
    indicator_set: str = Field(alias="screening.indicator_set")
    indicator_set_version: int = Field(alias="screening.indicator_set_version")
    answers: dict[str, dict[str, bool]] = Field(alias="screening.answers")
    score: int = Field(alias="screening.score")
    computed_band: str = Field(alias="screening.computed_band")
    override_band: str = Field(alias="screening.override_band")
    override_reason: str = Field(alias="screening.override_reason")
    band: str = Field(alias="screening.band")
    band_label: str
    notes: str = Field(alias="screening.notes")
    completed_at: dt.datetime = Field(alias="screening.completed_at")
    completed_by: str = Field(alias="screening.completed_by")
    agency_id: str = Field(alias="screening.agency_id")
    next_due_on: dt.date = Field(alias="screening.next_due_on")
    lines: list[ScreeningScoreLineOut]


class RescreenTriggerOut(Schema):
    kind: str
    on: dt.date
    source: str
    object_type: str
    object_id: str
    label: str


class RescreenOut(Schema):
    # Read from ``selectors.RescreenDue``; a child who is not due is :meth:`not_due`.
    person_id: str
    due: bool
    reassessment_due: bool
    last_screening_id: str | None = Field(alias="last_screening.id")
    next_due_on: dt.date | None = Field(alias="last_screening.next_due_on")
    reasons: list[str]
    triggers: list[RescreenTriggerOut]

    @staticmethod
    def resolve_due(_obj: Any) -> bool:
        return True  # a RescreenDue exists only when a re-screen is due

    @classmethod
    def not_due(cls, person_id: str) -> RescreenOut:
        return cls.model_construct(
            person_id=person_id,
            due=False,
            reassessment_due=False,
            last_screening_id=None,
            next_due_on=None,
            reasons=[],
            triggers=[],
        )


# --- plans ---------------------------------------------------------------------------------------


class PlanActionOut(Schema):
    # Read from ``selectors.ActionView``.
    id: str = Field(alias="action.id")
    version: int = Field(alias="action.version")
    plan_id: str = Field(alias="action.plan_id")
    description: str = Field(alias="action.description")
    owner_agency_id: str = Field(alias="action.owner_agency_id")
    owner_user: str = Field(alias="action.owner_user")
    due_on: dt.date = Field(alias="action.due_on")
    status: str = Field(alias="action.status")
    completed_on: dt.date | None = Field(alias="action.completed_on")
    note: str = Field(alias="action.note")
    overdue: bool


class PlanReviewOut(Schema):
    id: str
    plan_id: str
    reviewed_on: dt.date
    reviewed_by: str
    agency_id: str
    summary: str
    next_review_on: dt.date


class CasePlanOut(Schema):
    # Read from ``selectors.PlanView``.
    id: str = Field(alias="plan.id")
    version: int = Field(alias="plan.version")
    person_id: str = Field(alias="plan.person_id")
    title: str = Field(alias="plan.title")
    summary: str = Field(alias="plan.summary")
    status: str = Field(alias="plan.status")
    agency_id: str = Field(alias="plan.agency_id")
    created_by: str = Field(alias="plan.created_by")
    created_at: dt.datetime = Field(alias="plan.created_at")
    review_due_on: dt.date = Field(alias="plan.review_due_on")
    review_overdue: bool
    closed_at: dt.datetime | None = Field(alias="plan.closed_at")
    close_reason: str = Field(alias="plan.close_reason")
    actions: list[PlanActionOut]
    reviews: list[PlanReviewOut]


class CasePlanIn(Schema):
    title: RequiredStr200
    summary: LongText = ""
    review_due_on: Date


class PlanActionIn(Schema):
    description: RequiredText
    owner_agency: ObjectId
    owner_user: Str150 = Field("", description="username of the owner; blank means the agency")
    due_on: Date


class PlanActionPatch(Schema):
    status: Literal["open", "done", "cancelled"] | None = None
    due_on: Date | None = None
    note: LongText | None = None
    reason: Reason = Field("", description="required to cancel or move the due date")
    version: int | None = Field(None, ge=1)


class PlanReviewIn(Schema):
    summary: RequiredText
    next_review_on: Date
    reviewed_on: Date | None = None


class PlanCloseIn(Schema):
    reason: RequiredReason


# --- missing episodes and return interviews ------------------------------------------------------


class ReturnInterviewOut(Schema):
    id: str
    version: int
    episode_id: str
    offered_at: dt.datetime
    offered_by_agency_id: str
    recorded_by: str
    response: str
    held_at: dt.datetime | None
    outcome: str


class ReturnInterviewStatusOut(Schema):
    state: str = Field(description="open, due, overdue, within_72h or outside_72h")
    due_by: dt.datetime | None
    first_offered_at: dt.datetime | None
    within_72h: bool | None


class EpisodeOut(Schema):
    # Read from ``selectors.EpisodeView``.
    id: str = Field(alias="episode.id")
    version: int = Field(alias="episode.version")
    person_id: str = Field(alias="episode.person_id")
    category: str = Field(
        alias="episode.category",
        description="SSDA903: M missing (whereabouts unknown), A absent without authorisation",
    )
    started_at: dt.datetime = Field(alias="episode.started_at")
    ended_at: dt.datetime | None = Field(alias="episode.ended_at")
    reported_by_agency_id: str = Field(alias="episode.reported_by_agency_id")
    recorded_by: str = Field(alias="episode.recorded_by")
    where_found: str = Field(alias="episode.where_found")
    notes: str = Field(alias="episode.notes")
    number: int = Field(description="1 for the child's first recorded episode, 2 for the second...")
    duration_hours: float | None
    interviews: list[ReturnInterviewOut]
    interview_status: ReturnInterviewStatusOut


class EpisodeSummaryOut(Schema):
    episodes: list[EpisodeOut]
    total: int
    missing_count: int
    absent_count: int
    repeat: bool
    last_90_days: int
    imported_missing_events: int


class EpisodeIn(Schema):
    category: Literal["M", "A"]
    started_at: DateTime
    ended_at: DateTime | None = None
    where_found: Str300 = ""
    notes: LongText = ""


class EpisodeReturnIn(Schema):
    ended_at: DateTime
    where_found: Str300 = ""
    version: int | None = Field(None, ge=1)


class ReturnInterviewOfferIn(Schema):
    offered_at: DateTime


class ReturnInterviewPatch(Schema):
    response: Literal["pending", "accepted", "declined"]
    held_at: DateTime | None = None
    outcome: LongText = ""
    version: int | None = Field(None, ge=1)


# --- placements ----------------------------------------------------------------------------------


class PlacementOut(Schema):
    # Read from ``selectors.PlacementView``.
    id: str = Field(alias="placement.id")
    version: int = Field(alias="placement.version")
    person_id: str = Field(alias="placement.person_id")
    placement_type: str = Field(alias="placement.placement_type")
    started_on: dt.date = Field(alias="placement.started_on")
    ended_on: dt.date | None = Field(alias="placement.ended_on")
    in_area: bool = Field(alias="placement.in_area")
    placing_authority: str = Field(alias="placement.placing_authority")
    provider: str = Field(alias="placement.provider")
    postcode: str = Field(alias="placement.postcode")
    end_reason: str = Field(alias="placement.end_reason")
    recorded_by: str = Field(alias="placement.recorded_by")
    agency_id: str = Field(alias="placement.agency_id")
    current: bool
    placed_by_other_council: bool


class PlacementIn(Schema):
    placement_type: PlacementType
    started_on: Date
    ended_on: Date | None = None
    in_area: bool
    placing_authority: RequiredStr120 = Field(description="the council responsible for the child")
    provider: Str200 = ""
    postcode: Str10 = ""


class PlacementEndIn(Schema):
    ended_on: Date
    end_reason: RequiredText
    version: int | None = Field(None, ge=1)


# --- investigations and self-referrals -----------------------------------------------------------


class InvestigationOut(Schema):
    id: str
    version: int
    operation_name: str
    summary: str
    agency_id: str
    lead_officer: str
    opened_on: dt.date
    closed_on: dt.date | None
    status: str


class InvestigationLinkOut(Schema):
    id: str
    person_id: str
    person_name: str
    role: str
    linked_on: dt.date
    active: bool

    @staticmethod
    def resolve_person_name(obj: InvestigationPerson) -> str:
        return str(obj.person)


class SuspectStatusOut(Schema):
    id: str
    status: str
    effective_on: dt.date
    bail_conditions: str
    bail_end_on: dt.date | None
    note: str
    recorded_by: str
    recorded_at: dt.datetime


class InvestigationSuspectOut(Schema):
    # Read from ``selectors.SuspectView``.
    link: InvestigationLinkOut
    current_status: str | None
    history: list[SuspectStatusOut]

    @staticmethod
    def resolve_current_status(obj: SuspectView) -> str | None:
        return obj.current.status if obj.current else None


class SelfReferralOut(Schema):
    id: str
    received_on: dt.date
    person_id: str | None
    investigation_id: str | None
    channel: str
    summary: str
    agency_id: str
    recorded_by: str


class InvestigationDetailOut(Schema):
    investigation: InvestigationOut
    victims: list[InvestigationLinkOut]
    suspects: list[InvestigationSuspectOut]
    self_referrals: list[SelfReferralOut]


class InvestigationIn(Schema):
    operation_name: RequiredStr120
    opened_on: Date
    summary: LongText = ""
    lead_officer: Str150 = ""


class InvestigationCloseIn(Schema):
    closed_on: Date
    reason: RequiredReason


class InvestigationLinkIn(Schema):
    person_id: ObjectId
    role: Literal["victim", "suspect"]


class SuspectStatusIn(Schema):
    status: SuspectStatusChoice
    effective_on: Date
    bail_conditions: LongText = Field("", description="required for bail")
    bail_end_on: Date | None = Field(None, description="required for bail")
    note: LongText = ""


class SelfReferralIn(Schema):
    received_on: Date
    person_id: ObjectId | None = Field(None, description="if the person is known")
    investigation_id: ObjectId | None = None
    channel: Str60 = ""
    summary: LongText = ""


class WeeklyCountOut(Schema):
    week_starting: dt.date
    count: int


class WeekRangeParams(Schema):
    start: Date
    end: Date


# --- chronology and tasks ------------------------------------------------------------------------


class ChronologyEntryOut(Schema):
    at: dt.datetime
    has_time: bool
    date: dt.date
    kind: str
    kind_label: str
    agency: str
    agency_name: str
    title: str
    detail: str
    source: str = Field(description="case (recorded in Sightline) or extract (imported from an agency)")
    object_type: str
    object_id: str
    version: int
    recorded_by: str
    recorded_by_agency: str
    ledger_index: int | None = Field(description="the ledger entry that wrote this; see /api/ledger")


class ChronologyParams(Schema):
    agency: Str40 = ""
    kind: Str40 = ""


class CaseTaskOut(Schema):
    kind: str = Field(description="triage, plan_action, plan_review, return_interview or rescreen")
    title: str
    person_id: str
    person_name: str
    due_at: dt.datetime | None
    overdue: bool
    object_type: str
    object_id: str
    restricted: bool


class CaseTaskParams(Schema):
    which: Literal["mine", "overdue"] = "mine"
