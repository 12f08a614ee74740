"""Reporting periods for the public statistics: the last four complete calendar quarters, and from when
counts exist at all (before that a count would be a false zero)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sightline.ledger.models import Entry
from sightline.ledger.services import integrate


@dataclass(frozen=True)
class Span:
    """Days ``start`` (inclusive) to ``end`` (exclusive), with a label."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def starts_at(self) -> dt.datetime:
        return midnight(self.start)

    def ends_at(self) -> dt.datetime:
        return midnight(self.end)


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The public statistics' reporting period: the last four complete calendar quarters."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end - dt.timedelta(days=1):%-d %B %Y}"

    @property
    def whole(self) -> Span:
        return Span(self.start, self.end, self.label)

    def quarters(self) -> list[Span]:
        out = []
        day = self.start
        while day < self.end:
            nxt = _add_months(day, 3)
            out.append(Span(day, nxt, f"{day:%b} to {nxt - dt.timedelta(days=1):%b %Y}"))
            day = nxt
        return out

    def months(self) -> list[Span]:
        out = []
        day = self.start
        while day < self.end:
            nxt = _add_months(day, 1)
            out.append(Span(day, nxt, f"{day:%B %Y}"))
            day = nxt
        return out


def reporting_period(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    end = _quarter_start(today)
    return Period(_add_months(end, -12), end)


def service_start() -> dt.datetime | None:
    """When Sightline began recording: the time of the first ledger entry."""
    integrate()
    first = Entry.objects.order_by("index").values_list("time", flat=True).first()
    return first


def available_from(earliest_record: dt.datetime | None) -> dt.datetime | None:
    """Counts exist from the earlier of the service start and the earliest record (records can be
    entered for past dates). Before that a count would be a false zero, so it is shown as ``x``."""
    start = service_start()
    candidates = [t for t in (start, earliest_record) if t is not None]
    return min(candidates) if candidates else None


def unavailable(span: Span, available_from: dt.datetime | None) -> bool:
    return available_from is None or span.ends_at() <= available_from
