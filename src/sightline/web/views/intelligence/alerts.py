"""Alerts: the ranked list, and one alert with its evidence, history and status form. What the user
may see and what is ledgered is decided by ``sightline.intelligence.selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import signed_in
from sightline.access.models import Agency
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.intelligence import selectors as intel
from sightline.intelligence.models import Alert
from sightline.intelligence.services import do_set_alert_status
from sightline.outreach import selectors as outreach
from sightline.web.forms import submit_service
from sightline.web.navigation import person_url
from sightline.web.templatetags.labels import ALERT_TAGS
from sightline.web.views.intelligence.break_glass import break_glass_url
from sightline.web.views.intelligence.forms import AlertFilterForm, AlertStatusForm

ALERTS_PER_PAGE = 50
STALE = "Someone else changed this alert while you were looking at it. Check its status and try again."


@signed_in
def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts raised by the latest analysis, highest score first, filtered by kind and status."""
    form = AlertFilterForm(request.GET or None)
    listing = intel.alert_list(request.user, kind=form.kind_value(), statuses=form.statuses())
    page = Paginator(listing, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "alert": a,
            "reasons": intel.top_reasons(a.reasons),
            "more": max(len(intel.reason_lines(a.reasons)) - intel.TOP_REASONS, 0),
            "tag": ALERT_TAGS.get(a.status, ""),
        }
        for a in page
    ]
    return render(
        request,
        "web/intelligence/alerts.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": bool(request.GET.get("kind") or "status" in request.GET),
        },
    )


def _subject(request: HttpRequest, detail: intel.AlertDetail) -> dict[str, str | bool]:
    """Where the alert's subject can be opened: a person's record (if the user may), or a group."""
    alert = detail.alert
    if detail.person_id:
        return {"href": person_url(detail.person_id), "label": alert.subject_label}
    if alert.restricted:
        return {"break_glass": break_glass_url(request.user, alert.subject_id), "restricted": True}
    if detail.network_id:
        return {
            "href": reverse("web:network", kwargs={"network_id": detail.network_id}),
            "label": alert.subject_label,
        }
    return {"label": alert.subject_label}


def _row(
    key: str, item: intel.EvidenceRecord | intel.EvidenceEvent, names: dict[str, str]
) -> dict[str, object]:
    """A record or event behind an alert, with its person's record link and its agency's name."""
    href = person_url(item.person_id) if item.person_id else ""
    return {key: item, "href": href, "agency": names.get(item.agency, item.agency)}


def _outreach(request: HttpRequest, detail: intel.AlertDetail) -> dict[str, object]:
    """The outreach to the alert's child, and whether the viewer may assign it (after the read above)."""
    if detail.alert.kind != Alert.Kind.CHILD_AT_RISK or not detail.person_id:
        return {}
    return {
        "outreach": outreach.alert_outreach(request.user, detail.person_id),
        "can_assign_outreach": can(request.user.role, Cap.ASSIGN_OUTREACH),  # type: ignore[union-attr]
        "show_outreach": True,
    }


@signed_in
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    """One alert: why it was raised, the records and events behind it, its status and history.
    People who may manage alerts change the status here (dismissing needs a reason)."""
    form = None
    if can(request.user.role, Cap.MANAGE_ALERTS):  # type: ignore[union-attr]
        form = AlertStatusForm(request.POST or None, current=intel.alert_status(request.user, alert_id))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role cannot change the status of alerts")
        if form.is_valid():
            data = form.cleaned_data
            ok, alert = submit_service(
                form,
                lambda: do_set_alert_status(
                    actor_for(request.user),  # type: ignore[arg-type]
                    alert_id=alert_id,
                    status=data["status"],
                    reason=data.get("reason", ""),
                ),
                stale_message=STALE,
            )
            if ok:
                messages.success(request, f"The alert is now {alert.get_status_display().lower()}.")
                return redirect("web:alert", alert_id=alert_id)
    detail = intel.alert_detail(request.user, alert_id)
    names = dict(Agency.objects.values_list("pk", "name"))
    return render(
        request,
        "web/intelligence/alert.html",
        {
            "alert": detail.alert,
            "subject": _subject(request, detail),
            "reasons": [intel.plain_reason(r, names) for r in intel.reason_lines(detail.alert.reasons)],
            "records": [_row("r", r, names) for r in detail.records],
            "events": [_row("e", e, names) for e in detail.events],
            "history": detail.history,
            "form": form,
            "tag": ALERT_TAGS.get(detail.alert.status, ""),
            **_outreach(request, detail),
        },
    )
