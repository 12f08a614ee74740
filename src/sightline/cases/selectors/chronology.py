"""The chronology: one timeline of a child across every agency, newest first.

Each line is drafted from a case-work row (``CASE_LINES``: one formatter per model, saying which lines
the row gives) or from an imported agency event that names the child, whether filed under one of
their records or under someone else's with the child among its ``others`` (``people.events``, the
reading the analysis counts from), then cites the ledger entry that wrote what it shows: who
recorded it, for which agency, at which index. The page, the API and ``export chronology`` all read
:func:`chronology_for`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sightline.access.models import Agency
from sightline.access.selectors import display_names
from sightline.cases.models import (
    Concern,
    ConcernPerson,
    InvestigationPerson,
    MissingEpisode,
    Placement,
    Plan,
    PlanReview,
    ReturnInterview,
    Screening,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
)
from sightline.cases.selectors.access_hooks import PERSON_OF, require_child_access
from sightline.cases.selectors.clock import start_of_day
from sightline.cases.selectors.episodes import return_interview_status
from sightline.core import labels
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.events import named_events
from sightline.people.models import SourceRecord
from sightline.people.selectors import person_group_ids

CASE_KINDS: dict[str, str] = {
    "concern": "Concern raised",
    "named_in_concern": "Named in a concern",
    "triage": "Triage decision",
    "screening": "Screening",
    "plan": "Plan",
    "plan_review": "Plan review",
    "missing": "Missing (whereabouts unknown)",
    "absent": "Absent (without authorisation)",
    "return_interview": "Return interview",
    "placement": "Placement",
    "investigation": "Investigation",
    "suspect_status": "Suspect status",
    "self_referral": "Came forward (self-referral)",
}

EXTRACT_KINDS: dict[str, str] = labels.EVENT_KINDS


def kind_label(kind: str) -> str:
    return CASE_KINDS.get(kind) or labels.kind_label(kind)


@dataclass(frozen=True)
class ChronologyEntry:
    """One line of a child's chronology.

    ``at`` orders the timeline (dates without a time sort at the start of their day, ``has_time`` says
    which). ``recorded_by``/``recorded_by_agency`` and ``ledger_index`` come from the ledger entry that
    wrote what the line shows; ``ledger_index`` is None only while that entry waits to be sequenced.
    """

    at: dt.datetime
    has_time: bool
    kind: str
    kind_label: str
    agency: str
    agency_name: str
    title: str
    detail: str
    source: str  # "case" or "extract"
    object_type: str
    object_id: str
    version: int
    recorded_by: str = ""
    recorded_by_agency: str = ""
    ledger_index: int | None = None
    # The agency's own reference (``agency:event_id``) and where it was received, for extract lines.
    reference: str = ""
    extract: str = ""
    row: int | None = None
    named_as: str = ""  # the child's role in an event filed under someone else's record
    recorded_by_name: str = ""  # the person's name, for pages (exports keep the username)
    recorded_by_agency_name: str = ""

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.at).date() if self.has_time else self.at.date()


@dataclass
class _Draft:
    """A line before it cites the ledger."""

    obj: Any  # the row the line is about
    at: dt.datetime
    has_time: bool
    kind: str
    agency: str
    title: str
    detail: str = ""
    source: str = "case"
    version: int | None = None  # which version's ledger entry to cite; default the row's creation
    field_set: str = ""  # or: the first version where this field became non-empty
    named_as: str = ""


def _at(obj: Any, at: dt.datetime, kind: str, agency: str, title: str, detail: str = "", **kw: Any) -> _Draft:
    """A line at a moment."""
    return _Draft(obj, at, True, kind, agency, title, detail, **kw)


def _on(obj: Any, day: dt.date, kind: str, agency: str, title: str, detail: str = "", **kw: Any) -> _Draft:
    """A line on a day (no time of day known)."""
    return _Draft(obj, start_of_day(day), False, kind, agency, title, detail, **kw)


# For apps registering lines (register_lines).
Line = _Draft
line_at, line_on = _at, _on


# --- one formatter per kind of case-work row -----------------------------------------------------


def _concern(c: Concern) -> list[_Draft]:
    where = f" at {c.place}" if c.place else ""
    title = f"Concern raised ({c.get_urgency_display().lower()}){where}"
    return [_at(c, c.occurred_at, "concern", c.agency_id, title, c.what_was_seen)]


def _named_in_concern(cp: ConcernPerson) -> list[_Draft]:
    title = f"Named as {cp.get_role_display().lower()} in concern {cp.concern_id}"
    return [_at(cp, cp.concern.occurred_at, "named_in_concern", cp.concern.agency_id, title)]


def _triage(t: TriageDecision) -> list[_Draft]:
    return [_at(t, t.decided_at, "triage", t.agency_id, f"Triage: {t.get_decision_display()}", t.reason)]


def _screening(s: Screening) -> list[_Draft]:
    band = s.band.replace("_", " ")
    if s.override_band:
        band += f" (overridden from {s.computed_band.replace('_', ' ')})"
    title = f"Screening: score {s.score}, {band}"
    return [_at(s, s.completed_at, "screening", s.agency_id, title, s.override_reason or s.notes)]


def _plan(p: Plan) -> list[_Draft]:
    lines = [_at(p, p.created_at, "plan", p.agency_id, f"Plan opened: {p.title}", p.summary)]
    if p.closed_at:
        closed = f"Plan closed: {p.title}"
        lines.append(_at(p, p.closed_at, "plan", p.agency_id, closed, p.close_reason, field_set="closed_at"))
    return lines


def _plan_review(r: PlanReview) -> list[_Draft]:
    return [_on(r, r.reviewed_on, "plan_review", r.agency_id, f"Plan reviewed: {r.plan.title}", r.summary)]


def _episode(e: MissingEpisode) -> list[_Draft]:
    missing = e.category == MissingEpisode.Category.MISSING
    kind, agency = ("missing" if missing else "absent"), e.reported_by_agency_id
    title = "Went missing" if missing else "Absent without authorisation"
    lines = [_at(e, e.started_at, kind, agency, title, e.notes)]
    if e.ended_at:
        found = f" (found at {e.where_found})" if e.where_found else ""
        lines.append(_at(e, e.ended_at, kind, agency, f"Returned{found}", field_set="ended_at"))
    return lines


def _return_interview(ri: ReturnInterview) -> list[_Draft]:
    state = return_interview_status(ri.episode).state
    timing = {"within_72h": "within 72 hours", "outside_72h": "later than 72 hours"}.get(state, "")
    agency = ri.offered_by_agency_id
    lines = [_at(ri, ri.offered_at, "return_interview", agency, f"Return interview offered {timing}".strip())]
    if ri.response != ReturnInterview.Response.PENDING:
        title = f"Return interview {ri.get_response_display().lower()}"
        when = ri.held_at or ri.offered_at
        lines.append(_at(ri, when, "return_interview", agency, title, ri.outcome, field_set="response"))
    return lines


def _placement(pl: Placement) -> list[_Draft]:
    area = "in area" if pl.in_area else "out of area"
    title = f"Placement started: {pl.get_placement_type_display()}, {area}"
    authority = f"Placing authority: {pl.placing_authority}"
    lines = [_on(pl, pl.started_on, "placement", pl.agency_id, title, authority)]
    if pl.ended_on:
        end = _on(
            pl, pl.ended_on, "placement", pl.agency_id, "Placement ended", pl.end_reason, field_set="ended_on"
        )
        lines.append(end)
    return lines


def _investigation_link(lk: InvestigationPerson) -> list[_Draft]:
    inv = lk.investigation
    title = f"Linked to {inv.operation_name} as {lk.get_role_display().lower()}"
    return [_on(lk, lk.linked_on, "investigation", inv.agency_id, title)]


def _suspect_status(st: SuspectStatus) -> list[_Draft]:
    bail = (
        f"; bail until {st.bail_end_on:%-d %B %Y}: {st.bail_conditions}"
        if st.status == SuspectStatus.Status.BAIL
        else ""
    )
    title = f"{st.get_status_display()} ({st.investigation.operation_name})"
    detail = f"{st.note}{bail}".strip("; ")
    return [_on(st, st.effective_on, "suspect_status", st.investigation.agency_id, title, detail)]


def _self_referral(sr: SelfReferral) -> list[_Draft]:
    title = "Came forward" + (f" ({sr.channel})" if sr.channel else "")
    return [_on(sr, sr.received_on, "self_referral", sr.agency_id, title, sr.summary)]


# Which lines each kind of case-work row gives.
CASE_LINES: dict[type[Any], Callable[[Any], list[_Draft]]] = {
    Concern: _concern,
    ConcernPerson: _named_in_concern,
    TriageDecision: _triage,
    Screening: _screening,
    Plan: _plan,
    PlanReview: _plan_review,
    MissingEpisode: _episode,
    ReturnInterview: _return_interview,
    Placement: _placement,
    InvestigationPerson: _investigation_link,
    SuspectStatus: _suspect_status,
    SelfReferral: _self_referral,
}
# The related row each formatter reads, fetched with the rows.
_READS: dict[type[Any], str] = {
    ConcernPerson: "concern",
    PlanReview: "plan",
    ReturnInterview: "episode",
    InvestigationPerson: "investigation",
    SuspectStatus: "investigation",
}


# Lines that apps above case work add from their ``ready()``: (model, path to the child, formatter).
_REGISTERED: list[tuple[type[Any], str, Callable[[Any], list[_Draft]]]] = []


def register_lines(
    model: type[Any], person_path: str, lines: Callable[[Any], list[_Draft]], kinds: dict[str, str]
) -> None:
    """Let an app put its rows about a child on the chronology: ``lines`` formats one row (with
    :func:`line_at` or :func:`line_on`), ``kinds`` labels the kinds it uses."""
    if all(m is not model for m, _path, _lines in _REGISTERED):
        _REGISTERED.append((model, person_path, lines))
    CASE_KINDS.update(kinds)


def _case_drafts(group: Sequence[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    sources = [(m, PERSON_OF[m], f) for m, f in CASE_LINES.items()] + _REGISTERED
    for model, path, lines in sources:
        rows = model.objects.filter(**{f"{path}__in": group})
        if model in _READS:
            rows = rows.select_related(_READS[model])
        for row in rows:
            drafts.extend(lines(row))
    return drafts


def _event_drafts(records: Sequence[SourceRecord]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for named in named_events(records):
        ev = named.event
        data = ev.data if isinstance(ev.data, dict) else {}
        place = labels.place_label(str(data.get("place") or ""))
        title = kind_label(ev.kind) + (f" at {place}" if place else "")
        if ev.ended_on:
            title += f" (until {ev.ended_on.day} {ev.ended_on:%B %Y})"
        role = "" if named.filed_under_them else named.role
        if role:
            title += f": named as {role}, filed under another person's record"
        summary = str(data.get("summary") or "")
        moment = _moment(data.get("occurred_on"))
        at, has_time = (moment, True) if moment else (start_of_day(ev.occurred_on), False)
        drafts.append(
            _Draft(
                ev,
                at,
                has_time,
                ev.kind,
                ev.agency_id,
                title,
                summary,
                source="extract",
                version=ev.version,
                named_as=role,
            )
        )
    return drafts


def _moment(raw: Any) -> dt.datetime | None:
    """The time an agency gave with an event's date (``2013-06-01T23:15:00``), if it gave one;
    without an offset it is local time."""
    text = str(raw or "").strip()
    if len(text) <= 10:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _ledger_refs(drafts: Sequence[_Draft]) -> dict[tuple[str, str, int], tuple[int, str, str]]:
    """(object type, id, version) -> (entry index, actor user, actor agency), for every version of every
    object shown, so each line can cite the entry that wrote it. Entries still queued are sequenced
    first, but only when a row's current version has none yet: taking the ledger's lock on every
    view made each chronology wait for the sequencer under load."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for dr in drafts:
        by_type[dr.obj.ledger_type()].add(dr.obj.pk)
    out = _entries_of(by_type)
    if any((dr.obj.ledger_type(), dr.obj.pk, dr.obj.version) not in out for dr in drafts):
        integrate()
        out = _entries_of(by_type)
    return out


