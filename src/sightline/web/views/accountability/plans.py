"""Response plans: the overview, importing a plan, a plan's recommendations and each recommendation,
overdue actions and moved target dates."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.planfile import PlanFileError
from sightline.core.errors import NotFound
from sightline.reports.charts.accountability import status_chart
from sightline.web.charts import figure
from sightline.web.forms_accountability import PlanImportForm, RecommendationForm
from sightline.web.views.accountability.common import (
    MANAGE,
    VIEW,
    Editing,
    acting,
    change_page,
    form_page,
    may,
)

RECOMMENDATION = Editing(
    form=RecommendationForm,
    noun="recommendation",
    page="web:acc_recommendation",
    fields=("title", "text", "target_date", "indicator_keys"),
)


@cap_required(*VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    plan_views = [sel.plan_view(p) for p in sel.plans()]
    counts = sel.status_counts(sel.recommendations_by_status())
    return render(
        request,
        "web/accountability/overview.html",
        {
            "plan_views": plan_views,
            "counts": counts,
            "statuses": sel.STATUSES,
            "overdue": sel.overdue_actions(),
            "sign_off": sel.awaiting_sign_off(exclude_user=user.username)
            if may(request, Cap.SIGN_OFF)
            else [],
            "moved": sel.moved_target_dates()[:10],
            "can_manage": may(request, MANAGE),
            "chart": figure(status_chart(counts), "status-chart") if plan_views else None,
        },
    )


@cap_required(MANAGE)
def plan_import(request: HttpRequest) -> HttpResponse:
    """Import an uploaded plan file, or a shipped sample. A rejected file lists every problem."""
    form = PlanImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST":
        sample = request.POST.get("sample", "")
        summary = None
        try:
            if sample:
                summary = services.do_import_sample_plan(acting(request), key=sample)
            elif form.is_valid():
                upload = form.cleaned_data["plan_file"]
                summary = services.do_import_plan(
                    acting(request),
                    content=upload.read(),
                    name=upload.name,
                    reason=form.cleaned_data.get("reason", ""),
                )
        except FileNotFoundError:
            raise NotFound("No such sample plan") from None
        except PlanFileError as exc:
            problems = exc.problems
            form.add_error(
                None, f"The plan was not imported: the file has {len(problems)} problem(s), listed below"
            )
        if summary is not None:
            text = summary.summary()
            messages.success(request, text[:1].upper() + text[1:])
            return redirect("web:acc_plan", key=summary.plan.key)
    return render(
        request,
        "web/accountability/import.html",
        {"form": form, "problems": problems, "samples": [p.stem for p in services.sample_plans()]},
    )


@cap_required(*VIEW)
def plan_detail(request: HttpRequest, key: str) -> HttpResponse:
    plan = sel.get_plan(key)
    view = sel.plan_view(plan)
    status = request.GET.get("status", "")
    return render(
        request,
        "web/accountability/plan.html",
        {
            "plan": plan,
            "view": view,
            "recommendations": [r for r in view.recommendations if not status or r.state.key == status],
            "status": status if status in sel.STATUSES else "",
            "statuses": sel.STATUSES,
            "can_manage": may(request, MANAGE),
        },
    )


@cap_required(MANAGE)
def recommendation_new(request: HttpRequest, key: str) -> HttpResponse:
    plan = sel.get_plan(key)
    return form_page(
        request,
        RecommendationForm(request.POST or None),
        template="web/accountability/recommendation_form.html",
        heading="Add a recommendation",
        back=reverse("web:acc_plan", args=[plan.key]),
        context={"plan": plan},
        call=lambda cd: services.do_add_recommendation(
            acting(request),
            plan_id=plan.id,
            ref=cd["ref"],
            title=cd["title"],
            text=cd.get("text", ""),
            target_date=cd["target_date"],
            indicator_keys=cd.get("indicator_keys") or [],
        ),
        success=lambda rec: reverse("web:acc_recommendation", args=[rec.id]),
        message=lambda rec: f"Recommendation {rec.ref} added.",
    )


@cap_required(*VIEW)
def recommendation_detail(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    view = sel.get_recommendation(recommendation_id)
    rec = view.recommendation
    indicators = [
        sel.indicator_series(sel.get_indicator(k), months=6)
        for k in rec.indicator_keys
        if sel.known_indicator(k)
    ]
    return render(
        request,
        "web/accountability/recommendation.html",
        {
            "view": view,
            "rec": rec,
            "plan": rec.plan,
            "indicators": indicators,
            "history": sel.recommendation_history(rec),
            "moved": [m for m in sel.moved_target_dates(plan=rec.plan) if m.what.split("/")[0] == rec.ref],
            "can_manage": may(request, MANAGE),
        },
    )


@cap_required(MANAGE)
def recommendation_edit(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    rec = sel.get_recommendation(recommendation_id).recommendation
    return change_page(
        request,
        RECOMMENDATION,
        rec,
        context={"plan": rec.plan, "rec": rec},
        save=partial(services.do_update_recommendation, recommendation_id=rec.id),
    )


@cap_required(*VIEW)
def overdue(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accountability/overdue.html", {"overdue": sel.overdue_actions()})


@cap_required(*VIEW)
def moved_dates(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accountability/moved_dates.html", {"moved": sel.moved_target_dates()})
