"""Reads of people: merge resolution, the person record, and search tolerant of misspellings.

Search matches a name against every name held for a person (their own, their aliases, and the names on
each agency's linked records), order-free so swapped given and family names still match, using:
exact tokens, nicknames (the ``nicknames`` package plus UK variants, via ``linkage.names``),
phonetic keys (metaphone, NYSIIS), and Jaro-Winkler / trigram similarity for typing errors. Dates of
birth match fully, partly, or with day and month swapped; postcodes fully or by sector/district;
identifiers exactly. Candidates come from the database's indexes (``search_index``: pg_trgm on
PostgreSQL, key tables everywhere); only they are scored, in Python, the same on both databases.

Reads of personal data go through ``sightline.people.need_to_know`` (need to know, ledgered).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jellyfish
from django.db import connection
from django.db.models import Q

from sightline.access.services import actor_for
from sightline.core.memo import memoised
from sightline.ledger.services import record_action
from sightline.people import likely, search_index
from sightline.people.linkage.names import canonical_forms, metaphone, name_tokens, nysiis
from sightline.people.models import Person, PersonIdentifier, SourceRecord
from sightline.people.need_to_know import (
    disclose_hidden_matches,
    require_person_access,
    visible_among,
)
from sightline.people.services import normalise_identifier

# --- merges --------------------------------------------------------------------------------------


def resolve_person_id(person_id: str) -> str:
    """Follow ``merged_into`` to the person that stands for this one now (loop-safe)."""
    return resolve_person_ids([person_id])[person_id]


def resolve_person_ids(person_ids: Iterable[str]) -> dict[str, str]:
    """:func:`resolve_person_id` of each, with one query per step along the merge chains, not per person."""
    starts = set(person_ids)  # may be a generator: read once
    step: dict[str, str | None] = {}  # person -> the person they were merged into, if any
    frontier = set(starts)
    while frontier:
        rows = Person.objects.filter(pk__in=frontier).values_list("pk", "status", "merged_into")
        found = {pk: into if status == Person.Status.MERGED and into else None for pk, status, into in rows}
        for pk in frontier:
            step[pk] = found.get(pk)
        frontier = {into for into in found.values() if into and into not in step}
    out = {}
    for start in starts:
        seen: set[str] = set()
        current = start
        while (into := step.get(current)) and current not in seen:
            seen.add(current)
            current = into
        out[start] = current
    return out


def person_group_ids(person_id: str) -> list[str]:
    """The person and everyone merged into them, directly or through others (their ids, this one first)."""
    return list(memoised(("person_group", person_id), lambda: person_groups([person_id])[person_id]))


def person_groups(person_ids: Iterable[str]) -> dict[str, list[str]]:
    """:func:`person_group_ids` of each, one query per level of merges for all of them. For people none of
    whom was merged into another (each resolved by :func:`resolve_person_ids`, say)."""
    out = {pid: [pid] for pid in person_ids}
    owner = {pid: pid for pid in out}
    frontier = list(out)
    while frontier:
        merged = Person.objects.filter(merged_into__in=frontier, status=Person.Status.MERGED)
        frontier = []
        for pk, into in merged.values_list("pk", "merged_into").order_by("pk"):
            if pk not in owner:
                owner[pk] = owner[into]
                out[owner[into]].append(pk)
                frontier.append(pk)
    return out


def linked_records(person_id: str) -> list[SourceRecord]:
    """Every agency record linked to the person or to anyone merged into them. No access check: callers
    must already hold access (e.g. from ``person_record``)."""
    return list(
        SourceRecord.objects.filter(person_id__in=person_group_ids(person_id))
        .select_related("agency")
        .order_by("agency_id", "record_id")
    )


@dataclass
class PersonRecord:
    """A person as shown to a user who may see them."""

    person: Person
    merged_from: list[Person] = field(default_factory=list)
    identifiers: list[PersonIdentifier] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)

    @property
    def agencies(self) -> list[str]:
        return sorted(
            {r.agency_id for r in self.records} | {i.agency_id for i in self.identifiers if i.agency_id}
        )

    @property
    def agency_names(self) -> list[str]:
        """The agencies that know the person, by name ("Children's social care", not its code)."""
        names = {r.agency_id: r.agency.name for r in self.records}
        names.update({i.agency.pk: i.agency.name for i in self.identifiers if i.agency is not None})
        return sorted(names.values())


def person_record(person_id: str) -> PersonRecord:
    """The person with their merged-in records, identifiers and agency records. No access check: use
    :func:`get_person` for anything shown to a user."""
    person = Person.objects.get(pk=person_id)
    group = person_group_ids(person.id)
    return PersonRecord(
        person=person,
        merged_from=list(Person.objects.filter(pk__in=group[1:])),
        identifiers=list(
            PersonIdentifier.objects.filter(person_id__in=group, active=True)
            .select_related("agency")
            .order_by("scheme", "value")
        ),
        records=linked_records(person.id),
    )


def get_person(user: Any, person_id: str, *, purpose: str = "view person") -> PersonRecord:
    """The person record after the need-to-know check; the read is ledgered. Raises NeedToKnowDenied
    or NotFound (from ``need_to_know.require_person_access``)."""
    require_person_access(user, person_id, purpose)
    return person_record(person_id)


# --- search --------------------------------------------------------------------------------------

_DATE_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DATE_UK = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_POSTCODE_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$", re.I)
_POSTCODE_OUT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$", re.I)
_NHS_SPACED = re.compile(r"\b\d{3}\s\d{3}\s\d{4}\b")
_IDENTIFIER = re.compile(r"^(?=.*\d)[A-Z0-9/-]{4,}$", re.I)


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked for. Any combination; empty fields are ignored."""

    name: str = ""
    date_of_birth: str = ""
    postcode: str = ""
    identifier: str = ""
    kind: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.name.strip()
            or self.date_of_birth.strip()
            or self.postcode.strip()
            or self.identifier.strip()
        )


