"""The linkage audit by group: match rates of every agency record, overall and by group."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.people.linkage.audit import FLAG_POINTS, MIN_RECORDS, linkage_audit


@cap_required(Cap.MERGE_PEOPLE)
def audit(request: HttpRequest) -> HttpResponse:
    result = linkage_audit(timezone.localdate())
    rows = [{"rate": r, "flagged": result.flagged(r)} for r in result.groups]
    return render(
        request,
        "web/intelligence/linkage_audit.html",
        {
            "overall": result.overall,
            "rows": rows,
            "flagged": [row["rate"] for row in rows if row["flagged"]],
            "points": FLAG_POINTS,
            "min_records": MIN_RECORDS,
        },
    )
