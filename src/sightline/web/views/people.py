"""Finding people and reading a child's record: search, the record, the chronology and the ledger
entries behind it.

Views parse input and call selectors; every read of a person goes through a selector that checks need
to know and ledgers the read (``sightline.cases.selectors`` / ``sightline.people.need_to_know``). A
refusal raises ``NeedToKnowDenied``, whose 403 page offers break-glass.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.cases import screening as tool
from sightline.cases import selectors as cases
from sightline.intelligence import selectors as intel
from sightline.ledger.models import Entry
from sightline.ledger.services import Actor, integrate
from sightline.people import likely, nhs
from sightline.people import selectors as people
from sightline.people import services as people_services
from sightline.people.models import Person
from sightline.people.need_to_know import require_person_access
from sightline.sharing import selectors as sharing
from sightline.web.charts import Series, Threshold, line_chart
from sightline.web.forms import ReasonForm, form_view
from sightline.web.forms_people import ChronologyFilterForm, MergeForm, PersonEditForm, SearchForm

VIEW_PEOPLE = (Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
CHRONOLOGY_PREVIEW = 10


def _caps(user: Any) -> dict[str, bool]:
    """What the signed-in user's role can do, for showing or hiding buttons (the views check again)."""
    return {
        "raise": can(user.role, Cap.RAISE_CONCERN),
        "triage": can(user.role, Cap.TRIAGE),
        "screen": can(user.role, Cap.SCREEN),
        "manage": can(user.role, Cap.MANAGE_CASE),
        "investigate": can(user.role, Cap.INVESTIGATE),
        "break_glass": can(user.role, Cap.BREAK_GLASS),
        "edit": can(user.role, Cap.MANAGE_CASE) or can(user.role, Cap.MERGE_PEOPLE),
        "merge": can(user.role, Cap.MERGE_PEOPLE),
    }


# --- search --------------------------------------------------------------------------------------


@cap_required(*VIEW_PEOPLE)
def person_search(request: HttpRequest) -> HttpResponse:
    """Find a person by name, nickname, date of birth, postcode or identifier, tolerating misspellings.

    ``?for=concern`` (from "Raise a concern") makes each result lead to the concern form."""
    purpose = "concern" if request.GET.get("for") == "concern" else ""
    form = SearchForm(request.GET if _searched(request) else None)
    hits: list[people.SearchHit] | None = None
    rows: list[people.SearchHit] = []
    if form.is_bound and form.is_valid():
        hits = people.search_people(request.user, form.query())
        # People outside access who are neither likely nor possibly the one meant are only counted.
        rows = [h for h in hits if not h.restricted or h.likelihood not in QUIET]
    return render(
        request,
        "web/people/search.html",
        {
            "form": form,
            "hits": hits,
            "rows": rows,
            "quiet": {
                band.value: n
                for band in QUIET
                if (n := sum(1 for h in hits or [] if h.restricted and h.likelihood == band))
            },
            "labels": likely.LABELS,
            "purpose": purpose,
            "caps": _caps(request.user),
            "new_child": _new_child_query(form) if purpose else "",
        },
    )


QUIET = (likely.Likelihood.UNLIKELY, likely.Likelihood.UNKNOWN)


def _new_child_query(form: SearchForm) -> str:
    """What was searched for, carried to the form for a child Sightline does not know yet."""
    if not form.is_bound or not form.is_valid():
        return ""
    query = form.query()
    given, _, family = query.name.partition(" ")
    values = {
        "child-given_name": given,
        "child-family_name": family,
        "child-postcode": query.postcode,
        "child-date_of_birth": query.date_of_birth if len(query.date_of_birth) == 10 else "",
    }
    return urlencode({k: v for k, v in values.items() if v})


def _searched(request: HttpRequest) -> bool:
    return any(k in request.GET for k in ("name", "date_of_birth", "postcode", "identifier"))


# --- the child's record --------------------------------------------------------------------------


def score_chart(screenings: list[cases.ScreeningView], chart_id: str = "screening-scores") -> Any:
    """The screening score over time, with the indicator set's bands as reference lines."""
    if not screenings:
        return None
    indicator_set = tool.default_indicator_set()
    points = [(v.screening.completed_at.date(), v.screening.score) for v in reversed(screenings)]
    top = max(p[1] for p in points)
    return line_chart(
        chart_id=chart_id,
        title="Screening scores over time",
        x_label="Date screened",
        y_label="Score",
        series=[Series("Score", points)],
        thresholds=[Threshold(b.min, f"{b.label} from {b.min}") for b in indicator_set.bands if b.min > 0],
        y_max=max(top, indicator_set.bands[-1].min) + 4,
    )


@cap_required(*VIEW_PEOPLE)
def person(request: HttpRequest, person_id: str) -> HttpResponse:
    """The child's record: summary, open alerts, concerns, screenings and score chart, plans, episodes,
    placements, investigations, the people linked to the child, agency records, and the latest
    chronology."""
    record = cases.child_record(request.user, person_id)
    if record.person.person.id != person_id:
        return redirect("web:person", person_id=record.person.person.id)  # merged: show the survivor
    return render(
        request,
        "web/people/person.html",
        {
            "record": record,
            "person": record.person.person,
            "chart": score_chart(record.screenings),
            "latest_screening": record.screenings[0] if record.screenings else None,
            "chronology": record.chronology[:CHRONOLOGY_PREVIEW],
            "chronology_more": len(record.chronology) > CHRONOLOGY_PREVIEW,
            "intel": intel.person_intelligence(request.user, person_id),
            "caps": _caps(request.user),
            "bands": {b.key: b.label for b in tool.default_indicator_set().bands},
            "sharing": sharing.child_summary(record.person.person.id),
            "s47": sharing.child_workspaces(request.user, record.person.person.id),
            "nhs": nhs.holdings(people.person_group_ids(record.person.person.id)),
            "nhs_status": nhs.status_of(people.person_group_ids(record.person.person.id)),
        },
    )


