"""Live indicators: declarative definitions (``indicators.yaml``) and the measures that compute them from
the case records.

An indicator is data (name, definition, target, direction, unit and the name of its measure), kept as a
ledgered ``Indicator`` row; a measure is code. Each measure takes a list of time windows (months) and
returns one :class:`Value` per window, loading the records it needs once. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from sightline.cases import screening as screening_tool
from sightline.cases import selectors as case_selectors
from sightline.cases.models import (
    Concern,
    MissingEpisode,
    Placement,
    Screening,
    SelfReferral,
    TriageDecision,
)
from sightline.cases.services import add_months
from sightline.intelligence.models import Alert
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.outreach import selectors as outreach
from sightline.people.nhs import nhs_completeness_by_agency

SHIPPED_PATH = Path(__file__).resolve().parent / "indicators.yaml"
UNITS = {"percent": "%", "hours": "hours", "count": "", "per_week": "a week"}
DIRECTIONS = ("higher", "lower")

OPEN_CONCERN_MONTHS = 12
SCREENED_WITHIN_MONTHS = 3
ALERT_ACTION_DAYS = 7
# Triage decisions that close a concern for the screening indicator.
CLOSING_DECISIONS = frozenset({"no_further_action", "advice"})


class IndicatorDefinitionError(ValueError):
    """An indicator definition is malformed; the message names the indicator and field."""


@dataclass(frozen=True)
class Window:
    """One period: ``start`` (inclusive) to ``end`` (exclusive, never after ``now``)."""

    start: dt.datetime
    end: dt.datetime
    now: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return timezone.localdate(self.start)

    @property
    def last_day(self) -> dt.date:
        return timezone.localdate(self.end - dt.timedelta(microseconds=1))

    @property
    def partial(self) -> bool:
        return self.end >= self.now


@dataclass(frozen=True)
class Value:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


MeasureFn = Callable[[Sequence[Window]], list[Value]]


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    definition: str
    measure: str
    unit: str
    target: float | None
    direction: str


# --- windows -------------------------------------------------------------------------------------


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local time ``months`` calendar months earlier (31 May - 3 months = 28/29 Feb)."""
    local = timezone.localtime(moment)
    day = add_months(local.date(), -months)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


def month_windows(months: int, now: dt.datetime | None = None) -> list[Window]:
    """The last ``months`` calendar months (local time), oldest first; the last one ends at ``now``."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _ in range(months):
        starts.append(timezone.make_aware(dt.datetime(year, month, 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    starts.reverse()
    windows = []
    for start in starts:
        nxt = timezone.make_aware(dt.datetime(start.year + (start.month == 12), start.month % 12 + 1, 1))
        windows.append(Window(start=start, end=min(nxt, now), now=now))
    return windows


def _share(num: int, den: int) -> Value:
    return Value(100.0 * num / den if den else None, num, den)


# --- measures ------------------------------------------------------------------------------------


def screened_open_cse_concern(windows: Sequence[Window]) -> list[Value]:
    """Share of children with an open CSE concern at the window's end screened in the 3 months before."""
    concerns = list(
        Concern.objects.exclude(status=Concern.Status.WITHDRAWN).values_list("id", "person_id", "raised_at")
    )
    decisions: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for cid, decision, at in TriageDecision.objects.values_list("concern_id", "decision", "decided_at"):
        decisions[cid].append((at, decision))
    for items in decisions.values():
        items.sort()
    screenings: dict[str, list[dt.datetime]] = defaultdict(list)
    for pid, at in Screening.objects.values_list("person_id", "completed_at"):
        screenings[pid].append(at)
    out = []
    for w in windows:
        at = w.end
        opened_after = months_before(at, OPEN_CONCERN_MONTHS)
        open_children = set()
        for cid, pid, raised in concerns:
            if not opened_after <= raised < at:
                continue
            latest = [d for when, d in decisions.get(cid, []) if when < at]
            if latest and latest[-1] in CLOSING_DECISIONS:
                continue
            open_children.add(pid)
        since = months_before(at, SCREENED_WITHIN_MONTHS)
        screened = {p for p in open_children if any(since <= s < at for s in screenings.get(p, []))}
        out.append(_share(len(screened), len(open_children)))
    return out


def return_interview_72h(windows: Sequence[Window]) -> list[Value]:
    """Share of episodes ended in the window whose first return interview offer came within 72 hours."""
    if not windows:
        return []
    episodes = list(
        MissingEpisode.objects.filter(
            ended_at__gte=windows[0].start, ended_at__lt=windows[-1].end
        ).prefetch_related("return_interviews")
    )
    out = []
    for w in windows:
        num = den = 0
        for ep in episodes:
            assert ep.ended_at is not None
            if not w.start <= ep.ended_at < w.end:
                continue
            state = case_selectors.return_interview_status(
                ep, list(ep.return_interviews.all()), now=w.now
            ).state
            if state == "due":
                continue  # still inside its 72 hours with no offer: not decided yet
            den += 1
            num += state == "within_72h"
        out.append(_share(num, den))
    return out


