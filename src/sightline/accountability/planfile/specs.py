"""What a plan file holds once read: plain specs, with where in the file each came from, and the error
that lists every problem found."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sightline.accountability.indicators import Definition

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
IMPORT_STATUSES = ("not_started", "in_progress")
EVENT_STATUSES = ("planned", "held", "cancelled")
MAX_BYTES = 5 * 1024 * 1024


class PlanFileError(ValueError):
    """The plan file has problems; ``problems`` lists each as ``file:row:field: reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ActionSpec:
    ref: str
    description: str
    owner_agency: str
    owner_name: str
    owner_user: str
    target_date: dt.date
    status: str
    where: str


@dataclass
class RecommendationSpec:
    ref: str
    title: str
    text: str
    target_date: dt.date
    indicators: list[str]
    illustrative: bool
    actions: list[ActionSpec]
    where: str


@dataclass
class FundingSpec:
    name: str
    agency: str
    financial_year: int
    amount: Decimal
    note: str
    where: str


@dataclass
class StaffingSpec:
    agency: str
    team: str
    year: int
    staff: Decimal
    note: str
    where: str


@dataclass
class EngagementSpec:
    title: str
    event_on: dt.date
    status: str
    location: str
    organised_by: str
    communities: list[str]
    attendees: int | None
    issues_raised: str
    notes: str
    where: str


@dataclass
class PlanSpec:
    key: str
    title: str
    inquiry: str = ""
    published_on: dt.date | None = None
    summary: str = ""
    illustrative_note: str = ""
    recommendations: list[RecommendationSpec] = field(default_factory=list)
    indicators: list[Definition] = field(default_factory=list)
    funding: list[FundingSpec] = field(default_factory=list)
    staffing: list[StaffingSpec] = field(default_factory=list)
    engagement: list[EngagementSpec] = field(default_factory=list)