@cap_required(*VIEW_PEOPLE)
def chronology(request: HttpRequest, person_id: str) -> HttpResponse:
    """The child's whole chronology across agencies, newest first, filtered by agency and kind.
    Printable: the print stylesheet leaves out the navigation and the filters."""
    agency = request.GET.get("agency", "")
    kind = request.GET.get("kind", "")
    entries = cases.chronology(request.user, person_id, agency=agency, kind=kind)
    root = people.resolve_person_id(person_id)
    agencies, kinds = cases.chronology_filters(root, unfiltered=None if agency or kind else entries)
    form = ChronologyFilterForm({"agency": agency, "kind": kind}, agencies=agencies, kinds=kinds)
    form.is_valid()  # only to show what was chosen; unknown values simply match nothing
    person_row = people.person_record(root).person
    return render(
        request,
        "web/people/chronology.html",
        {
            "person": person_row,
            "entries": entries,
            "form": form,
            "filtered": bool(agency or kind),
        },
    )


def _cited_by_chronology(person_id: str, index: int) -> bool:
    """Whether a line of the child's chronology cites this entry. Nothing else of the ledger is for
    this page: reads, refusals and break-glass grants on the child are the independent reviewer's
    (``/review/access``), and entry numbers run in order, so they must not be guessable here."""
    return index in {e.ledger_index for e in cases.chronology_for(person_id)}


@cap_required(*VIEW_PEOPLE)
def ledger_entry(request: HttpRequest, person_id: str, index: int) -> HttpResponse:
    """One ledger entry behind a line of the child's chronology: who recorded what, when, exactly as
    hashed into the ledger. Only entries the child's chronology cites are shown here."""
    cases.chronology(request.user, person_id)  # need to know, and the read is ledgered
    root = people.resolve_person_id(person_id)
    integrate()
    entry = Entry.objects.filter(index=index).first() if _cited_by_chronology(root, index) else None
    if entry is None:
        raise Http404("No such ledger entry in this record")
    body = json.loads(bytes(entry.canonical))
    return render(
        request,
        "web/people/ledger_entry.html",
        {
            "person": people.person_record(root).person,
            "entry": entry,
            "body": body,
            "data_json": json.dumps(body.get("data"), indent=2, sort_keys=True, ensure_ascii=False),
            "leaf_hash": bytes(entry.leaf_hash).hex(),
            "back": reverse("web:chronology", kwargs={"person_id": root}),
        },
    )


# --- corrections by hand: details, merge, unmerge ------------------------------------------------


def _me(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _record_url(person: Person) -> str:
    return reverse("web:person", kwargs={"person_id": person.id})


@cap_required(Cap.MANAGE_CASE, Cap.MERGE_PEOPLE)
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    row = people.get_person(request.user, person_id, purpose="correct details").person
    initial = {f: getattr(row, f) or "" for f in PersonEditForm.FIELDS} | {"version": row.version}
    form = PersonEditForm(request.POST or None, initial=initial)
    return form_view(
        request,
        form,
        template="web/people/person_edit.html",
        call=lambda cd: people_services.do_update_person(
            _me(request),
            person_id=row.id,
            changes=form.changes(),
            reason=cd["reason"],
            expected_version=cd.get("version"),
        ),
        success=_record_url,
        message="Details updated.",
        context={"child": row},
    )


@cap_required(Cap.MERGE_PEOPLE)
def person_merge(request: HttpRequest, person_id: str) -> HttpResponse:
    row = people.get_person(request.user, person_id, purpose="merge").person
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Outside the write's transaction, so that a refusal is ledgered.
        target = form.target_id()
        if Person.objects.filter(pk=target).exists():
            require_person_access(request.user, target, "merge")
    return form_view(
        request,
        form,
        template="web/people/person_merge.html",
        call=lambda cd: people_services.do_merge_people(
            _me(request), source_id=row.id, target_id=form.target_id(), reason=cd["reason"]
        ),
        success=lambda target: reverse(
            "web:person", kwargs={"person_id": people.resolve_person_id(target.id)}
        ),
        message=f"{row.id} was merged into this record. You can undo it from here.",
        context={"child": row},
    )


@cap_required(Cap.MERGE_PEOPLE)
def person_unmerge(request: HttpRequest, person_id: str) -> HttpResponse:
    row = people.get_person(request.user, person_id, purpose="unmerge").person
    if row.status != row.Status.MERGED:
        raise Http404("This record is not merged")
    return form_view(
        request,
        ReasonForm(request.POST or None, label="Why?"),
        template="web/people/person_unmerge.html",
        call=lambda cd: people_services.do_unmerge_person(
            _me(request), person_id=row.id, reason=cd["reason"]
        ),
        success=_record_url,
        message=f"{row.id} stands alone again.",
        context={"child": row},
    )
