"""Plans, their actions and reviews: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import (
    Date,
    LongText,
    ObjectId,
    Reason,
    RequiredReason,
    RequiredStr200,
    RequiredText,
    Str150,
)


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
