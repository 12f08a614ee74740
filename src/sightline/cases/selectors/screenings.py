"""Screenings and re-screens: a child's screenings with their score lines, and whether (and why) a
screened child is due to be screened again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from sightline.access.permissions import Cap
from sightline.cases import screening as tool
from sightline.cases.models import Concern, MissingEpisode, ReturnInterview, Screening
from sightline.cases.selectors.access_hooks import ledger_list, require_child_access, require_viewer_cap
from sightline.cases.selectors.clock import now_or, start_of_day, today
from sightline.people.models import SourceEvent
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import person_group_ids, person_groups, resolve_person_ids

# Imported event kinds (extract-format.md) and case-work episodes that make a re-screen due;
# "disclosure" is a return interview in which the child disclosed harm.
DEFAULT_RESCREEN_TRIGGERS = ("missing", "police_incident", "return_interview", "disclosure")
# How far back a screening looks: older events cannot change its answers.
SCREENING_LOOKBACK = dt.timedelta(days=365)


def rescreen_triggers() -> tuple[str, ...]:
    return tuple(getattr(settings, "SIGHTLINE_RESCREEN_TRIGGERS", None) or DEFAULT_RESCREEN_TRIGGERS)


def rescreen_hours() -> dict[str, int]:
    """Trigger kind -> hours within which it makes a re-screen due (``SIGHTLINE_RESCREEN_HOURS``).
    Kinds without a rule wait for the reassessment date."""
    return {k: int(v) for k, v in (getattr(settings, "SIGHTLINE_RESCREEN_HOURS", None) or {}).items()}


@dataclass(frozen=True)
class ScreeningView:
    screening: Screening
    lines: tuple[tool.ScoreLine, ...]
    band_label: str
    computed_band_label: str
    overridden: bool


def screening_view(s: Screening, indicator_set: tool.IndicatorSet) -> ScreeningView:
    try:
        answers = tool.parse_answers(indicator_set, s.answers)
        lines = tool.score_answers(indicator_set, answers).lines
    except tool.IndicatorSetError:
        lines = ()  # screened with an older set; the stored score still stands
    label = {b.key: b.label for b in indicator_set.bands}
    return ScreeningView(
        screening=s,
        lines=lines,
        band_label=label.get(s.band, s.band),
        computed_band_label=label.get(s.computed_band, s.computed_band),
        overridden=bool(s.override_band),
    )


def screenings_for(person_id: str) -> list[Screening]:
    return list(Screening.objects.filter(person_id__in=person_group_ids(person_id)).order_by("-completed_at"))


def screening_history(user: Any, person_id: str) -> list[ScreeningView]:
    """A child's screenings, newest first, with the score lines (for the history and score chart)."""
    root = require_child_access(user, person_id, "screening history")
    indicator_set = tool.default_indicator_set()
    return [screening_view(s, indicator_set) for s in screenings_for(root)]


@dataclass(frozen=True)
class RescreenTrigger:
    kind: str  # missing, absent, police_incident, return_interview, disclosure...
    on: dt.date
    source: str  # "case" or the agency code of an imported event
    object_type: str
    object_id: str
    label: str
    due_at: dt.datetime | None = None  # set by a rule of SIGHTLINE_RESCREEN_HOURS for its kind


@dataclass(frozen=True)
class RescreenDue:
    person_id: str
    last_screening: Screening
    reassessment_due: bool
    triggers: tuple[RescreenTrigger, ...]

    @property
    def due_at(self) -> dt.datetime:
        """The earliest of the reassessment date and any trigger's own deadline."""
        dates = [t.due_at for t in self.triggers if t.due_at is not None]
        return min([start_of_day(self.last_screening.next_due_on), *dates])

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Past a trigger's deadline, or past the day of the reassessment date."""
        moment = now_or(now)
        late = [t for t in self.triggers if t.due_at is not None and t.due_at < moment]
        return bool(late) or self.last_screening.next_due_on < today(moment)

    @property
    def reasons(self) -> list[str]:
        out = (
            [f"reassessment was due by {self.last_screening.next_due_on:%-d %B %Y}"]
            if self.reassessment_due
            else []
        )
        for t in self.triggers:
            when = timezone.localtime(t.due_at) if t.due_at else None
            out.append(f"{t.label}: screen again by {when:%H:%M on %-d %B %Y}" if when else t.label)
        return out


def _triggers_after(group: list[str], since: dt.datetime) -> list[RescreenTrigger]:
    """Episodes, return interviews and imported events that are new since ``since`` for these people:
    they happened after it, or Sightline learnt of them after it (recorded by hand or imported) and they
    fall inside the screening's 12-month look-back, so the screener could not have known."""
    return _triggers_after_many({"": (group, since)})[""]


