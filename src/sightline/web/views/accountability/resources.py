"""Resources against caseload: funding and staffing as recorded, with the caseload from the records."""

from __future__ import annotations

from collections.abc import Callable

from django.forms import Form
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
    return _record(request, FundingForm, "Record funding", services.do_set_funding)


@cap_required(MANAGE)
def staffing_new(request: HttpRequest) -> HttpResponse:
    return _record(request, StaffingForm, "Record staffing", services.do_set_staffing)


def _record(
    request: HttpRequest, form_class: type[Form], heading: str, save: Callable[..., object]
) -> HttpResponse:
    """The form's fields are the service's arguments; back to the resources page when saved."""
    back = reverse("web:acc_resources")
    return form_page(
        request,
        form_class(request.POST or None),
        heading=heading,
        caption="Resources",
        back=back,
        call=lambda cd: save(acting(request), **cd),
        success=lambda _row: back,
        message="Saved.",
    )
