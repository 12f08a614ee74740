"""API for accountability: plans and their progress, overdue actions, moved target dates, live indicators,
and raising a protected concern. The same services and selectors as the web pages; no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from sightline.access.permissions import Cap
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.planfile import PlanFileError
from sightline.api.auth import current_actor, current_user, require
from sightline.api.core import PROBLEM, problem
from sightline.api.people import TEXT_PATTERN, Id, RequiredText, Str150

router = Router(tags=["accountability"])

VIEW = (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS, Cap.SIGN_OFF)
PlanText = Annotated[str, StringConstraints(min_length=1, max_length=2_000_000, pattern=TEXT_PATTERN)]
FileName = Annotated[
    str, StringConstraints(min_length=5, max_length=200, pattern=r"^[A-Za-z0-9_. -]+\.(ya?ml|csv)$")
]
Reason = Annotated[str, StringConstraints(max_length=5000, pattern=TEXT_PATTERN)]
Ref = Annotated[str, StringConstraints(max_length=100, pattern=TEXT_PATTERN)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


class StateOut(Schema):
    status: str = Field(
        alias="key",
        description="not_started, in_progress, complete or overdue (overdue follows from the date)",
    )
    label: str
    awaiting_sign_off: bool


# Read from the selectors' views: dotted aliases name the attribute each field comes from.
class ActionOut(Schema):
    id: str = Field(alias="action.id")
    ref: str = Field(alias="action.ref")
    description: str = Field(alias="action.description")
    owner_agency: str = Field(alias="action.owner_agency_id")
    owner_name: str = Field(alias="action.owner_name")
    owner_user: str = Field(alias="action.owner_user")
    target_date: dt.date = Field(alias="action.target_date")
    recorded_status: str = Field(alias="action.status")
    state: StateOut
    completed_by: str = Field(alias="action.completed_by")
    signed_off_by: str = Field(alias="action.signed_off_by")
    evidence: int = Field(alias="evidence_count")


class RecommendationOut(Schema):
    id: str = Field(alias="recommendation.id")
    ref: str = Field(alias="recommendation.ref")
    title: str = Field(alias="recommendation.title")
    target_date: dt.date = Field(alias="recommendation.target_date")
    illustrative: bool = Field(alias="recommendation.illustrative")
    indicators: list[str] = Field(alias="recommendation.indicator_keys")
    state: StateOut
    actions: list[ActionOut]

    @staticmethod
    def resolve_indicators(view: sel.RecommendationView) -> list[str]:
        return list(view.recommendation.indicator_keys or [])


class PlanSummaryOut(Schema):
    key: str
    title: str
    inquiry: str
    counts: dict[str, int]


class PlanOut(Schema):
    key: str = Field(alias="plan.key")
    title: str = Field(alias="plan.title")
    inquiry: str = Field(alias="plan.inquiry")
    counts: dict[str, int]
    illustrative_note: str = Field(alias="plan.illustrative_note")
    recommendations: list[RecommendationOut]


class ImportIn(Schema):
    name: FileName = Field(description="file name; its extension says the format (.yaml, .yml or .csv)")
    content: PlanText = Field(description="the file's text (UTF-8)")
    reason: Reason = Field("", description="needed when re-importing moves target dates")


class ImportOut(Schema):
    key: str
    summary: str
    created: bool
    unchanged: bool


# A plan file that does not import is a problem+json 422 like any other, with every problem listed.
IMPORT_PROBLEM = {
    "description": "The request did not validate (`errors`), or the file did not import (`problems`)",
    "content": {
        PROBLEM: {
            "schema": {
                "allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {
                        "type": "object",
                        "properties": {
                            "problems": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "each problem in the file, as 'file:row:field: what is wrong'",
                            }
                        },
                    },
                ]
            }
        }
    },
}


class OverdueOut(Schema):
    plan: str
    action_id: str
    ref: str
    description: str
    owner_agency: str
    target_date: dt.date
    days_overdue: int


class MovedOut(Schema):
    plan: str
    what: str
    old_date: dt.date
    new_date: dt.date
    reason: str
    changed_by: str
    changed_at: dt.datetime


class PointOut(Schema):
    month: dt.date
    value: float | None
    numerator: float | None
    denominator: float | None
    partial: bool


class IndicatorOut(Schema):
    key: str
    name: str
    definition: str
    unit: str
    target: float | None
    direction: str
    on_target: bool | None
    points: list[PointOut]


class ProtectedIn(Schema):
    about: Literal["case", "service"]
    what_happened: RequiredText
    case_reference: Ref = ""
    agency_concerned: Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_.:-]*$")] = ""


class ProtectedOut(Schema):
    id: str
    raised_at: dt.datetime
    raised_by: Str150
    detail: str


@router.get("/plans", response=list[PlanSummaryOut], summary="Response plans with recommendations by status")
def plans(request: HttpRequest) -> list[PlanSummaryOut]:
    require(request, *VIEW)
    out = []
    for p in sel.plans():
        view = sel.plan_view(p)
        out.append(PlanSummaryOut(key=p.key, title=p.title, inquiry=p.inquiry, counts=view.counts))
    return out


@router.get("/plans/{key}", response=PlanOut, summary="A plan: recommendations, actions and their status")
def plan(request: HttpRequest, key: str = Id("the plan's key, e.g. rotherham-2014")) -> PlanOut:
    require(request, *VIEW)
    return PlanOut.from_orm(sel.plan_view(sel.get_plan(key)))


@router.post(
    "/plans",
    response={200: ImportOut, 201: ImportOut},
    summary="Import a plan from YAML or CSV text (all or nothing)",
    openapi_extra={"responses": {422: IMPORT_PROBLEM}},
)
def import_plan(request: HttpRequest, payload: ImportIn) -> Status[ImportOut] | HttpResponse:
    require(request, Cap.MANAGE_RECOMMENDATIONS)
    try:
        summary = services.do_import_plan(
            current_actor(request),
            content=payload.content.encode("utf-8"),
            name=payload.name,
            reason=payload.reason,
        )
    except PlanFileError as exc:
        return problem(request, 422, "The plan was not imported", problems=exc.problems)
    out = ImportOut(
        key=summary.plan.key, summary=summary.summary(), created=summary.created, unchanged=summary.unchanged
    )
    return Status(201 if summary.created else 200, out)


@router.get("/overdue", response=list[OverdueOut], summary="Overdue actions, most overdue first")
def overdue(request: HttpRequest) -> list[OverdueOut]:
    require(request, *VIEW)
    return [
        OverdueOut(
            plan=i.action.recommendation.plan.key,
            action_id=i.action.id,
            ref=i.action.ref,
            description=i.action.description,
            owner_agency=i.action.owner_agency_id,
            target_date=i.action.target_date,
            days_overdue=i.days_overdue,
        )
        for i in sel.overdue_actions()
    ]


@router.get("/moved-dates", response=list[MovedOut], summary="Every moved target date, with the reason")
def moved_dates(request: HttpRequest) -> list[MovedOut]:
    require(request, *VIEW)
    return [
        MovedOut(
            plan=m.plan.key,
            what=m.what,
            old_date=m.change.old_date,
            new_date=m.change.new_date,
            reason=m.change.reason,
            changed_by=m.change.changed_by,
            changed_at=m.change.changed_at,
        )
        for m in sel.moved_target_dates()
    ]


@router.get(
    "/indicators", response=list[IndicatorOut], summary="Live indicators, month by month, against targets"
)
def indicators(request: HttpRequest) -> list[IndicatorOut]:
    require(request, Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS)
    return [
        IndicatorOut(
            key=r.indicator.key,
            name=r.indicator.name,
            definition=r.indicator.definition,
            unit=r.indicator.unit,
            target=r.indicator.target,
            direction=r.indicator.direction,
            on_target=r.on_target,
            points=[
                PointOut(
                    month=p.start,
                    value=p.value,
                    numerator=p.numerator,
                    denominator=p.denominator,
                    partial=p.partial,
                )
                for p in r.points
            ],
        )
        for r in sel.indicator_results()
    ]


@router.post(
    "/protected-concerns",
    response={201: ProtectedOut},
    summary="Raise a protected concern about handling (goes to the independent reviewer only)",
)
def raise_protected(request: HttpRequest, payload: ProtectedIn) -> Status[ProtectedOut]:
    require(request, Cap.RAISE_PROTECTED_CONCERN)
    concern = services.do_raise_protected_concern(
        current_actor(request),
        about=payload.about,
        what_happened=payload.what_happened,
        case_reference=payload.case_reference,
        agency_concerned=payload.agency_concerned,
    )
    return Status(
        201,
        ProtectedOut(
            id=concern.id,
            raised_at=concern.raised_at,
            raised_by=current_user(request).username,
            detail="Sent to the independent reviewer only. Nobody can change or remove it.",
        ),
    )
