"""Resources against caseload: funding and staffing as recorded, with the caseload from the records."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.reports.charts.accountability import resource_charts
from sightline.web.charts import figure
from sightline.web.forms_accountability import FundingForm, StaffingForm
from sightline.web.views.accountability.common import MANAGE, VIEW, acting, form_page, may


@cap_required(*VIEW)
def resources(request: HttpRequest) -> HttpResponse:
    res = sel.resources()
    return render(
        request,
        "web/accountability/resources.html",
        {
            "res": res,
            "charts": [figure(spec, chart_id) for chart_id, spec in resource_charts(res)],
            "staff_rows": res.staffing_rows(),
            "fund_rows": res.funding_rows(),
            "can_manage": may(request, MANAGE),
        },
    )


@cap_required(MANAGE)
def funding_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request,
        FundingForm(request.POST or None),
        heading="Record funding",
        caption="Resources",
        back=reverse("web:acc_resources"),
        call=lambda cd: services.do_set_funding(
            acting(request),
            name=cd["name"],
            agency=cd.get("agency") or "",
            financial_year=cd["financial_year"],
            amount=cd["amount"],
            note=cd.get("note", ""),
            reason=cd.get("reason", ""),
        ),
        success=lambda _row: reverse("web:acc_resources"),
        message="Saved.",
    )


@cap_required(MANAGE)
def staffing_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request,
        StaffingForm(request.POST or None),
        heading="Record staffing",
        caption="Resources",
        back=reverse("web:acc_resources"),
        call=lambda cd: services.do_set_staffing(
            acting(request),
            agency=cd["agency"],
            team=cd["team"],
            year=cd["year"],
            staff=cd["staff"],
            note=cd.get("note", ""),
            reason=cd.get("reason", ""),
        ),
        success=lambda _row: reverse("web:acc_resources"),
        message="Saved.",
    )
