"""Reads for case work: the child's record and chronology, queues, tasks and the figures built on them.

Two layers:

* Functions taking a ``user`` are what pages and the API call. Person-level ones check need to know and
  ledger the read through ``sightline.access.selectors.require_person_access``; lists across children
  show only people the user may see (``access.selectors.visible_people``) and ledger which ones they
  showed.
* Functions without a user (``*_for`` helpers, ``rescreen_due_for``, ``return_interview_status``,
  ``self_referrals_per_week``...) compute from the tables with no access check. They are for the
  checked functions, aggregate figures and indicators, never for showing a person to someone.

Everything that can change with the clock takes ``now`` so tests and reports can ask "as at".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sightline.access.models import Agency
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.cases import screening as tool
from sightline.cases.models import (
    Concern,
    ConcernPerson,
    Investigation,
    InvestigationPerson,
    MissingEpisode,
    Placement,
    Plan,
    PlanAction,
    PlanReview,
    ReturnInterview,
    Screening,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
)
from sightline.cases.services import RETURN_INTERVIEW_HOURS
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate, record_action
from sightline.people import need_to_know as access
from sightline.people.models import Person, PersonIdentifier, SourceEvent, SourceRecord
from sightline.people.selectors import PersonRecord, person_group_ids, person_record, resolve_person_id

# Imported event kinds (extract-format.md) and case-work episodes that make a re-screen due.
DEFAULT_RESCREEN_TRIGGERS = ("missing", "police_incident", "return_interview")
NEW_CONCERN_DAYS = 7


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(_now(now))


def rescreen_triggers() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(getattr(settings, "SIGHTLINE_RESCREEN_TRIGGERS", None) or DEFAULT_RESCREEN_TRIGGERS)


def _can_all(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can(user.role, Cap.VIEW_ALL_PEOPLE)


def _visible_ids(user: Any, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` the user may see (merged people are checked as the person they stand for)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    if _can_all(user):
        return wanted
    return set(access.visible_people(user).filter(pk__in=wanted).values_list("pk", flat=True))


def _ledger_list(user: Any, what: str, person_ids: Iterable[str]) -> None:
    """Ledger that a list showing these people was read."""
    ids = sorted({p for p in person_ids if p})
    if ids:
        record_action(
            actor_for(user), "read_list", Person.ledger_type(), what, data={"people": ids}, reason=what
        )


def _require_cap(user: Any, *caps: str) -> None:
    if not getattr(user, "is_authenticated", False) or not any(can(user.role, c) for c in caps):
        raise PermissionDenied("Your role cannot see this")


def require_child_access(user: Any, person_id: str, purpose: str) -> str:
    """Need-to-know check and ledgered read on the person who now stands for ``person_id`` (following
    manual merges). Returns that person's id. Raises Http404 or PermissionDenied.

    Web views and API endpoints call this (or :func:`require_object_access`) before any case-work
    write about a child, so both apply the same check.
    """
    if not Person.objects.filter(pk=person_id).exists():
        raise Http404("No such person")
    root = resolve_person_id(person_id)
    access.require_person_access(user, root, purpose)
    return root


_require_person = require_child_access

# The person each kind of case-work object is about.
_OWNER_PATH: dict[type[Any], str] = {
    Concern: "person_id",
    Screening: "person_id",
    Plan: "person_id",
    PlanAction: "plan__person_id",
    PlanReview: "plan__person_id",
    MissingEpisode: "person_id",
    ReturnInterview: "episode__person_id",
    Placement: "person_id",
}


def require_object_access(user: Any, model: type[Any], object_id: str, purpose: str) -> str:
    """Need-to-know check on the child a case-work object is about (a plan, an action, an episode...).
    Returns the child's id; raises Http404 when there is no such object."""
    path = _OWNER_PATH[model]
    person_id = model.objects.filter(pk=object_id).values_list(path, flat=True).first()
    if person_id is None:
        raise Http404(f"No such {model._meta.verbose_name}")
    return require_child_access(user, person_id, purpose)


# --- involvement: what gives an agency need to know ---------------------------------------------


def _with_merge_targets(person_ids: QuerySet[Any]) -> QuerySet[Any]:
    """The people in ``person_ids`` plus the people they were merged into (one level)."""
    return Person.objects.filter(
        Q(pk__in=person_ids)
        | Q(
            pk__in=Person.objects.filter(pk__in=person_ids, status=Person.Status.MERGED).values("merged_into")
        )
    ).values("pk")


def _merging(fn: access.InvolvementFn) -> access.InvolvementFn:
    def involved(agency: str) -> QuerySet[Any]:
        return _with_merge_targets(fn(agency))

    return involved


def register_access_hooks() -> None:
    """Tell need to know which children each agency is involved with through case work, and which
    objects belong to a person for their access history. Called from ``CasesConfig.ready``."""
    hooks: dict[str, access.InvolvementFn] = {
        "cases.concern": lambda a: Concern.objects.filter(agency_id=a).values("person_id"),
        "cases.screening": lambda a: Screening.objects.filter(agency_id=a).values("person_id"),
        "cases.plan": lambda a: Plan.objects.filter(agency_id=a).values("person_id"),
        "cases.planaction": lambda a: PlanAction.objects.filter(owner_agency_id=a).values("plan__person_id"),
        "cases.missingepisode": lambda a: MissingEpisode.objects.filter(reported_by_agency_id=a).values(
            "person_id"
        ),
        "cases.returninterview": lambda a: ReturnInterview.objects.filter(offered_by_agency_id=a).values(
            "episode__person_id"
        ),
        "cases.placement": lambda a: Placement.objects.filter(agency_id=a).values("person_id"),
        "cases.investigation": lambda a: InvestigationPerson.objects.filter(
            investigation__agency_id=a, active=True
        ).values("person_id"),
        "cases.selfreferral": lambda a: SelfReferral.objects.filter(agency_id=a, person__isnull=False).values(
            "person_id"
        ),
        "people.merged": lambda a: SourceRecord.objects.filter(agency_id=a, person__isnull=False).values(
            "person_id"
        ),
        # People entered by hand: the agency that entered them, and agencies holding an identifier.
        "people.created": lambda a: Entry.objects.filter(
            object_type=Person.ledger_type(), version=1, action="create", actor_agency=a
        ).values("object_id"),
        "people.identifier": lambda a: PersonIdentifier.objects.filter(agency_id=a, active=True).values(
            "person_id"
        ),
    }
    for name, fn in hooks.items():
        access.register_involvement(name, _merging(fn))
    access.register_person_objects("cases", _person_objects)