def _triggers_after_many(
    windows: dict[str, tuple[list[str], dt.datetime]],
) -> dict[str, list[RescreenTrigger]]:
    """:func:`_triggers_after` for each key's (group, since), with one query per source for all of them:
    rows new since the earliest ``since``, each then checked against its own group's."""
    kinds = set(rescreen_triggers())
    hours = rescreen_hours()
    owner = {pid: key for key, (group, _since) in windows.items() for pid in group}
    out: dict[str, list[RescreenTrigger]] = {key: [] for key in windows}
    if not windows:
        return out
    earliest = min(since for _group, since in windows.values())

    def due(kind: str, moment: dt.datetime) -> dt.datetime | None:
        return moment + dt.timedelta(hours=hours[kind]) if kind in hours else None

    def new(pid: str, happened: Any, learnt: Any, *, day: bool = False) -> bool:
        since = windows[owner[pid]][1]
        if day:
            return happened > timezone.localdate(since) or (
                learnt > since and happened >= timezone.localdate(since - SCREENING_LOOKBACK)
            )
        return happened > since or (learnt > since and happened >= since - SCREENING_LOOKBACK)

    case_kinds = {"M": "missing", "A": "absent"}
    window = earliest - SCREENING_LOOKBACK
    members = list(owner)
    new_episodes = Q(started_at__gt=earliest) | Q(recorded_at__gt=earliest, started_at__gte=window)
    for ep in MissingEpisode.objects.filter(new_episodes, person_id__in=members):
        kind = case_kinds[ep.category]
        if kind in kinds and new(ep.person_id, ep.started_at, ep.recorded_at):
            category = ep.get_category_display().split(" (")[0].lower()
            out[owner[ep.person_id]].append(
                RescreenTrigger(
                    kind,
                    timezone.localdate(ep.started_at),
                    "case",
                    MissingEpisode.ledger_type(),
                    ep.id,
                    f"{category} episode on {ep.started_at:%-d %B %Y}",
                    due(kind, ep.started_at),
                )
            )
    if kinds & {"return_interview", "disclosure"}:
        new_interviews = (
            Q(offered_at__gt=earliest)
            | Q(held_at__gt=earliest)
            | Q(recorded_at__gt=earliest, offered_at__gte=window)
        )
        interviews = ReturnInterview.objects.filter(new_interviews, episode__person_id__in=members)
        for ri in interviews.annotate(child=F("episode__person_id")):
            held_since = ri.held_at is not None and ri.held_at > windows[owner[ri.child]][1]
            if not (held_since or new(ri.child, ri.offered_at, ri.recorded_at)):
                continue
            when = ri.held_at or ri.offered_at
            # A disclosure stands for the interview it was made in, so the interview is not listed twice.
            kind = "disclosure" if ri.disclosure and "disclosure" in kinds else "return_interview"
            if kind not in kinds:
                continue
            label = (
                f"the child disclosed harm in the return interview on {when:%-d %B %Y}"
                if kind == "disclosure"
                else f"return interview on {when:%-d %B %Y}"
            )
            out[owner[ri.child]].append(
                RescreenTrigger(
                    kind,
                    timezone.localdate(when),
                    "case",
                    ReturnInterview.ledger_type(),
                    ri.id,
                    label,
                    due(kind, when),
                )
            )
    earliest_day = timezone.localdate(earliest)
    new_events = Q(occurred_on__gt=earliest_day) | Q(
        extract__imported_at__gt=earliest, occurred_on__gte=timezone.localdate(window)
    )
    events = SourceEvent.objects.filter(new_events, record__person_id__in=members, kind__in=kinds)
    annotated = events.select_related("agency").annotate(
        child=F("record__person_id"), imported=F("extract__imported_at")
    )
    for ev in annotated:
        if not new(ev.child, ev.occurred_on, ev.imported, day=True):
            continue
        out[owner[ev.child]].append(
            RescreenTrigger(
                ev.kind,
                ev.occurred_on,
                ev.agency_id,
                SourceEvent.ledger_type(),
                ev.id,
                f"{ev.kind.replace('_', ' ')} on {ev.occurred_on:%-d %B %Y} ({ev.agency.name})",
                due(ev.kind, start_of_day(ev.occurred_on)),
            )
        )
    return {key: sorted(found, key=lambda t: (t.on, t.object_id)) for key, found in out.items()}


