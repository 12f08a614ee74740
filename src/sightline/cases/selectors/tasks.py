"""Tasks and the dashboard: the signed-in user's to-do list, overdue work across the team, and the
practitioner's home page built from them, new concerns and re-screens due."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sightline.access.permissions import Cap, can
from sightline.cases.models import Concern, MissingEpisode, Plan, PlanAction, Screening
from sightline.cases.selectors.access_hooks import ledger_list, require_viewer_cap
from sightline.cases.selectors.clock import now_or, start_of_day
from sightline.cases.selectors.concerns import QueueItem, new_concerns, overdue_triage_for
from sightline.cases.selectors.episodes import return_interview_status
from sightline.cases.selectors.plans import action_overdue
from sightline.cases.selectors.screenings import RescreenDue, rescreens_due, rescreens_due_all
from sightline.people.need_to_know import visible_among


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
            start_of_day(a.due_on),
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
            start_of_day(p.review_due_on),
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


def _rescreen_tasks(due: Iterable[RescreenDue], now: dt.datetime) -> list[TaskItem]:
    return [
        TaskItem(
            "rescreen",
            "Screen again: " + "; ".join(d.reasons),
            d.person_id,
            str(d.last_screening.person),
            d.due_at,
            d.overdue(now),
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


# What an item about a child the user may not see says instead of its own title: nothing typed
# about the child (a plan's title, an action's text) and no ids, only the kind of work and its date.
RESTRICTED_TITLES = {
    "triage": "A concern to triage",
    "plan_action": "A plan action",
    "plan_review": "A plan review",
    "return_interview": "A return home interview",
    "rescreen": "A re-screen",
}


def _masked(t: TaskItem) -> TaskItem:
    return dataclasses.replace(
        t, title=RESTRICTED_TITLES[t.kind], person_id="", person_name="", object_id="", restricted=True
    )


def _finish(user: Any, items: list[TaskItem], what: str, *, keep_restricted: bool = False) -> list[TaskItem]:
    """Mask (oversight lists: the kind and date only, so they can be counted) or drop (personal
    lists) items about children the user may not see; ledger the people shown and the count masked."""
    visible = visible_among(user, [t.person_id for t in items])
    hidden = [_masked(t) for t in items if t.person_id not in visible] if keep_restricted else []
    ledger_list(user, what, visible, hidden=len(hidden))
    out = [t for t in items if t.person_id in visible] + hidden
    return sorted(out, key=lambda t: (not t.overdue, t.due_at or start_of_day(dt.date.max)))


def my_tasks(user: Any, *, now: dt.datetime | None = None) -> list[TaskItem]:
    """The signed-in user's to-do list, overdue first:

    plan actions they own (or their agency owns with no named owner); plan reviews of their agency's
    plans; return interviews to offer after episodes their agency reported; concerns to triage if they
    triage; re-screens due on children their agency screened if they screen.
    """
    require_viewer_cap(user, Cap.RAISE_CONCERN, Cap.MANAGE_CASE, Cap.TRIAGE)
    now = now_or(now)
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
            now,
        )
    return _finish(user, items, "my tasks")


def overdue_items(user: Any, *, now: dt.datetime | None = None) -> list[TaskItem]:
    """Everything overdue across the team: triage past its deadline, plan actions and reviews past due,
    return interviews not offered within 72 hours, re-screens past their date. Team-wide for managers
    (see-overdue); otherwise the user's own overdue tasks."""
    now = now_or(now)
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
    items += _rescreen_tasks((d for d in rescreens_due_all(now=now) if d.overdue(now)), now)
    return _finish(user, items, "overdue items", keep_restricted=True)


@dataclass(frozen=True)
class Dashboard:
    my_tasks: list[TaskItem]
    overdue: list[TaskItem]
    new_concerns: list[QueueItem]
    rescreens_due: list[RescreenDue]


def dashboard(user: Any, *, now: dt.datetime | None = None) -> Dashboard:
    """The practitioner's home page: my tasks, overdue items, new concerns and re-screens due."""
    now = now_or(now)
    return Dashboard(
        my_tasks=my_tasks(user, now=now),
        overdue=overdue_items(user, now=now),
        new_concerns=new_concerns(user, now=now),
        rescreens_due=rescreens_due(user, now=now),
    )
