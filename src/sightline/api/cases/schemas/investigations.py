"""Investigations, suspects' status and victims coming forward: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import Date, LongText, ObjectId, RequiredReason, RequiredStr120, Str60, Str150
from sightline.cases.models import InvestigationPerson
from sightline.cases.selectors import SuspectView

SuspectStatusChoice = Literal[
    "arrested", "released_under_investigation", "bail", "charged", "convicted", "no_further_action"
]


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
