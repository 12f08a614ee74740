"""Who may see a child's case data, decided once for pages and the API.

* :func:`register_access_hooks` tells need to know which children each agency is involved with
  through case work, and which case-work objects belong to a person (their access history).
* :func:`require_child_access` / :func:`require_object_access` are the need-to-know check (ledgered)
  that web views and API endpoints make before any case-work read or write about a child.
* ``need_to_know.visible_among`` and :func:`ledger_list` are how lists across children show only the
  people the viewer may see, and ledger which ones they showed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, QuerySet, Value

from sightline.access.permissions import can
from sightline.access.services import actor_for
from sightline.cases.models import (
    Concern,
    ConcernPerson,
    InvestigationPerson,
    MissingEpisode,
    Placement,
    Plan,
    PlanAction,
    PlanReview,
    ReturnInterview,
    Screening,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
)
from sightline.core.errors import NotFound
from sightline.ledger.services import record_action
from sightline.people import need_to_know as access
from sightline.people.models import Person, PersonIdentifier, SourceRecord
from sightline.people.selectors import resolve_person_id

# The person each kind of case-work row is about (the path from the row to that person's id).
PERSON_OF: dict[type[Any], str] = {
    Concern: "person_id",
    TriageDecision: "concern__person_id",
    ConcernPerson: "person_id",
    Screening: "person_id",
    Plan: "person_id",
    PlanAction: "plan__person_id",
    PlanReview: "plan__person_id",
    MissingEpisode: "person_id",
    ReturnInterview: "episode__person_id",
    Placement: "person_id",
    InvestigationPerson: "person_id",
    SuspectStatus: "person_id",
    SelfReferral: "person_id",
}


def require_viewer_cap(user: Any, *caps: str) -> None:
    """Refuse unless the signed-in user's role holds one of ``caps``."""
    if not getattr(user, "is_authenticated", False) or not any(can(user.role, c) for c in caps):
        raise PermissionDenied("Your role cannot see this")


def ledger_list(user: Any, what: str, person_ids: Iterable[str], *, hidden: int = 0) -> None:
    """Ledger that a list showing these people was read (and how many items it showed only as a count
    or without details, being about people the user may not see)."""
    ids = sorted({p for p in person_ids if p})
    if ids:
        data: dict[str, Any] = {"people": ids}
        if hidden:
            data["hidden"] = hidden
        record_action(actor_for(user), "read_list", Person.ledger_type(), what, data=data, reason=what)


def require_child_access(user: Any, person_id: str, purpose: str) -> str:
    """Need-to-know check and ledgered read on the person who now stands for ``person_id`` (following
    manual merges). Returns that person's id. Raises NotFound or PermissionDenied."""
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound("No such person")
    root = resolve_person_id(person_id)
    access.require_person_access(user, root, purpose)
    return root


def require_object_access(user: Any, model: type[Any], object_id: str, purpose: str) -> str:
    """Need-to-know check on the child a case-work object is about (a plan, an action, an episode...).
    Returns the child's id; raises NotFound when there is no such object."""
    person_id = model.objects.filter(pk=object_id).values_list(PERSON_OF[model], flat=True).first()
    if person_id is None:
        raise NotFound(f"No such {model._meta.verbose_name}")
    return require_child_access(user, person_id, purpose)


# --- involvement: what gives an agency need to know ---------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One kind of row that involves an agency with a child: the model, the path to the agency and
    to the child, and any condition. Need to know asks it both ways from this one description."""

    model: Any
    agency: str
    person: str
    where: tuple[tuple[str, Any], ...] = ()

    def of_agency(self, agency: str) -> QuerySet[Any]:
        """The children the agency is involved with, and those they were merged into (one level)."""
        rows = self.model.objects.filter(**{self.agency: agency}, **dict(self.where)).values(self.person)
        return access.with_survivors(rows)

    def agencies_of(self, person_ids: list[str]) -> list[tuple[str, str]]:
        """(agency, child) for these children: rows about them, and about people merged into them."""
        rows = self.model.objects.filter(**dict(self.where))
        return list(access.survivors_by_person(rows, self.agency, self.person)(person_ids))


# Concerns and self-referrals are not here: raising one must never by itself open the child's
# record to the raiser's agency (docs/access.md, "Concerns about a child you cannot see").
INVOLVEMENT: dict[str, _Source] = {
    "cases.screening": _Source(Screening, "agency_id", "person_id"),
    "cases.plan": _Source(Plan, "agency_id", "person_id"),
    "cases.planaction": _Source(PlanAction, "owner_agency_id", "plan__person_id"),
    "cases.missingepisode": _Source(MissingEpisode, "reported_by_agency_id", "person_id"),
    "cases.returninterview": _Source(ReturnInterview, "offered_by_agency_id", "episode__person_id"),
    "cases.placement": _Source(Placement, "agency_id", "person_id"),
    "cases.investigation": _Source(
        InvestigationPerson, "investigation__agency_id", "person_id", (("active", True),)
    ),
    "people.merged": _Source(SourceRecord, "agency_id", "person_id", (("person__isnull", False),)),
    # People entered by hand: the agency that entered them, and agencies holding an identifier.
    "people.created": _Source(Person, "entered_by_agency_id", "pk"),
    "people.identifier": _Source(PersonIdentifier, "agency_id", "person_id", (("active", True),)),
}


def involvement_of(
    names: Sequence[str], person_ids: list[str], agency: str | None
) -> list[tuple[str, str, str]]:
    """(source, agency, child) for these children from the named sources, in one query: what each
    source's ``agencies_of`` says, with only ``agency``'s rows when one is given."""
    people = access.Survivors(person_ids)
    parts = []
    for name in names:
        s = INVOLVEMENT[name]
        # Asked from the people's side only: an agency's side can be most of a table.
        rows = s.model.objects.filter(**{f"{s.person}__any_of": people.asked}, **dict(s.where))
        parts.append(
            rows.order_by()
            .annotate(
                nk_source=Value(name, output_field=CharField()), nk_agency=F(s.agency), nk_person=F(s.person)
            )
            .values_list("nk_source", "nk_agency", "nk_person")
        )
    found = parts[0].union(*parts[1:]) if parts else []
    return sorted(
        {
            (name, agency_id, p)
            for name, agency_id, pid in found
            if agency is None or agency_id == agency
            for p in people.credited(pid)
        }
    )


def register_access_hooks() -> None:
    """Tell need to know which children each agency is involved with through case work, and which
    objects belong to a person for their access history. Called from ``CasesConfig.ready``."""
    for name, source in INVOLVEMENT.items():
        access.register_involvement(name, source.of_agency, by_person=source.agencies_of)
    access.register_involvement_batch(list(INVOLVEMENT), involvement_of)
    access.register_person_objects("cases", person_objects)


def person_objects(person_id: str) -> list[tuple[str, str]]:
    """(ledger type, id) of every case-work row about the person."""
    return [
        (model.ledger_type(), pk)
        for model, path in PERSON_OF.items()
        for pk in model.objects.filter(**{path: person_id}).values_list("pk", flat=True)
    ]
