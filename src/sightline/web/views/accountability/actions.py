"""Actions: adding and changing them, and their progress (start, mark complete, sign off or send back,
reopen). Whoever may record progress is decided by the services; these pages only offer it."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sightline.access.decorators import cap_required, signed_in
from sightline.access.permissions import Cap
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, ActionStatus
from sightline.web.forms import ReasonForm
from sightline.web.forms_accountability import ActionForm, NoteForm, SignOffForm
from sightline.web.views.accountability.common import (
    MANAGE,
    Editing,
    acting,
    action_form,
    change_page,
    form_page,
    may,
    picked,
)

ACTION = Editing(
    form=ActionForm,
    noun="action",
    page="web:acc_action",
    fields=("description", "owner_agency", "owner_name", "owner_user", "target_date"),
)


@cap_required(MANAGE)
def action_new(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    rec = sel.get_recommendation(recommendation_id).recommendation
    return form_page(
        request,
        ActionForm(request.POST or None, initial={"target_date": rec.target_date}),
        template="web/accountability/action_form.html",
        heading=f"Add an action to {rec.ref}",
        back=reverse("web:acc_recommendation", args=[rec.id]),
        context={"rec": rec},
        call=lambda cd: services.do_add_action(
            acting(request), recommendation_id=rec.id, **picked(cd, ACTION.fields)
        ),
        success=lambda action: reverse("web:acc_action", args=[action.id]),
        message=lambda action: f"Action {action.ref} added.",
    )


@signed_in
def action_detail(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.viewable_action(request.user, action_id)
    actor = acting(request)
    evidence = sel.evidence_with_entries(action)
    complete = action.status == ActionStatus.COMPLETE
    signed = complete and action.signed_off_at is not None
    return render(
        request,
        "web/accountability/action.html",
        {
            "action": action,
            "rec": action.recommendation,
            "state": sel.action_state(action),
            "evidence": evidence,
            "history": sel.action_history(action),
            "moved": [
                m
                for m in sel.moved_target_dates(plan=action.recommendation.plan)
                if m.change.action_id == action.id
            ],
            "can_manage": may(request, MANAGE),
            "can_progress": services.may_progress(actor, action) and not signed,
            "can_sign_off": (
                may(request, Cap.SIGN_OFF) and complete and not signed and action.completed_by != actor.user
            ),
            "completed_by_me": complete and action.completed_by == actor.user,
            "signed": signed,
        },
    )


@cap_required(MANAGE)
def action_edit(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    return change_page(
        request,
        ACTION,
        action,
        initial={"owner_agency": action.owner_agency_id},
        context={"rec": action.recommendation, "action": action},
        save=partial(services.do_update_action, action_id=action.id),
    )


@require_POST
@signed_in
def action_start(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.viewable_action(request.user, action_id)
    try:
        services.do_start_action(acting(request), action_id=action.id)
        messages.success(request, f"Action {action.ref} is in progress.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:acc_action", action_id=action.id)


def _progressing(request: HttpRequest, action_id: str) -> Action:
    """The action, if this user may record progress on it."""
    action = sel.viewable_action(request.user, action_id)
    if not services.may_progress(acting(request), action):
        raise PermissionDenied("Only the action's owner or someone who manages recommendations may do this")
    return action


@signed_in
def action_complete(request: HttpRequest, action_id: str) -> HttpResponse:
    action = _progressing(request, action_id)
    return action_form(
        request,
        action,
        NoteForm(request.POST or None),
        heading=f"Mark action {action.ref} as complete",
        submit="Mark as complete",
        intro="A second person must then sign it off before it counts as complete.",
        call=lambda cd: services.do_complete_action(
            acting(request), action_id=action.id, note=cd.get("note", "")
        ),
        aliases={"status": "__all__"},
        message=f"Action {action.ref} marked complete. It now needs sign-off by a second person.",
    )


def _decide(request: HttpRequest, action: Action, decision: str, note: str) -> Action:
    if decision == "sign_off":
        return services.do_sign_off_action(acting(request), action_id=action.id, note=note)
    return services.do_return_action(acting(request), action_id=action.id, reason=note)


@cap_required(Cap.SIGN_OFF)
def action_sign_off(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    return action_form(
        request,
        action,
        SignOffForm(request.POST or None),
        heading=f"Sign off action {action.ref}",
        submit="Save",
        intro=f"Marked complete by {action.completed_by or 'nobody yet'}. "
        "Check the evidence before you decide.",
        call=lambda cd: _decide(request, action, cd["decision"], cd.get("note", "")),
        aliases={"reason": "note"},
        message=lambda done: (
            f"Action {action.ref} "
            f"{'signed off as complete' if done.signed_off_at else 'sent back as in progress'}."
        ),
    )


@cap_required(MANAGE)
def action_reopen(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    return action_form(
        request,
        action,
        ReasonForm(request.POST or None),
        heading=f"Reopen action {action.ref}",
        submit="Reopen the action",
        call=lambda cd: services.do_reopen_action(acting(request), action_id=action.id, reason=cd["reason"]),
        message=f"Action {action.ref} reopened.",
    )