def median_hours_to_triage(windows: Sequence[Window]) -> list[Value]:
    """Median hours from raising to the first triage decision, for triaged concerns raised in the window."""
    if not windows:
        return []
    rows = list(
        Concern.objects.filter(
            decided_at__isnull=False, raised_at__gte=windows[0].start, raised_at__lt=windows[-1].end
        ).values_list("raised_at", "decided_at")
    )
    out = []
    for w in windows:
        hours = [(d - r).total_seconds() / 3600 for r, d in rows if d is not None and w.start <= r < w.end]
        out.append(Value(statistics.median(hours) if hours else None, None, len(hours)))
    return out


def victims_per_week(windows: Sequence[Window]) -> list[Value]:
    """Self-referrals received in the window divided by the window's length in weeks."""
    if not windows:
        return []
    days = list(
        SelfReferral.objects.filter(
            received_on__gte=windows[0].first_day, received_on__lte=windows[-1].last_day
        ).values_list("received_on", flat=True)
    )
    out = []
    for w in windows:
        count = sum(1 for d in days if w.first_day <= d <= w.last_day)
        weeks = ((w.last_day - w.first_day).days + 1) / 7
        out.append(Value(count / weeks if weeks else None, count, weeks))
    return out


def suspects_on_bail(windows: Sequence[Window]) -> list[Value]:
    """Suspects on bail on the window's last day."""
    return [
        Value(float(n), n, None)
        for n in (len(case_selectors.suspects_on_bail(as_of=w.last_day)) for w in windows)
    ]


def _first_actioned() -> dict[str, dt.datetime]:
    """Alert id -> when it was first marked actioned, from the alerts' status history in the ledger:
    the time the entry gives for the change (``status_at``, as a backdated record states it), else
    the time it was written."""
    integrate()
    first: dict[str, dt.datetime] = {}
    rows = Entry.objects.filter(object_type=Alert.ledger_type(), action=f"alert_{Alert.Status.ACTIONED}")
    for alert_id, written, canonical in rows.values_list("object_id", "time", "canonical"):
        stated = json.loads(bytes(canonical)).get("data", {}).get("status_at")
        when = dt.datetime.fromisoformat(stated) if isinstance(stated, str) else written
        if alert_id not in first or when < first[alert_id]:
            first[alert_id] = when
    return first


def alerts_actioned_7d(windows: Sequence[Window]) -> list[Value]:
    """Share of child-at-risk alerts first raised in the window that were actioned within 7 days."""
    if not windows:
        return []
    alerts = list(
        Alert.objects.filter(
            kind=Alert.Kind.CHILD_AT_RISK,
            first_raised_at__gte=windows[0].start,
            first_raised_at__lt=windows[-1].end,
        ).values_list("id", "first_raised_at")
    )
    actioned = _first_actioned()
    limit = dt.timedelta(days=ALERT_ACTION_DAYS)
    out = []
    for w in windows:
        num = den = 0
        for alert_id, raised in alerts:
            if not w.start <= raised < w.end:
                continue
            when = actioned.get(alert_id)
            in_time = when is not None and when - raised <= limit
            if not in_time and w.now - raised < limit:
                continue  # its 7 days are not up yet
            den += 1
            num += in_time
        out.append(_share(num, den))
    return out


def lac_out_of_area_at_risk(windows: Sequence[Window]) -> list[Value]:
    """Children this council looks after, placed outside its area on the last day, flagged at risk."""
    home = case_selectors.local_authority().strip().lower()
    placements = [
        (pid, start, end)
        for pid, start, end, authority in Placement.objects.filter(in_area=False).values_list(
            "person_id", "started_on", "ended_on", "placing_authority"
        )
        if not home or authority.strip().lower() == home
    ]
    lowest = screening_tool.default_indicator_set().bands[0].key
    screenings: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for pid, at, band in Screening.objects.values_list("person_id", "completed_at", "band"):
        screenings[pid].append((at, band))
    for items in screenings.values():
        items.sort()
    alerts: dict[str, list[dt.datetime]] = defaultdict(list)
    for pid, raised in (
        Alert.objects.filter(kind=Alert.Kind.CHILD_AT_RISK)
        .exclude(status=Alert.Status.DISMISSED)
        .values_list("subject_id", "first_raised_at")
    ):
        alerts[pid].append(raised)
    out = []
    for w in windows:
        day = w.last_day
        placed = {pid for pid, start, end in placements if start <= day and (end is None or end >= day)}
        flagged = set()
        for pid in placed:
            earlier = [band for at, band in screenings.get(pid, []) if at < w.end]
            if (earlier and earlier[-1] != lowest) or any(r < w.end for r in alerts.get(pid, [])):
                flagged.add(pid)
        out.append(Value(float(len(flagged)), len(flagged), len(placed)))
    return out


