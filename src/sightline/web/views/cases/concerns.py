"""Concern and triage pages: raise a concern (about a known child or one Sightline does not know
yet), read and withdraw it, the triage queue, and the triage decision."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.cases.models import Concern, TriageDecision
from sightline.intelligence import selectors as intel
from sightline.ledger.services import Actor
from sightline.people.likely import LABELS
from sightline.people.matches import child_matches
from sightline.people.models import Person
from sightline.people.need_to_know import person_access
from sightline.people.selectors import SearchHit, resolve_person_id
from sightline.people.services import do_create_person
from sightline.web.forms import STALE, ReasonForm, form_view, submit_service
from sightline.web.forms_cases import ChildDetailsForm, ConcernForm, MatchForm, TriageForm
from sightline.web.forms_people import SearchForm
from sightline.web.views.cases.common import actor, child, user_can


@cap_required(Cap.RAISE_CONCERN)
def concern_start(request: HttpRequest) -> HttpResponse:
    """Raise a concern: first find the child, or give their details if Sightline does not know them."""
    return render(request, "web/cases/concern_start.html", {"form": SearchForm()})


def _others(form: ConcernForm, who: Actor, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The other people named, as (person id, role): a Sightline ID as given, a name as a new person."""
    out = []
    for i, (name_or_id, role) in enumerate(rows):
        if form.is_person_id(name_or_id):
            out.append((name_or_id.upper(), role))
            continue
        given, _, family = name_or_id.partition(" ")
        try:
            other = do_create_person(
                actor=who,
                kind=Person.Kind.UNKNOWN,
                given_name=given,
                family_name=family,
                reason="named in a concern",
            )
        except ValidationError as exc:
            raise ValidationError({f"others[{i}].person": exc.messages}) from None
        out.append((other.id, role))
    return out


def _subject(request: HttpRequest, person_id: str) -> tuple[Person | None, str]:
    """The child the concern is about, after the need-to-know check, or, for a child outside the
    user's access, only their id: such a concern is raised blind (docs/access.md)."""
    if not person_id:
        return None, ""
    root = resolve_person_id(person_id)
    if person_access(request.user, root).allowed:
        return child(request, root, "raise a concern"), ""
    if not Person.objects.filter(pk=root).exists():
        raise Http404("No such person")
    return None, root


@cap_required(Cap.RAISE_CONCERN)
def concern_new(request: HttpRequest, person_id: str = "") -> HttpResponse:
    """Raise a concern about a known child (``person_id``), about a child outside the user's access
    (blind: the hub triages it and the user still cannot open the record), or, with the child's
    details, about a child Sightline does not know yet (entering them makes the agency involved).

    Before a child is entered, the children Sightline may already know are offered (the linkage
    model's likely and possible matches): the user picks one, or says why this is someone else."""
    known, blind_id = _subject(request, person_id)
    data = request.POST if request.method == "POST" else None
    form = ConcernForm(data)
    new_child = known is None and not blind_id
    child_form = ChildDetailsForm(data, prefix="child", initial=_carried(request)) if new_child else None
    match_form: MatchForm | None = None
    matches: list[SearchHit] = []
    if data is not None and child_form is not None and child_form.is_valid():
        matches = child_matches(request.user, child_form.details(), purpose="raise a concern")
        shown_before = "match-offered" in data
        match_form = MatchForm(
            data if shown_before else None, prefix="match", offered=[h.person_id for h in matches]
        )
    # A child matched must be chosen, or ruled out with a reason, before anything is raised.
    answered = match_form is None or not matches or (match_form.is_bound and match_form.is_valid())
    if data is not None and form.is_valid() and (child_form is None or child_form.is_valid()) and answered:
        concern = _raise(request, form, child_form, match_form, known, blind_id)
        if concern is not None:
            messages.success(
                request,
                f"Concern {concern.id} raised. It is in the triage queue and is due to be triaged by "
                f"{concern.triage_due_at:%H:%M on %-d %B %Y}.",
            )
            return redirect("web:concern", concern_id=concern.id)
    return render(
        request,
        "web/cases/concern_new.html",
        {
            "form": form,
            "child_form": child_form,
            "match_form": match_form if matches else None,
            "matches": matches,
            "labels": LABELS,
            "child": known,
            "blind_id": blind_id,
            "hours": services.triage_hours(),
            "indicator_groups": [form["vulnerabilities"], form["moderate"], form["significant"]],
        },
    )