def _entries_of(by_type: Mapping[str, set[str]]) -> dict[tuple[str, str, int], tuple[int, str, str]]:
    out: dict[tuple[str, str, int], tuple[int, str, str]] = {}
    for object_type, ids in by_type.items():
        id_list = sorted(ids)
        for i in range(0, len(id_list), 500):
            rows = Entry.objects.filter(
                object_type=object_type, object_id__in=id_list[i : i + 500], version__isnull=False
            )
            for oid, version, index, user, agency in rows.values_list(
                "object_id", "version", "index", "actor_user", "actor_agency"
            ):
                if version is not None:
                    out[(object_type, oid, version)] = (index, user, agency)
    return out


def _first_version_with(obj: Any, field_name: str) -> int | None:
    """The first version of ``obj`` in the ledger where ``field_name`` was set (e.g. an episode's end)."""
    attname = obj._meta.get_field(field_name).attname
    rows = Entry.objects.filter(
        object_type=obj.ledger_type(), object_id=obj.pk, version__isnull=False
    ).order_by("version")
    for version, raw in rows.values_list("version", "canonical"):
        data = json.loads(bytes(raw)).get("data") or {}
        if version is not None and data.get(attname) not in (None, "", "pending"):
            return int(version)
    return None


def chronology_for(person_id: str, *, agency: str = "", kind: str = "") -> list[ChronologyEntry]:
    """A child's timeline across every agency, newest first: case work, and every imported event that
    names a record linked to them (no access check; see :func:`chronology`)."""
    return _entries(_drafts_for(person_id), agency=agency, kind=kind)


