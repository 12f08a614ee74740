"""Accountability pages: response plans (recommendations, actions, evidence, sign-off, moved dates), live
indicators, resources, community engagement, and protected concerns about handling.

Views parse forms, check the role and call ``sightline.accountability`` services and selectors; every
rule lives in the services. None of these pages shows a person's record: board members see them all
(aggregate figures and plan progress) and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sightline.access.decorators import cap_required, signed_in
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.accountability import indicators as ind
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, ActionStatus, EngagementEvent, Evidence, Recommendation
from sightline.accountability.planfile import PlanFileError
from sightline.ledger.services import Actor, record_action
from sightline.web.charts import Series, Threshold, bar_chart, line_chart
from sightline.web.forms import ReasonForm, submit_service
from sightline.web.forms_accountability import (
    ActionForm,
    ConcernResponseForm,
    EngagementForm,
    EvidenceForm,
    FollowUpForm,
    FundingForm,
    IndicatorForm,
    NoteForm,
    PlanImportForm,
    ProtectedConcernForm,
    RecommendationForm,
    SignOffForm,
    StaffingForm,
    split_lines,
)

VIEW = (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS, Cap.SIGN_OFF)
MANAGE = Cap.MANAGE_RECOMMENDATIONS
STALE = "Someone else changed this while you were working on it. Check the latest details and try again."
SAFE_INLINE = {"application/pdf", "image/png", "image/jpeg", "text/plain"}


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _submit(form: Form, call: Callable[[], Any], aliases: dict[str, str] | None = None) -> tuple[bool, Any]:
    return submit_service(form, call, aliases, stale_message=STALE)


def _version_check(form: Form, obj: Any = None) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value is not None else None


# --- overview, plans and import ------------------------------------------------------------------


@cap_required(*VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    plan_views = [sel.plan_view(p) for p in sel.plans()]
    return render(
        request,
        "web/accountability/overview.html",
        {
            "plan_views": plan_views,
            "counts": sel.status_counts(sel.recommendations_by_status()),
            "statuses": sel.STATUSES,
            "overdue": sel.overdue_actions(),
            "sign_off": sel.awaiting_sign_off(exclude_user=user.username)
            if can(user.role, Cap.SIGN_OFF)
            else [],
            "moved": sel.moved_target_dates()[:10],
            "can_manage": can(user.role, MANAGE),
            "chart": _status_chart(sel.recommendations_by_status()) if plan_views else None,
        },
    )


def _status_chart(counts: dict[str, int]) -> Any:
    return bar_chart(
        chart_id="status-chart",
        title="Recommendations by status",
        x_label="Status",
        y_label="Recommendations",
        series=[Series("Recommendations", [(label, counts[key]) for key, label in sel.STATUSES.items()])],
    )


@cap_required(MANAGE)
def plan_import(request: HttpRequest) -> HttpResponse:
    form = PlanImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST":
        sample = request.POST.get("sample", "")
        try:
            if sample:
                summary = services.do_import_sample_plan(sample, actor=_actor(request))
            elif form.is_valid():
                upload = form.cleaned_data["plan_file"]
                summary = services.do_import_plan(
                    upload.read(),
                    upload.name,
                    actor=_actor(request),
                    reason=form.cleaned_data.get("reason", ""),
                )
            else:
                summary = None
        except FileNotFoundError:
            raise Http404("No such sample plan") from None
        except PlanFileError as exc:
            problems = exc.problems
            form.add_error(
                None, f"The plan was not imported: the file has {len(problems)} problem(s), listed below"
            )
            summary = None
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
    recs = [r for r in view.recommendations if not status or r.state.key == status]
    return render(
        request,
        "web/accountability/plan.html",
        {
            "plan": plan,
            "view": view,
            "recommendations": recs,
            "status": status if status in sel.STATUSES else "",
            "statuses": sel.STATUSES,
            "can_manage": can(_role(request), MANAGE),
        },
    )


# --- recommendations -----------------------------------------------------------------------------


@cap_required(MANAGE)
def recommendation_new(request: HttpRequest, key: str) -> HttpResponse:
    plan = sel.get_plan(key)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, rec = _submit(
            form,
            lambda: services.do_add_recommendation(
                plan.id,
                actor=_actor(request),
                ref=cd["ref"],
                title=cd["title"],
                text=cd.get("text", ""),
                target_date=cd["target_date"],
                indicator_keys=cd.get("indicator_keys") or [],
            ),
        )
        if ok:
            messages.success(request, f"Recommendation {rec.ref} added.")
            return redirect("web:acc_recommendation", recommendation_id=rec.id)
    return render(
        request,
        "web/accountability/recommendation_form.html",
        {
            "form": form,
            "plan": plan,
            "heading": "Add a recommendation",
            "back": reverse("web:acc_plan", args=[plan.key]),
        },
    )


@cap_required(*VIEW)
def recommendation_detail(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    view = sel.get_recommendation(recommendation_id)
    rec = view.recommendation
    indicators = [
        sel.indicator_series(sel.get_indicator(k), months=6) for k in rec.indicator_keys if _known(k)
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
            "can_manage": can(_role(request), MANAGE),
        },
    )


def _known(key: str) -> bool:
    try:
        sel.get_indicator(key)
    except Http404:
        return False
    return True


@cap_required(MANAGE)
def recommendation_edit(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    rec = sel.get_recommendation(recommendation_id).recommendation
    initial = {
        "title": rec.title,
        "text": rec.text,
        "target_date": rec.target_date,
        "indicator_keys": rec.indicator_keys,
        "version": rec.version,
    }
    form = RecommendationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_update_recommendation(
                rec.id,
                actor=_actor(request),
                title=cd["title"],
                text=cd.get("text", ""),
                target_date=cd["target_date"],
                indicator_keys=cd.get("indicator_keys") or [],
                reason=cd.get("reason", ""),
                expected_version=_version_check(form, rec),
            ),
        )
        if ok:
            messages.success(request, f"Recommendation {rec.ref} saved.")
            return redirect("web:acc_recommendation", recommendation_id=rec.id)
    return render(
        request,
        "web/accountability/recommendation_form.html",
        {
            "form": form,
            "plan": rec.plan,
            "rec": rec,
            "heading": f"Change recommendation {rec.ref}",
            "back": reverse("web:acc_recommendation", args=[rec.id]),
        },
    )


# --- actions -------------------------------------------------------------------------------------


@cap_required(MANAGE)
def action_new(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    rec = sel.get_recommendation(recommendation_id).recommendation
    form = ActionForm(request.POST or None, initial={"target_date": rec.target_date})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, action = _submit(
            form,
            lambda: services.do_add_action(
                rec.id,
                actor=_actor(request),
                description=cd["description"],
                owner_agency=cd["owner_agency"],
                owner_name=cd.get("owner_name", ""),
                owner_user=cd.get("owner_user", ""),
                target_date=cd["target_date"],
            ),
        )
        if ok:
            messages.success(request, f"Action {action.ref} added.")
            return redirect("web:acc_action", action_id=action.id)
    return render(
        request,
        "web/accountability/action_form.html",
        {
            "form": form,
            "rec": rec,
            "heading": f"Add an action to {rec.ref}",
            "back": reverse("web:acc_recommendation", args=[rec.id]),
        },
    )


def _viewable_action(request: HttpRequest, action_id: str) -> Action:
    action = sel.get_action(action_id)
    if not sel.may_view_action(request.user, action):
        raise PermissionDenied("Your role does not allow this")
    return action


@signed_in
def action_detail(request: HttpRequest, action_id: str) -> HttpResponse:
    action = _viewable_action(request, action_id)
    actor = _actor(request)
    state = sel.action_state(action)
    role = _role(request)
    evidence = sel.evidence_for(action)
    for e in evidence:  # what a linked ledger entry is (its metadata only, never its content)
        e.entry = sel.ledger_entry_summary(e.ledger_index) if e.ledger_index is not None else None  # type: ignore[attr-defined]
    signed = action.status == ActionStatus.COMPLETE and action.signed_off_at is not None
    return render(
        request,
        "web/accountability/action.html",
        {
            "action": action,
            "rec": action.recommendation,
            "state": state,
            "evidence": evidence,
            "live_evidence": [e for e in evidence if not e.withdrawn],
            "history": sel.action_history(action),
            "moved": [
                m
                for m in sel.moved_target_dates(plan=action.recommendation.plan)
                if m.change.action_id == action.id
            ],
            "can_manage": can(role, MANAGE),
            "can_progress": services.may_progress(actor, action) and not signed,
            "can_sign_off": (
                can(role, Cap.SIGN_OFF)
                and action.status == ActionStatus.COMPLETE
                and not signed
                and action.completed_by != actor.user
            ),
            "completed_by_me": action.status == ActionStatus.COMPLETE and action.completed_by == actor.user,
            "signed": signed,
        },
    )


@cap_required(MANAGE)
def action_edit(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    initial = {
        "description": action.description,
        "owner_agency": action.owner_agency_id,
        "owner_name": action.owner_name,
        "owner_user": action.owner_user,
        "target_date": action.target_date,
        "version": action.version,
    }
    form = ActionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_update_action(
                action.id,
                actor=_actor(request),
                description=cd["description"],
                owner_agency=cd["owner_agency"],
                owner_name=cd.get("owner_name", ""),
                owner_user=cd.get("owner_user", ""),
                target_date=cd["target_date"],
                reason=cd.get("reason", ""),
                expected_version=_version_check(form, action),
            ),
        )
        if ok:
            messages.success(request, f"Action {action.ref} saved.")
            return redirect("web:acc_action", action_id=action.id)
    return render(
        request,
        "web/accountability/action_form.html",
        {
            "form": form,
            "rec": action.recommendation,
            "action": action,
            "heading": f"Change action {action.ref}",
            "back": reverse("web:acc_action", args=[action.id]),
        },
    )


@require_POST
@signed_in
def action_start(request: HttpRequest, action_id: str) -> HttpResponse:
    action = _viewable_action(request, action_id)
    try:
        services.do_start_action(action.id, actor=_actor(request))
        messages.success(request, f"Action {action.ref} is in progress.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:acc_action", action_id=action.id)


def _form_page(
    request: HttpRequest, action: Action, form: Form, heading: str, submit: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "web/accountability/action_step.html",
        {
            "form": form,
            "action": action,
            "rec": action.recommendation,
            "heading": heading,
            "submit": submit,
            "intro": intro,
            "evidence": [e for e in sel.evidence_for(action) if not e.withdrawn],
        },
    )


@signed_in
def action_complete(request: HttpRequest, action_id: str) -> HttpResponse:
    action = _viewable_action(request, action_id)
    if not services.may_progress(_actor(request), action):
        raise PermissionDenied("Only the action's owner or someone who manages recommendations may do this")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = _submit(
            form,
            lambda: services.do_complete_action(
                action.id, actor=_actor(request), note=form.cleaned_data.get("note", "")
            ),
            {"status": "__all__"},
        )
        if ok:
            messages.success(
                request, f"Action {action.ref} marked complete. It now needs sign-off by a second person."
            )
            return redirect("web:acc_action", action_id=action.id)
    return _form_page(
        request,
        action,
        form,
        f"Mark action {action.ref} as complete",
        "Mark as complete",
        "A second person must then sign it off before it counts as complete.",
    )


@cap_required(Cap.SIGN_OFF)
def action_sign_off(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        sign = cd["decision"] == "sign_off"

        def decide() -> Action:
            if sign:
                return services.do_sign_off_action(action.id, actor=_actor(request), note=cd.get("note", ""))
            return services.do_return_action(action.id, actor=_actor(request), reason=cd.get("note", ""))

        done = f"Action {action.ref} {'signed off as complete' if sign else 'sent back as in progress'}."
        ok, _ = _submit(form, decide, {"reason": "note"})
        if ok:
            messages.success(request, done)
            return redirect("web:acc_action", action_id=action.id)
    return _form_page(
        request,
        action,
        form,
        f"Sign off action {action.ref}",
        "Save",
        f"Marked complete by {action.completed_by or 'nobody yet'}. Check the evidence before you decide.",
    )


@cap_required(MANAGE)
def action_reopen(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.get_action(action_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = _submit(
            form,
            lambda: services.do_reopen_action(
                action.id, actor=_actor(request), reason=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(request, f"Action {action.ref} reopened.")
            return redirect("web:acc_action", action_id=action.id)
    return _form_page(request, action, form, f"Reopen action {action.ref}", "Reopen the action")


# --- evidence ------------------------------------------------------------------------------------


@signed_in
def evidence_new(request: HttpRequest, action_id: str) -> HttpResponse:
    action = _viewable_action(request, action_id)
    if not services.may_progress(_actor(request), action):
        raise PermissionDenied(
            "Only the action's owner or someone who manages recommendations may add evidence"
        )
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        actor = _actor(request)

        def add() -> Evidence:
            if cd["kind"] == Evidence.Kind.DOCUMENT:
                doc = cd["document"]
                return services.do_add_document(
                    action.id,
                    actor=actor,
                    stream=doc.chunks(),
                    file_name=doc.name,
                    title=cd.get("title", ""),
                    content_type=getattr(doc, "content_type", "") or "",
                    note=cd.get("note", ""),
                )
            if cd["kind"] == Evidence.Kind.LEDGER_ENTRY:
                return services.do_add_ledger_link(
                    action.id,
                    actor=actor,
                    ledger_index=cd["ledger_index"],
                    title=cd.get("title", ""),
                    note=cd.get("note", ""),
                )
            return services.do_add_note(
                action.id, actor=actor, title=cd.get("title", ""), note=cd.get("note", "")
            )

        ok, evidence = _submit(form, add)
        if ok:
            extra = f" (SHA-256 {evidence.sha256[:12]}…)" if evidence.sha256 else ""
            messages.success(request, f"Evidence added: {evidence.title}{extra}.")
            return redirect("web:acc_action", action_id=action.id)
    return render(
        request,
        "web/accountability/evidence_new.html",
        {"form": form, "action": action, "rec": action.recommendation},
    )


@signed_in
def evidence_download(request: HttpRequest, evidence_id: str) -> HttpResponse:
    evidence = sel.get_evidence(evidence_id)
    _viewable_action(request, evidence.action_id)
    if evidence.kind != Evidence.Kind.DOCUMENT:
        raise Http404("This evidence has no document")
    try:
        data = services.read_document(evidence)
    except services.EvidenceFileError as exc:
        record_action(
            _actor(request), "read_failed", Evidence.ledger_type(), evidence.id, data={"problem": str(exc)}
        )
        return render(
            request,
            "web/accountability/evidence_problem.html",
            {"problem": str(exc), "evidence": evidence},
            status=409,
        )
    record_action(
        _actor(request), "read", Evidence.ledger_type(), evidence.id, data={"sha256": evidence.sha256}
    )
    kind = evidence.content_type if evidence.content_type in SAFE_INLINE else "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{evidence.file_name.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
def evidence_withdraw(request: HttpRequest, evidence_id: str) -> HttpResponse:
    evidence = sel.get_evidence(evidence_id)
    action = _viewable_action(request, evidence.action_id)
    if not services.may_progress(_actor(request), action):
        raise PermissionDenied("Only the action's owner or someone who manages recommendations may do this")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = _submit(
            form,
            lambda: services.do_withdraw_evidence(
                evidence.id, actor=_actor(request), reason=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(request, f"Evidence withdrawn: {evidence.title}. It stays on record.")
            return redirect("web:acc_action", action_id=action.id)
    return _form_page(request, action, form, f"Withdraw evidence: {evidence.title}", "Withdraw the evidence")


# --- overdue and moved dates ---------------------------------------------------------------------


@cap_required(*VIEW)
def overdue(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accountability/overdue.html", {"overdue": sel.overdue_actions()})


@cap_required(*VIEW)
def moved_dates(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accountability/moved_dates.html", {"moved": sel.moved_target_dates()})


# --- indicators ----------------------------------------------------------------------------------


def indicator_chart(result: sel.IndicatorResult, chart_id: str) -> Any:
    i = result.indicator
    unit = {"percent": "Per cent", "hours": "Hours", "per_week": "Per week", "count": "Number"}.get(
        i.unit, "Value"
    )
    thresholds = (
        [Threshold(i.target, f"Target: {ind.format_value(i.target, i.unit)}")] if i.target is not None else []
    )
    return line_chart(
        chart_id=chart_id,
        title=i.name,
        x_label="Month (the latest month so far)",
        y_label=unit,
        series=[Series(i.name, [(p.start, p.value) for p in result.points])],
        thresholds=thresholds,
        y_max=100 if i.unit == "percent" else None,
        x_format=lambda d: f"{d:%b %Y}",
    )


@cap_required(Cap.VIEW_AGGREGATE, MANAGE)
def indicators(request: HttpRequest) -> HttpResponse:
    results = sel.indicator_results()
    return render(
        request,
        "web/accountability/indicators.html",
        {
            "items": [(r, indicator_chart(r, f"chart-{r.indicator.key}")) for r in results],
            "can_manage": can(_role(request), MANAGE),
        },
    )


@cap_required(Cap.VIEW_AGGREGATE, MANAGE)
def indicator_detail(request: HttpRequest, key: str) -> HttpResponse:
    result = sel.indicator_series(sel.get_indicator(key), months=24)
    return render(
        request,
        "web/accountability/indicator.html",
        {
            "result": result,
            "i": result.indicator,
            "chart": indicator_chart(result, "indicator-chart"),
            "can_manage": can(_role(request), MANAGE),
        },
    )


@cap_required(MANAGE)
def indicator_edit(request: HttpRequest, key: str) -> HttpResponse:
    indicator = sel.get_indicator(key)
    form = IndicatorForm(
        request.POST or None, initial={"target": indicator.target, "direction": indicator.direction}
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_update_indicator(
                key,
                actor=_actor(request),
                target=cd.get("target"),
                direction=cd["direction"],
                reason=cd["reason"],
            ),
        )
        if ok:
            messages.success(request, f"{indicator.name}: target saved.")
            return redirect("web:acc_indicator", key=key)
    return render(
        request,
        "web/accountability/form_page.html",
        {
            "form": form,
            "heading": "Change the target",
            "caption": indicator.name,
            "intro": indicator.definition,
            "back": reverse("web:acc_indicator", args=[key]),
        },
    )


# --- resources -----------------------------------------------------------------------------------


def _fy(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@cap_required(*VIEW)
def resources(request: HttpRequest) -> HttpResponse:
    res = sel.resources()
    charts = []
    if res.funding:
        charts.append(
            bar_chart(
                chart_id="funding-chart",
                title="Funding by financial year",
                x_label="Financial year",
                y_label="Pounds",
                series=[
                    Series(name, [(_fy(y), float(v.get(y, 0))) for y in res.funding_years])
                    for name, v in res.funding_lines()
                ],
            )
        )
    if res.staffing:
        charts.append(
            bar_chart(
                chart_id="staffing-chart",
                title="Staff by agency and year",
                x_label="Year",
                y_label="Staff (full-time equivalent)",
                series=[
                    Series(name, [(str(y), float(v[y])) for y in res.staffing_years if y in v])
                    for name, v in res.staffing_lines()
                ],
            )
        )
    years = sorted(set(res.staffing_years) | set(res.funding_years))
    caseload = sel.caseload_by_year(years)
    if years:
        charts.append(
            line_chart(
                chart_id="caseload-chart",
                title="Caseload: children with a concern raised in the year",
                x_label="Year",
                y_label="Children",
                series=[Series("Children", [(str(y), caseload[y]) for y in years])],
            )
        )
    totals = res.staff_totals()
    staff_rows = [
        (y, totals[y], res.staffing_caseload.get(y, 0), _per(res.staffing_caseload.get(y, 0), totals[y]))
        for y in res.staffing_years
    ]
    fund_totals = res.funding_totals()
    fund_rows = [
        (
            _fy(y),
            fund_totals[y],
            res.funding_caseload.get(y, 0),
            _per(fund_totals[y], res.funding_caseload.get(y, 0)),
        )
        for y in res.funding_years
    ]
    return render(
        request,
        "web/accountability/resources.html",
        {
            "res": res,
            "charts": charts,
            "staff_rows": staff_rows,
            "fund_rows": fund_rows,
            "can_manage": can(_role(request), MANAGE),
        },
    )


def _per(a: Any, b: Any) -> Decimal | None:
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.1")) if b else None


def _resource_form(
    request: HttpRequest, form_class: type[Form], save: Callable[[dict[str, Any]], Any], heading: str
) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = _submit(form, lambda: save(form.cleaned_data))
        if ok:
            messages.success(request, "Saved.")
            return redirect("web:acc_resources")
    return render(
        request,
        "web/accountability/form_page.html",
        {"form": form, "heading": heading, "back": reverse("web:acc_resources"), "caption": "Resources"},
    )


@cap_required(MANAGE)
def funding_new(request: HttpRequest) -> HttpResponse:
    return _resource_form(
        request,
        FundingForm,
        lambda cd: services.do_set_funding(
            actor=_actor(request),
            name=cd["name"],
            agency=cd.get("agency") or "",
            financial_year=cd["financial_year"],
            amount=cd["amount"],
            note=cd.get("note", ""),
            reason=cd.get("reason", ""),
        ),
        "Record funding",
    )


@cap_required(MANAGE)
def staffing_new(request: HttpRequest) -> HttpResponse:
    return _resource_form(
        request,
        StaffingForm,
        lambda cd: services.do_set_staffing(
            actor=_actor(request),
            agency=cd["agency"],
            team=cd["team"],
            year=cd["year"],
            staff=cd["staff"],
            note=cd.get("note", ""),
            reason=cd.get("reason", ""),
        ),
        "Record staffing",
    )


# --- community engagement ------------------------------------------------------------------------


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
            "can_manage": can(_role(request), MANAGE),
        },
    )


@cap_required(MANAGE)
def engagement_new(request: HttpRequest) -> HttpResponse:
    form = EngagementForm(request.POST or None, initial={"status": EngagementEvent.Status.PLANNED})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        plan = sel.plans().first()
        ok, event = _submit(
            form,
            lambda: services.do_record_engagement_event(
                actor=_actor(request),
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
            ),
        )
        if ok:
            messages.success(
                request,
                f"{event.title} added to the engagement {'log' if event.status == 'held' else 'plan'}.",
            )
            return redirect("web:acc_engagement_event", event_id=event.id)
    return render(
        request,
        "web/accountability/form_page.html",
        {
            "form": form,
            "heading": "Add an engagement event",
            "back": reverse("web:acc_engagement"),
            "caption": "Community engagement",
        },
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
            "can_manage": can(_role(request), MANAGE),
            "history": sel.history([(event.ledger_type(), event.id, "Event")]),
        },
    )


@cap_required(MANAGE)
def engagement_edit(request: HttpRequest, event_id: str) -> HttpResponse:
    event = sel.get_engagement_event(event_id)
    initial = {
        "title": event.title,
        "event_on": event.event_on,
        "status": event.status,
        "location": event.location,
        "communities": "\n".join(event.communities or []),
        "attendees": event.attendees,
        "issues_raised": event.issues_raised,
        "notes": event.notes,
        "version": event.version,
    }
    form = EngagementForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        changes = {
            k: cd.get(k)
            for k in ("title", "event_on", "status", "location", "attendees", "issues_raised", "notes")
        }
        changes["communities"] = split_lines(cd.get("communities", ""))
        ok, _ = _submit(
            form,
            lambda: services.do_update_engagement_event(
                event.id,
                actor=_actor(request),
                changes=changes,
                reason=cd.get("reason", ""),
                expected_version=_version_check(form, event),
            ),
        )
        if ok:
            messages.success(request, f"{event.title} saved.")
            return redirect("web:acc_engagement_event", event_id=event.id)
    return render(
        request,
        "web/accountability/form_page.html",
        {
            "form": form,
            "heading": f"Change: {event.title}",
            "back": reverse("web:acc_engagement_event", args=[event.id]),
            "caption": "Community engagement",
        },
    )


@cap_required(MANAGE)
def engagement_follow_up(request: HttpRequest, event_id: str) -> HttpResponse:
    event = sel.get_engagement_event(event_id)
    recs = [
        (r.id, f"{r.plan.key} {r.ref}: {r.title}")
        for r in Recommendation.objects.select_related("plan").order_by("plan__key", "position")
    ]
    form = FollowUpForm(request.POST or None, recommendations=recs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, action = _submit(
            form,
            lambda: services.do_add_action(
                cd["recommendation"],
                actor=_actor(request),
                description=cd["description"],
                owner_agency=cd["owner_agency"],
                owner_name=cd.get("owner_name", ""),
                owner_user=cd.get("owner_user", ""),
                target_date=cd["target_date"],
                engagement_event_id=event.id,
            ),
        )
        if ok:
            messages.success(request, f"Follow-up action {action.ref} added.")
            return redirect("web:acc_engagement_event", event_id=event.id)
    return render(
        request,
        "web/accountability/form_page.html",
        {
            "form": form,
            "heading": f"Add a follow-up action: {event.title}",
            "back": reverse("web:acc_engagement_event", args=[event.id]),
            "caption": "Community engagement",
        },
    )


# --- protected concerns --------------------------------------------------------------------------


@cap_required(Cap.RAISE_PROTECTED_CONCERN)
def protected_new(request: HttpRequest) -> HttpResponse:
    form = ProtectedConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, concern = _submit(
            form,
            lambda: services.do_raise_protected_concern(
                actor=_actor(request),
                about=cd["about"],
                what_happened=cd["what_happened"],
                case_reference=cd.get("case_reference", ""),
                agency_concerned=cd.get("agency_concerned") or "",
            ),
        )
        if ok:
            messages.success(
                request,
                f"Your concern {concern.id} has gone to the independent reviewer only. "
                "Nobody can change or remove it.",
            )
            return redirect("web:acc_protected", concern_id=concern.id)
    return render(request, "web/accountability/protected_new.html", {"form": form})


@signed_in
def protected_list(request: HttpRequest) -> HttpResponse:
    reviewer = sel.may_review_protected(request.user)
    items = (
        sel.protected_concerns_for_review(request.user)
        if reviewer
        else sel.my_protected_concerns(request.user)
    )
    return render(request, "web/accountability/protected_list.html", {"items": items, "reviewer": reviewer})


@signed_in
def protected_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    view = sel.get_protected_concern(request.user, concern_id)
    reviewer = sel.may_review_protected(request.user)
    form = ConcernResponseForm(request.POST or None) if reviewer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the independent reviewer responds to protected concerns")
        if form.is_valid():
            cd = form.cleaned_data
            ok, _ = _submit(
                form,
                lambda: services.do_respond_to_protected_concern(
                    view.concern.id, actor=_actor(request), outcome=cd["outcome"], text=cd["text"]
                ),
            )
            if ok:
                messages.success(request, "Response recorded.")
                return redirect("web:acc_protected", concern_id=view.concern.id)
    return render(
        request,
        "web/accountability/protected_detail.html",
        {"view": view, "concern": view.concern, "form": form, "reviewer": reviewer},
    )
