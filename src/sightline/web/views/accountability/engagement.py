"""Community engagement: the plan and log of events, one event with its follow-up actions, recording how
an event went, and adding a follow-up action."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import EngagementEvent, Recommendation
from sightline.web.forms_accountability import EngagementForm, FollowUpForm, split_lines
from sightline.web.views.accountability.common import MANAGE, VIEW, acting, form_page, may, version

CAPTION = "Community engagement"
EDITABLE = ("title", "event_on", "status", "location", "attendees", "issues_raised", "notes")


def _event_page(event_id: str) -> str:
    return reverse("web:acc_engagement_event", args=[event_id])


@cap_required(*VIEW)
def engagement(request: HttpRequest) -> HttpResponse:
    events = list(sel.engagement_events())
    return render(
        request,
        "web/accountability/engagement.html",
        {
            "planned": [e for e in events if e.status == EngagementEvent.Status.PLANNED],
            "held": [e for e in events if e.status == EngagementEvent.Status.HELD],
            "cancelled": [e for e in events if e.status == EngagementEvent.Status.CANCELLED],
            "communities": sel.communities_reached(),
            "can_manage": may(request, MANAGE),
        },
    )


def _record(request: HttpRequest, cd: dict[str, Any]) -> EngagementEvent:
    plan = sel.plans().first()
    return services.do_record_engagement_event(
        acting(request),
        title=cd["title"],
        event_on=cd["event_on"],
        status=cd["status"],
        organised_by=cd["organised_by"],
        location=cd.get("location", ""),
        communities=split_lines(cd.get("communities", "")),
        attendees=cd.get("attendees"),
        issues_raised=cd.get("issues_raised", ""),
        notes=cd.get("notes", ""),
        plan_id=plan.id if plan else None,
    )


@cap_required(MANAGE)
def engagement_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request,
        EngagementForm(request.POST or None, initial={"status": EngagementEvent.Status.PLANNED}),
        heading="Add an engagement event",
        caption=CAPTION,
        back=reverse("web:acc_engagement"),
        call=lambda cd: _record(request, cd),
        success=lambda event: _event_page(event.id),
        message=lambda event: (
            f"{event.title} added to the engagement {'log' if event.status == 'held' else 'plan'}."
        ),
    )


@cap_required(*VIEW)
def engagement_event(request: HttpRequest, event_id: str) -> HttpResponse:
    event = sel.get_engagement_event(event_id)
    follow_ups = [
        (a, sel.action_state(a)) for a in event.follow_ups.select_related("recommendation", "owner_agency")
    ]
    return render(
        request,
        "web/accountability/engagement_event.html",
        {
            "event": event,
            "follow_ups": follow_ups,
            "can_manage": may(request, MANAGE),
            "history": sel.history([(event.ledger_type(), event.id, "Event")]),
        },
    )


@cap_required(MANAGE)
def engagement_edit(request: HttpRequest, event_id: str) -> HttpResponse:
    event = sel.get_engagement_event(event_id)
    initial = {
        **{k: getattr(event, k) for k in EDITABLE},
        "communities": "\n".join(event.communities or []),
        "version": event.version,
    }
    return form_page(
        request,
        EngagementForm(request.POST or None, initial=initial, editing=True),
        heading=f"Change: {event.title}",
        caption=CAPTION,
        back=_event_page(event.id),
        call=lambda cd: services.do_update_engagement_event(
            acting(request),
            event_id=event.id,
            changes={
                **{k: cd.get(k) for k in EDITABLE},
                "communities": split_lines(cd.get("communities", "")),
            },
            reason=cd.get("reason", ""),
            expected_version=version(cd),
        ),
        success=lambda _event: _event_page(event.id),
        message=f"{event.title} saved.",
    )


@cap_required(MANAGE)
def engagement_follow_up(request: HttpRequest, event_id: str) -> HttpResponse:
    event = sel.get_engagement_event(event_id)
    recs = [
        (r.id, f"{r.plan.key} {r.ref}: {r.title}")
        for r in Recommendation.objects.select_related("plan").order_by("plan__key", "position")
    ]
    return form_page(
        request,
        FollowUpForm(request.POST or None, recommendations=recs),
        heading=f"Add a follow-up action: {event.title}",
        caption=CAPTION,
        back=_event_page(event.id),
        call=lambda cd: services.do_add_action(
            acting(request),
            recommendation_id=cd["recommendation"],
            description=cd["description"],
            owner_agency=cd["owner_agency"],
            owner_name=cd.get("owner_name", ""),
            owner_user=cd.get("owner_user", ""),
            target_date=cd["target_date"],
            engagement_event_id=event.id,
        ),
        success=lambda _action: _event_page(event.id),
        message=lambda action: f"Follow-up action {action.ref} added.",
    )
