"""Template helpers for case-work pages: risk-band tags and the dashboard's case panels."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from sightline.access.permissions import Cap, can
from sightline.cases.models import PlanAction, TriageDecision
from sightline.cases.screening import default_indicator_set
from sightline.cases.selectors import dashboard

register = template.Library()

# GOV.UK tag colours by risk band (the indicator set's band keys).
BAND_TAGS = {
    "not_at_risk": "govuk-tag--green",
    "mild": "govuk-tag--yellow",
    "moderate": "govuk-tag--orange",
    "significant": "govuk-tag--red",
}
URGENCY_TAGS = {"urgent": "govuk-tag--red", "standard": "govuk-tag--blue"}
PANEL_CAPS = (Cap.RAISE_CONCERN, Cap.MANAGE_CASE, Cap.TRIAGE)


@register.filter
def band_tag(key: str) -> str:
    return BAND_TAGS.get(key, "govuk-tag--grey")


@register.filter
def band_label(key: str) -> str:
    labels = {b.key: b.label for b in default_indicator_set().bands}
    return labels.get(key, key.replace("_", " ").capitalize())


@register.filter
def decision_label(key: str) -> str:
    return str(dict(TriageDecision.Decision.choices).get(key, key))


@register.filter
def urgency_tag(key: str) -> str:
    return URGENCY_TAGS.get(key, "govuk-tag--grey")


@register.filter
def restricted_count(tasks: Any) -> int:
    """How many tasks are about children outside the user's access (shown without details)."""
    return sum(1 for t in tasks or () if getattr(t, "restricted", False))


@register.simple_tag(takes_context=True)
def case_dashboard(context: template.Context) -> Any:
    """The signed-in user's case panels (my tasks, overdue, new concerns, re-screens due), or None for
    roles without case work. Reads through ``cases.selectors.dashboard``, which ledgers what it lists."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not any(can(user.role, c) for c in PANEL_CAPS):
        return None
    return dashboard(user)


@register.simple_tag
def task_url(task: Any, user: Any) -> str:
    """Where a dashboard task is done (or, for someone who cannot do it, where it can be read)."""
    if task.restricted:
        return ""
    if task.kind == "triage":
        name = "web:triage" if can(user.role, Cap.TRIAGE) else "web:concern"
        return reverse(name, kwargs={"concern_id": task.object_id})
    if task.kind == "plan_action":
        plan_id = PlanAction.objects.filter(pk=task.object_id).values_list("plan_id", flat=True).first()
        return reverse("web:plan", kwargs={"plan_id": plan_id}) if plan_id else ""
    manage = can(user.role, Cap.MANAGE_CASE)
    if task.kind == "plan_review":
        return reverse("web:plan_review" if manage else "web:plan", kwargs={"plan_id": task.object_id})
    if task.kind == "return_interview":
        return reverse(
            "web:interview_new" if manage else "web:episode", kwargs={"episode_id": task.object_id}
        )
    if task.kind == "rescreen" and can(user.role, Cap.SCREEN):
        return reverse("web:screening_new", kwargs={"person_id": task.person_id})
    return reverse("web:person", kwargs={"person_id": task.person_id})
