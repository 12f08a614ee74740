"""Sharing decisions and section 47 workspaces: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import LongText, ObjectId, RequiredReason, Str150

Reason = Literal[
    "more_detrimental_to_child", "not_relevant", "consent_refused_override_not_met", "other", ""
]  # fmt: skip


class SharingDecisionOut(Schema):
    id: str
    person_id: str
    child_name: str
    agency: str = Field(description="the deciding agency's name")
    decided_by: str
    recipients: list[str] = Field(description="names of the agencies shared with, or asked by")
    what: str
    outcome: str = Field(description="shared or not_shared")
    reason_code: str
    reason: str
    decided_on: dt.date


class SharingDecisionIn(Schema):
    recipients: list[ObjectId] = Field(description="agency codes, e.g. police, health", min_length=1)
    what: LongText = Field(description="what was shared, or asked for")
    outcome: Literal["shared", "not_shared"]
    reason_code: Reason = Field("", description="required when not shared")
    reason: LongText = ""
    decided_on: dt.date | None = Field(None, description="today if left out")


class SharingReviewParams(Schema):
    outcome: Literal["shared", "not_shared", ""] = ""
    reason_code: Reason = ""
    agency: str = Field("", max_length=40, description="the deciding agency's code")


class MemberOut(Schema):
    id: str
    username: str
    agency_id: str
    discipline: str
    active: bool
    removed_reason: str


class TaskOut(Schema):
    id: str
    description: str
    assignee: str = Field(alias="assignee.username")
    due_on: dt.date
    done: bool
    done_at: dt.datetime | None


class JointDecisionOut(Schema):
    id: str
    decision: str
    outcome: str
    agreed_by: list[str]
    decided_on: dt.date
    recorded_by: str


class WorkspaceOut(Schema):
    # Read from ``sharing.selectors.WorkspaceView``.
    id: str = Field(alias="workspace.id")
    person_id: str = Field(alias="workspace.person_id")
    child_name: str = Field(alias="child.display_name")
    lead_agency_id: str = Field(alias="workspace.lead_agency_id")
    opened_by: str = Field(alias="workspace.opened_by")
    opened_on: dt.date = Field(alias="workspace.opened_on")
    summary: str = Field(alias="workspace.summary")
    status: str = Field(alias="workspace.status")
    members: list[MemberOut]
    former: list[MemberOut]
    tasks: list[TaskOut]
    decisions: list[JointDecisionOut]


class WorkspaceIn(Schema):
    summary: LongText = Field("", description="why the enquiry was opened")


class MemberIn(Schema):
    username: Str150
    discipline: Literal["education", "social_work", "health", "police", "other", ""] = ""


class MemberRemoveIn(Schema):
    reason: RequiredReason


class TaskIn(Schema):
    description: LongText = Field(min_length=1)
    assignee: Str150 = Field(description="username of a member")
    due_on: dt.date


class JointDecisionIn(Schema):
    decision: LongText = Field(min_length=1)
    outcome: Literal["threshold_met", "icpc", "child_in_need", "nfa", "other"]
    agreed_by: list[Str150] = Field(min_length=1, description="usernames of the members who agreed")
    decided_on: dt.date | None = None


class NhsHoldingOut(Schema):
    value: str
    agency: str
    source: str = Field(description="extract or manual")
    ref: str = Field(description="the extract and record, for one from an extract")


class NhsNumberOut(Schema):
    person_id: str
    numbers: list[NhsHoldingOut]
    absent_reason: str = Field(description="why there is none, when none is held and a reason is recorded")
    absent_note: str


class NhsNumberIn(Schema):
    nhs_number: Str150 = Field("", description="10 digits with a modulus-11 check digit")
    reason_code: Literal[
        "not_known_to_health", "not_yet_traced", "refused", "not_applicable_non_uk", "other", ""
    ] = Field("", description="why there is none, when no number is given")
    note: LongText = ""
