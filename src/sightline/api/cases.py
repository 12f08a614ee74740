"""API for case work: concerns and triage, screenings, plans, episodes and return interviews,
placements, investigations, self-referrals, the chronology and task lists.

Endpoints only parse input, check need to know with ``cases.selectors.require_child_access`` /
``require_object_access`` (ledgered, the same calls the web pages make), and call the same services
and selectors as the web pages. Lists are paginated (``limit``/``offset``); errors are problem+json.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.core import Pagination, paginate
from sightline.api.people import (
    Date,
    DateTime,
    Id,
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
from sightline.cases import selectors, services
from sightline.cases.models import (
    Concern,
    Investigation,
    MissingEpisode,
    Placement,
    Plan,
    PlanAction,
    ReturnInterview,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
)

router = Router(tags=["cases"])

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


# --- concerns ------------------------------------------------------------------------------------


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

    concern_id: str
    person_id: str
    person_name: str
    agency_id: str
    urgency: str
    status: str
    raised_at: dt.datetime
    triage_due_at: dt.datetime
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


def _queue_out(item: selectors.QueueItem) -> TriageQueueItemOut:
    c = item.concern
    return TriageQueueItemOut(
        concern_id=c.id,
        person_id=c.person_id,
        person_name=item.person_name,
        agency_id=c.agency_id,
        urgency=c.urgency,
        status=c.status,
        raised_at=c.raised_at,
        triage_due_at=c.triage_due_at,
        overdue=item.overdue,
        hours_left=item.hours_left,
        restricted=item.restricted,
    )


@router.post("/concerns", response={201: ConcernOut}, summary="Raise a concern about a child")
def raise_concern(request: HttpRequest, payload: ConcernIn) -> Status[Concern]:
    concern = services.do_raise_concern(
        actor=current_actor(request),
        person_id=payload.person_id,
        what_was_seen=payload.what_was_seen,
        occurred_at=payload.occurred_at,
        urgency=payload.urgency,
        place=payload.place,
        postcode=payload.postcode,
        indicators=payload.indicators,
        others=[(o.person_id, o.role) for o in payload.others],
    )
    return Status(201, concern)


@router.get(
    "/concerns", response=list[TriageQueueItemOut], summary="The triage queue (or overdue, or new concerns)"
)
@paginate(Pagination)
def concerns(request: HttpRequest, params: Query[TriageQueueParams]) -> list[TriageQueueItemOut]:
    user = current_user(request)
    if params.view == "overdue":
        items = selectors.overdue_triage(user)
    elif params.view == "new":
        items = selectors.new_concerns(user)
    else:
        items = selectors.triage_queue(user)
    return [_queue_out(i) for i in items]


@router.get(
    "/concerns/{concern_id}", response=ConcernDetailOut, summary="A concern with its triage decisions"
)
def get_concern(request: HttpRequest, concern_id: str = Id()) -> ConcernDetailOut:
    d = selectors.get_concern(current_user(request), concern_id)
    return ConcernDetailOut(
        concern=ConcernOut.from_orm(d.concern),
        others=[ConcernOtherOut(person_id=o.person_id, role=o.role) for o in d.others],
        decisions=[TriageDecisionOut.from_orm(x) for x in d.decisions],
        indicators=[ScreeningIndicatorOut(code=i.code, kind=i.kind, label=i.label) for i in d.indicators],
        overdue=d.overdue,
    )


@router.post(
    "/concerns/{concern_id}/triage", response={201: TriageDecisionOut}, summary="Record a triage decision"
)
def triage(request: HttpRequest, payload: TriageIn, concern_id: str = Id()) -> Status[TriageDecision]:
    require(request, Cap.TRIAGE)
    selectors.require_object_access(current_user(request), Concern, concern_id, "triage")
    decision = services.do_triage_concern(
        concern_id,
        actor=current_actor(request),
        decision=payload.decision,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return Status(201, decision)


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
    id: str
    version: int
    person_id: str
    concern_id: str | None
    indicator_set: str
    indicator_set_version: int
    answers: dict[str, dict[str, bool]]
    score: int
    computed_band: str
    override_band: str
    override_reason: str
    band: str
    band_label: str
    notes: str
    completed_at: dt.datetime
    completed_by: str
    agency_id: str
    next_due_on: dt.date
    lines: list[ScreeningScoreLineOut]


class RescreenTriggerOut(Schema):
    kind: str
    on: dt.date
    source: str
    object_type: str
    object_id: str
    label: str


class RescreenOut(Schema):
    person_id: str
    due: bool
    reassessment_due: bool
    last_screening_id: str | None
    next_due_on: dt.date | None
    reasons: list[str]
    triggers: list[RescreenTriggerOut]


def _screening_out(view: selectors.ScreeningView) -> ScreeningOut:
    s = view.screening
    return ScreeningOut(
        id=s.id,
        version=s.version,
        person_id=s.person_id,
        concern_id=s.concern_id,
        indicator_set=s.indicator_set,
        indicator_set_version=s.indicator_set_version,
        answers=s.answers,
        score=s.score,
        computed_band=s.computed_band,
        override_band=s.override_band,
        override_reason=s.override_reason,
        band=s.band,
        band_label=view.band_label,
        notes=s.notes,
        completed_at=s.completed_at,
        completed_by=s.completed_by,
        agency_id=s.agency_id,
        next_due_on=s.next_due_on,
        lines=[ScreeningScoreLineOut(code=x.code, kind=x.kind, points=x.points) for x in view.lines],
    )


def _rescreen_out(person_id: str, due: selectors.RescreenDue | None) -> RescreenOut:
    if due is None:
        return RescreenOut(
            person_id=person_id,
            due=False,
            reassessment_due=False,
            last_screening_id=None,
            next_due_on=None,
            reasons=[],
            triggers=[],
        )
    return RescreenOut(
        person_id=due.person_id,
        due=True,
        reassessment_due=due.reassessment_due,
        last_screening_id=due.last_screening.id,
        next_due_on=due.last_screening.next_due_on,
        reasons=due.reasons,
        triggers=[RescreenTriggerOut(**t.__dict__) for t in due.triggers],
    )


@router.get("/indicators", response=IndicatorSetOut, summary="The screening indicator set in use")
def indicator_set(request: HttpRequest) -> IndicatorSetOut:
    s = tool.default_indicator_set()
    return IndicatorSetOut(
        id=s.id,
        name=s.name,
        version=s.version,
        reassess_after_months=s.reassess_after_months,
        kinds=[IndicatorKindOut(**k.__dict__) for k in s.kinds.values()],
        bands=[ScreeningBandOut(**b.__dict__) for b in s.bands],
        indicators=[ScreeningIndicatorOut(code=i.code, kind=i.kind, label=i.label) for i in s.indicators],
    )


@router.get(
    "/people/{person_id}/screenings",
    response=list[ScreeningOut],
    summary="A child's screenings, newest first",
)
@paginate(Pagination)
def screenings(request: HttpRequest, person_id: str = Id()) -> list[ScreeningOut]:
    return [_screening_out(v) for v in selectors.screening_history(current_user(request), person_id)]


@router.post("/people/{person_id}/screenings", response={201: ScreeningOut}, summary="Complete a screening")
def screen(request: HttpRequest, payload: ScreeningIn, person_id: str = Id()) -> Status[ScreeningOut]:
    require(request, Cap.SCREEN)
    root = selectors.require_child_access(current_user(request), person_id, "screening")
    s = services.do_complete_screening(
        actor=current_actor(request),
        person_id=root,
        answers={code: a.dict() for code, a in payload.answers.items()},
        override_band=payload.override_band,
        override_reason=payload.override_reason,
        notes=payload.notes,
        concern_id=payload.concern_id,
    )
    return Status(201, _screening_out(selectors._screening_view(s, tool.default_indicator_set())))


@router.get(
    "/people/{person_id}/rescreen", response=RescreenOut, summary="Whether a re-screen is due, and why"
)
def rescreen(request: HttpRequest, person_id: str = Id()) -> RescreenOut:
    root = selectors.require_child_access(current_user(request), person_id, "re-screen status")
    return _rescreen_out(root, selectors.rescreen_due_for(root))


@router.get("/rescreens-due", response=list[RescreenOut], summary="Children due a re-screen that you may see")
@paginate(Pagination)
def rescreens_due(request: HttpRequest) -> list[RescreenOut]:
    return [_rescreen_out(d.person_id, d) for d in selectors.rescreens_due(current_user(request))]


# --- plans ---------------------------------------------------------------------------------------


class PlanActionOut(Schema):
    id: str
    version: int
    plan_id: str
    description: str
    owner_agency_id: str
    owner_user: str
    due_on: dt.date
    status: str
    completed_on: dt.date | None
    note: str
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
    id: str
    version: int
    person_id: str
    title: str
    summary: str
    status: str
    agency_id: str
    created_by: str
    created_at: dt.datetime
    review_due_on: dt.date
    review_overdue: bool
    closed_at: dt.datetime | None
    close_reason: str
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


def _action_out(a: PlanAction, overdue: bool) -> PlanActionOut:
    return PlanActionOut(
        id=a.id,
        version=a.version,
        plan_id=a.plan_id,
        description=a.description,
        owner_agency_id=a.owner_agency_id,
        owner_user=a.owner_user,
        due_on=a.due_on,
        status=a.status,
        completed_on=a.completed_on,
        note=a.note,
        overdue=overdue,
    )


def _plan_out(view: selectors.PlanView) -> CasePlanOut:
    p = view.plan
    return CasePlanOut(
        id=p.id,
        version=p.version,
        person_id=p.person_id,
        title=p.title,
        summary=p.summary,
        status=p.status,
        agency_id=p.agency_id,
        created_by=p.created_by,
        created_at=p.created_at,
        review_due_on=p.review_due_on,
        review_overdue=view.review_overdue,
        closed_at=p.closed_at,
        close_reason=p.close_reason,
        actions=[_action_out(a.action, a.overdue) for a in view.actions],
        reviews=[PlanReviewOut.from_orm(r) for r in view.reviews],
    )


@router.get(
    "/people/{person_id}/plans",
    response=list[CasePlanOut],
    summary="A child's plans with actions and reviews",
)
@paginate(Pagination)
def plans(request: HttpRequest, person_id: str = Id()) -> list[CasePlanOut]:
    return [_plan_out(v) for v in selectors.person_plans(current_user(request), person_id)]


@router.post("/people/{person_id}/plans", response={201: CasePlanOut}, summary="Open a plan")
def create_plan(request: HttpRequest, payload: CasePlanIn, person_id: str = Id()) -> Status[CasePlanOut]:
    root = selectors.require_child_access(current_user(request), person_id, "open plan")
    plan = services.do_create_plan(
        actor=current_actor(request),
        person_id=root,
        title=payload.title,
        summary=payload.summary,
        review_due_on=payload.review_due_on,
    )
    return Status(201, _plan_out(selectors.plan_view(plan)))


@router.get("/plans/{plan_id}", response=CasePlanOut, summary="A plan with its actions and reviews")
def get_plan(request: HttpRequest, plan_id: str = Id()) -> CasePlanOut:
    return _plan_out(selectors.get_plan(current_user(request), plan_id))


@router.post("/plans/{plan_id}/actions", response={201: PlanActionOut}, summary="Add an action to a plan")
def add_action(request: HttpRequest, payload: PlanActionIn, plan_id: str = Id()) -> Status[PlanActionOut]:
    selectors.require_object_access(current_user(request), Plan, plan_id, "add plan action")
    a = services.do_add_plan_action(
        plan_id,
        actor=current_actor(request),
        description=payload.description,
        owner_agency=payload.owner_agency,
        owner_user=payload.owner_user,
        due_on=payload.due_on,
    )
    return Status(201, _action_out(a, False))


@router.patch(
    "/actions/{action_id}",
    response=PlanActionOut,
    summary="Complete, cancel, reschedule or annotate an action",
)
def update_action(request: HttpRequest, payload: PlanActionPatch, action_id: str = Id()) -> PlanActionOut:
    selectors.require_object_access(current_user(request), PlanAction, action_id, "update plan action")
    a = services.do_update_plan_action(
        action_id,
        actor=current_actor(request),
        status=payload.status,
        due_on=payload.due_on,
        note=payload.note,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _action_out(a, selectors.action_overdue(a, dt.date.today()))


@router.post("/plans/{plan_id}/reviews", response={201: PlanReviewOut}, summary="Record a plan review")
def review_plan(request: HttpRequest, payload: PlanReviewIn, plan_id: str = Id()) -> Status[Any]:
    selectors.require_object_access(current_user(request), Plan, plan_id, "review plan")
    review = services.do_review_plan(
        plan_id,
        actor=current_actor(request),
        summary=payload.summary,
        next_review_on=payload.next_review_on,
        reviewed_on=payload.reviewed_on,
    )
    return Status(201, review)


@router.post("/plans/{plan_id}/close", response=CasePlanOut, summary="Close a plan, with a reason")
def close_plan(request: HttpRequest, payload: PlanCloseIn, plan_id: str = Id()) -> CasePlanOut:
    selectors.require_object_access(current_user(request), Plan, plan_id, "close plan")
    plan = services.do_close_plan(plan_id, actor=current_actor(request), reason=payload.reason)
    return _plan_out(selectors.plan_view(plan))


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
    id: str
    version: int
    person_id: str
    category: str = Field(
        description="SSDA903: M missing (whereabouts unknown), A absent without authorisation"
    )
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reported_by_agency_id: str
    recorded_by: str
    where_found: str
    notes: str
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


def _episode_out(v: selectors.EpisodeView) -> EpisodeOut:
    e, st = v.episode, v.interview_status
    return EpisodeOut(
        id=e.id,
        version=e.version,
        person_id=e.person_id,
        category=e.category,
        started_at=e.started_at,
        ended_at=e.ended_at,
        reported_by_agency_id=e.reported_by_agency_id,
        recorded_by=e.recorded_by,
        where_found=e.where_found,
        notes=e.notes,
        number=v.number,
        duration_hours=v.duration_hours,
        interviews=[ReturnInterviewOut.from_orm(i) for i in v.interviews],
        interview_status=ReturnInterviewStatusOut(
            state=st.state, due_by=st.due_by, first_offered_at=st.first_offered_at, within_72h=st.within_72h
        ),
    )


@router.get(
    "/people/{person_id}/episodes",
    response=EpisodeSummaryOut,
    summary="A child's missing and absent episodes",
)
def episodes(request: HttpRequest, person_id: str = Id()) -> EpisodeSummaryOut:
    s = selectors.person_episodes(current_user(request), person_id)
    return EpisodeSummaryOut(
        episodes=[_episode_out(v) for v in s.episodes],
        total=s.total,
        missing_count=s.missing_count,
        absent_count=s.absent_count,
        repeat=s.repeat,
        last_90_days=s.last_90_days,
        imported_missing_events=s.imported_missing_events,
    )


@router.post(
    "/people/{person_id}/episodes", response={201: EpisodeOut}, summary="Record a missing or absent episode"
)
def record_episode(request: HttpRequest, payload: EpisodeIn, person_id: str = Id()) -> Status[EpisodeOut]:
    user = current_user(request)
    root = selectors.require_child_access(user, person_id, "record episode")
    ep = services.do_record_missing_episode(
        actor=current_actor(request),
        person_id=root,
        category=payload.category,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        where_found=payload.where_found,
        notes=payload.notes,
    )
    return Status(201, _episode_out(selectors.get_episode(user, ep.id)))


@router.post("/episodes/{episode_id}/return", response=EpisodeOut, summary="Record the child's return")
def end_episode(request: HttpRequest, payload: EpisodeReturnIn, episode_id: str = Id()) -> EpisodeOut:
    user = current_user(request)
    selectors.require_object_access(user, MissingEpisode, episode_id, "record return")
    services.do_end_missing_episode(
        episode_id,
        actor=current_actor(request),
        ended_at=payload.ended_at,
        where_found=payload.where_found,
        expected_version=payload.version,
    )
    return _episode_out(selectors.get_episode(user, episode_id))


@router.post(
    "/episodes/{episode_id}/return-interviews",
    response={201: ReturnInterviewOut},
    summary="Record a return interview offer",
)
def offer_interview(
    request: HttpRequest, payload: ReturnInterviewOfferIn, episode_id: str = Id()
) -> Status[ReturnInterview]:
    selectors.require_object_access(
        current_user(request), MissingEpisode, episode_id, "offer return interview"
    )
    return Status(
        201,
        services.do_offer_return_interview(
            episode_id, actor=current_actor(request), offered_at=payload.offered_at
        ),
    )


@router.patch(
    "/return-interviews/{interview_id}",
    response=ReturnInterviewOut,
    summary="Record the reply to an offer, and the outcome",
)
def respond_interview(
    request: HttpRequest, payload: ReturnInterviewPatch, interview_id: str = Id()
) -> ReturnInterview:
    selectors.require_object_access(current_user(request), ReturnInterview, interview_id, "return interview")
    return services.do_record_return_interview_response(
        interview_id,
        actor=current_actor(request),
        response=payload.response,
        held_at=payload.held_at,
        outcome=payload.outcome,
        expected_version=payload.version,
    )


# --- placements ----------------------------------------------------------------------------------


class PlacementOut(Schema):
    id: str
    version: int
    person_id: str
    placement_type: str
    started_on: dt.date
    ended_on: dt.date | None
    in_area: bool
    placing_authority: str
    provider: str
    postcode: str
    end_reason: str
    recorded_by: str
    agency_id: str
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


def _placement_out(v: selectors.PlacementView) -> PlacementOut:
    p = v.placement
    return PlacementOut(
        id=p.id,
        version=p.version,
        person_id=p.person_id,
        placement_type=p.placement_type,
        started_on=p.started_on,
        ended_on=p.ended_on,
        in_area=p.in_area,
        placing_authority=p.placing_authority,
        provider=p.provider,
        postcode=p.postcode,
        end_reason=p.end_reason,
        recorded_by=p.recorded_by,
        agency_id=p.agency_id,
        current=v.current,
        placed_by_other_council=v.placed_by_other_council,
    )


def _placement_view(p: Placement) -> selectors.PlacementView:
    return next(v for v in selectors.placements_for(p.person_id) if v.placement.id == p.id)


@router.get("/people/{person_id}/placements", response=list[PlacementOut], summary="A child's placements")
@paginate(Pagination)
def placements(request: HttpRequest, person_id: str = Id()) -> list[PlacementOut]:
    return [_placement_out(v) for v in selectors.person_placements(current_user(request), person_id)]


@router.post("/people/{person_id}/placements", response={201: PlacementOut}, summary="Record a placement")
def start_placement(
    request: HttpRequest, payload: PlacementIn, person_id: str = Id()
) -> Status[PlacementOut]:
    root = selectors.require_child_access(current_user(request), person_id, "record placement")
    p = services.do_start_placement(actor=current_actor(request), person_id=root, **payload.dict())
    return Status(201, _placement_out(_placement_view(p)))


@router.post("/placements/{placement_id}/end", response=PlacementOut, summary="End a placement")
def end_placement(request: HttpRequest, payload: PlacementEndIn, placement_id: str = Id()) -> PlacementOut:
    selectors.require_object_access(current_user(request), Placement, placement_id, "end placement")
    p = services.do_end_placement(
        placement_id,
        actor=current_actor(request),
        ended_on=payload.ended_on,
        end_reason=payload.end_reason,
        expected_version=payload.version,
    )
    return _placement_out(_placement_view(p))


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
    link: InvestigationLinkOut
    current_status: str | None
    history: list[SuspectStatusOut]


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


def _link_out(lk: Any) -> InvestigationLinkOut:
    return InvestigationLinkOut(
        id=lk.id,
        person_id=lk.person_id,
        person_name=str(lk.person),
        role=lk.role,
        linked_on=lk.linked_on,
        active=lk.active,
    )


def _investigation_out(view: selectors.InvestigationView) -> InvestigationDetailOut:
    return InvestigationDetailOut(
        investigation=InvestigationOut.from_orm(view.investigation),
        victims=[_link_out(v) for v in view.victims],
        suspects=[
            InvestigationSuspectOut(
                link=_link_out(s.link),
                current_status=s.current.status if s.current else None,
                history=[SuspectStatusOut.from_orm(h) for h in s.history],
            )
            for s in view.suspects
        ],
        self_referrals=[SelfReferralOut.from_orm(r) for r in view.self_referrals],
    )


@router.get("/investigations", response=list[InvestigationOut], summary="Investigations (no people named)")
@paginate(Pagination)
def investigations(request: HttpRequest, status: Literal["", "open", "closed"] = "") -> Any:
    return selectors.investigations(current_user(request), status=status)


@router.post("/investigations", response={201: InvestigationOut}, summary="Open an investigation")
def open_investigation(request: HttpRequest, payload: InvestigationIn) -> Status[Investigation]:
    return Status(201, services.do_open_investigation(actor=current_actor(request), **payload.dict()))


@router.get("/investigations/{investigation_id}", response=InvestigationDetailOut, summary="An investigation")
def get_investigation(request: HttpRequest, investigation_id: str = Id()) -> InvestigationDetailOut:
    return _investigation_out(selectors.get_investigation(current_user(request), investigation_id))


@router.post(
    "/investigations/{investigation_id}/people",
    response={201: InvestigationLinkOut},
    summary="Link a victim or suspect",
)
def link_person(
    request: HttpRequest, payload: InvestigationLinkIn, investigation_id: str = Id()
) -> Status[Any]:
    user = require(request, Cap.INVESTIGATE)
    get_object_or_404(Investigation, pk=investigation_id)
    selectors.require_child_access(user, payload.person_id, "link to investigation")
    link = services.do_link_investigation_person(
        investigation_id, actor=current_actor(request), person_id=payload.person_id, role=payload.role
    )
    return Status(201, _link_out(link))


@router.post(
    "/investigations/{investigation_id}/suspects/{person_id}/status",
    response={201: SuspectStatusOut},
    summary="Add a step to a suspect's status history",
)
def suspect_status(
    request: HttpRequest, payload: SuspectStatusIn, investigation_id: str = Id(), person_id: str = Id()
) -> Status[SuspectStatus]:
    user = require(request, Cap.INVESTIGATE)
    get_object_or_404(Investigation, pk=investigation_id)
    selectors.require_child_access(user, person_id, "suspect status")
    return Status(
        201,
        services.do_record_suspect_status(
            investigation_id, actor=current_actor(request), person_id=person_id, **payload.dict()
        ),
    )


@router.post(
    "/investigations/{investigation_id}/close", response=InvestigationOut, summary="Close an investigation"
)
def close_investigation(
    request: HttpRequest, payload: InvestigationCloseIn, investigation_id: str = Id()
) -> Any:
    require(request, Cap.INVESTIGATE)
    return services.do_close_investigation(
        investigation_id, actor=current_actor(request), closed_on=payload.closed_on, reason=payload.reason
    )


@router.post("/self-referrals", response={201: SelfReferralOut}, summary="Record a victim coming forward")
def self_referral(request: HttpRequest, payload: SelfReferralIn) -> Status[SelfReferral]:
    return Status(201, services.do_record_self_referral(actor=current_actor(request), **payload.dict()))


@router.get(
    "/self-referrals/weekly",
    response=list[WeeklyCountOut],
    summary="Victims coming forward per week (counts only)",
)
@paginate(Pagination)
def self_referrals_weekly(request: HttpRequest, params: Query[WeekRangeParams]) -> list[WeeklyCountOut]:
    require(request, Cap.VIEW_AGGREGATE, Cap.INVESTIGATE)
    if params.end < params.start or (params.end - params.start).days > 3700:
        from django.core.exceptions import ValidationError

        raise ValidationError({"end": "end must be on or after start, and within ten years of it"})
    return [
        WeeklyCountOut(week_starting=w, count=n)
        for w, n in selectors.self_referrals_per_week(params.start, params.end)
    ]


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


@router.get(
    "/people/{person_id}/chronology", response=list[ChronologyEntryOut], summary="A child's chronology"
)
@paginate(Pagination)
def chronology(
    request: HttpRequest, params: Query[ChronologyParams], person_id: str = Id()
) -> list[ChronologyEntryOut]:
    """One timeline across every agency, newest first: case work and imported agency events."""
    entries = selectors.chronology(current_user(request), person_id, agency=params.agency, kind=params.kind)
    return [ChronologyEntryOut(**e.__dict__, date=e.date) for e in entries]


@router.get("/tasks", response=list[CaseTaskOut], summary="My tasks, or overdue items")
@paginate(Pagination)
def tasks(request: HttpRequest, params: Query[CaseTaskParams]) -> list[CaseTaskOut]:
    user = current_user(request)
    items = selectors.overdue_items(user) if params.which == "overdue" else selectors.my_tasks(user)
    return [CaseTaskOut(**t.__dict__) for t in items]