def _carried(request: HttpRequest) -> dict[str, Any]:
    """The child's details carried from a search that found no one (``?child-given_name=...``)."""
    names = ("given_name", "family_name", "postcode")
    out: dict[str, Any] = {n: request.GET[f"child-{n}"] for n in names if request.GET.get(f"child-{n}")}
    with contextlib.suppress(ValueError):  # none given, or not a whole date
        out["date_of_birth"] = dt.date.fromisoformat(request.GET.get("child-date_of_birth", ""))
    return out


def _raise(
    request: HttpRequest,
    form: ConcernForm,
    child_form: ChildDetailsForm | None,
    match_form: MatchForm | None,
    known: Person | None,
    blind_id: str,
) -> Concern | None:
    """Raise the concern in one transaction, entering the child first if they are new."""
    cd = form.cleaned_data
    who = actor(request)
    answered = match_form is not None and match_form.is_bound
    answer = match_form.cleaned_data if match_form is not None and answered else {}
    checked = match_form.checked() if match_form is not None and answered else []
    choice = answer.get("choice", "")

    def raise_it() -> Concern:
        subject = blind_id or (known.id if known else "") or (choice if choice != MatchForm.NEW else "")
        if not subject:
            assert child_form is not None
            subject = services.do_enter_child_for_concern(
                who,
                details=child_form.person_fields(),
                checked=checked,
                not_them_reason=answer.get("not_them_reason", ""),
            ).id
        return services.do_raise_concern(
            who,
            person_id=subject,
            what_was_seen=cd["what_was_seen"],
            occurred_at=cd["occurred_at"],
            urgency=cd["urgency"],
            place=cd.get("place", ""),
            postcode=cd.get("postcode", ""),
            indicators=cd["indicators"],
            others=_others(form, who, cd["others"]),
        )

    aliases = {**ConcernForm.service_aliases(), "match": "choice"}
    ok, concern = submit_service(
        form, raise_it, aliases, stale_message=STALE, others=(child_form, match_form)
    )
    return concern if ok else None


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def concern_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    detail = cases.get_concern(request.user, concern_id)
    return render(
        request,
        "web/cases/concern_receipt.html" if detail.receipt_only else "web/cases/concern.html",
        {"detail": detail, "concern": detail.concern, "can_triage": user_can(request, Cap.TRIAGE)},
    )


@cap_required(Cap.RAISE_CONCERN)
def concern_withdraw(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Withdraw a concern raised in error. It stays on record, with the reason."""
    detail = cases.get_concern(request.user, concern_id)
    concern = detail.concern
    return form_view(
        request,
        ReasonForm(request.POST or None, label="Why are you withdrawing this concern?"),
        template="web/cases/concern_withdraw.html",
        call=lambda cd: services.do_withdraw_concern(
            actor(request), concern_id=concern.id, reason=cd["reason"]
        ),
        success=lambda _: reverse("web:concern", kwargs={"concern_id": concern.id}),
        message="Concern withdrawn. It stays on the child's record with your reason.",
        context={"concern": concern, "child": None if detail.receipt_only else concern.person},
    )


@cap_required(Cap.TRIAGE, Cap.SEE_OVERDUE)
def triage_queue(request: HttpRequest) -> HttpResponse:
    items = cases.triage_queue(request.user)
    return render(
        request,
        "web/cases/triage_queue.html",
        {
            "items": items,
            "overdue": sum(1 for i in items if i.overdue),
            "can_triage": user_can(request, Cap.TRIAGE),
            "hours": services.triage_hours(),
        },
    )


@cap_required(Cap.TRIAGE)
def triage(request: HttpRequest, concern_id: str) -> HttpResponse:
    detail = cases.get_concern(request.user, concern_id)
    concern = detail.concern

    def next_page(decision: TriageDecision) -> str:
        # Screening straight away, for someone who screens; otherwise back to the queue.
        if decision.decision == TriageDecision.Decision.SCREENING and user_can(request, Cap.SCREEN):
            url = reverse("web:screening_new", kwargs={"person_id": concern.person_id})
            return f"{url}?concern={concern.id}"
        return reverse("web:triage_queue")

    def decide(cd: dict[str, Any]) -> TriageDecision:
        return services.do_triage_concern(
            actor(request),
            concern_id=concern.id,
            decision=cd["decision"],
            reason=cd.get("reason", ""),
            expected_version=cd.get("version"),
        )

    return form_view(
        request,
        TriageForm(request.POST or None, initial={"version": concern.version}),
        template="web/cases/triage.html",
        call=decide,
        success=next_page,
        message=lambda d: f"Triage decision recorded: {d.get_decision_display()}.",
        context={
            "detail": detail,
            "concern": concern,
            "intel": intel.person_intelligence(request.user, concern.person_id),
        },
    )