def _person_objects(person_id: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(model: Any, qs: QuerySet[Any]) -> None:
        out.extend((model.ledger_type(), pk) for pk in qs.values_list("pk", flat=True))

    add(Concern, Concern.objects.filter(person_id=person_id))
    add(TriageDecision, TriageDecision.objects.filter(concern__person_id=person_id))
    add(ConcernPerson, ConcernPerson.objects.filter(person_id=person_id))
    add(Screening, Screening.objects.filter(person_id=person_id))
    add(Plan, Plan.objects.filter(person_id=person_id))
    add(PlanAction, PlanAction.objects.filter(plan__person_id=person_id))
    add(PlanReview, PlanReview.objects.filter(plan__person_id=person_id))
    add(MissingEpisode, MissingEpisode.objects.filter(person_id=person_id))
    add(ReturnInterview, ReturnInterview.objects.filter(episode__person_id=person_id))
    add(Placement, Placement.objects.filter(person_id=person_id))
    add(InvestigationPerson, InvestigationPerson.objects.filter(person_id=person_id))
    add(SuspectStatus, SuspectStatus.objects.filter(person_id=person_id))
    add(SelfReferral, SelfReferral.objects.filter(person_id=person_id))
    return out


# --- concerns and triage -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A concern in a queue, with its deadline state at ``now``. ``restricted``: the user may not see
    the child (oversight lists still show the concern, without the name, so it can be chased)."""

    concern: Concern
    person_name: str
    overdue: bool
    hours_left: float
    restricted: bool = False


def _queue_items(user: Any, concerns: Sequence[Concern], now: dt.datetime, what: str) -> list[QueueItem]:
    visible = _visible_ids(user, [c.person_id for c in concerns])
    _ledger_list(user, what, visible)
    return [
        QueueItem(
            concern=c,
            person_name=str(c.person) if c.person_id in visible else "",
            overdue=c.status == Concern.Status.AWAITING_TRIAGE and c.triage_due_at < now,
            hours_left=round((c.triage_due_at - now).total_seconds() / 3600, 1),
            restricted=c.person_id not in visible,
        )
        for c in concerns
    ]


def triage_queue(
    user: Any, *, now: dt.datetime | None = None, status: str = Concern.Status.AWAITING_TRIAGE
) -> list[QueueItem]:
    """Concerns awaiting triage by deadline (overdue first). For triage roles and managers."""
    _require_cap(user, Cap.TRIAGE, Cap.SEE_OVERDUE)
    now = _now(now)
    qs = Concern.objects.select_related("person", "agency").filter(status=status).order_by("triage_due_at")
    return _queue_items(user, list(qs), now, "triage queue")


def overdue_triage_for(now: dt.datetime | None = None) -> QuerySet[Concern]:
    """Concerns still awaiting triage after their deadline (no access check: counts and the queue)."""
    return Concern.objects.filter(
        status=Concern.Status.AWAITING_TRIAGE, triage_due_at__lt=_now(now)
    ).order_by("triage_due_at")


def overdue_triage(user: Any, *, now: dt.datetime | None = None) -> list[QueueItem]:
    """Overdue triage, for managers and anyone who can see overdue work across the team."""
    _require_cap(user, Cap.SEE_OVERDUE, Cap.TRIAGE)
    now = _now(now)
    return _queue_items(
        user, list(overdue_triage_for(now).select_related("person", "agency")), now, "overdue triage"
    )


@dataclass(frozen=True)
class ConcernDetail:
    concern: Concern
    others: list[ConcernPerson]
    decisions: list[TriageDecision]
    indicators: list[tool.Indicator]
    overdue: bool


def get_concern(user: Any, concern_id: str, *, now: dt.datetime | None = None) -> ConcernDetail:
    """One concern with the others involved and every triage decision. Needs access to the child."""
    concern = Concern.objects.select_related("person", "agency").filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    _require_person(user, concern.person_id, f"concern {concern_id}")
    indicator_set = tool.default_indicator_set()
    return ConcernDetail(
        concern=concern,
        others=list(concern.others.select_related("person")),
        decisions=list(concern.decisions.order_by("decided_at")),
        indicators=[indicator_set.by_code[c] for c in concern.indicators if c in indicator_set.by_code],
        overdue=concern.status == Concern.Status.AWAITING_TRIAGE and concern.triage_due_at < _now(now),
    )


def new_concerns(
    user: Any, *, now: dt.datetime | None = None, days: int = NEW_CONCERN_DAYS
) -> list[QueueItem]:
    """Concerns raised in the last ``days`` days and not yet triaged: all of them for triage roles,
    the user's agency's for everyone else."""
    _require_cap(user, Cap.RAISE_CONCERN, Cap.TRIAGE)
    now = _now(now)
    qs = Concern.objects.select_related("person", "agency").filter(
        status=Concern.Status.AWAITING_TRIAGE, raised_at__gte=now - dt.timedelta(days=days)
    )
    if not can(user.role, Cap.TRIAGE):
        qs = qs.filter(agency_id=user.agency_id)
    items = _queue_items(user, list(qs.order_by("-raised_at")), now, "new concerns")
    return [i for i in items if not i.restricted]


def time_to_triage_hours(since: dt.datetime | None = None) -> list[float]:
    """Hours from each concern being raised to its first triage decision (for indicators)."""
    qs = Concern.objects.filter(decided_at__isnull=False)
    if since is not None:
        qs = qs.filter(raised_at__gte=since)
    return [
        (d - r).total_seconds() / 3600 for r, d in qs.values_list("raised_at", "decided_at") if d is not None
    ]


# --- screening -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningView:
    screening: Screening
    lines: tuple[tool.ScoreLine, ...]
    band_label: str
    computed_band_label: str
    overridden: bool


def _screening_view(s: Screening, indicator_set: tool.IndicatorSet) -> ScreeningView:
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
    root = _require_person(user, person_id, "screening history")
    indicator_set = tool.default_indicator_set()
    return [_screening_view(s, indicator_set) for s in screenings_for(root)]


@dataclass(frozen=True)
class RescreenTrigger:
    kind: str  # missing, absent, police_incident, return_interview...
    on: dt.date
    source: str  # "case" or the agency code of an imported event
    object_type: str
    object_id: str
    label: str


@dataclass(frozen=True)
class RescreenDue:
    person_id: str
    last_screening: Screening
    reassessment_due: bool
    triggers: tuple[RescreenTrigger, ...]

    @property
    def reasons(self) -> list[str]:
        out = (
            [f"reassessment was due by {self.last_screening.next_due_on:%d %B %Y}"]
            if self.reassessment_due
            else []
        )
        out += [t.label for t in self.triggers]
        return out


# How far back a screening looks: older events cannot change its answers.
SCREENING_LOOKBACK = dt.timedelta(days=365)


def _triggers_after(group: list[str], since: dt.datetime) -> list[RescreenTrigger]:
    """Episodes, return interviews and imported events that are new since ``since`` for these people:
    they happened after it, or Sightline learnt of them after it (recorded by hand or imported) and they
    fall inside the screening's 12-month look-back, so the screener could not have known."""
    kinds = set(rescreen_triggers())
    out: list[RescreenTrigger] = []
    case_kinds = {"M": "missing", "A": "absent"}
    window = since - SCREENING_LOOKBACK
    new_episodes = Q(started_at__gt=since) | Q(recorded_at__gt=since, started_at__gte=window)
    for ep in MissingEpisode.objects.filter(new_episodes, person_id__in=group):
        kind = case_kinds[ep.category]
        if kind in kinds:
            out.append(
                RescreenTrigger(
                    kind,
                    timezone.localdate(ep.started_at),
                    "case",
                    MissingEpisode.ledger_type(),
                    ep.id,
                    f"{ep.get_category_display().split(' (')[0].lower()} episode on {ep.started_at:%d %B %Y}",
                )
            )
    if "return_interview" in kinds:
        new_interviews = (
            Q(offered_at__gt=since) | Q(held_at__gt=since) | Q(recorded_at__gt=since, offered_at__gte=window)
        )
        for ri in ReturnInterview.objects.filter(new_interviews, episode__person_id__in=group):
            when = ri.held_at or ri.offered_at
            out.append(
                RescreenTrigger(
                    "return_interview",
                    timezone.localdate(when),
                    "case",
                    ReturnInterview.ledger_type(),
                    ri.id,
                    f"return interview on {when:%d %B %Y}",
                )
            )
    since_day = timezone.localdate(since)
    new_events = Q(occurred_on__gt=since_day) | Q(
        extract__imported_at__gt=since, occurred_on__gte=timezone.localdate(window)
    )
    events = SourceEvent.objects.filter(new_events, record__person_id__in=group, kind__in=kinds)
    for ev in events.select_related("agency"):
        out.append(
            RescreenTrigger(
                ev.kind,
                ev.occurred_on,
                ev.agency_id,
                SourceEvent.ledger_type(),
                ev.id,
                f"{ev.kind.replace('_', ' ')} on {ev.occurred_on:%d %B %Y} ({ev.agency.name})",
            )
        )
    return sorted(out, key=lambda t: (t.on, t.object_id))


def rescreen_due_for(person_id: str, *, now: dt.datetime | None = None) -> RescreenDue | None:
    """Whether a screened child needs screening again, and why (no access check).

    Due when the reassessment date has passed, or when a missing episode, police incident or return
    interview (case work or an agency extract, per ``SIGHTLINE_RESCREEN_TRIGGERS``) is new since the
    latest screening (see :func:`_triggers_after`). A child never screened is not "re-screen due":
    the triage decision covers them.
    """
    group = person_group_ids(person_id)
    last = Screening.objects.filter(person_id__in=group).order_by("-completed_at").first()
    if last is None:
        return None
    triggers = _triggers_after(group, last.completed_at)
    reassess = last.next_due_on <= _today(now)
    if not triggers and not reassess:
        return None
    return RescreenDue(
        person_id=person_id, last_screening=last, reassessment_due=reassess, triggers=tuple(triggers)
    )


def rescreens_due_all(*, now: dt.datetime | None = None) -> list[RescreenDue]:
    """Every screened child who is due a re-screen (no access check)."""
    roots = {
        resolve_person_id(pid) for pid in Screening.objects.values_list("person_id", flat=True).distinct()
    }
    due = [rescreen_due_for(pid, now=now) for pid in sorted(roots)]
    return sorted((d for d in due if d is not None), key=lambda d: d.last_screening.completed_at)


def rescreens_due(user: Any, *, now: dt.datetime | None = None) -> list[RescreenDue]:
    """Re-screens due for the children the user may see."""
    _require_cap(user, Cap.RAISE_CONCERN, Cap.SCREEN)
    due = rescreens_due_all(now=now)
    visible = _visible_ids(user, [d.person_id for d in due])
    due = [d for d in due if d.person_id in visible]
    _ledger_list(user, "re-screens due", visible)
    return due


# --- plans ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    action: PlanAction
    overdue: bool


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    actions: list[ActionView]
    reviews: list[PlanReview]
    review_overdue: bool

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def action_overdue(action: PlanAction, today: dt.date) -> bool:
    return action.status == PlanAction.Status.OPEN and action.due_on < today


def plan_view(plan: Plan, *, now: dt.datetime | None = None) -> PlanView:
    today = _today(now)
    actions = list(plan.actions.select_related("owner_agency").order_by("due_on", "created_at"))
    return PlanView(
        plan=plan,
        actions=[ActionView(a, action_overdue(a, today)) for a in actions],
        reviews=list(plan.reviews.order_by("-reviewed_on")),
        review_overdue=plan.status == Plan.Status.OPEN and plan.review_due_on < today,
    )


def plans_for(person_id: str, *, now: dt.datetime | None = None) -> list[PlanView]:
    plans = Plan.objects.filter(person_id__in=person_group_ids(person_id)).order_by("status", "-created_at")
    return [plan_view(p, now=now) for p in plans]


def person_plans(user: Any, person_id: str, *, now: dt.datetime | None = None) -> list[PlanView]:
    root = _require_person(user, person_id, "plans")
    return plans_for(root, now=now)


def get_plan(user: Any, plan_id: str, *, now: dt.datetime | None = None) -> PlanView:
    plan = Plan.objects.select_related("person").filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan")
    _require_person(user, plan.person_id, f"plan {plan_id}")
    return plan_view(plan, now=now)


# --- missing episodes and return interviews ------------------------------------------------------


@dataclass(frozen=True)
class ReturnInterviewStatus:
    """Where an episode stands against the 72-hour expectation for offering a return interview.

    ``state``: ``open`` (not back yet), ``due`` (back, not offered, still inside 72 hours),
    ``overdue`` (back, not offered, 72 hours passed), ``within_72h`` / ``outside_72h`` (offered; first
    offer inside or outside 72 hours of the return).
    """

    state: str
    due_by: dt.datetime | None
    first_offered_at: dt.datetime | None

    @property
    def within_72h(self) -> bool | None:
        return {"within_72h": True, "outside_72h": False, "overdue": False}.get(self.state)

    @property
    def needs_action(self) -> bool:
        return self.state in {"due", "overdue"}


def return_interview_status(
    episode: MissingEpisode,
    interviews: Sequence[ReturnInterview] | None = None,
    *,
    now: dt.datetime | None = None,
) -> ReturnInterviewStatus:
    if episode.ended_at is None:
        return ReturnInterviewStatus("open", None, None)
    due_by = episode.ended_at + dt.timedelta(hours=RETURN_INTERVIEW_HOURS)
    if interviews is None:
        interviews = list(episode.return_interviews.all())
    first = min((ri.offered_at for ri in interviews), default=None)
    if first is None:
        return ReturnInterviewStatus("overdue" if _now(now) > due_by else "due", due_by, None)
    return ReturnInterviewStatus("within_72h" if first <= due_by else "outside_72h", due_by, first)


@dataclass(frozen=True)
class EpisodeView:
    episode: MissingEpisode
    number: int  # 1 for the child's first recorded episode, 2 for the second...
    interviews: list[ReturnInterview]
    interview_status: ReturnInterviewStatus

    @property
    def duration_hours(self) -> float | None:
        if self.episode.ended_at is None:
            return None
        return round((self.episode.ended_at - self.episode.started_at).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class EpisodeSummary:
    episodes: list[EpisodeView]  # newest first
    missing_count: int
    absent_count: int
    last_90_days: int
    imported_missing_events: int  # missing/absent events in agency extracts (may repeat case episodes)

    @property
    def total(self) -> int:
        return self.missing_count + self.absent_count

    @property
    def repeat(self) -> bool:
        return self.total >= 2


def episodes_for(person_id: str, *, now: dt.datetime | None = None) -> EpisodeSummary:
    group = person_group_ids(person_id)
    episodes = list(
        MissingEpisode.objects.filter(person_id__in=group)
        .prefetch_related("return_interviews")
        .order_by("started_at")
    )
    views = [
        EpisodeView(
            ep,
            i + 1,
            list(ep.return_interviews.all()),
            return_interview_status(ep, list(ep.return_interviews.all()), now=now),
        )
        for i, ep in enumerate(episodes)
    ]
    since = _now(now) - dt.timedelta(days=90)
    return EpisodeSummary(
        episodes=list(reversed(views)),
        missing_count=sum(1 for e in episodes if e.category == MissingEpisode.Category.MISSING),
        absent_count=sum(1 for e in episodes if e.category == MissingEpisode.Category.ABSENT),
        last_90_days=sum(1 for e in episodes if e.started_at >= since),
        imported_missing_events=SourceEvent.objects.filter(
            record__person_id__in=group, kind__in=["missing", "absent"]
        ).count(),
    )


def person_episodes(user: Any, person_id: str, *, now: dt.datetime | None = None) -> EpisodeSummary:
    root = _require_person(user, person_id, "missing episodes")
    return episodes_for(root, now=now)


def get_episode(user: Any, episode_id: str, *, now: dt.datetime | None = None) -> EpisodeView:
    episode = MissingEpisode.objects.filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No such episode")
    root = _require_person(user, episode.person_id, f"episode {episode_id}")
    for view in episodes_for(root, now=now).episodes:
        if view.episode.id == episode_id:
            return view
    raise Http404("No such episode")  # pragma: no cover - the episode belongs to the group


def return_interview_timeliness(
    *, since: dt.date | None = None, until: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Counts of ended episodes by return-interview state (for the 72-hour indicator)."""
    qs = MissingEpisode.objects.filter(ended_at__isnull=False).prefetch_related("return_interviews")
    if since:
        qs = qs.filter(ended_at__date__gte=since)
    if until:
        qs = qs.filter(ended_at__date__lte=until)
    counts: dict[str, int] = defaultdict(int)
    for ep in qs:
        counts[return_interview_status(ep, list(ep.return_interviews.all()), now=now).state] += 1
    return dict(counts)


# --- placements ----------------------------------------------------------------------------------


def local_authority() -> str:
    from django.conf import settings

    return str(getattr(settings, "SIGHTLINE_LOCAL_AUTHORITY", "") or "")


@dataclass(frozen=True)
class PlacementView:
    placement: Placement
    current: bool
    placed_by_other_council: bool


def placements_for(person_id: str, *, now: dt.datetime | None = None) -> list[PlacementView]:
    today = _today(now)
    home = local_authority().strip().lower()
    return [
        PlacementView(
            p,
            current=p.started_on <= today and (p.ended_on is None or p.ended_on >= today),
            placed_by_other_council=bool(home) and p.placing_authority.strip().lower() != home,
        )
        for p in Placement.objects.filter(person_id__in=person_group_ids(person_id)).order_by("-started_on")
    ]


def person_placements(user: Any, person_id: str, *, now: dt.datetime | None = None) -> list[PlacementView]:
    root = _require_person(user, person_id, "placements")
    return placements_for(root, now=now)


# --- investigations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuspectView:
    link: InvestigationPerson
    history: list[SuspectStatus]  # newest first

    @property
    def current(self) -> SuspectStatus | None:
        return self.history[0] if self.history else None


@dataclass(frozen=True)
class InvestigationView:
    investigation: Investigation
    victims: list[InvestigationPerson]
    suspects: list[SuspectView]
    self_referrals: list[SelfReferral]


def _investigation_view(inv: Investigation) -> InvestigationView:
    links = list(inv.people.filter(active=True).select_related("person").order_by("role", "linked_on"))
    statuses: dict[str, list[SuspectStatus]] = defaultdict(list)
    for st in inv.suspect_statuses.order_by("-effective_on", "-recorded_at"):
        statuses[st.person_id].append(st)
    return InvestigationView(
        investigation=inv,
        victims=[lk for lk in links if lk.role == InvestigationPerson.Role.VICTIM],
        suspects=[
            SuspectView(lk, statuses.get(lk.person_id, []))
            for lk in links
            if lk.role == InvestigationPerson.Role.SUSPECT
        ],
        self_referrals=list(inv.self_referrals.order_by("-received_on")),
    )


def investigations(user: Any, *, status: str = "") -> QuerySet[Investigation]:
    """Investigations (operation names only, no people): for investigating roles."""
    _require_cap(user, Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
    qs = Investigation.objects.select_related("agency").order_by("-opened_on", "operation_name")
    return qs.filter(status=status) if status else qs


def get_investigation(user: Any, investigation_id: str) -> InvestigationView:
    """An investigation with its victims, suspects and status histories. Every person named is
    checked for need to know and the read is ledgered for each of them."""
    _require_cap(user, Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
    inv = Investigation.objects.select_related("agency").filter(pk=investigation_id).first()
    if inv is None:
        raise Http404("No such investigation")
    view = _investigation_view(inv)
    people = {lk.person_id for lk in view.victims} | {s.link.person_id for s in view.suspects}
    visible = _visible_ids(user, people)
    if people - visible:
        raise PermissionDenied(
            "This investigation names people outside your access; use break-glass for each"
        )
    for pid in sorted(people):
        access.require_person_access(user, pid, f"investigation {inv.operation_name}")
    return view


def person_investigations(user: Any, person_id: str) -> list[tuple[InvestigationPerson, list[SuspectStatus]]]:
    """The investigations a person is linked to, with their suspect status history where a suspect."""
    root = _require_person(user, person_id, "investigations")
    group = person_group_ids(root)
    out = []
    for link in InvestigationPerson.objects.filter(person_id__in=group, active=True).select_related(
        "investigation"
    ):
        history = (
            list(
                SuspectStatus.objects.filter(
                    investigation_id=link.investigation_id, person_id=link.person_id
                ).order_by("-effective_on", "-recorded_at")
            )
            if link.role == InvestigationPerson.Role.SUSPECT
            else []
        )
        out.append((link, history))
    return out


def current_suspect_statuses(*, as_of: dt.date | None = None) -> dict[tuple[str, str], SuspectStatus]:
    """(investigation id, person id) -> the status in force on ``as_of`` (no access check)."""
    qs = SuspectStatus.objects.order_by("effective_on", "recorded_at")
    if as_of is not None:
        qs = qs.filter(effective_on__lte=as_of)
    out: dict[tuple[str, str], SuspectStatus] = {}
    for st in qs:
        out[(st.investigation_id, st.person_id)] = st
    return out


def suspects_on_bail(*, as_of: dt.date | None = None) -> list[SuspectStatus]:
    """Suspects whose status in force is bail, with bail not yet ended (for indicators)."""
    day = as_of or timezone.localdate()
    return [
        st
        for st in current_suspect_statuses(as_of=day).values()
        if st.status == SuspectStatus.Status.BAIL and (st.bail_end_on is None or st.bail_end_on >= day)
    ]


def self_referrals_per_week(start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """Victims coming forward per ISO week (Monday start), every week from ``start`` to ``end``
    included, zero weeks too. Aggregate only: no names."""
    first = start - dt.timedelta(days=start.weekday())
    counts: dict[dt.date, int] = defaultdict(int)
    for day in SelfReferral.objects.filter(received_on__gte=first, received_on__lte=end).values_list(
        "received_on", flat=True
    ):
        counts[day - dt.timedelta(days=day.weekday())] += 1
    weeks = []
    week = first
    while week <= end:
        weeks.append((week, counts.get(week, 0)))
        week += dt.timedelta(days=7)
    return weeks


# --- chronology ----------------------------------------------------------------------------------

CASE_KINDS: dict[str, str] = {
    "concern": "Concern raised",
    "named_in_concern": "Named in a concern",
    "triage": "Triage decision",
    "screening": "Screening",
    "plan": "Plan",
    "plan_review": "Plan review",
    "missing": "Missing (whereabouts unknown)",
    "absent": "Absent (without authorisation)",
    "return_interview": "Return interview",
    "placement": "Placement",
    "investigation": "Investigation",
    "suspect_status": "Suspect status",
    "self_referral": "Came forward (self-referral)",
}

EXTRACT_KINDS: dict[str, str] = {
    "referral": "Referral",
    "assessment": "Assessment",
    "strategy_meeting": "Strategy meeting",
    "missing": "Missing (whereabouts unknown)",
    "absent": "Absent (without authorisation)",
    "return_interview": "Return interview",
    "placement": "Placement",
    "police_incident": "Police incident",
    "intelligence": "Intelligence",
    "arrest": "Arrest",
    "charge": "Charge",
    "bail": "Bail",
    "self_referral": "Came forward (self-referral)",
    "health_attendance": "Health attendance",
    "sexual_health": "Sexual health",
    "school_absence": "School absence",
    "exclusion": "Exclusion",
    "outreach_contact": "Outreach contact",
    "taxi_complaint": "Taxi complaint",
    "other": "Other",
}


def kind_label(kind: str) -> str:
    return CASE_KINDS.get(kind) or EXTRACT_KINDS.get(kind) or kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ChronologyEntry:
    """One line of a child's chronology.

    ``at`` orders the timeline (dates without a time sort at the start of their day, ``has_time`` says
    which). ``recorded_by``/``recorded_by_agency`` and ``ledger_index`` come from the ledger entry that
    wrote what the line shows; ``ledger_index`` is None only while that entry waits to be sequenced.
    """

    at: dt.datetime
    has_time: bool
    kind: str
    kind_label: str
    agency: str
    agency_name: str
    title: str
    detail: str
    source: str  # "case" or "extract"
    object_type: str
    object_id: str
    version: int
    recorded_by: str = ""
    recorded_by_agency: str = ""
    ledger_index: int | None = None

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.at).date() if self.has_time else self.at.date()


def _day(value: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


@dataclass
class _Draft:
    at: dt.datetime
    has_time: bool
    kind: str
    agency: str
    title: str
    detail: str
    source: str
    obj: Any
    version: int | None = None  # which version's ledger entry to cite; default the row's creation
    field_set: str = ""  # or: the first version where this field became non-empty


def _case_drafts(group: list[str]) -> list[_Draft]:
    d: list[_Draft] = []
    for c in Concern.objects.filter(person_id__in=group).select_related("agency"):
        where = f" at {c.place}" if c.place else ""
        d.append(
            _Draft(
                c.occurred_at,
                True,
                "concern",
                c.agency_id,
                f"Concern raised ({c.get_urgency_display().lower()}){where}",
                c.what_was_seen,
                "case",
                c,
            )
        )
    for cp in ConcernPerson.objects.filter(person_id__in=group).select_related("concern"):
        d.append(
            _Draft(
                cp.concern.occurred_at,
                True,
                "named_in_concern",
                cp.concern.agency_id,
                f"Named as {cp.get_role_display().lower()} in concern {cp.concern_id}",
                "",
                "case",
                cp,
            )
        )
    for t in TriageDecision.objects.filter(concern__person_id__in=group):
        d.append(
            _Draft(
                t.decided_at,
                True,
                "triage",
                t.agency_id,
                f"Triage: {t.get_decision_display()}",
                t.reason,
                "case",
                t,
            )
        )
    for s in Screening.objects.filter(person_id__in=group):
        band = f"{s.band.replace('_', ' ')}" + (
            f" (overridden from {s.computed_band.replace('_', ' ')})" if s.override_band else ""
        )
        d.append(
            _Draft(
                s.completed_at,
                True,
                "screening",
                s.agency_id,
                f"Screening: score {s.score}, {band}",
                s.override_reason or s.notes,
                "case",
                s,
            )
        )
    for p in Plan.objects.filter(person_id__in=group):
        d.append(
            _Draft(p.created_at, True, "plan", p.agency_id, f"Plan opened: {p.title}", p.summary, "case", p)
        )
        if p.closed_at:
            d.append(
                _Draft(
                    p.closed_at,
                    True,
                    "plan",
                    p.agency_id,
                    f"Plan closed: {p.title}",
                    p.close_reason,
                    "case",
                    p,
                    field_set="closed_at",
                )
            )
    for r in PlanReview.objects.filter(plan__person_id__in=group).select_related("plan"):
        d.append(
            _Draft(
                _day(r.reviewed_on),
                False,
                "plan_review",
                r.agency_id,
                f"Plan reviewed: {r.plan.title}",
                r.summary,
                "case",
                r,
            )
        )
    for e in MissingEpisode.objects.filter(person_id__in=group):
        kind = "missing" if e.category == MissingEpisode.Category.MISSING else "absent"
        d.append(
            _Draft(
                e.started_at,
                True,
                kind,
                e.reported_by_agency_id,
                "Went missing" if kind == "missing" else "Absent without authorisation",
                e.notes,
                "case",
                e,
            )
        )
        if e.ended_at:
            found = f" (found at {e.where_found})" if e.where_found else ""
            d.append(
                _Draft(
                    e.ended_at,
                    True,
                    kind,
                    e.reported_by_agency_id,
                    f"Returned{found}",
                    "",
                    "case",
                    e,
                    field_set="ended_at",
                )
            )
    for ri in ReturnInterview.objects.filter(episode__person_id__in=group).select_related("episode"):
        status = return_interview_status(ri.episode)
        timing = {"within_72h": "within 72 hours", "outside_72h": "later than 72 hours"}.get(status.state, "")
        d.append(
            _Draft(
                ri.offered_at,
                True,
                "return_interview",
                ri.offered_by_agency_id,
                f"Return interview offered {timing}".strip(),
                "",
                "case",
                ri,
            )
        )
        if ri.response != ReturnInterview.Response.PENDING:
            when = ri.held_at or ri.offered_at
            d.append(
                _Draft(
                    when,
                    True,
                    "return_interview",
                    ri.offered_by_agency_id,
                    f"Return interview {ri.get_response_display().lower()}",
                    ri.outcome,
                    "case",
                    ri,
                    field_set="response",
                )
            )
    for pl in Placement.objects.filter(person_id__in=group):
        area = "in area" if pl.in_area else "out of area"
        d.append(
            _Draft(
                _day(pl.started_on),
                False,
                "placement",
                pl.agency_id,
                f"Placement started: {pl.get_placement_type_display()}, {area}",
                f"Placing authority: {pl.placing_authority}",
                "case",
                pl,
            )
        )
        if pl.ended_on:
            d.append(
                _Draft(
                    _day(pl.ended_on),
                    False,
                    "placement",
                    pl.agency_id,
                    "Placement ended",
                    pl.end_reason,
                    "case",
                    pl,
                    field_set="ended_on",
                )
            )
    for lk in InvestigationPerson.objects.filter(person_id__in=group).select_related("investigation"):
        d.append(
            _Draft(
                _day(lk.linked_on),
                False,
                "investigation",
                lk.investigation.agency_id,
                f"Linked to {lk.investigation.operation_name} as {lk.get_role_display().lower()}",
                "",
                "case",
                lk,
            )
        )
    for st in SuspectStatus.objects.filter(person_id__in=group).select_related("investigation"):
        extra = (
            f"; bail until {st.bail_end_on:%d %B %Y}: {st.bail_conditions}"
            if st.status == SuspectStatus.Status.BAIL
            else ""
        )
        d.append(
            _Draft(
                _day(st.effective_on),
                False,
                "suspect_status",
                st.investigation.agency_id,
                f"{st.get_status_display()} ({st.investigation.operation_name})",
                f"{st.note}{extra}".strip("; "),
                "case",
                st,
            )
        )
    for sr in SelfReferral.objects.filter(person_id__in=group):
        d.append(
            _Draft(
                _day(sr.received_on),
                False,
                "self_referral",
                sr.agency_id,
                "Came forward" + (f" ({sr.channel})" if sr.channel else ""),
                sr.summary,
                "case",
                sr,
            )
        )
    return d


def _event_drafts(group: list[str]) -> list[_Draft]:
    d: list[_Draft] = []
    events = SourceEvent.objects.filter(record__person_id__in=group).select_related("record")
    for ev in events:
        data = ev.data if isinstance(ev.data, dict) else {}
        summary = str(data.get("summary") or "")
        place = str(data.get("place") or "")
        title = kind_label(ev.kind) + (f" at {place}" if place else "")
        if ev.ended_on:
            title += f" (until {ev.ended_on:%d %B %Y})"
        d.append(
            _Draft(
                _day(ev.occurred_on),
                False,
                ev.kind,
                ev.agency_id,
                title,
                summary,
                "extract",
                ev,
                version=ev.version,
            )
        )
    return d


def _ledger_refs(drafts: Sequence[_Draft]) -> dict[tuple[str, str, int], tuple[int, str, str]]:
    """(object type, id, version) -> (entry index, actor user, actor agency), for every version of every
    object shown, so each line can cite the entry that wrote it."""
    integrate()
    by_type: dict[str, set[str]] = defaultdict(set)
    for dr in drafts:
        by_type[dr.obj.ledger_type()].add(dr.obj.pk)
    out: dict[tuple[str, str, int], tuple[int, str, str]] = {}
    for object_type, ids in by_type.items():
        id_list = sorted(ids)
        for i in range(0, len(id_list), 500):
            rows = Entry.objects.filter(
                object_type=object_type, object_id__in=id_list[i : i + 500], version__isnull=False
            )
            for oid, version, index, user, agency in rows.values_list(
                "object_id", "version", "index", "actor_user", "actor_agency"
            ):
                if version is not None:
                    out[(object_type, oid, version)] = (index, user, agency)
    return out


def _first_version_with(obj: Any, field_name: str) -> int | None:
    """The first version of ``obj`` in the ledger where ``field_name`` was set (e.g. an episode's end)."""
    attname = obj._meta.get_field(field_name).attname
    rows = Entry.objects.filter(
        object_type=obj.ledger_type(), object_id=obj.pk, version__isnull=False
    ).order_by("version")
    for version, raw in rows.values_list("version", "canonical"):
        data = json.loads(bytes(raw)).get("data") or {}
        if version is not None and data.get(attname) not in (None, "", "pending"):
            return int(version)
    return None


def chronology_for(person_id: str, *, agency: str = "", kind: str = "") -> list[ChronologyEntry]:
    """A child's timeline across every agency, newest first: case work and imported events of every
    record linked to them (no access check; see :func:`chronology`)."""
    group = person_group_ids(person_id)
    drafts = _case_drafts(group) + _event_drafts(group)
    if agency:
        drafts = [dr for dr in drafts if dr.agency == agency]
    if kind:
        drafts = [dr for dr in drafts if dr.kind == kind]
    refs = _ledger_refs(drafts)
    names = dict(Agency.objects.values_list("pk", "name"))
    entries = []
    for dr in drafts:
        lt = dr.obj.ledger_type()
        version = (
            dr.version or (_first_version_with(dr.obj, dr.field_set) if dr.field_set else 1) or dr.obj.version
        )
        index, user, by_agency = refs.get((lt, dr.obj.pk, version), (None, "", ""))
        entries.append(
            ChronologyEntry(
                at=dr.at,
                has_time=dr.has_time,
                kind=dr.kind,
                kind_label=kind_label(dr.kind),
                agency=dr.agency,
                agency_name=names.get(dr.agency, dr.agency),
                title=dr.title,
                detail=dr.detail,
                source=dr.source,
                object_type=lt,
                object_id=dr.obj.pk,
                version=version,
                recorded_by=user,
                recorded_by_agency=by_agency,
                ledger_index=index,
            )
        )
    entries.sort(key=lambda e: (e.at, e.ledger_index or 0), reverse=True)
    return entries


def chronology(user: Any, person_id: str, *, agency: str = "", kind: str = "") -> list[ChronologyEntry]:
    """The child's chronology after the need-to-know check; the read is ledgered."""
    root = _require_person(user, person_id, "chronology")
    return chronology_for(root, agency=agency, kind=kind)


def chronology_filters(person_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The agencies and kinds present in a child's chronology, as (value, label) pairs for filters."""
    entries = chronology_for(person_id)
    agencies = sorted({(e.agency, e.agency_name) for e in entries}, key=lambda p: p[1])
    kinds = sorted({(e.kind, e.kind_label) for e in entries}, key=lambda p: p[1])
    return agencies, kinds


# --- the child's record --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRecord:
    """Everything on the child's page, read with one need-to-know check and one ledgered read."""

    person: PersonRecord
    concerns: list[Concern]
    screenings: list[ScreeningView]
    rescreen: RescreenDue | None
    plans: list[PlanView]
    episodes: EpisodeSummary
    placements: list[PlacementView]
    investigations: list[InvestigationPerson]
    chronology: list[ChronologyEntry]
    linked_people: list[tuple[Person, str]] = field(default_factory=list)  # (person, how they are linked)


def _linked_people(group: list[str]) -> list[tuple[Person, str]]:
    out: dict[str, tuple[Person, str]] = {}
    for cp in ConcernPerson.objects.filter(concern__person_id__in=group).select_related("person", "concern"):
        out.setdefault(cp.person_id, (cp.person, f"{cp.get_role_display()} in concern {cp.concern_id}"))
    for c in Concern.objects.filter(others__person_id__in=group).select_related("person").distinct():
        out.setdefault(c.person_id, (c.person, f"Subject of concern {c.id}"))
    return [v for k, v in out.items() if k not in group]


def child_record(user: Any, person_id: str, *, now: dt.datetime | None = None) -> ChildRecord:
    root = _require_person(user, person_id, "child record")
    group = person_group_ids(root)
    indicator_set = tool.default_indicator_set()
    return ChildRecord(
        person=person_record(root),
        concerns=list(
            Concern.objects.filter(person_id__in=group).select_related("agency").order_by("-raised_at")
        ),
        screenings=[_screening_view(s, indicator_set) for s in screenings_for(root)],
        rescreen=rescreen_due_for(root, now=now),
        plans=plans_for(root, now=now),
        episodes=episodes_for(root, now=now),
        placements=placements_for(root, now=now),
        investigations=list(
            InvestigationPerson.objects.filter(person_id__in=group, active=True).select_related(
                "investigation"
            )
        ),
        chronology=chronology_for(root),
        linked_people=_linked_people(group),
    )


# --- tasks and the dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskItem:
    """Something someone should do. ``object_type``/``object_id`` say what it is about."""

    kind: str  # triage, plan_action, plan_review, return_interview, rescreen
    title: str
    person_id: str
    person_name: str
    due_at: dt.datetime | None
    overdue: bool
    object_type: str
    object_id: str
    restricted: bool = False


def _action_tasks(actions: Iterable[PlanAction], today: dt.date) -> list[TaskItem]:
    return [
        TaskItem(
            "plan_action",
            a.description,
            a.plan.person_id,
            str(a.plan.person),
            _day(a.due_on),
            action_overdue(a, today),
            PlanAction.ledger_type(),
            a.id,
        )
        for a in actions
    ]


def _review_tasks(plans: Iterable[Plan], today: dt.date) -> list[TaskItem]:
    return [
        TaskItem(
            "plan_review",
            f"Review the plan: {p.title}",
            p.person_id,
            str(p.person),
            _day(p.review_due_on),
            p.review_due_on < today,
            Plan.ledger_type(),
            p.id,
        )
        for p in plans
    ]


def _interview_tasks(
    episodes: Iterable[MissingEpisode], now: dt.datetime, *, only_overdue: bool
) -> list[TaskItem]:
    out = []
    for ep in episodes:
        st = return_interview_status(ep, list(ep.return_interviews.all()), now=now)
        if st.needs_action and (st.state == "overdue" or not only_overdue):
            out.append(
                TaskItem(
                    "return_interview",
                    "Offer a return home interview",
                    ep.person_id,
                    str(ep.person),
                    st.due_by,
                    st.state == "overdue",
                    MissingEpisode.ledger_type(),
                    ep.id,
                )
            )
    return out


def _triage_tasks(concerns: Iterable[Concern], now: dt.datetime) -> list[TaskItem]:
    return [
        TaskItem(
            "triage",
            f"Triage {c.get_urgency_display().lower()} concern",
            c.person_id,
            str(c.person),
            c.triage_due_at,
            c.triage_due_at < now,
            Concern.ledger_type(),
            c.id,
        )
        for c in concerns
    ]


def _rescreen_tasks(due: Iterable[RescreenDue], today: dt.date) -> list[TaskItem]:
    return [
        TaskItem(
            "rescreen",
            "Screen again: " + "; ".join(d.reasons),
            d.person_id,
            str(d.last_screening.person),
            _day(d.last_screening.next_due_on),
            d.last_screening.next_due_on < today,
            Screening.ledger_type(),
            d.last_screening.id,
        )
        for d in due
    ]


def _ended_episodes_without_offer() -> QuerySet[MissingEpisode]:
    return (
        MissingEpisode.objects.filter(ended_at__isnull=False, return_interviews__isnull=True)
        .select_related("person")
        .prefetch_related("return_interviews")
    )


def _finish(user: Any, items: list[TaskItem], what: str, *, keep_restricted: bool = False) -> list[TaskItem]:
    """Mask (oversight lists) or drop (personal lists) items about children the user may not see."""
    visible = _visible_ids(user, [t.person_id for t in items])
    _ledger_list(user, what, visible)
    out = [
        t if t.person_id in visible else dataclasses.replace(t, person_name="", restricted=True)
        for t in items
        if keep_restricted or t.person_id in visible
    ]
    return sorted(out, key=lambda t: (not t.overdue, t.due_at or _day(dt.date.max)))


def my_tasks(user: Any, *, now: dt.datetime | None = None) -> list[TaskItem]:
    """The signed-in user's to-do list, overdue first:

    plan actions they own (or their agency owns with no named owner); plan reviews of their agency's
    plans; return interviews to offer after episodes their agency reported; concerns to triage if they
    triage; re-screens due on children their agency screened if they screen.
    """
    _require_cap(user, Cap.RAISE_CONCERN, Cap.MANAGE_CASE, Cap.TRIAGE)
    now = _now(now)
    today = timezone.localdate(now)
    agency = user.agency_id or ""
    items: list[TaskItem] = []
    actions = (
        PlanAction.objects.filter(status=PlanAction.Status.OPEN, plan__status=Plan.Status.OPEN)
        .filter(Q(owner_user=user.username) | Q(owner_user="", owner_agency_id=agency))
        .select_related("plan__person")
    )
    items += _action_tasks(actions, today)
    plans = Plan.objects.filter(
        status=Plan.Status.OPEN, agency_id=agency, review_due_on__lte=today + dt.timedelta(days=7)
    ).select_related("person")
    items += _review_tasks(plans, today)
    items += _interview_tasks(
        _ended_episodes_without_offer().filter(reported_by_agency_id=agency), now, only_overdue=False
    )
    if can(user.role, Cap.TRIAGE):
        items += _triage_tasks(
            Concern.objects.filter(status=Concern.Status.AWAITING_TRIAGE).select_related("person"), now
        )
    if can(user.role, Cap.SCREEN):
        items += _rescreen_tasks(
            (
                d
                for d in rescreens_due_all(now=now)
                if d.last_screening.agency_id == agency or can(user.role, Cap.TRIAGE)
            ),
            today,
        )
    return _finish(user, items, "my tasks")


def overdue_items(user: Any, *, now: dt.datetime | None = None) -> list[TaskItem]:
    """Everything overdue across the team: triage past its deadline, plan actions and reviews past due,
    return interviews not offered within 72 hours. Team-wide for managers (see-overdue); otherwise the
    user's own overdue tasks."""
    now = _now(now)
    if not getattr(user, "is_authenticated", False) or not can(user.role, Cap.SEE_OVERDUE):
        return [t for t in my_tasks(user, now=now) if t.overdue]
    today = timezone.localdate(now)
    items = _triage_tasks(overdue_triage_for(now).select_related("person"), now)
    actions = PlanAction.objects.filter(
        status=PlanAction.Status.OPEN, plan__status=Plan.Status.OPEN, due_on__lt=today
    ).select_related("plan__person")
    items += _action_tasks(actions, today)
    items += _review_tasks(
        Plan.objects.filter(status=Plan.Status.OPEN, review_due_on__lt=today).select_related("person"), today
    )
    items += _interview_tasks(_ended_episodes_without_offer(), now, only_overdue=True)
    return _finish(user, items, "overdue items", keep_restricted=True)


@dataclass(frozen=True)
class Dashboard:
    my_tasks: list[TaskItem]
    overdue: list[TaskItem]
    new_concerns: list[QueueItem]
    rescreens_due: list[RescreenDue]


def dashboard(user: Any, *, now: dt.datetime | None = None) -> Dashboard:
    """The practitioner's home page: my tasks, overdue items, new concerns and re-screens due."""
    now = _now(now)
    return Dashboard(
        my_tasks=my_tasks(user, now=now),
        overdue=overdue_items(user, now=now),
        new_concerns=new_concerns(user, now=now),
        rescreens_due=rescreens_due(user, now=now),
    )
