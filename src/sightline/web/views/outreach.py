"""Outreach pages: assign outreach from an alert, the team's outreach list, one outreach with its
attempts and decisions, recording an attempt, and the decision after a decline. What the viewer may
see and do is decided by ``sightline.outreach.selectors`` and enforced by its services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.outreach import selectors, services
from sightline.outreach.models import Assignment
from sightline.web.forms import form_view
from sightline.web.forms_outreach import AssignForm, AttemptForm, DecisionForm

PER_PAGE = 50
STATUS_TAGS: dict[str, str] = {
    Assignment.Status.OPEN: "govuk-tag--blue",
    Assignment.Status.DECISION_NEEDED: "govuk-tag--yellow",
    Assignment.Status.CLOSED: "govuk-tag--grey",
}


def _url(assignment_id: str) -> str:
    return reverse("web:outreach", kwargs={"assignment_id": assignment_id})


def _actor(request: HttpRequest) -> Any:
    return actor_for(request.user)  # type: ignore[arg-type]


@cap_required(Cap.ASSIGN_OUTREACH)
def assign(request: HttpRequest, alert_id: str) -> HttpResponse:
    """From an alert about a child at risk: choose the team (and a worker) to reach the child."""
    ctx = selectors.assign_context(request.user, alert_id)  # need to know on the child, ledgered
    back = reverse("web:alert", kwargs={"alert_id": alert_id})
    page = {
        "alert": ctx.alert,
        "child": ctx.child,
        "open": ctx.open,
        "problem": ctx.problem,
        "back_url": back,
    }
    if ctx.problem:
        return render(request, "web/outreach/assign.html", {"form": None, **page})
    return form_view(
        request,
        AssignForm(request.POST or None),
        template="web/outreach/assign.html",
        call=lambda cd: services.do_assign_outreach(
            _actor(request),
            alert_id=alert_id,
            agency=cd["agency"],
            worker=cd.get("worker", ""),
            note=cd.get("note", ""),
        ),
        success=lambda a: _url(a.id),
        message=lambda a: (
            f"Outreach assigned to {a.worker_name or a.agency.name}. The alert is marked actioned."
        ),
        context=page,
    )


@cap_required(Cap.RECORD_OUTREACH, Cap.ASSIGN_OUTREACH)
def outreach_list(request: HttpRequest) -> HttpResponse:
    """Open outreach (or closed, with ``?show=closed``): a coordinator's all, a worker's their team's."""
    closed = request.GET.get("show") == "closed"
    page = Paginator(selectors.outreach_list(request.user, closed=closed), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"row": r, "tag": STATUS_TAGS.get(r.status, "")} for r in page]
    sees_all = can(request.user.role, Cap.ASSIGN_OUTREACH)  # type: ignore[union-attr]
    return render(
        request,
        "web/outreach/list.html",
        {"page": page, "rows": rows, "closed": closed, "sees_all": sees_all},
    )


@cap_required(Cap.RECORD_OUTREACH, Cap.ASSIGN_OUTREACH)
def outreach_detail(request: HttpRequest, assignment_id: str) -> HttpResponse:
    view = selectors.get_assignment(request.user, assignment_id)
    return render(
        request,
        "web/outreach/detail.html",
        {
            "view": view,
            "a": view.assignment,
            "child": view.child,
            "tag": STATUS_TAGS.get(view.assignment.status),
        },
    )


def _workable(request: HttpRequest, assignment_id: str, purpose: str) -> selectors.AssignmentView:
    view = selectors.get_assignment(request.user, assignment_id, purpose)
    if not view.may_work:
        raise PermissionDenied("Only the team this outreach is assigned to, or a coordinator, can do this")
    return view


@cap_required(Cap.RECORD_OUTREACH)
def attempt_new(request: HttpRequest, assignment_id: str) -> HttpResponse:
    view = _workable(request, assignment_id, "record outreach attempt")
    if not view.may_record_attempt:
        if view.awaiting_decision is not None:
            messages.info(
                request, "The child declined. Record a decision, with a reason, before trying again."
            )
            return redirect("web:outreach_decision", assignment_id=assignment_id)
        messages.info(request, "This outreach is closed.")
        return redirect(_url(assignment_id))
    return form_view(
        request,
        AttemptForm(request.POST or None, initial={"version": view.assignment.version}),
        template="web/outreach/attempt_new.html",
        call=lambda cd: services.do_record_outreach_attempt(
            _actor(request),
            assignment_id=assignment_id,
            occurred_at=cd["occurred_at"],
            method=cd["method"],
            outcome=cd["outcome"],
            place=cd.get("place", ""),
            consent=cd.get("consent", ""),
            wishes=cd.get("wishes", ""),
            referred_to=cd.get("referred_to", ""),
            notes=cd.get("notes", ""),
            expected_version=cd.get("version"),
        ),
        success=lambda _: _url(assignment_id),
        message=lambda a: (
            "Attempt recorded. The child declined: record what you decide, and why, before trying again."
            if a.outcome == "declined"
            else "Attempt recorded."
        ),
        context={"view": view, "child": view.child, "back_url": _url(assignment_id)},
        aliases=AttemptForm.ALIASES,
    )


@cap_required(Cap.RECORD_OUTREACH, Cap.ASSIGN_OUTREACH)
def decision(request: HttpRequest, assignment_id: str) -> HttpResponse:
    """Close the outreach, or after a decline, continue it: either way with the reason."""
    view = _workable(request, assignment_id, "outreach decision")
    if not view.may_decide:
        messages.info(request, "This outreach is closed.")
        return redirect(_url(assignment_id))
    declined = view.awaiting_decision is not None
    return form_view(
        request,
        DecisionForm(request.POST or None, declined=declined, initial={"version": view.assignment.version}),
        template="web/outreach/decision.html",
        call=lambda cd: services.do_decide_outreach(
            _actor(request),
            assignment_id=assignment_id,
            decision=cd["decision"],
            reason=cd["reason"],
            expected_version=cd.get("version"),
        ),
        success=lambda _: _url(assignment_id),
        message=lambda d: (
            "Outreach closed." if d.decision == "close" else "Decision recorded: outreach continues."
        ),
        context={
            "view": view,
            "child": view.child,
            "declined": view.awaiting_decision,
            "back_url": _url(assignment_id),
        },
    )
