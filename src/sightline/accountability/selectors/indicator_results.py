"""Live indicators: every active indicator (stored, or shipped and not yet stored) computed month by
month from the case records, against its target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sightline.accountability import indicators as ind
from sightline.accountability.models import Indicator, Recommendation
from sightline.core.errors import NotFound


def all_indicators(*, include_inactive: bool = False) -> list[Indicator]:
    """Stored indicators, plus shipped ones not stored yet (unsaved rows: stored on their first change)."""
    stored = {i.key: i for i in Indicator.objects.all()}
    out = []
    for pos, d in enumerate(ind.shipped_definitions()):
        row = stored.pop(d.key, None)
        if row is None:
            row = Indicator(
                key=d.key,
                name=d.name,
                definition=d.definition,
                measure=d.measure,
                unit=d.unit,
                target=d.target,
                direction=d.direction,
                position=pos,
            )
        out.append(row)
    out += list(stored.values())
    out.sort(key=lambda i: (i.position, i.name))
    return [i for i in out if include_inactive or i.active]


def get_indicator(key: str) -> Indicator:
    for i in all_indicators(include_inactive=True):
        if i.key == key:
            return i
    raise NotFound("No such indicator")


def known_indicator(key: str) -> bool:
    return any(i.key == key for i in all_indicators(include_inactive=True))


@dataclass(frozen=True)
class Point:
    start: dt.date
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    partial: bool


@dataclass
class IndicatorResult:
    indicator: Indicator
    points: list[Point]
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def latest_text(self) -> str:
        latest = self.latest
        return ind.format_value(latest.value if latest else None, self.indicator.unit)

    @property
    def last_full(self) -> Point | None:
        """The last whole month: what the month so far is read against, early in a month."""
        full = [p for p in self.points if not p.partial]
        return full[-1] if full else None

    @property
    def last_full_text(self) -> str:
        last = self.last_full
        return ind.format_value(last.value if last else None, self.indicator.unit)

    @property
    def target_text(self) -> str:
        t = self.indicator.target
        return "no target" if t is None else ind.format_value(t, self.indicator.unit)

    @property
    def on_target(self) -> bool | None:
        """Against the month so far, or the last whole month while this one has no data yet."""
        latest = self.latest
        if latest is None or latest.value is None:
            latest = self.last_full
        return ind.meets(latest.value if latest else None, self.indicator.target, self.indicator.direction)


def indicator_series(
    indicator: Indicator, *, months: int = 12, now: dt.datetime | None = None
) -> IndicatorResult:
    windows = ind.month_windows(months, now)
    values = ind.compute(indicator.measure, windows)
    points = [
        Point(w.first_day, f"{w.first_day:%b %Y}", v.value, v.numerator, v.denominator, w.partial)
        for w, v in zip(windows, values)
    ]
    recs = [
        r for r in Recommendation.objects.select_related("plan") if indicator.key in (r.indicator_keys or [])
    ]
    return IndicatorResult(indicator, points, recs)


def indicator_results(*, months: int = 12, now: dt.datetime | None = None) -> list[IndicatorResult]:
    """Every active indicator computed month by month from the case records, against its target."""
    return [indicator_series(i, months=months, now=now) for i in all_indicators()]