def outreach_contacted(windows: Sequence[Window]) -> list[Value]:
    """Share of the children identified at risk in the window whom outreach has contacted (the funnel)."""
    return [_share(f.contacted, f.identified) for f in outreach.funnels([(w.start, w.end) for w in windows])]


def outreach_hours_to_contact(windows: Sequence[Window]) -> list[Value]:
    """Median hours from the alert to the first contact, for children identified in the window."""
    funnels = outreach.funnels([(w.start, w.end) for w in windows])
    return [Value(f.median_hours_to_contact, None, len(f.hours_to_contact)) for f in funnels]


def outreach_workers_funded(windows: Sequence[Window]) -> list[Value]:
    """Workers holding open outreach at the window's end, as a share of the funded posts."""
    return [
        Value(c.workers_percent, c.workers, c.funded.workers)
        for c in outreach.capacities([w.end for w in windows])
    ]


def nhs_number_completeness(windows: Sequence[Window]) -> list[Value]:
    """Of the child records in each agency's latest extract imported by the window's end, the share
    carrying a valid NHS number (the consistent identifier), across agencies."""
    out = []
    for w in windows:
        rows = nhs_completeness_by_agency(w.end)
        out.append(_share(sum(r.with_nhs for r in rows), sum(r.children for r in rows)))
    return out


MEASURES: dict[str, MeasureFn] = {
    "screened_open_cse_concern": screened_open_cse_concern,
    "return_interview_72h": return_interview_72h,
    "median_hours_to_triage": median_hours_to_triage,
    "victims_per_week": victims_per_week,
    "suspects_on_bail": suspects_on_bail,
    "alerts_actioned_7d": alerts_actioned_7d,
    "lac_out_of_area_at_risk": lac_out_of_area_at_risk,
    "outreach_contacted": outreach_contacted,
    "outreach_hours_to_contact": outreach_hours_to_contact,
    "outreach_workers_funded": outreach_workers_funded,
    "nhs_number_completeness": nhs_number_completeness,
}


def compute(measure: str, windows: Sequence[Window]) -> list[Value]:
    if measure not in MEASURES:
        raise IndicatorDefinitionError(f"there is no measure {measure!r}; measures are {', '.join(MEASURES)}")
    return MEASURES[measure](windows)


# --- definitions ---------------------------------------------------------------------------------


def parse_definition(raw: Any, where: str) -> Definition:
    """One indicator definition from YAML (or a plan file). ``where`` prefixes every error."""
    if not isinstance(raw, dict):
        raise IndicatorDefinitionError(f"{where}:indicator: an indicator must be a mapping")
    missing = [
        f for f in ("key", "name", "definition", "measure", "direction") if not str(raw.get(f) or "").strip()
    ]
    if missing:
        raise IndicatorDefinitionError(f"{where}:{missing[0]}: this is required")
    key = str(raw["key"]).strip()
    measure = str(raw["measure"]).strip()
    if measure not in MEASURES:
        raise IndicatorDefinitionError(
            f"{where}:measure: {measure!r} is not a measure (measures: {', '.join(MEASURES)})"
        )
    direction = str(raw["direction"]).strip()
    if direction not in DIRECTIONS:
        raise IndicatorDefinitionError(f"{where}:direction: must be higher or lower, not {direction!r}")
    unit = str(raw.get("unit") or "count").strip()
    if unit not in UNITS:
        raise IndicatorDefinitionError(f"{where}:unit: must be one of {', '.join(UNITS)}, not {unit!r}")
    target = raw.get("target")
    if target is not None and target != "":
        try:
            target = float(target)
        except (TypeError, ValueError):
            raise IndicatorDefinitionError(f"{where}:target: {target!r} is not a number") from None
    else:
        target = None
    return Definition(
        key=key,
        name=str(raw["name"]).strip(),
        definition=" ".join(str(raw.get("definition") or "").split()),
        measure=measure,
        unit=unit,
        target=target,
        direction=direction,
    )


def shipped_definitions(path: Path = SHIPPED_PATH) -> list[Definition]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("indicators") or []
    return [parse_definition(raw, f"{path.name}:indicator {i + 1}") for i, raw in enumerate(items)]


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "percent":
        return f"{value:.1f}%" if not float(value).is_integer() else f"{int(value)}%"
    if unit == "hours":
        return f"{value:.1f} hours"
    if unit == "per_week":
        return f"{value:.1f} a week"
    return f"{int(value)}" if float(value).is_integer() else f"{value:.1f}"


def meets(value: float | None, target: float | None, direction: str) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if direction == "higher" else value <= target
