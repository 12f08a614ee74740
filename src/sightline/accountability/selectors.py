"""Reads for accountability: plan status, overdue actions, moved dates, histories from the ledger, live
indicators, resources against caseload, engagement and protected concerns.

The board report (``sightline.reports``) builds on :func:`recommendations_by_status`,
:func:`overdue_actions`, :func:`moved_target_dates`, :func:`indicator_results` and :func:`resources`.
Nothing here shows a person's record: accountability pages are about the service.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sightline.access.permissions import Cap, can
from sightline.accountability import indicators as ind
from sightline.accountability.models import (
    Action,
    ActionStatus,
    EngagementEvent,
    Evidence,
    FundingLine,
    Indicator,
    ProtectedConcern,
    ProtectedConcernResponse,
    Recommendation,
    ResponsePlan,
    StaffingLevel,
    TargetDateChange,
    citable_as_evidence,
)
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate, record_action

# The four statuses an action is reported in, in report order; "awaiting sign-off" counts as in progress.
STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "overdue": "Overdue",
}
TAGS = {
    "not_started": "govuk-tag--grey",
    "in_progress": "govuk-tag--blue",
    "awaiting_sign_off": "govuk-tag--yellow",
    "complete": "govuk-tag--green",
    "overdue": "govuk-tag--red",
}


def _today(today: dt.date | None = None) -> dt.date:
    return today or timezone.localdate()


# --- status --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Where an action or recommendation stands. ``key`` is one of STATUSES; ``awaiting_sign_off``
    marks a completed action that no second person has confirmed yet."""

    key: str
    awaiting_sign_off: bool = False

    @property
    def label(self) -> str:
        if self.awaiting_sign_off and self.key != "overdue":
            return "Awaiting sign-off"
        return STATUSES[self.key]

    @property
    def tag(self) -> str:
        return TAGS["awaiting_sign_off" if self.awaiting_sign_off and self.key != "overdue" else self.key]

    @property
    def overdue(self) -> bool:
        return self.key == "overdue"


def action_state(action: Action, today: dt.date | None = None) -> State:
    """Complete only once signed off; overdue whenever the target date has passed before that."""
    today = _today(today)
    awaiting = action.status == ActionStatus.COMPLETE and action.signed_off_at is None
    if action.status == ActionStatus.COMPLETE and not awaiting:
        return State("complete")
    if action.target_date < today:
        return State("overdue", awaiting)
    if awaiting:
        return State("in_progress", True)
    return State(str(action.status))


def recommendation_state(
    rec: Recommendation, actions: Sequence[Action], today: dt.date | None = None
) -> State:
    today = _today(today)
    states = [action_state(a, today) for a in actions]
    if states and all(s.key == "complete" for s in states):
        return State("complete")
    if rec.target_date < today or any(s.overdue for s in states):
        return State("overdue")
    if any(s.key in ("in_progress", "complete") for s in states):
        return State("in_progress", any(s.awaiting_sign_off for s in states))
    return State("not_started")


@dataclass(frozen=True)
class ActionView:
    action: Action
    state: State
    evidence_count: int


@dataclass(frozen=True)
class RecommendationView:
    recommendation: Recommendation
    state: State
    actions: list[ActionView]


@dataclass
class PlanView:
    plan: ResponsePlan
    recommendations: list[RecommendationView]
    counts: dict[str, int]

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        return status_counts(self.counts)


