"""The chronology and task lists: what the API reads."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import Str40


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
    reference: str = Field(description="extract lines: the agency's own reference, agency:event_id")
    named_as: str = Field(
        description="the child's role when the event is filed under another person's record, else blank"
    )


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
