"""Screening (the indicator set, screenings, re-screens): what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from sightline.api.cases.schemas.concerns import ScreeningIndicatorOut
from sightline.api.people import LongText, ObjectId, Reason, Str10, Str40
from sightline.cases import screening as tool


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
    due_at: dt.datetime | None = Field(description="this trigger's own deadline (SIGHTLINE_RESCREEN_HOURS)")


class RescreenOut(Schema):
    # Read from ``selectors.RescreenDue``; a child who is not due is :meth:`not_due`.
    person_id: str
    due: bool
    reassessment_due: bool
    last_screening_id: str | None = Field(alias="last_screening.id")
    next_due_on: dt.date | None = Field(alias="last_screening.next_due_on")
    due_at: dt.datetime | None = Field(description="screen again by: the reassessment date or sooner")
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
            due_at=None,
            reasons=[],
            triggers=[],
        )