def status_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(key, label, count) for each status, in report order (for pages)."""
    return [(k, label, counts.get(k, 0)) for k, label in STATUSES.items()]


def plans() -> QuerySet[ResponsePlan]:
    return ResponsePlan.objects.order_by("-imported_at")


def get_plan(key: str) -> ResponsePlan:
    plan = ResponsePlan.objects.filter(Q(key=key) | Q(pk=key)).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def _evidence_counts(action_ids: Iterable[str]) -> Counter[str]:
    return Counter(
        Evidence.objects.filter(action_id__in=list(action_ids), withdrawn=False).values_list(
            "action_id", flat=True
        )
    )


def plan_view(plan: ResponsePlan, today: dt.date | None = None) -> PlanView:
    today = _today(today)
    recs = list(plan.recommendations.order_by("position", "ref"))
    actions: dict[str, list[Action]] = defaultdict(list)
    all_actions = list(
        Action.objects.filter(recommendation__plan=plan)
        .select_related("owner_agency")
        .order_by("position", "ref")
    )
    for a in all_actions:
        actions[a.recommendation_id].append(a)
    counts_ev = _evidence_counts(a.id for a in all_actions)
    views = []
    for rec in recs:
        acts = actions.get(rec.id, [])
        views.append(
            RecommendationView(
                rec,
                recommendation_state(rec, acts, today),
                [ActionView(a, action_state(a, today), counts_ev.get(a.id, 0)) for a in acts],
            )
        )
    counts = Counter(v.state.key for v in views)
    return PlanView(plan, views, {k: counts.get(k, 0) for k in STATUSES})


def recommendations_by_status(
    plan: ResponsePlan | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Counts of recommendations per status (every plan, or one)."""
    out = dict.fromkeys(STATUSES, 0)
    for p in [plan] if plan else list(plans()):
        for k, v in plan_view(p, today).counts.items():
            out[k] += v
    return out


def get_recommendation(recommendation_id: str, today: dt.date | None = None) -> RecommendationView:
    rec = Recommendation.objects.select_related("plan").filter(pk=recommendation_id).first()
    if rec is None:
        raise Http404("No such recommendation")
    acts = list(rec.actions.select_related("owner_agency").order_by("position", "ref"))
    ev = _evidence_counts(a.id for a in acts)
    today = _today(today)
    return RecommendationView(
        rec,
        recommendation_state(rec, acts, today),
        [ActionView(a, action_state(a, today), ev.get(a.id, 0)) for a in acts],
    )


