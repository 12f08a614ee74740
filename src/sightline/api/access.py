"""API for accounts and access: who am I, my activity, break-glass and its review, a person's access log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from sightline.access import selectors, services
from sightline.access.permissions import Cap, capabilities
from sightline.api.auth import current_user, require
from sightline.api.core import Pagination, paginate
from sightline.people import need_to_know
from sightline.people.services import do_break_glass

router = Router(tags=["access"])


class AccountOut(Schema):
    username: str
    name: str
    agency: str
    role: str
    capabilities: list[str]
    authenticated_by: str = Field(description="token or session")


class ActivityEntryOut(Schema):
    index: int
    time: dt.datetime
    actor_user: str
    actor_agency: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    version: int | None
    reason: str


# Identifiers are short codes like P-1A2B3C4D5E6F; free text may not hold NUL (PostgreSQL refuses it).
ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$"
TEXT = r"^[^\x00]*$"
NOTE = r"^[ \t\r\n]*[^ \t\r\n\x00][^\x00]*$"
# At least BREAK_GLASS_MIN_REASON (20) characters once trimmed, as the service requires.
# Spelt out rather than \s, which differs between regex engines.
REASON = r"^[ \t\r\n]*[^ \t\r\n\x00][^\x00]{18,}[^ \t\r\n\x00][ \t\r\n]*$"


class BreakGlassIn(Schema):
    person_id: str = Field(pattern=ID, description="The person's identifier")
    reason: str = Field(max_length=5000, pattern=REASON, description="Why (at least 20 characters)")


class BreakGlassOut(Schema):
    id: str
    username: str
    person_id: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_outcome: str
    review_note: str

    @staticmethod
    def resolve_username(obj: object) -> str:
        return obj.user.username  # type: ignore[attr-defined]

    @staticmethod
    def resolve_reviewed_by(obj: object) -> str | None:
        reviewer = obj.reviewed_by  # type: ignore[attr-defined]
        return reviewer.username if reviewer else None


class AppropriateReviewIn(Schema):
    outcome: Literal["appropriate"]
    note: str = Field("", max_length=5000, pattern=TEXT)


class ConcernReviewIn(Schema):
    outcome: Literal["concern"]
    note: str = Field(max_length=5000, pattern=NOTE, description="What concerns you (required)")


# A concern needs a note; saying so in the schema keeps clients and the service in step.
BreakGlassReviewIn = Annotated[AppropriateReviewIn | ConcernReviewIn, Field(discriminator="outcome")]


class PersonAccessOut(Schema):
    person_id: str
    allowed: bool
    basis: str
    reason: str


@router.get("/me", response=AccountOut, summary="The account the request acts as")
def me(request: HttpRequest) -> AccountOut:
    user = current_user(request)
    return AccountOut(
        username=user.username,
        name=user.get_full_name(),
        agency=user.agency_id or "",
        role=user.role,
        capabilities=[str(c) for c in capabilities(user.role)],
        authenticated_by=getattr(request, "sightline_auth", "session"),
    )


@router.get(
    "/me/activity",
    response=list[ActivityEntryOut],
    summary="Every ledger entry where I am the actor, newest first",
)
@paginate(Pagination)
def my_activity(request: HttpRequest) -> object:
    return selectors.my_activity(current_user(request))


@router.get(
    "/people/{person_id}/access",
    response=PersonAccessOut,
    summary="Whether I may open a person's record, and on what basis (reads nothing personal)",
)
def person_access(request: HttpRequest, person_id: str = Path(..., pattern=ID)) -> PersonAccessOut:
    d = need_to_know.person_access(current_user(request), person_id)
    return PersonAccessOut(person_id=person_id, allowed=d.allowed, basis=d.basis, reason=d.reason)


@router.post(
    "/break-glass", response={201: BreakGlassOut}, summary="Open a record outside my access, with a reason"
)
def break_glass(request: HttpRequest, payload: BreakGlassIn) -> Status[object]:
    user = require(request, Cap.BREAK_GLASS)
    return Status(201, do_break_glass(user, person_id=payload.person_id, reason=payload.reason))


@router.get(
    "/break-glass",
    response=list[BreakGlassOut],
    summary="Break-glass grants waiting for review, oldest first",
)
@paginate(Pagination)
def break_glass_queue(request: HttpRequest, reviewed: bool = False) -> object:
    require(request, Cap.REVIEW_BREAK_GLASS)
    return selectors.break_glass_queue(reviewed=reviewed)


@router.post("/break-glass/{grant_id}/review", response=BreakGlassOut, summary="Record the review of a grant")
def review_break_glass(
    request: HttpRequest, payload: BreakGlassReviewIn, grant_id: str = Path(..., pattern=ID)
) -> object:
    user = require(request, Cap.REVIEW_BREAK_GLASS)
    if selectors.break_glass_grant(grant_id).reviewed_at is not None:
        raise HttpError(409, "This access has already been reviewed")
    return services.do_review_break_glass(user, grant_id=grant_id, outcome=payload.outcome, note=payload.note)


@router.get(
    "/people/{person_id}/access-log",
    response=list[ActivityEntryOut],
    summary="Who saw or changed a person's record, newest first (independent reviewer)",
)
@paginate(Pagination)
def person_access_log(request: HttpRequest, person_id: str = Path(..., pattern=ID)) -> object:
    return need_to_know.person_access_log(current_user(request), person_id)
