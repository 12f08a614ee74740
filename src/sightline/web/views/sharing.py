"""Sharing decisions about a child (the child's list, recording one, and every decision for the
independent reviewer) and the section 47 workspace (opening it, its record, members, tasks and joint
decisions). What the viewer may see is decided by ``sightline.sharing.selectors``; the services
enforce who may write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sightline.access.decorators import cap_required
from sightline.access.models import Agency
from sightline.access.permissions import Cap
from sightline.access.services import actor_for
from sightline.cases.selectors.access_hooks import require_child_access
from sightline.people import nhs
from sightline.people.models import Person
from sightline.sharing import selectors, services
from sightline.sharing.models import SharingDecision
from sightline.sharing.rules import WORKSPACE_CAPS
from sightline.web.forms import form_view, submit_service
from sightline.web.forms_sharing import (
    JointDecisionForm,
    MemberForm,
    NhsNumberForm,
    OpenWorkspaceForm,
    RemoveMemberForm,
    SharingDecisionForm,
    TaskForm,
)

PER_PAGE = 50


def _actor(request: HttpRequest) -> Any:
    return actor_for(request.user)  # type: ignore[arg-type]


def _ws_url(workspace_id: str) -> str:
    return reverse("web:s47", kwargs={"workspace_id": workspace_id})


@cap_required(Cap.RAISE_CONCERN)
def child_sharing(request: HttpRequest, person_id: str) -> HttpResponse:
    root, rows = selectors.child_decisions(request.user, person_id)
    return render(
        request,
        "web/sharing/child.html",
        {"child": Person.objects.get(pk=root), "rows": rows},
    )


@cap_required(Cap.RAISE_CONCERN)
def sharing_new(request: HttpRequest, person_id: str) -> HttpResponse:
    root, _rows = selectors.child_decisions(request.user, person_id, "record a sharing decision")
    child = Person.objects.get(pk=root)
    back = reverse("web:child_sharing", kwargs={"person_id": root})
    return form_view(
        request,
        SharingDecisionForm(request.POST or None),
        template="web/sharing/new.html",
        call=lambda cd: services.do_record_sharing_decision(
            _actor(request),
            person_id=root,
            recipients=cd["recipients"],
            what=cd["what"],
            outcome=cd["outcome"],
            reason_code=cd.get("reason_code") or "",
            reason=cd.get("reason", ""),
            decided_on=cd["decided_on"],
        ),
        success=lambda _: back,
        message=lambda d: (
            "Decision recorded: shared."
            if d.outcome == SharingDecision.Outcome.SHARED
            else "Decision recorded: not shared, with the reason."
        ),
        context={"child": child, "back_url": back},
    )


@cap_required(Cap.VIEW_LEDGER)
def sharing_review(request: HttpRequest) -> HttpResponse:
    """Every sharing decision, for the independent reviewer, filtered by outcome, reason and agency."""
    outcome = request.GET.get("outcome", "")
    reason_code = request.GET.get("reason_code", "")
    agency = request.GET.get("agency", "")
    listing = selectors.reviewer_decisions(
        request.user, outcome=outcome, reason_code=reason_code, agency=agency
    )
    page = Paginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/sharing/review.html",
        {
            "page": page,
            "outcome": outcome,
            "reason_code": reason_code,
            "agency": agency,
            "outcomes": SharingDecision.Outcome.choices,
            "reasons": SharingDecision.Reason.choices,
            "agencies": list(Agency.objects.order_by("name").values_list("id", "name")),
        },
    )


@cap_required(Cap.RAISE_CONCERN)
def nhs_number(request: HttpRequest, person_id: str) -> HttpResponse:
    """Record the child's NHS number (entered by hand, for the viewer's agency), or why there is none."""
    root = require_child_access(request.user, person_id, "record the NHS number")
    child = Person.objects.get(pk=root)

    def save(cd: dict[str, Any]) -> Any:
        if cd.get("nhs_number"):
            return nhs.do_record_nhs_number(_actor(request), person_id=root, value=cd["nhs_number"])
        return nhs.do_record_nhs_status(
            _actor(request), person_id=root, reason_code=cd["reason_code"], note=cd.get("note", "")
        )

    return form_view(
        request,
        NhsNumberForm(request.POST or None),
        template="web/sharing/nhs_number.html",
        call=save,
        success=lambda _: reverse("web:person", kwargs={"person_id": root}),
        message="NHS number recorded.",
        context={"child": child, "held": nhs.holdings([root]), "status": nhs.status_of([root])},
        aliases={"value": "nhs_number"},
    )


# --- section 47 workspace ---------------------------------------------------------------------------


@cap_required(Cap.MANAGE_CASE)
def s47_open(request: HttpRequest, person_id: str) -> HttpResponse:
    root = require_child_access(request.user, person_id, "open a section 47 enquiry")
    child = Person.objects.get(pk=root)
    return form_view(
        request,
        OpenWorkspaceForm(request.POST or None),
        template="web/sharing/s47_open.html",
        call=lambda cd: services.do_open_workspace(_actor(request), person_id=root, summary=cd["summary"]),
        success=lambda w: _ws_url(w.id),
        message="Section 47 enquiry opened. Add the team's members from education, health and police.",
        context={"child": child},
    )


@cap_required(*WORKSPACE_CAPS)
def s47_detail(request: HttpRequest, workspace_id: str) -> HttpResponse:
    view = selectors.get_workspace(request.user, workspace_id)
    return render(request, "web/sharing/s47.html", {"view": view, "w": view.workspace, "child": view.child})


def _members(view: selectors.WorkspaceView) -> list[tuple[str, str]]:
    return [
        (m.username, f"{view.names.get(m.username, m.username)} ({m.get_discipline_display()})")
        for m in view.members
    ]


def _form_page(view: selectors.WorkspaceView) -> dict[str, Any]:
    return {"view": view, "child": view.child, "back_url": _ws_url(view.workspace.id)}


@cap_required(*WORKSPACE_CAPS)
def s47_member_add(request: HttpRequest, workspace_id: str) -> HttpResponse:
    view = selectors.get_workspace(request.user, workspace_id, "add a section 47 member")
    return form_view(
        request,
        MemberForm(request.POST or None),
        template="web/sharing/s47_member.html",
        call=lambda cd: services.do_add_member(
            _actor(request),
            workspace_id=workspace_id,
            username=cd["username"],
            discipline=cd.get("discipline") or "",
        ),
        success=lambda _: _ws_url(workspace_id),
        message=lambda m: f"{m.username} joined the team.",
        context=_form_page(view),
    )


@cap_required(*WORKSPACE_CAPS)
def s47_member_remove(request: HttpRequest, workspace_id: str) -> HttpResponse:
    view = selectors.get_workspace(request.user, workspace_id, "remove a section 47 member")
    return form_view(
        request,
        RemoveMemberForm(request.POST or None, members=_members(view)),
        template="web/sharing/s47_remove.html",
        call=lambda cd: services.do_remove_member(
            _actor(request), workspace_id=workspace_id, username=cd["username"], reason=cd["reason"]
        ),
        success=lambda _: _ws_url(workspace_id),
        message=lambda m: f"{m.username} left the team.",
        context=_form_page(view),
    )


@cap_required(*WORKSPACE_CAPS)
def s47_task_new(request: HttpRequest, workspace_id: str) -> HttpResponse:
    view = selectors.get_workspace(request.user, workspace_id, "add a section 47 task")
    return form_view(
        request,
        TaskForm(request.POST or None, members=_members(view)),
        template="web/sharing/s47_task.html",
        call=lambda cd: services.do_add_task(
            _actor(request),
            workspace_id=workspace_id,
            description=cd["description"],
            assignee=cd["assignee"],
            due_on=cd["due_on"],
        ),
        success=lambda _: _ws_url(workspace_id),
        message="Task added.",
        context=_form_page(view),
    )


@require_POST
@cap_required(*WORKSPACE_CAPS)
def s47_task_done(request: HttpRequest, workspace_id: str, task_id: str) -> HttpResponse:
    selectors.get_workspace(request.user, workspace_id, "complete a section 47 task")
    form = forms.Form({})  # nothing to type: the button is the whole form
    form.is_valid()
    ok, _ = submit_service(
        form,
        lambda: services.do_complete_task(_actor(request), workspace_id=workspace_id, task_id=task_id),
        stale_message="Someone changed this task while you were looking. Try again.",
    )
    if ok:
        messages.success(request, "Task marked done.")
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems) or "The task could not be marked done.")
    return redirect(_ws_url(workspace_id))


@cap_required(*WORKSPACE_CAPS)
def s47_decision_new(request: HttpRequest, workspace_id: str) -> HttpResponse:
    view = selectors.get_workspace(request.user, workspace_id, "record a section 47 decision")
    return form_view(
        request,
        JointDecisionForm(request.POST or None, members=_members(view)),
        template="web/sharing/s47_decision.html",
        call=lambda cd: services.do_record_joint_decision(
            _actor(request),
            workspace_id=workspace_id,
            decision=cd["decision"],
            outcome=cd["outcome"],
            agreed_by=cd["agreed_by"],
            decided_on=cd["decided_on"],
        ),
        success=lambda _: _ws_url(workspace_id),
        message="Joint decision recorded.",
        context=_form_page(view),
    )