@dataclass(frozen=True)
class SearchHit:
    """One person found. ``restricted`` hits carry only the id: the user needs break-glass to see more.

    ``blind_score`` is the score without what the user could not have known about someone outside
    their access: the agreement of the name they typed (or the exact person id), never of a date of
    birth, postcode or identifier. None: nothing they typed about the person's name matched.

    ``likelihood`` is how likely the person is to be the one described, by the linkage model
    (``people.likely.Likelihood``; blank when only an identifier was typed). ``agencies``: for a
    restricted hit likely or possibly the one described, the agencies that hold them."""

    person_id: str
    score: float
    reasons: tuple[str, ...]
    restricted: bool = False
    person: Person | None = None
    blind_score: float | None = None
    likelihood: str = ""
    agencies: tuple[str, ...] = ()


def parse_search_text(text: str) -> SearchQuery:
    """Split one search box into name, date of birth, postcode and identifier parts."""
    name: list[str] = []
    dob = postcode = identifier = ""
    nhs = _NHS_SPACED.search(text)
    if nhs:  # NHS numbers are often written 3-3-4 with spaces
        identifier = re.sub(r"\s", "", nhs.group(0))
        text = text[: nhs.start()] + " " + text[nhs.end() :]
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i].strip(",;")
        pair = f"{word}{words[i + 1]}" if i + 1 < len(words) else ""
        if not dob and (
            (_DATE_ISO.match(word) and len(word) >= 4 and word[:4].isdigit()) or _DATE_UK.match(word)
        ):
            dob = normalise_date(word)
        elif not postcode and pair and _POSTCODE_OUT.match(word) and _POSTCODE_FULL.match(pair):
            postcode = pair.upper()
            i += 1
        elif not postcode and _POSTCODE_FULL.match(word) and not word.isdigit():
            postcode = word.upper()
        elif not identifier and _IDENTIFIER.match(word):
            identifier = word
        else:
            name.append(word)
        i += 1
    return SearchQuery(name=" ".join(name), date_of_birth=dob, postcode=postcode, identifier=identifier)


