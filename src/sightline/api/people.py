"""API for people: search, read, create and correct by hand, merge and unmerge.

Endpoints only parse input and call the same access checks, services and selectors as the web pages
(``sightline.people.services`` / ``selectors`` / ``need_to_know``).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, StringConstraints

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.core import Pagination, paginate
from sightline.people import selectors, services
from sightline.people.models import Person, PersonIdentifier
from sightline.people.need_to_know import require_person_access

router = Router(tags=["people"])

# --- shared field types (also used by ``sightline.api.cases``) --------------------------------------

# Ids are letters, digits and a few separators; anything else cannot name an object.
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,40}$"
# Text never holds NUL (PostgreSQL cannot store it) or other C0 control characters but tab and newline.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


def Id(description: str = "") -> Any:
    return Path(..., pattern=ID_PATTERN, description=description)


ObjectId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


Str8 = Annotated[str, StringConstraints(max_length=8, pattern=TEXT_PATTERN)]
Str10 = Annotated[str, StringConstraints(max_length=10, pattern=TEXT_PATTERN)]
Str40 = Annotated[str, StringConstraints(max_length=40, pattern=TEXT_PATTERN)]
Str60 = Annotated[str, StringConstraints(max_length=60, pattern=TEXT_PATTERN)]
Str150 = Annotated[str, StringConstraints(max_length=150, pattern=TEXT_PATTERN)]
Str200 = Annotated[str, StringConstraints(max_length=200, pattern=TEXT_PATTERN)]
Str300 = Annotated[str, StringConstraints(max_length=300, pattern=TEXT_PATTERN)]
Str500 = Annotated[str, StringConstraints(max_length=500, pattern=TEXT_PATTERN)]
LongText = Annotated[str, StringConstraints(max_length=20000, pattern=TEXT_PATTERN)]
RequiredStr100 = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=TEXT_PATTERN)]
RequiredStr120 = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=TEXT_PATTERN)]
RequiredStr200 = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT_PATTERN)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=TEXT_PATTERN)]


def _in_range(value: Any) -> Any:
    if value is not None and not 1900 <= value.year <= 2100:
        raise ValueError("must be between the years 1900 and 2100")
    return value


Date = Annotated[dt.date, AfterValidator(_in_range)]
DateTime = Annotated[dt.datetime, AfterValidator(_in_range)]
Reason = Annotated[str, StringConstraints(max_length=5000, pattern=TEXT_PATTERN)]
RequiredReason = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=TEXT_PATTERN)]


# --- schemas ---------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: str
    version: int
    kind: str
    given_name: str
    family_name: str
    other_names: str
    date_of_birth: str = Field(description="YYYY-MM-DD, YYYY-MM, YYYY or blank")
    estimated_age: int | None
    sex: str
    ethnicity: str = Field(description="DfE code; recorded, never used in any score")
    address: str
    postcode: str
    status: str = Field(description="active, or merged into `merged_into`")
    merged_into: str
    created_by: str


class PersonIdentifierOut(Schema):
    id: str
    scheme: str
    value: str
    agency: str | None


class AgencyRecordOut(Schema):
    id: str
    agency: str
    record_id: str
    given_name: str
    family_name: str
    date_of_birth: str
    postcode: str
    match_probability: float | None


class PersonDetailOut(Schema):
    person: PersonOut
    merged_from: list[PersonOut]
    identifiers: list[PersonIdentifierOut]
    records: list[AgencyRecordOut]
    agencies: list[str]


class PersonIdentifierIn(Schema):
    scheme: Literal["nhs_number", "upn", "pnc_id", "agency_ref"]
    value: RequiredStr100


class PersonFieldsIn(Schema):
    given_name: Str200 = ""
    family_name: Str200 = ""
    other_names: Str500 = ""
    date_of_birth: Str10 = Field("", description="YYYY-MM-DD, YYYY-MM or YYYY")
    estimated_age: int | None = Field(None, ge=0, le=120)
    sex: Literal["", "F", "M", "U"] = ""
    ethnicity: Str8 = Field("", description="DfE ethnicity code, e.g. WBRI")
    address: Str500 = ""
    postcode: Str10 = ""


class PersonIn(PersonFieldsIn):
    kind: Literal["child", "adult", "unknown"] = "child"
    identifiers: list[PersonIdentifierIn] = Field(default_factory=list, max_length=20)
    reason: Reason = ""


class PersonPatch(Schema):
    kind: Literal["child", "adult", "unknown"] | None = None
    given_name: Str200 | None = None
    family_name: Str200 | None = None
    other_names: Str500 | None = None
    date_of_birth: Str10 | None = None
    estimated_age: int | None = Field(None, ge=0, le=120)
    sex: Literal["", "F", "M", "U"] | None = None
    ethnicity: Str8 | None = None
    address: Str500 | None = None
    postcode: Str10 | None = None
    reason: Reason = ""
    version: int | None = Field(None, ge=1, description="the version you read; 409 if it has moved on")


class PersonMergeIn(Schema):
    into: ObjectId = Field(description="the person that stays")
    reason: RequiredReason


class PersonUnmergeIn(Schema):
    reason: RequiredReason


class PersonSearchHitOut(Schema):
    person_id: str
    score: float
    reasons: list[str]
    restricted: bool = Field(description="you need break-glass to see this person; only the id is given")
    person: PersonOut | None
    likelihood: str = Field(
        description="how likely this is the person described, by the linkage model: likely, possible, "
        "unlikely (something typed differs), unknown (too little typed), or blank (identifier only)"
    )
    agencies: list[str] = Field(
        description="for a restricted person likely or possibly the one described: the agencies that "
        "hold them, to ask for what they know"
    )


class PersonSearchParams(Schema):
    q: Str200 = Field("", description="one box: name, date of birth, postcode or identifier")
    name: Str200 = ""
    date_of_birth: Str10 = ""
    postcode: Str10 = ""
    identifier: Str40 = ""
    kind: Literal["", "child", "adult", "unknown"] = ""


def identifier_out(i: PersonIdentifier) -> PersonIdentifierOut:
    return PersonIdentifierOut(id=i.id, scheme=i.scheme, value=i.value, agency=i.agency_id)


def detail_out(record: selectors.PersonRecord) -> PersonDetailOut:
    return PersonDetailOut(
        person=PersonOut.from_orm(record.person),
        merged_from=[PersonOut.from_orm(p) for p in record.merged_from],
        identifiers=[identifier_out(i) for i in record.identifiers],
        records=[
            AgencyRecordOut(
                id=r.id,
                agency=r.agency_id,
                record_id=r.record_id,
                given_name=r.given_name,
                family_name=r.family_name,
                date_of_birth=r.date_of_birth,
                postcode=r.postcode,
                match_probability=r.match_probability,
            )
            for r in record.records
        ],
        agencies=record.agencies,
    )


# --- endpoints -------------------------------------------------------------------------------------


@router.get(
    "",
    response=list[PersonSearchHitOut],
    summary="Search people by name, nickname, date of birth, postcode or identifier",
)
@paginate(Pagination)
def search(request: HttpRequest, params: Query[PersonSearchParams]) -> list[selectors.SearchHit]:
    """Tolerant of misspellings and nicknames, most likely first. People you may not see come back
    ``restricted``: their id, how likely they are the person described and, when likely or possible,
    the agencies that hold them (for break-glass or to ask). The search and what it showed are
    ledgered."""
    require(request, Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
    parsed = selectors.parse_search_text(params.q) if params.q else selectors.SearchQuery()
    query = selectors.SearchQuery(
        name=" ".join(p for p in (parsed.name, params.name) if p),
        date_of_birth=params.date_of_birth or parsed.date_of_birth,
        postcode=params.postcode or parsed.postcode,
        identifier=params.identifier or parsed.identifier,
        kind=params.kind,
    )
    if query.empty:
        return []
    return selectors.search_people(current_user(request), query, limit=200)


@router.post("", response={201: PersonDetailOut}, summary="Create a person by hand")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[PersonDetailOut]:
    fields = payload.dict(exclude={"kind", "identifiers", "reason"})
    person = services.do_create_person(
        current_actor(request),
        kind=payload.kind,
        identifiers=[(i.scheme, i.value) for i in payload.identifiers],
        reason=payload.reason,
        **fields,
    )
    # The creator has just typed all of this; no read to check or ledger.
    return Status(201, detail_out(selectors.person_record(person.id)))


@router.get(
    "/{person_id}", response=PersonDetailOut, summary="A person with their identifiers and agency records"
)
def get_person(request: HttpRequest, person_id: str = Id()) -> PersonDetailOut:
    return detail_out(selectors.get_person(current_user(request), person_id))


@router.patch("/{person_id}", response=PersonDetailOut, summary="Correct a person's details")
def update_person(request: HttpRequest, payload: PersonPatch, person_id: str = Id()) -> PersonDetailOut:
    user = current_user(request)
    require_person_access(user, person_id, "correct person's details")
    changes = payload.dict(exclude={"reason", "version"}, exclude_unset=True)
    services.do_update_person(
        current_actor(request),
        person_id=person_id,
        changes=changes,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return detail_out(selectors.person_record(person_id))


@router.post(
    "/{person_id}/identifiers",
    response={201: PersonIdentifierOut},
    summary="Add an identifier your agency holds",
)
def add_identifier(
    request: HttpRequest, payload: PersonIdentifierIn, person_id: str = Id()
) -> Status[PersonIdentifierOut]:
    require_person_access(current_user(request), person_id, "add identifier")
    ident = services.do_add_identifier(
        current_actor(request), person_id=person_id, scheme=payload.scheme, value=payload.value
    )
    return Status(201, identifier_out(ident))


@router.post(
    "/{person_id}/merge", response=PersonDetailOut, summary="Merge this person into another (reversible)"
)
def merge(request: HttpRequest, payload: PersonMergeIn, person_id: str = Id()) -> PersonDetailOut:
    user = require(request, Cap.MERGE_PEOPLE)
    for pid in (person_id, payload.into):
        if Person.objects.filter(pk=pid).exists():
            require_person_access(user, pid, "merge people")
    target = services.do_merge_people(
        current_actor(request), source_id=person_id, target_id=payload.into, reason=payload.reason
    )
    return detail_out(selectors.person_record(target.id))


@router.post("/{person_id}/unmerge", response=PersonDetailOut, summary="Undo a manual merge")
def unmerge(request: HttpRequest, payload: PersonUnmergeIn, person_id: str = Id()) -> PersonDetailOut:
    user = require(request, Cap.MERGE_PEOPLE)
    require_person_access(user, person_id, "unmerge people")
    person = services.do_unmerge_person(current_actor(request), person_id=person_id, reason=payload.reason)
    return detail_out(selectors.person_record(person.id))
