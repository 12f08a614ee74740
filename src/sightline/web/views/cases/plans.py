"""Plan pages: open a plan for a child, read it, add and update its actions, review it, close it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.models import Agency
from sightline.access.permissions import Cap
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.cases.models import Plan
from sightline.web.forms import ReasonForm, form_view
from sightline.web.forms_cases import ActionUpdateForm, PlanActionForm, PlanForm, PlanReviewForm
from sightline.web.views.cases.common import actor, child, user_can


def _plan_url(plan_id: str) -> str:
    return reverse("web:plan", kwargs={"plan_id": plan_id})


def _agencies() -> list[tuple[str, str]]:
    return list(Agency.objects.filter(active=True).order_by("name").values_list("pk", "name"))


@cap_required(Cap.MANAGE_CASE)
def plan_new(request: HttpRequest, person_id: str) -> HttpResponse:
    person = child(request, person_id, "open a plan")
    return form_view(
        request,
        PlanForm(request.POST or None),
        template="web/cases/plan_new.html",
        call=lambda cd: services.do_create_plan(
            actor(request),
            person_id=person.id,
            title=cd["title"],
            summary=cd.get("summary", ""),
            review_due_on=cd["review_due_on"],
        ),
        success=lambda plan: _plan_url(plan.id),
        message=lambda plan: f"Plan opened: {plan.title}. Add its actions.",
        context={"child": person},
    )


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    view = cases.get_plan(request.user, plan_id)
    return render(
        request,
        "web/cases/plan.html",
        {
            "view": view,
            "plan": view.plan,
            "child": view.plan.person,
            "can_manage": user_can(request, Cap.MANAGE_CASE),
        },
    )


def _plan_form(
    request: HttpRequest,
    plan: Plan,
    form: Form,
    *,
    template: str,
    call: Callable[[dict[str, Any]], Any],
    message: str,
    **context: Any,
) -> HttpResponse:
    """A form about a plan: done, back to the plan with ``message``."""
    return form_view(
        request,
        form,
        template=template,
        call=call,
        success=lambda _: _plan_url(plan.id),
        message=message,
        context={"plan": plan, "child": plan.person, **context},
    )


@cap_required(Cap.MANAGE_CASE)
def action_new(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = cases.get_plan(request.user, plan_id).plan
    user: Any = request.user
    form = PlanActionForm(
        request.POST or None, agencies=_agencies(), initial={"owner_agency": user.agency_id}
    )
    return _plan_form(
        request,
        plan,
        form,
        template="web/cases/action_new.html",
        call=lambda cd: services.do_add_plan_action(
            actor(request),
            plan_id=plan.id,
            description=cd["description"],
            owner_agency=cd["owner_agency"],
            owner_user=cd.get("owner_user", ""),
            due_on=cd["due_on"],
        ),
        message="Action added to the plan.",
    )


@cap_required(Cap.MANAGE_CASE)
def action_update(request: HttpRequest, action_id: str) -> HttpResponse:
    action, view = cases.get_action(request.user, action_id)  # need to know, ledgered
    initial = {"status": action.status, "note": action.note, "version": action.version}
    return _plan_form(
        request,
        view.plan,
        ActionUpdateForm(request.POST or None, initial=initial),
        template="web/cases/action_update.html",
        call=lambda cd: services.do_update_plan_action(
            actor(request),
            action_id=action.id,
            status=cd["status"],
            note=cd.get("note", ""),
            reason=cd.get("reason", ""),
            expected_version=cd.get("version"),
        ),
        message="Action updated.",
        action=action,
    )


@cap_required(Cap.MANAGE_CASE)
def plan_review(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = cases.get_plan(request.user, plan_id).plan
    return _plan_form(
        request,
        plan,
        PlanReviewForm(request.POST or None),
        template="web/cases/plan_review.html",
        call=lambda cd: services.do_review_plan(
            actor(request), plan_id=plan.id, summary=cd["summary"], next_review_on=cd["next_review_on"]
        ),
        message="Plan review recorded.",
    )


@cap_required(Cap.MANAGE_CASE)
def plan_close(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = cases.get_plan(request.user, plan_id).plan
    return _plan_form(
        request,
        plan,
        ReasonForm(request.POST or None, label="Why is the plan closing?"),
        template="web/cases/plan_close.html",
        call=lambda cd: services.do_close_plan(actor(request), plan_id=plan.id, reason=cd["reason"]),
        message="Plan closed.",
    )
