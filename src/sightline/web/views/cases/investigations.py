"""Investigation pages: the list with victims coming forward per week, open one, read it, link
victims and suspects, suspect status, and recording someone coming forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.cases.models import Investigation
from sightline.core.labels import with_article
from sightline.people import need_to_know as access
from sightline.people import selectors as people
from sightline.people.models import Person
from sightline.web.charts import Series, bar_chart
from sightline.web.forms import form_view
from sightline.web.forms_cases import InvestigationForm, LinkPersonForm, SelfReferralForm, SuspectStatusForm
from sightline.web.views.cases.common import actor, user_can

SELF_REFERRAL_WEEKS = 12


def self_referral_chart() -> Any:
    """Victims coming forward per week over the last 12 weeks (a count: no one is named)."""
    end = timezone.localdate()
    weeks = cases.self_referrals_per_week(end - dt.timedelta(weeks=SELF_REFERRAL_WEEKS - 1), end)
    return bar_chart(
        chart_id="self-referrals",
        title=f"Victims coming forward per week, last {SELF_REFERRAL_WEEKS} weeks",
        x_label="Week beginning",
        y_label="People",
        series=[Series("Came forward", [(week, count) for week, count in weeks])],
        x_format=lambda d: f"{d:%d %b}".lstrip("0"),
    )


def _investigation_url(investigation: Investigation) -> str:
    return reverse("web:investigation", kwargs={"investigation_id": investigation.id})


def _named_person(request: HttpRequest, text: str, purpose: str) -> str:
    """The Sightline ID typed; if it names someone, their name will show on the investigation, so the
    same need to know applies (checked, and ledgered, before anything is written)."""
    person_id = (text or "").strip().upper()
    if person_id and Person.objects.filter(pk=person_id).exists():
        access.require_person_access(request.user, people.resolve_person_id(person_id), purpose)
    return person_id


@cap_required(Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
def investigations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/cases/investigations.html",
        {
            "investigations": cases.investigations(request.user),
            "can_investigate": user_can(request, Cap.INVESTIGATE),
            "chart": self_referral_chart(),
        },
    )


@cap_required(Cap.INVESTIGATE)
def investigation_new(request: HttpRequest) -> HttpResponse:
    return form_view(
        request,
        InvestigationForm(request.POST or None),
        template="web/cases/investigation_new.html",
        # the form's fields are the service's arguments
        call=lambda cd: services.do_open_investigation(actor(request), **cd),
        success=_investigation_url,
        message=lambda inv: f"Investigation {inv.operation_name} opened.",
    )


@cap_required(Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
def investigation_detail(request: HttpRequest, investigation_id: str) -> HttpResponse:
    view = cases.get_investigation(request.user, investigation_id)
    return render(
        request,
        "web/cases/investigation.html",
        {
            "view": view,
            "investigation": view.investigation,
            "can_investigate": user_can(request, Cap.INVESTIGATE),
        },
    )


@cap_required(Cap.INVESTIGATE)
def investigation_link(request: HttpRequest, investigation_id: str) -> HttpResponse:
    investigation = cases.get_investigation(request.user, investigation_id).investigation
    form = LinkPersonForm(request.POST or None, initial={"role": request.GET.get("role", "")})
    person_id = ""
    if request.method == "POST" and form.is_valid():
        person_id = _named_person(request, form.cleaned_data["person"], "link to investigation")
    return form_view(
        request,
        form,
        template="web/cases/investigation_link.html",
        call=lambda cd: services.do_link_investigation_person(
            actor(request), investigation_id=investigation.id, person_id=person_id, role=cd["role"]
        ),
        success=lambda _: _investigation_url(investigation),
        message=lambda link: f"{link.person} linked as {with_article(link.get_role_display())}.",
        context={"investigation": investigation},
    )


@cap_required(Cap.INVESTIGATE)
def suspect_status(request: HttpRequest, investigation_id: str) -> HttpResponse:
    view = cases.get_investigation(request.user, investigation_id)
    suspects = [(s.link.person_id, str(s.link.person)) for s in view.suspects]
    form = SuspectStatusForm(
        request.POST or None, suspects=suspects, initial={"person": request.GET.get("person", "")}
    )
    return form_view(
        request,
        form,
        template="web/cases/suspect_status.html",
        call=lambda cd: services.do_record_suspect_status(
            actor(request),
            investigation_id=view.investigation.id,
            person_id=cd["person"],
            status=cd["status"],
            effective_on=cd["effective_on"],
            bail_conditions=cd.get("bail_conditions", ""),
            bail_end_on=cd.get("bail_end_on"),
            note=cd.get("note", ""),
        ),
        success=lambda _: _investigation_url(view.investigation),
        message=lambda status: f"{status.person}: {status.get_status_display().lower()} recorded.",
        context={"investigation": view.investigation, "has_suspects": bool(suspects)},
    )


@cap_required(Cap.INVESTIGATE)
def self_referral_new(request: HttpRequest, investigation_id: str) -> HttpResponse:
    """Record a victim coming forward to this investigation. They may not be known yet."""
    investigation = cases.get_investigation(request.user, investigation_id).investigation
    form = SelfReferralForm(request.POST or None)
    person_id = ""
    if request.method == "POST" and form.is_valid():
        person_id = _named_person(request, form.cleaned_data.get("person") or "", "self-referral")
    return form_view(
        request,
        form,
        template="web/cases/self_referral_new.html",
        call=lambda cd: services.do_record_self_referral(
            actor(request),
            received_on=cd["received_on"],
            person_id=person_id or None,
            investigation_id=investigation.id,
            channel=cd.get("channel", ""),
            summary=cd.get("summary", ""),
        ),
        success=lambda _: _investigation_url(investigation),
        message="Recorded: someone came forward.",
        context={"investigation": investigation},
    )