def get_action(action_id: str) -> Action:
    action = (
        Action.objects.select_related("recommendation__plan", "owner_agency", "engagement_event")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def may_view_action(user: Any, action: Action) -> bool:
    role = getattr(user, "role", "")
    return (
        can(role, Cap.VIEW_AGGREGATE)
        or can(role, Cap.MANAGE_RECOMMENDATIONS)
        or can(role, Cap.SIGN_OFF)
        or (bool(action.owner_user) and action.owner_user == getattr(user, "username", None))
    )


def evidence_for(action: Action) -> list[Evidence]:
    return list(Evidence.objects.filter(action=action).order_by("added_at"))


def get_evidence(evidence_id: str) -> Evidence:
    evidence = Evidence.objects.select_related("action").filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence")
    return evidence


@dataclass(frozen=True)
class OverdueItem:
    action: Action
    days_overdue: int
    state: State


def overdue_actions(
    *, owner_user: str | None = None, plan: ResponsePlan | None = None, today: dt.date | None = None
) -> list[OverdueItem]:
    """Actions past their target date and not signed off as complete, most overdue first."""
    today = _today(today)
    qs = (
        Action.objects.filter(target_date__lt=today)
        .exclude(status=ActionStatus.COMPLETE, signed_off_at__isnull=False)
        .select_related("recommendation__plan", "owner_agency")
    )
    if owner_user is not None:
        qs = qs.filter(owner_user=owner_user)
    if plan is not None:
        qs = qs.filter(recommendation__plan=plan)
    return [
        OverdueItem(a, (today - a.target_date).days, action_state(a, today))
        for a in qs.order_by("target_date", "recommendation__position", "position")
    ]


def awaiting_sign_off(*, exclude_user: str | None = None) -> list[Action]:
    """Actions marked complete that no second person has signed off (excluding ones ``exclude_user``
    marked complete, which they cannot sign off)."""
    qs = Action.objects.filter(status=ActionStatus.COMPLETE, signed_off_at__isnull=True).select_related(
        "recommendation__plan", "owner_agency"
    )
    if exclude_user:
        qs = qs.exclude(completed_by=exclude_user)
    return list(qs.order_by("completed_at"))


@dataclass(frozen=True)
class MovedDate:
    change: TargetDateChange
    plan: ResponsePlan
    what: str  # "R3" or "R3/R3.1"
    description: str

    @property
    def days_moved(self) -> int:
        return (self.change.new_date - self.change.old_date).days


def moved_target_dates(
    *, plan: ResponsePlan | None = None, since: dt.datetime | None = None
) -> list[MovedDate]:
    """Every moved target date with the old and new date, the reason, who and when (newest first)."""
    qs = TargetDateChange.objects.select_related(
        "recommendation__plan", "action__recommendation__plan"
    ).order_by("-changed_at")
    if since is not None:
        qs = qs.filter(changed_at__gte=since)
    out = []
    for c in qs:
        if c.action is not None:
            rec = c.action.recommendation
            item = MovedDate(c, rec.plan, f"{rec.ref}/{c.action.ref}", c.action.description)
        else:
            assert c.recommendation is not None
            item = MovedDate(c, c.recommendation.plan, c.recommendation.ref, c.recommendation.title)
        if plan is None or item.plan.pk == plan.pk:
            out.append(item)
    return out


# --- history from the ledger ---------------------------------------------------------------------

FIELD_LABELS = {
    "target_date": "Target date",
    "status": "Status",
    "title": "Title",
    "text": "Text",
    "description": "Description",
    "owner_agency_id": "Owner agency",
    "owner_name": "Owner",
    "owner_user": "Owner's account",
    "completed_by": "Marked complete by",
    "signed_off_by": "Signed off by",
    "sign_off_note": "Sign-off note",
    "indicator_keys": "Indicators",
    "withdrawn": "Withdrawn",
    "withdrawn_reason": "Withdrawn because",
}
_HIDDEN = {"id", "position", "completed_at", "signed_off_at", "recommendation_id", "action_id", "plan_id"}


@dataclass(frozen=True)
class HistoryItem:
    entry: Entry
    what: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)
    summary: str


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def history(objects: Iterable[tuple[str, str, str]]) -> list[HistoryItem]:
    """Every ledger entry about the given ``(object_type, object_id, label)`` objects, oldest first, with
    what changed between versions. The current rows play no part: this is the ledger's own account."""
    integrate()
    labels: dict[tuple[str, str], str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for otype, oid, label in objects:
        labels[(otype, oid)] = label
        by_type[otype].append(oid)
    if not by_type:
        return []
    q = Q()
    for otype, ids in by_type.items():
        q |= Q(object_type=otype, object_id__in=ids)
    previous: dict[tuple[str, str], dict[str, Any]] = {}
    out = []
    for entry in Entry.objects.filter(q).order_by("index"):
        key = (entry.object_type, entry.object_id)
        body = json.loads(bytes(entry.canonical))
        data = body.get("data") or {}
        before = previous.get(key)
        changes = []
        if entry.version is not None and isinstance(data, dict):
            if before is not None:
                for name in sorted(set(data) | set(before)):
                    if name in _HIDDEN or data.get(name) == before.get(name):
                        continue
                    changes.append(
                        (
                            FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                            _show(before.get(name)),
                            _show(data.get(name)),
                        )
                    )
            previous[key] = data
        summary = {
            "create": "Created",
            "import": "Imported" if before is None else "Updated by import",
            "update": "Changed",
            "move_target_date": "Target date moved",
            "start": "Started",
            "complete": "Marked complete",
            "sign_off": "Signed off",
            "return": "Sign-off refused, sent back",
            "reopen": "Reopened",
            "withdraw": "Withdrawn",
        }.get(entry.action, entry.action.replace("_", " ").capitalize())
        out.append(HistoryItem(entry, labels[key], changes, summary))
    return out


def recommendation_history(rec: Recommendation) -> list[HistoryItem]:
    """The recommendation, its actions, their evidence and every moved date, from the ledger."""
    objs: list[tuple[str, str, str]] = [(rec.ledger_type(), rec.id, f"Recommendation {rec.ref}")]
    actions = list(rec.actions.all())
    objs += [(Action.ledger_type(), a.id, f"Action {a.ref}") for a in actions]
    objs += [
        (Evidence.ledger_type(), e.id, f"Evidence for {e.action.ref}: {e.title}")
        for e in Evidence.objects.filter(action__in=actions).select_related("action")
    ]
    objs += [
        (TargetDateChange.ledger_type(), c.id, "Target date change")
        for c in TargetDateChange.objects.filter(Q(recommendation=rec) | Q(action__in=actions))
    ]
    return history(objs)


def action_history(action: Action) -> list[HistoryItem]:
    objs: list[tuple[str, str, str]] = [(Action.ledger_type(), action.id, f"Action {action.ref}")]
    objs += [
        (Evidence.ledger_type(), e.id, f"Evidence: {e.title}") for e in Evidence.objects.filter(action=action)
    ]
    objs += [
        (TargetDateChange.ledger_type(), c.id, "Target date change")
        for c in TargetDateChange.objects.filter(action=action)
    ]
    return history(objs)


def ledger_entry_summary(index: int) -> Entry | None:
    """Who wrote a cited entry, and what, when evidence may cite it (otherwise None)."""
    integrate()
    entry = (
        Entry.objects.filter(index=index)
        .only(
            "index",
            "time",
            "actor_user",
            "actor_role",
            "actor_agency",
            "action",
            "object_type",
            "object_id",
            "version",
        )
        .first()
    )
    return entry if entry and citable_as_evidence(entry.object_type, entry.version) else None


# --- indicators ----------------------------------------------------------------------------------


def all_indicators(*, include_inactive: bool = False) -> list[Indicator]:
    """Stored indicators, plus shipped ones not stored yet (unsaved rows: stored on their first change)."""
    stored = {i.key: i for i in Indicator.objects.all()}
    shipped = ind.shipped_definitions()
    out = []
    for pos, d in enumerate(shipped):
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
    raise Http404("No such indicator")


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
    def target_text(self) -> str:
        t = self.indicator.target
        return "no target" if t is None else ind.format_value(t, self.indicator.unit)

    @property
    def on_target(self) -> bool | None:
        latest = self.latest
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


# --- resources -----------------------------------------------------------------------------------


def caseload_by_year(years: Iterable[int], *, financial: bool = False) -> dict[int, int]:
    """Children with at least one (not withdrawn) concern raised in each year: the caseload the
    resources are set against. ``financial`` years run April to March (2014 is 2014/15)."""
    from sightline.cases.models import Concern

    wanted = sorted(set(years))
    if not wanted:
        return {}
    out: dict[int, set[str]] = {y: set() for y in wanted}
    for pid, raised in Concern.objects.exclude(status=Concern.Status.WITHDRAWN).values_list(
        "person_id", "raised_at"
    ):
        day = timezone.localtime(raised).date()
        year = (day.year if day.month >= 4 else day.year - 1) if financial else day.year
        if year in out:
            out[year].add(pid)
    return {y: len(v) for y, v in out.items()}


@dataclass
class Resources:
    funding: list[FundingLine]
    staffing: list[StaffingLevel]
    funding_years: list[int]
    staffing_years: list[int]
    funding_caseload: dict[int, int]
    staffing_caseload: dict[int, int]

    def funding_lines(self) -> list[tuple[str, dict[int, Decimal]]]:
        lines: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for f in self.funding:
            label = f.name + (f" ({f.agency.name})" if f.agency else "")
            lines[label][f.financial_year] = f.amount
        return sorted(lines.items())

    def staffing_lines(self) -> list[tuple[str, dict[int, Decimal]]]:
        lines: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for s in self.staffing:
            lines[f"{s.agency.name}: {s.team}"][s.year] = s.staff
        return sorted(lines.items())

    def staff_totals(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for s in self.staffing:
            totals[s.year] += s.staff
        return dict(totals)

    def funding_totals(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for f in self.funding:
            totals[f.financial_year] += f.amount
        return dict(totals)


def resources() -> Resources:
    funding = list(FundingLine.objects.select_related("agency").order_by("name", "financial_year"))
    staffing = list(StaffingLevel.objects.select_related("agency").order_by("agency__name", "team", "year"))
    fy = sorted({f.financial_year for f in funding})
    sy = sorted({s.year for s in staffing})
    return Resources(
        funding, staffing, fy, sy, caseload_by_year(fy, financial=True), caseload_by_year(sy, financial=False)
    )


# --- engagement ----------------------------------------------------------------------------------


def engagement_events(*, status: str = "") -> QuerySet[EngagementEvent]:
    qs = EngagementEvent.objects.select_related("organised_by", "plan").order_by("-event_on")
    if status:
        qs = qs.filter(status=status)
    return qs


def get_engagement_event(event_id: str) -> EngagementEvent:
    event = EngagementEvent.objects.select_related("organised_by", "plan").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such engagement event")
    return event


def communities_reached() -> list[tuple[str, int]]:
    """Each community and the number of held events that reached it, most first."""
    counts: Counter[str] = Counter()
    for communities in EngagementEvent.objects.filter(status=EngagementEvent.Status.HELD).values_list(
        "communities", flat=True
    ):
        counts.update(set(communities or []))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# --- protected concerns --------------------------------------------------------------------------

PROTECTED_TYPE = ProtectedConcern.ledger_type()


def _actor(user: Any) -> Any:
    from sightline.access.services import actor_for

    return actor_for(user)


def may_review_protected(user: Any) -> bool:
    return can(getattr(user, "role", ""), Cap.REVIEW_BREAK_GLASS)


@dataclass(frozen=True)
class ConcernView:
    concern: ProtectedConcern
    responses: list[ProtectedConcernResponse]

    @property
    def latest_outcome(self) -> str:
        return self.responses[-1].get_outcome_display() if self.responses else "Awaiting a response"

    @property
    def closed(self) -> bool:
        return bool(self.responses) and self.responses[-1].outcome == ProtectedConcernResponse.Outcome.CLOSED


def _views(concerns: Iterable[ProtectedConcern]) -> list[ConcernView]:
    concerns = list(concerns)
    responses: dict[str, list[ProtectedConcernResponse]] = defaultdict(list)
    for r in ProtectedConcernResponse.objects.filter(concern__in=concerns).order_by("responded_at"):
        responses[r.concern_id].append(r)
    return [ConcernView(c, responses.get(c.id, [])) for c in concerns]


def protected_concerns_for_review(user: Any) -> list[ConcernView]:
    """Every protected concern, for the independent reviewer only. The look is ledgered."""
    if not may_review_protected(user):
        raise PermissionDenied("Only the independent reviewer sees protected concerns")
    views = _views(ProtectedConcern.objects.select_related("agency_concerned").order_by("-raised_at"))
    record_action(_actor(user), "read_list", PROTECTED_TYPE, "all", data={"count": len(views)})
    return views


def unanswered_protected_count(user: Any) -> int:
    if not may_review_protected(user):
        return 0
    return ProtectedConcern.objects.filter(responses__isnull=True).count()


def my_protected_concerns(user: Any) -> list[ConcernView]:
    """The concerns this user raised (and only those): the raiser can follow what happened."""
    return _views(ProtectedConcern.objects.filter(raised_by=user.username).order_by("-raised_at"))


def get_protected_concern(user: Any, concern_id: str) -> ConcernView:
    """One protected concern, for the independent reviewer or the person who raised it. Nobody else
    (managers and coordinators included) can open it; every look and refusal is ledgered."""
    concern = ProtectedConcern.objects.select_related("agency_concerned").filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such protected concern")
    if not (may_review_protected(user) or concern.raised_by == user.username):
        record_action(_actor(user), "read_denied", PROTECTED_TYPE, concern_id)
        raise PermissionDenied(
            "Only the independent reviewer and the person who raised it can see this concern"
        )
    record_action(_actor(user), "read", PROTECTED_TYPE, concern_id)
    return _views([concern])[0]
