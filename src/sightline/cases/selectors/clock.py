"""Reading the clock. Everything that can change with time takes ``now`` so that tests and reports
can ask "as at"; these turn that argument into the moment, the day, and a day's first instant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now_or(now))


def start_of_day(value: dt.date) -> dt.datetime:
    """A date as a moment (local midnight), so dated and timed things sort together."""
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))