def normalise_date(value: str) -> str:
    """``14/03/2000`` -> ``2000-03-14``; ``2000-3`` -> ``2000-03``; anything else is returned stripped."""
    value = value.strip()
    uk = _DATE_UK.match(value)
    if uk:
        return f"{uk.group(3)}-{int(uk.group(2)):02d}-{int(uk.group(1)):02d}"
    iso = _DATE_ISO.match(value)
    if iso:
        parts = [iso.group(1)] + [f"{int(p):02d}" for p in iso.groups()[1:] if p]
        return "-".join(parts)
    return value


def _postcode_key(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _trigrams(token: str) -> set[str]:
    padded = f"  {token} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    """Share of trigrams in common, as PostgreSQL's pg_trgm computes it."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def token_similarity(query: str, candidate: str) -> tuple[float, str]:
    """How well one query token matches one name token, and why."""
    if query == candidate:
        return 1.0, "exact"
    if len(query) >= 2 and set(canonical_forms(query)) & set(canonical_forms(candidate)):
        return 0.9, "nickname"
    if len(query) >= 3 and len(candidate) >= 3:
        if metaphone(query) == metaphone(candidate) or nysiis(query) == nysiis(candidate):
            return 0.85, "sounds alike"
        similarity = max(
            jellyfish.jaro_winkler_similarity(query, candidate), trigram_similarity(query, candidate)
        )
        if similarity >= 0.85 or (len(query) >= 5 and jellyfish.levenshtein_distance(query, candidate) <= 1):
            return 0.8 * max(similarity, 0.85), "similar spelling"
    if len(query) >= 2 and candidate.startswith(query) and len(query) * 2 >= len(candidate):
        return 0.7, "starts with"
    return 0.0, ""


def name_score(query_tokens: Sequence[str], candidate_tokens: Iterable[str]) -> tuple[float, tuple[str, ...]]:
    """Mean best match of each query token; 0 unless (almost) every query token matches something."""
    pool = set(candidate_tokens)
    if not query_tokens or not pool:
        return 0.0, ()
    total = 0.0
    matched = 0
    reasons: list[str] = []
    for q in query_tokens:
        best, why, hit = 0.0, "", ""
        for c in pool:
            s, w = token_similarity(q, c)
            if s > best:
                best, why, hit = s, w, c
        if best > 0:
            matched += 1
            total += best
            reasons.append(f"{q}: {why} ({hit})" if why != "exact" else f"{q}: exact")
    needed = len(query_tokens) if len(query_tokens) <= 2 else len(query_tokens) - 1
    if matched < needed:
        return 0.0, ()
    return total / len(query_tokens), tuple(reasons)


def dob_score(query: str, candidate: str) -> tuple[float, str]:
    """Full, partial or day/month-swapped date of birth agreement."""
    if not query or not candidate:
        return 0.0, ""
    q, c = query.split("-"), candidate.split("-")
    if q == c:
        return 1.0, "date of birth"
    shared = min(len(q), len(c))
    if q[:shared] == c[:shared]:
        return 0.8, "date of birth (partly known)"
    if len(q) == 3 and len(c) == 3 and q[0] == c[0] and q[1] == c[2] and q[2] == c[1]:
        return 0.7, "date of birth with day and month swapped"
    if q[0] == c[0]:
        return 0.2, "year of birth"
    return 0.0, ""


def postcode_score(query: str, candidate: str) -> tuple[float, str]:
    q, c = _postcode_key(query), _postcode_key(candidate)
    if not q or not c:
        return 0.0, ""
    if q == c:
        return 1.0, "postcode"
    q_out, c_out = q[:-3] if len(q) > 4 else q, c[:-3]
    if len(q) > 4 and q[:-2] == c[:-2]:
        return 0.7, "postcode sector"
    if q_out == c_out:
        return 0.5, "postcode district"
    return 0.0, ""


@dataclass(slots=True)
class _Candidate:
    person_id: str
    tokens: set[str] = field(default_factory=set)
    dobs: set[str] = field(default_factory=set)
    postcodes: set[str] = field(default_factory=set)
    identifier_hit: str = ""


def _name_matches(tokens: Sequence[str]) -> dict[str, set[str]]:
    """person id -> the name tokens they hold that match some query token, found through the search
    index (``search_index``): each query token's candidate tokens, scored here, then their postings.
    People matching too few query tokens are left out, as ``name_score`` would score them 0."""
    matching = [
        {c for c in search_index.candidate_tokens(q) if token_similarity(q, c)[0] > 0}
        for q in dict.fromkeys(tokens)
    ]
    needed = len(tokens) if len(tokens) <= 2 else len(tokens) - 1
    return search_index.people_matching(matching, min(needed, len(matching)))


def _candidates(query: SearchQuery, tokens: Sequence[str]) -> dict[str, _Candidate]:
    """Candidate people with what is known of their names (the tokens that matched), dates of birth
    and postcodes, found through the search index rather than by reading every name."""
    found: dict[str, _Candidate] = {}

    def cand(pid: str) -> _Candidate:
        return found.setdefault(pid, _Candidate(pid))

    if tokens:
        for pid, names in _name_matches(tokens).items():
            cand(pid).tokens |= names
    else:
        terms = []
        if query.date_of_birth[:4].isdigit():
            terms.append(f"#y{query.date_of_birth[:4]}")
        if query.postcode:
            terms.append(f"#p{search_index.postcode_district(query.postcode)}")
        for pid, _term in search_index.people_with(terms):
            cand(pid)
    if query.identifier:
        for pid, label in _identifier_matches(query.identifier):
            cand(pid).identifier_hit = label
    if found and (query.date_of_birth or query.postcode):
        ids = sorted(found)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for pid, dob, pc in (
                Person.objects.filter(pk__in=chunk).order_by().values_list("pk", "date_of_birth", "postcode")
            ):
                found[pid].dobs.add(dob)
                found[pid].postcodes.add(pc)
            for pid, dob, pc in SourceRecord.objects.filter(person_id__in=chunk).values_list(
                "person_id", "date_of_birth", "postcode"
            ):
                found[pid].dobs.add(dob)
                found[pid].postcodes.add(pc)
    return found


def _ids_where(
    person_ids: Iterable[str], condition: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """(id, merged_into) of those of ``person_ids`` that meet an SQL ``condition``, in large chunks
    of plain SQL (a queryset per chunk costs more to build than to run)."""
    ids = sorted(set(person_ids))
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for i in range(0, len(ids), 2000):
            chunk = ids[i : i + 2000]
            cur.execute(
                f"SELECT id, merged_into FROM people_person WHERE {condition} "
                f"AND id IN ({', '.join(['%s'] * len(chunk))})",
                [*params, *chunk],
            )
            out += cur.fetchall()
    return out


def _merged_into(person_ids: Iterable[str]) -> dict[str, str]:
    """For those of ``person_ids`` merged into someone: the person that stands for them now."""
    merged = _ids_where(person_ids, "status = %s", [Person.Status.MERGED.value])
    return {str(pid): resolve_person_id(str(pid)) for pid, _into in merged}


def _identifier_matches(raw: str) -> list[tuple[str, str]]:
    """(person id, what matched) for an exact identifier: person id, hand-entered ids, agency record ids,
    NHS number, UPN or PNC id on imported records."""
    value = normalise_identifier(raw)
    out: list[tuple[str, str]] = []
    if Person.objects.filter(pk=raw.strip().upper()).exists():
        out.append((raw.strip().upper(), "person id"))
    for pid, scheme in PersonIdentifier.objects.filter(value=value, active=True).values_list(
        "person_id", "scheme"
    ):
        out.append((pid, PersonIdentifier.Scheme(scheme).label))
    spaced_nhs = f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 10 and value.isdigit() else value
    record_q = Q(record_id__iexact=raw.strip())
    for key in ("nhs_number", "upn", "pnc_id"):
        record_q |= Q(**{f"data__{key}": value}) | Q(**{f"data__{key}": spaced_nhs})
    for pid, agency, record_id in SourceRecord.objects.filter(record_q, person__isnull=False).values_list(
        "person_id", "agency_id", "record_id"
    ):
        out.append((pid, f"{agency} record {record_id}"))
    return out


def rank_people(query: SearchQuery, *, limit: int | None = 50) -> list[SearchHit]:
    """Rank people for a query, best first, merged people folded into the person they were merged into.
    No access check and no ledger entry: use :func:`search_people` for anything shown to a user."""
    if query.empty:
        return []
    dob = normalise_date(query.date_of_birth) if query.date_of_birth else ""
    query = dataclasses.replace(query, date_of_birth=dob)
    tokens = name_tokens(query.name)
    if tokens and not dob and not query.postcode and not query.identifier:
        return _rank_by_name(query, tokens, limit)
    scored: dict[str, tuple[float, tuple[str, ...]]] = {}
    blind: dict[str, float] = {}
    candidates = _candidates(query, tokens)
    merged = _merged_into(candidates)
    # People holding the same matching tokens score the same: score each set of tokens once.
    names: dict[frozenset[str], tuple[float, tuple[str, ...]]] = {}
    for c in candidates.values():
        parts: list[tuple[float, float]] = []
        reasons: list[str] = []
        blind_score: float | None = 0.99 if c.identifier_hit == "person id" else None
        if c.identifier_hit:
            reasons.append(f"identifier: {c.identifier_hit}")
        if tokens:
            held = frozenset(c.tokens)
            known = names.get(held)
            if known is None:
                known = names[held] = name_score(tokens, held)
            s, matched = known
            if s == 0 and not c.identifier_hit:
                continue
            parts.append((0.6, s))
            reasons.extend(matched)
            if s > 0:
                blind_score = max(blind_score or 0.0, s)
        if dob:
            s, why = max((dob_score(dob, d) for d in c.dobs if d), default=(0.0, ""))
            if s == 0 and not tokens and not c.identifier_hit:
                continue
            parts.append((0.25, s))
            if why:
                reasons.append(why)
        if query.postcode:
            s, why = max((postcode_score(query.postcode, p) for p in c.postcodes if p), default=(0.0, ""))
            if s == 0 and not tokens and not dob and not c.identifier_hit:
                continue
            parts.append((0.15, s))
            if why:
                reasons.append(why)
        score = sum(w * s for w, s in parts) / sum(w for w, _ in parts) if parts else 0.0
        if c.identifier_hit:
            score = max(score, 0.99)
        if score <= 0:
            continue
        pid = merged.get(c.person_id, c.person_id)
        if pid != c.person_id:
            reasons.append(f"via {c.person_id}, merged into {pid}")
        if pid not in scored or scored[pid][0] < score:
            scored[pid] = (round(score, 4), tuple(reasons))
        if blind_score is not None:
            blind[pid] = max(blind.get(pid, 0.0), round(blind_score, 4))
    return _ranked(query, scored, blind, limit)


def _rank_by_name(query: SearchQuery, tokens: Sequence[str], limit: int | None) -> list[SearchHit]:
    """:func:`rank_people` for a name alone (the usual search, and the one with most candidates): the
    same scores and reasons, computed once for each set of matching tokens, not once a person."""
    scored: dict[str, tuple[float, tuple[str, ...]]] = {}
    blind: dict[str, float] = {}
    held_by = _name_matches(tokens)
    merged = _merged_into(held_by)
    names: dict[frozenset[str], tuple[float, tuple[str, ...]]] = {}
    for found, held in held_by.items():
        key = frozenset(held)
        known = names.get(key)
        if known is None:
            s, matched = name_score(tokens, key)
            known = names[key] = (round(0.6 * s / 0.6, 4), matched)  # as rank_people weighs it
        score, reasons = known
        if score <= 0:
            continue
        pid = merged.get(found, found)
        if pid != found:
            reasons = (*reasons, f"via {found}, merged into {pid}")
        if pid not in scored or scored[pid][0] < score:
            scored[pid] = (score, reasons)
        blind[pid] = max(blind.get(pid, 0.0), score)
    return _ranked(query, scored, blind, limit)


def _ranked(
    query: SearchQuery,
    scored: dict[str, tuple[float, tuple[str, ...]]],
    blind: dict[str, float],
    limit: int | None,
) -> list[SearchHit]:
    if query.kind:
        allowed = {str(pid) for pid, _into in _ids_where(scored, "kind = %s", [query.kind])}
        scored = {k: v for k, v in scored.items() if k in allowed}
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return [
        SearchHit(person_id=pid, score=s, reasons=why, blind_score=blind.get(pid)) for pid, (s, why) in ranked
    ]


def _visible_hits(user: Any, hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """The best ``limit`` hits as the user may see them. A hit's shown score is its score if the user
    may see the person, else its blind score: never more than the larger of the two. So hits are
    checked best bound first, a chunk at a time, until no later one can reach the results."""
    if limit <= 0:
        return []
    bound = sorted(hits, key=lambda h: (-max(h.score, h.blind_score or 0.0), h.person_id))
    out: list[SearchHit] = []
    for i in range(0, len(bound), 200):
        chunk = bound[i : i + 200]
        if len(out) >= limit and max(chunk[0].score, chunk[0].blind_score or 0.0) < out[limit - 1].score:
            break
        people = Person.objects.in_bulk(sorted(visible_among(user, [h.person_id for h in chunk])))
        out += [
            SearchHit(h.person_id, h.score, h.reasons, restricted=False, person=people[h.person_id])
            if h.person_id in people
            else SearchHit(h.person_id, h.blind_score or 0.0, (), restricted=True)
            for h in chunk
            if h.person_id in people or h.blind_score is not None
        ]
        out = sorted(out, key=lambda h: (-h.score, h.person_id))[: max(limit, 0)]
    return out


def search_people(user: Any, query: SearchQuery, *, limit: int = 50) -> list[SearchHit]:
    """Search as a user, most likely first. People they may not see come back ``restricted``, and only
    when the name typed matches: with their id, a banded ``likelihood`` of being the one described
    (the linkage model, over everything typed) and, when likely or possible, the agencies that hold
    them, so the user knows whom to ask. Never a name, date of birth or address. The search, the
    ids and bands it returned, and each hidden person described are ledgered."""
    out = _visible_hits(user, rank_people(query, limit=None), max(limit, LIKELIHOOD_CANDIDATES))
    out = with_likelihoods(
        user,
        out,
        likely.Details.from_search(
            query.name, normalise_date(query.date_of_birth), query.postcode, query.identifier
        ),
        purpose="search",
        limit=limit,
    )
    record_action(
        actor_for(user),
        "search",
        Person.ledger_type(),
        "search",
        data={
            "query": {
                "name": query.name,
                "date_of_birth": query.date_of_birth,
                "postcode": query.postcode,
                "identifier": query.identifier,
                "kind": query.kind,
            },
            "shown": [h.person_id for h in out if not h.restricted],
            "restricted": [h.person_id for h in out if h.restricted],
            "likelihood": {h.person_id: h.likelihood for h in out if h.likelihood},
        },
    )
    return out


# The best-ranked people the linkage model scores for one search (about 0.1 s: linkage/replay.py).
LIKELIHOOD_CANDIDATES = 100


def with_likelihoods(
    user: Any, hits: Sequence[SearchHit], readings: Sequence[likely.Details], *, purpose: str, limit: int
) -> list[SearchHit]:
    """The first ``limit`` hits, most likely to be the person described first, with their likelihood
    and, for restricted hits likely or possibly them, the agencies that hold them (ledgered against
    each by ``need_to_know.disclose_hidden_matches``). Order unchanged when nothing comparable was
    typed."""
    scored = likely.score_people(readings, [h.person_id for h in hits])
    if not scored:
        return list(hits)[:limit]

    def order(h: SearchHit) -> tuple[int, float, str]:
        rank = likely.Likelihood(h.likelihood).rank if h.likelihood else len(likely.Likelihood)
        return rank, -h.score, h.person_id

    banded = [
        dataclasses.replace(h, likelihood=scored[h.person_id].likelihood.value)
        if h.person_id in scored
        else h
        for h in hits
    ]
    banded = sorted(banded, key=order)[:limit]
    shown = {
        h.person_id: h.likelihood for h in banded if h.restricted and h.likelihood in likely.WORTH_SHOWING
    }
    agencies = disclose_hidden_matches(user, shown, purpose=purpose) if shown else {}
    return [dataclasses.replace(h, agencies=agencies.get(h.person_id, ())) for h in banded]
