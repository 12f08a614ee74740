"""Live indicators: every indicator against its target, one indicator over two years, and changing a
target."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.outreach import selectors as outreach
from sightline.people import nhs
from sightline.reports.charts.accountability import indicator_chart
from sightline.web.charts import figure
from sightline.web.forms_accountability import IndicatorForm
from sightline.web.views.accountability.common import MANAGE, acting, form_page, may


@cap_required(Cap.VIEW_AGGREGATE, MANAGE)
def indicators(request: HttpRequest) -> HttpResponse:
    results = sel.indicator_results()
    return render(
        request,
        "web/accountability/indicators.html",
        {
            "items": [(r, figure(indicator_chart(r), f"chart-{r.indicator.key}")) for r in results],
            "can_manage": may(request, MANAGE),
            "figures": outreach.figures(),
            "nhs_completeness": nhs.nhs_completeness_by_agency(),
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
            "chart": figure(indicator_chart(result), "indicator-chart"),
            "can_manage": may(request, MANAGE),
        },
    )


@cap_required(MANAGE)
def indicator_edit(request: HttpRequest, key: str) -> HttpResponse:
    indicator = sel.get_indicator(key)
    initial = {"target": indicator.target, "direction": indicator.direction}
    return form_page(
        request,
        IndicatorForm(request.POST or None, initial=initial),
        heading="Change the target",
        caption=indicator.name,
        intro=indicator.definition,
        back=reverse("web:acc_indicator", args=[key]),
        call=lambda cd: services.do_update_indicator(
            acting(request),
            indicator_key=key,
            target=cd.get("target"),
            direction=cd["direction"],
            reason=cd["reason"],
        ),
        success=lambda _row: reverse("web:acc_indicator", args=[key]),
        message=f"{indicator.name}: target saved.",
    )
