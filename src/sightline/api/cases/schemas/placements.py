"""Placements: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import Date, RequiredStr120, RequiredText, Str10, Str200

PlacementType = Literal[
    "foster", "family_friends", "childrens_home", "semi_independent", "residential_school", "secure",
    "with_parents", "adoption", "other",
]  # fmt: skip


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
