"""Missing and absent episodes and return interviews: what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from sightline.api.people import DateTime, LongText, Str300


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
    disclosure: bool


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
    total: int = Field(description="recorded in Sightline plus missing or absent events in agency extracts")
    recorded: int = Field(description="episodes recorded in Sightline")
    missing_count: int
    absent_count: int
    repeat: bool
    last_90_days: int
    imported_missing_events: int = Field(
        description="missing or absent events agencies sent naming the child (as the analysis counts them)"
    )


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
    disclosure: bool = Field(False, description="the child disclosed harm in the interview (held_at needed)")
    version: int | None = Field(None, ge=1)
