"""Concerns and triage: the triage queue, overdue and new concerns, one concern in full, and the time
taken to triage (for indicators)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.cases import screening as tool
from sightline.cases.models import Concern, ConcernPerson, TriageDecision
from sightline.cases.selectors.access_hooks import ledger_list, require_child_access, require_viewer_cap
from sightline.cases.selectors.clock import now_or
from sightline.core.errors import NotFound
from sightline.ledger.services import record_action
from sightline.people import need_to_know as access
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import resolve_person_id

NEW_CONCERN_DAYS = 7


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
    visible = visible_among(user, [c.person_id for c in concerns])
    ledger_list(user, what, visible, hidden=sum(1 for c in concerns if c.person_id not in visible))
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
    require_viewer_cap(user, Cap.TRIAGE, Cap.SEE_OVERDUE)
    now = now_or(now)
    qs = Concern.objects.select_related("person", "agency").filter(status=status).order_by("triage_due_at")
    return _queue_items(user, list(qs), now, "triage queue")


def overdue_triage_for(now: dt.datetime | None = None) -> QuerySet[Concern]:
    """Concerns still awaiting triage after their deadline (no access check: counts and the queue)."""
    return Concern.objects.filter(
        status=Concern.Status.AWAITING_TRIAGE, triage_due_at__lt=now_or(now)
    ).order_by("triage_due_at")


def overdue_triage(user: Any, *, now: dt.datetime | None = None) -> list[QueueItem]:
    """Overdue triage, for managers and anyone who can see overdue work across the team."""
    require_viewer_cap(user, Cap.SEE_OVERDUE, Cap.TRIAGE)
    now = now_or(now)
    return _queue_items(
        user, list(overdue_triage_for(now).select_related("person", "agency")), now, "overdue triage"
    )


@dataclass(frozen=True)
class ConcernDetail:
    """A concern in full. ``receipt_only``: the user raised it but cannot see the child, so it comes
    without the triage decisions; ``hidden_others`` are the people named whom the user may not see
    (shown by id only)."""

    concern: Concern
    others: list[ConcernPerson]
    decisions: list[TriageDecision]
    indicators: list[tool.Indicator]
    overdue: bool
    receipt_only: bool = False
    hidden_others: frozenset[str] = frozenset()


def _is_raiser(user: Any, concern: Concern) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and concern.raised_by == user.username


def get_concern(user: Any, concern_id: str, *, now: dt.datetime | None = None) -> ConcernDetail:
    """One concern with the others involved and every triage decision. Needs access to the child,
    except that whoever raised it may read their own receipt (ledgered as ``read_receipt``)."""
    concern = Concern.objects.select_related("person", "agency").filter(pk=concern_id).first()
    if concern is None:
        raise NotFound("No such concern")
    receipt = (
        _is_raiser(user, concern)
        and not access.person_access(user, resolve_person_id(concern.person_id)).allowed
    )
    if receipt:
        record_action(
            actor_for(user),
            "read_receipt",
            Concern.ledger_type(),
            concern.id,
            reason="their own concern, about a child outside their access",
        )
        concern = copy.copy(concern)
        concern.decision, concern.decided_at = "", None  # the hub's decision is not the raiser's
    else:
        require_child_access(user, concern.person_id, f"concern {concern_id}")
    indicator_set = tool.default_indicator_set()
    others = list(concern.others.select_related("person"))
    return ConcernDetail(
        concern=concern,
        others=others,
        decisions=[] if receipt else list(concern.decisions.order_by("decided_at")),
        indicators=[indicator_set.by_code[c] for c in concern.indicators if c in indicator_set.by_code],
        overdue=concern.status == Concern.Status.AWAITING_TRIAGE and concern.triage_due_at < now_or(now),
        receipt_only=receipt,
        hidden_others=frozenset(
            {o.person_id for o in others} - visible_among(user, [o.person_id for o in others])
        ),
    )


def new_concerns(
    user: Any, *, now: dt.datetime | None = None, days: int = NEW_CONCERN_DAYS
) -> list[QueueItem]:
    """Concerns raised in the last ``days`` days and not yet triaged: all of them for triage roles,
    the user's agency's for everyone else. Those about children the user may not see are left out,
    except the user's own (shown without the child's name, as their receipt)."""
    require_viewer_cap(user, Cap.RAISE_CONCERN, Cap.TRIAGE)
    now = now_or(now)
    qs = Concern.objects.select_related("person", "agency").filter(
        status=Concern.Status.AWAITING_TRIAGE, raised_at__gte=now - dt.timedelta(days=days)
    )
    if not can(user.role, Cap.TRIAGE):
        qs = qs.filter(agency_id=user.agency_id)
    items = _queue_items(user, list(qs.order_by("-raised_at")), now, "new concerns")
    return [i for i in items if not i.restricted or _is_raiser(user, i.concern)]


def time_to_triage_hours(since: dt.datetime | None = None) -> list[float]:
    """Hours from each concern being raised to its first triage decision (for indicators)."""
    qs = Concern.objects.filter(decided_at__isnull=False)
    if since is not None:
        qs = qs.filter(raised_at__gte=since)
    return [
        (d - r).total_seconds() / 3600 for r, d in qs.values_list("raised_at", "decided_at") if d is not None
    ]
