"""The clock rules of case work: how long triage may take, when a return interview is late, and
calendar-month arithmetic for reassessment dates. Services set deadlines with these and selectors
judge them with the same numbers."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

from sightline.cases.models import Urgency

DEFAULT_TRIAGE_HOURS = {Urgency.URGENT.value: 24, Urgency.STANDARD.value: 72}
RETURN_INTERVIEW_HOURS = 72


def triage_hours() -> dict[str, int]:
    """Hours allowed for triage per urgency (``settings.SIGHTLINE_TRIAGE_HOURS``)."""
    configured = getattr(settings, "SIGHTLINE_TRIAGE_HOURS", None) or {}
    return {**DEFAULT_TRIAGE_HOURS, **{k: int(v) for k, v in configured.items()}}


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (30 Nov + 3 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