def _drafts_for(person_id: str) -> list[_Draft]:
    group = person_group_ids(person_id)
    records = list(SourceRecord.objects.filter(person_id__in=group))
    return _case_drafts(group) + _event_drafts(records)


def record_chronology(record: SourceRecord) -> list[ChronologyEntry]:
    """The events naming one agency record not linked to anyone yet (no case work can be about it)."""
    return _entries(_event_drafts([record]))


def _entries(drafts: list[_Draft], *, agency: str = "", kind: str = "") -> list[ChronologyEntry]:
    if agency:
        drafts = [dr for dr in drafts if dr.agency == agency]
    if kind:
        drafts = [dr for dr in drafts if dr.kind == kind]
    refs = _ledger_refs(drafts)
    names = dict(Agency.objects.values_list("pk", "name"))
    staff = display_names({user for _i, user, _a in refs.values() if user})
    entries = []
    for dr in drafts:
        lt = dr.obj.ledger_type()
        version = (
            dr.version or (_first_version_with(dr.obj, dr.field_set) if dr.field_set else 1) or dr.obj.version
        )
        index, user, by_agency = refs.get((lt, dr.obj.pk, version), (None, "", ""))
        extract = dr.source == "extract"
        entries.append(
            ChronologyEntry(
                at=dr.at,
                has_time=dr.has_time,
                kind=dr.kind,
                kind_label=kind_label(dr.kind),
                agency=dr.agency,
                agency_name=names.get(dr.agency, dr.agency),
                title=dr.title,
                detail=dr.detail,
                source=dr.source,
                object_type=lt,
                object_id=dr.obj.pk,
                version=version,
                recorded_by=user,
                recorded_by_agency=by_agency,
                ledger_index=index,
                reference=f"{dr.obj.agency_id}:{dr.obj.event_id}" if extract else "",
                extract=dr.obj.extract.source_name if extract else "",
                row=dr.obj.row_number if extract else None,
                named_as=dr.named_as,
                recorded_by_name=staff.get(user, user),
                recorded_by_agency_name=names.get(by_agency, by_agency),
            )
        )
    entries.sort(key=lambda e: (e.at, e.ledger_index or 0), reverse=True)
    return entries


