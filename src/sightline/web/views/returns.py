"""Validation problems of a statutory return, for the data analyst and the coordinator, so that the
data are fixed before submission. The return itself is written by ``sightline returns``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sightline.access.decorators import cap_required
from sightline.reports.returns import KINDS, TITLES, Period, viewer
from sightline.web.forms import GovukDateField
from sightline.web.navigation import person_url


class ReturnForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which return?",
        choices=[(k, TITLES[k]) for k in KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a return"},
    )
    start = GovukDateField(label="First day", error_messages={"required": "Enter the first day"})
    end = GovukDateField(label="Last day", error_messages={"required": "Enter the last day"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The last day must be on or after the first day")
        return data


@cap_required(*viewer.VIEWER_CAPS)
def return_problems(request: HttpRequest) -> HttpResponse:
    year = viewer.census_year(timezone.localdate())
    asked = "kind" in request.GET
    form = ReturnForm(
        request.GET if asked else None, initial={"kind": "cin", "start": year.start, "end": year.end}
    )
    context: dict[str, Any] = {"form": form}
    if asked and form.is_valid():
        data = form.cleaned_data
        made, lines = viewer.return_problems(request.user, data["kind"], Period(data["start"], data["end"]))
        context.update(
            title=TITLES[data["kind"]],
            period=(data["start"], data["end"]),
            rows=len(made.rows),
            errors=made.errors,
            lines=[(line, person_url(line.person_id) if line.person_id else "") for line in lines],
        )
    return render(request, "web/reports/returns.html", context)