def _rescreen_due(
    person_id: str, last: Screening, triggers: list[RescreenTrigger], now: dt.datetime | None
) -> RescreenDue | None:
    reassess = last.next_due_on <= today(now)
    if not triggers and not reassess:
        return None
    return RescreenDue(
        person_id=person_id, last_screening=last, reassessment_due=reassess, triggers=tuple(triggers)
    )


def rescreen_due_for(person_id: str, *, now: dt.datetime | None = None) -> RescreenDue | None:
    """Whether a screened child needs screening again, and why (no access check).

    Due when the reassessment date has passed, or when a missing episode, police incident or return
    interview (case work or an agency extract, per ``SIGHTLINE_RESCREEN_TRIGGERS``) is new since the
    latest screening (see :func:`_triggers_after`). It must be done by the reassessment date, or
    sooner where a trigger's kind has a rule (``SIGHTLINE_RESCREEN_HOURS``: a disclosure in a return
    interview, within 72 hours by default). A child never screened is not "re-screen due": the triage
    decision covers them.
    """
    group = person_group_ids(person_id)
    last = Screening.objects.filter(person_id__in=group).order_by("-completed_at").first()
    if last is None:
        return None
    return _rescreen_due(person_id, last, _triggers_after(group, last.completed_at), now)


def rescreens_due_all(*, now: dt.datetime | None = None) -> list[RescreenDue]:
    """Every screened child who is due a re-screen (no access check). A few queries for all of them:
    the dashboard asks on every visit, and there may be thousands."""
    screened = Screening.objects.values_list("person_id", flat=True).distinct()
    groups = person_groups(sorted(set(resolve_person_ids(screened).values())))
    owner = {pid: root for root, group in groups.items() for pid in group}
    last: dict[str, Screening] = {}
    for screening in Screening.objects.filter(person_id__in=list(owner)).order_by("-completed_at"):
        last.setdefault(owner[screening.person_id], screening)
    triggers = _triggers_after_many({root: (groups[root], s.completed_at) for root, s in last.items()})
    due = [_rescreen_due(root, last[root], triggers[root], now) for root in sorted(last)]
    return sorted((d for d in due if d is not None), key=lambda d: d.last_screening.completed_at)


def rescreens_due(user: Any, *, now: dt.datetime | None = None) -> list[RescreenDue]:
    """Re-screens due for the children the user may see."""
    require_viewer_cap(user, Cap.RAISE_CONCERN, Cap.SCREEN)
    due = rescreens_due_all(now=now)
    visible = visible_among(user, [d.person_id for d in due])
    due = [d for d in due if d.person_id in visible]
    ledger_list(user, "re-screens due", visible)
    return due


# --- pre-filling a screening from the concerns behind it -------------------------------------------

# A concern about something this recent fills the "current" tick, up to a year the "earlier" one
# (the indicator set's two windows); anything older cannot count towards the score.
CURRENT_WINDOW = dt.timedelta(days=183)


@dataclass(frozen=True)
class ScreeningPrefill:
    answers: dict[str, dict[str, bool]]  # indicator code -> {"current": ..., "earlier": ...}
    concerns: tuple[Concern, ...]


def screening_prefill(
    user: Any, person_id: str, *, concern_id: str = "", now: dt.datetime | None = None
) -> ScreeningPrefill:
    """The indicators ticked on the concerns behind a screening, as answers to start from: the concern
    it was opened from (``concern_id``, after triage), or else every concern raised since the child's
    latest screening and not withdrawn. The screener still checks each tick."""
    root = require_child_access(user, person_id, "screening: indicators from concerns")
    group = person_group_ids(root)
    concerns = Concern.objects.filter(person_id__in=group).exclude(status=Concern.Status.WITHDRAWN)
    if concern_id:
        concerns = concerns.filter(pk=concern_id)
    else:
        last = Screening.objects.filter(person_id__in=group).order_by("-completed_at").first()
        if last is not None:
            concerns = concerns.filter(raised_at__gt=last.completed_at)
    moment = now_or(now)
    known = {i.code for i in tool.default_indicator_set().indicators}
    answers: dict[str, dict[str, bool]] = {}
    used: list[Concern] = []
    for concern in concerns.select_related("agency").order_by("raised_at"):
        age = moment - concern.occurred_at
        if age > SCREENING_LOOKBACK or not concern.indicators:
            continue
        used.append(concern)
        tick = "current" if age <= CURRENT_WINDOW else "earlier"
        for code in concern.indicators:
            if code in known:
                answers.setdefault(code, {"current": False, "earlier": False})[tick] = True
    return ScreeningPrefill(answers=answers, concerns=tuple(used))