def chronology(user: Any, person_id: str, *, agency: str = "", kind: str = "") -> list[ChronologyEntry]:
    """The child's chronology after the need-to-know check; the read is ledgered."""
    root = require_child_access(user, person_id, "chronology")
    return chronology_for(root, agency=agency, kind=kind)


Choices = list[tuple[str, str]]


def chronology_filters(
    person_id: str, *, unfiltered: Sequence[ChronologyEntry] | None = None
) -> tuple[Choices, Choices]:
    """The agencies and kinds present in a child's chronology, as (value, label) pairs for filters.
    ``unfiltered``: the whole chronology, when the caller has it already."""
    if unfiltered is not None:
        pairs = [(e.agency, e.agency_name, e.kind, e.kind_label) for e in unfiltered]
    else:
        # From the drafts alone: who recorded each entry (a ledger lookup per entry) is not needed.
        names = dict(Agency.objects.values_list("pk", "name"))
        pairs = [
            (d.agency, names.get(d.agency, d.agency), d.kind, kind_label(d.kind))
            for d in _drafts_for(person_id)
        ]
    agencies = sorted({(a, name) for a, name, _k, _l in pairs}, key=lambda p: p[1])
    kinds = sorted({(k, label) for _a, _n, k, label in pairs}, key=lambda p: p[1])
    return agencies, kinds
