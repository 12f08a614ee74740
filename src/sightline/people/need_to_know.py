"""Need to know: who may open a person's record, and the ledgered record of who did.

Every read of a person's record goes through :func:`require_person_access`, which decides on the
basis of the permission matrix, the user's agency's involvement with the person, or a break-glass
grant, and ledgers the read (or the refusal). Lists use :func:`visible_people`, which follows the
same rules. Grants themselves (opening and reviewing them) are ``sightline.access``'s; opening one on
a person is ``people.services.do_break_glass``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from sightline.access.models import Agency, BreakGlass, User
from sightline.access.permissions import Cap, can, require_cap
from sightline.access.selectors import active_break_glass, open_grants
from sightline.access.services import actor_for
from sightline.core.errors import NotFound
from sightline.core.lookups import AnyOfIds
from sightline.ledger.models import Entry
from sightline.ledger.services import record_action
from sightline.people.models import Person, SourceRecord

PERSON_TYPE = Person.ledger_type()

Basis = Literal["agency", "role", "break_glass", "none"]


class NeedToKnowDenied(PermissionDenied):
    """Refused by need to know. Pages offer break-glass when ``can_break_glass`` is true."""

    def __init__(self, reason: str, *, person_id: str, can_break_glass: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.person_id = person_id
        self.can_break_glass = can_break_glass


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    basis: Basis
    reason: str
    grant_id: str = ""


# --- involvement hook ----------------------------------------------------------------------------
# Other domains tell need to know which people an agency is involved with. Each function takes an
# agency id and returns a QuerySet with one column of person ids, e.g.
#   register_involvement("cases.plan", lambda agency: Plan.objects.filter(agency_id=agency)
#                        .values("person_id"))

InvolvementFn = Callable[[str], QuerySet[Any]]
# The same source asked the other way: (agency id, person id) for the given people, as ``fn`` would
# involve them. Lets "which agencies hold these people" be one query per source, not per agency.
ByPersonFn = Callable[[list[str]], Iterable[tuple[str, str]]]
_INVOLVEMENT: dict[str, InvolvementFn] = {}
_BY_PERSON: dict[str, ByPersonFn] = {}
# Several sources asked together in one query: (their names, person ids, agency or None for all)
# -> (source name, agency id, person id). A page asks every source; one query each was most of a
# search's database time.
BatchFn = Callable[[Sequence[str], list[str], str | None], Iterable[tuple[str, str, str]]]
_BATCHES: list[tuple[tuple[str, ...], BatchFn]] = []


def register_involvement(name: str, fn: InvolvementFn, *, by_person: ByPersonFn | None = None) -> None:
    """Add (or replace, by name) a source of agency involvement with people."""
    _INVOLVEMENT[name] = fn
    _BY_PERSON.pop(name, None)
    if by_person is not None:
        _BY_PERSON[name] = by_person
    # A source replaced alone is no longer the batch's to answer.
    _BATCHES[:] = [(tuple(n for n in names if n != name), b) for names, b in _BATCHES]


def register_involvement_batch(names: Sequence[str], fn: BatchFn) -> None:
    """Let ``fn`` answer these registered sources for many people in one query. It must say what
    each source says alone (``by_person``, or else from the agency's side)."""
    taken = set(names)
    _BATCHES[:] = [(tuple(n for n in ns if n not in taken), b) for ns, b in _BATCHES]
    _BATCHES.append((tuple(names), fn))


def _involvement(
    person_ids: list[str], agency: str | None, agencies: Sequence[str] = (), *, settle: bool = False
) -> set[tuple[str, str, str]]:
    """(source, agency, person) for these people from every source: batched sources together, the
    rest one by one. ``agency`` keeps that agency's; with None, sources that can only be asked from
    an agency's side are asked for each of ``agencies``. ``settle``: stop once every person has a
    source (whether, not which)."""
    found: set[tuple[str, str, str]] = set()
    done: set[str] = set()
    for name in _INVOLVEMENT:  # in order, so that the first sources can settle it
        if name in done:
            continue
        if settle and {p for _, _, p in found} >= set(person_ids):
            break
        batch = next(((ns, fn) for ns, fn in _BATCHES if name in ns), None)
        if batch is not None:
            live = [n for n in batch[0] if n in _INVOLVEMENT]
            found.update((str(n), str(a), str(p)) for n, a, p in batch[1](live, person_ids, agency))
            done.update(live)
            continue
        by_person = _BY_PERSON.get(name)
        if by_person is not None:
            found.update(
                (name, str(a), str(p)) for a, p in by_person(person_ids) if agency is None or a == agency
            )
            continue
        for one in [agency] if agency is not None else agencies:
            found.update((name, one, p) for p in _involved_among(name, one, person_ids))
    return found


def with_survivors(person_ids: QuerySet[Any]) -> QuerySet[Any]:
    """The people ``person_ids`` (a ``values`` query of person ids) and, one level of manual merge
    on, those a merged one was merged into: involvement follows a child to the surviving record."""
    merged = Person.objects.filter(pk__in=person_ids, status=Person.Status.MERGED).values("merged_into")
    return Person.objects.filter(Q(pk__in=person_ids) | Q(pk__in=merged)).values("pk")


class Survivors:
    """People asked about and those merged into them (one level): a row about a merged person counts
    for the one they were merged into, as :func:`with_survivors` decides from an agency's side."""

    def __init__(self, person_ids: list[str]) -> None:
        merged = Person.objects.filter(merged_into__any_of=AnyOfIds(person_ids), status=Person.Status.MERGED)
        self.into: dict[str, str] = dict(merged.values_list("pk", "merged_into"))
        self.wanted = set(person_ids)
        self.asked = AnyOfIds([*self.wanted, *self.into])  # whose rows to read

    def credited(self, person_id: str) -> list[str]:
        """Which of the people asked about a row about ``person_id`` counts for."""
        return [p for p in {person_id, self.into.get(person_id)} if p in self.wanted]


def survivors_by_person(rows: QuerySet[Any], agency: str, person: str) -> ByPersonFn:
    """The by-person form of a source that is ``with_survivors`` of ``rows`` (each naming an agency at
    path ``agency`` and a person at ``person``): (agency, person) for the given people."""

    def by_person(person_ids: list[str]) -> list[tuple[str, str]]:
        people = Survivors(person_ids)
        found = rows.filter(**{f"{person}__any_of": people.asked}).order_by()
        pairs = found.values_list(agency, person).distinct()
        return sorted({(str(a), p) for a, pid in pairs for p in people.credited(str(pid))})

    return by_person


def objects_about(person_of: Mapping[type[Any], str], person_id: str) -> list[tuple[str, str]]:
    """(ledger type, id) of every row of these models about the person; ``person_of`` maps each
    model to its path to the person."""
    return [
        (model.ledger_type(), pk)
        for model, path in person_of.items()
        for pk in model.objects.filter(**{path: person_id}).values_list("pk", flat=True)
    ]


def involvement_sources() -> dict[str, InvolvementFn]:
    return dict(_INVOLVEMENT)


def _source_records(agency: str) -> QuerySet[Any]:
    return SourceRecord.objects.filter(agency_id=agency, person__isnull=False).values("person_id")


def _records_by_person(person_ids: list[str]) -> list[tuple[str, str]]:
    rows = SourceRecord.objects.filter(person_id__any_of=AnyOfIds(person_ids)).order_by()
    return sorted(set(rows.values_list("agency_id", "person_id").distinct()))


register_involvement("people.sourcerecord", _source_records, by_person=_records_by_person)


def _column(qs: QuerySet[Any]) -> str:
    fields = list(qs.query.values_select) or list(qs.query.annotation_select)
    if len(fields) != 1:
        raise ValueError("an involvement queryset must select exactly one column of person ids")
    return str(fields[0])


def _involved_among(name: str, agency: str, person_ids: list[str]) -> set[str]:
    """Those of ``person_ids`` that source ``name`` involves ``agency`` with, asked from the people's
    side where the source can be: an agency's side (all its records, with their merge targets) can
    be too big for PostgreSQL to hash, and is then compared row by row."""
    by_person = _BY_PERSON.get(name)
    if by_person is not None:
        return {str(pid) for a, pid in by_person(person_ids) if a == agency}
    qs = _INVOLVEMENT[name](agency)
    column = _column(qs)
    return {str(p) for p in qs.filter(**{f"{column}__in": person_ids}).values_list(column, flat=True)}


def _agency_involved(agency: str, person_id: str) -> str:
    """The name of the first involvement source linking the agency to the person, or ''."""
    named = {n for n, _, _ in _involvement([person_id], agency, settle=True)}
    return next((name for name in _INVOLVEMENT if name in named), "")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


# --- the decision --------------------------------------------------------------------------------


def person_access(user: User | Any, person_id: str) -> AccessDecision:
    """Whether ``user`` may open ``person_id``'s record, and on what basis. Reads nothing personal."""
    if not _signed_in(user):
        return AccessDecision(False, "none", "You are not signed in")
    role = user.role
    if can(role, Cap.VIEW_ALL_PEOPLE):
        return AccessDecision(True, "role", "Your role can see every person's record")
    if can(role, Cap.VIEW_OWN_AGENCY_PEOPLE) and user.agency_id:
        source = _agency_involved(user.agency_id, person_id)
        if source:
            return AccessDecision(True, "agency", f"Your agency is involved with this person ({source})")
    if can(role, Cap.BREAK_GLASS):
        grant = active_break_glass(user, person_id)
        if grant is not None:
            return AccessDecision(
                True,
                "break_glass",
                f"You opened this record with break-glass until {grant.expires_at:%H:%M}",
                grant_id=grant.id,
            )
        return AccessDecision(
            False,
            "none",
            "Your agency has no involvement with this person. You can use break-glass with a reason.",
        )
    return AccessDecision(False, "none", "Your role cannot see people's records")


def require_person_access(user: User | Any, person_id: str, purpose: str) -> AccessDecision:
    """Check need to know and ledger the read. Raises NeedToKnowDenied (also ledgered) or NotFound."""
    decision = person_access(user, person_id)
    if not decision.allowed:
        if getattr(user, "is_authenticated", False):
            record_action(
                actor_for(user),
                "read_denied",
                PERSON_TYPE,
                person_id,
                data={"purpose": purpose, "refused": decision.reason},
                reason=purpose,
            )
        raise NeedToKnowDenied(
            decision.reason,
            person_id=person_id,
            can_break_glass=bool(getattr(user, "role", "")) and can(user.role, Cap.BREAK_GLASS),
        )
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound("No such person")
    record_action(
        actor_for(user),
        "read",
        PERSON_TYPE,
        person_id,
        data={"basis": decision.basis, "purpose": purpose, "break_glass": decision.grant_id or None},
        reason=purpose,
    )
    return decision


def visible_people(user: User | Any) -> QuerySet[Person]:
    """The people whose records ``user`` may open (for search and lists; opening still ledgers)."""
    if not _signed_in(user):
        return Person.objects.none()
    if can(user.role, Cap.VIEW_ALL_PEOPLE):
        return Person.objects.all()
    q = Q(pk__in=[])
    if can(user.role, Cap.VIEW_OWN_AGENCY_PEOPLE) and user.agency_id:
        for fn in _INVOLVEMENT.values():
            qs = fn(user.agency_id)
            q |= Q(pk__in=qs.values_list(_column(qs), flat=True))
    if can(user.role, Cap.BREAK_GLASS):
        q |= Q(pk__in=open_grants(user).values("person_id"))
    return Person.objects.filter(q)


def _opened_among(user: User | Any, person_ids: list[str]) -> set[str]:
    """Those of ``person_ids`` the user may open through their agency's involvement (if their role
    allows it) or a break-glass grant."""
    found: set[str] = set()
    agency: str = user.agency_id or ""
    if can(user.role, Cap.VIEW_OWN_AGENCY_PEOPLE) and agency:
        found |= {pid for _, _, pid in _involvement(person_ids, agency, settle=True)}
    if can(user.role, Cap.BREAK_GLASS):
        found.update(open_grants(user).filter(person_id__in=person_ids).values_list("person_id", flat=True))
    return found


def visible_among(user: User | Any, person_ids: Iterable[str | None]) -> set[str]:
    """Those of ``person_ids`` (blanks ignored) that ``user`` may open: :func:`visible_people`'s
    decision, with each source asked about these people only. Filtering ``visible_people`` by ids
    made PostgreSQL compare every candidate with every one of an agency's people (too many to hash:
    minutes a search at a million people)."""
    wanted = sorted({p for p in person_ids if p})
    if not wanted or not _signed_in(user):
        return set()
    if can(user.role, Cap.VIEW_ALL_PEOPLE):
        found = set(wanted)
    else:
        found = set().union(*(_opened_among(user, wanted[i : i + 1000]) for i in range(0, len(wanted), 1000)))
    return {str(p) for p in Person.objects.filter(pk__in=sorted(found)).values_list("pk", flat=True)}


# --- what may be said about someone outside access ------------------------------------------------


def involved_agencies(person_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The names of the agencies involved with each person, by the same sources as need to know.
    No check and no ledger entry: callers say it only through :func:`disclose_hidden_matches`."""
    wanted = set(person_ids)
    out: dict[str, set[str]] = {pid: set() for pid in wanted}
    if not wanted:
        return {}
    agency_names = dict(Agency.objects.filter(active=True).values_list("pk", "name"))
    for _, agency, pid in _involvement(sorted(wanted), None, list(agency_names)):
        if agency in agency_names and pid in out:
            out[pid].add(agency_names[agency])
    return {pid: tuple(sorted(names)) for pid, names in out.items()}


def disclose_hidden_matches(
    user: User | Any, likelihoods: Mapping[str, str], *, purpose: str
) -> dict[str, tuple[str, ...]]:
    """What a user may be told about people outside their access who may be the person they
    described: how likely each is to be them (given) and which agencies hold them, so that they
    know whom to ask. Never a name, date of birth or address. Each disclosure is ledgered against
    the person (``match_shown``), so their access log shows who was told what, and why."""
    # visible_among is person_access's decision for many people at once.
    allowed = visible_among(user, likelihoods)
    hidden = [pid for pid in likelihoods if pid not in allowed]
    agencies = involved_agencies(hidden)
    for pid in hidden:
        record_action(
            actor_for(user),
            "match_shown",
            PERSON_TYPE,
            pid,
            data={"likelihood": likelihoods[pid], "agencies": list(agencies[pid]), "purpose": purpose},
            reason=purpose,
        )
    return agencies


# --- who saw or changed a person's record ---------------------------------------------------------
# Other domains add the objects that belong to a person (concerns about them, screenings...), so that
# the reviewer's history of a person covers every change, not only the person row. Each function
# takes a person id and returns (object_type, object_id) pairs.
PersonObjectsFn = Callable[[str], Iterable[tuple[str, str]]]
_PERSON_OBJECTS: dict[str, PersonObjectsFn] = {}


def register_person_objects(name: str, fn: PersonObjectsFn) -> None:
    _PERSON_OBJECTS[name] = fn


def _ids_of(model: type[SourceRecord] | type[BreakGlass], person_id: str) -> list[tuple[str, str]]:
    lt = model.ledger_type()
    return [(lt, pk) for pk in model.objects.filter(person_id=person_id).values_list("pk", flat=True)]


register_person_objects("people.sourcerecord", lambda pid: _ids_of(SourceRecord, pid))
register_person_objects("access.breakglass", lambda pid: _ids_of(BreakGlass, pid))


def person_history(person_id: str) -> QuerySet[Entry]:
    """Every ledger entry about a person: reads, refusals, changes to the person and to every object
    registered as theirs. Newest first. No check and no ledger entry: for callers that already
    decided (exports); people see it through :func:`person_access_log`."""
    q = Q(object_type=PERSON_TYPE, object_id=person_id)
    by_type: dict[str, list[str]] = {}
    for fn in _PERSON_OBJECTS.values():
        for object_type, object_id in fn(person_id):
            by_type.setdefault(object_type, []).append(object_id)
    for object_type, ids in by_type.items():
        q |= Q(object_type=object_type, object_id__in=ids)
    return Entry.objects.filter(q).order_by("-index")


def person_access_log(viewer: User, person_id: str) -> QuerySet[Entry]:
    """Who saw or changed what about a person, and when, for the independent reviewer. The review
    itself is ledgered as a read of the person's access log."""
    actor = actor_for(viewer)
    require_cap(actor, Cap.VIEW_LEDGER)
    record_action(
        actor,
        "read_access_log",
        PERSON_TYPE,
        person_id,
        reason="independent review of who saw or changed the record",
    )
    return person_history(person_id)


def reads_under_grant(grant: BreakGlass) -> QuerySet[Entry]:
    """What the user read of the person while the grant was open (for the reviewer)."""
    return Entry.objects.filter(
        actor_user=grant.user.username,
        object_type=PERSON_TYPE,
        object_id=grant.person_id,
        time__gte=grant.granted_at,
        time__lte=grant.expires_at,
    ).order_by("index")
