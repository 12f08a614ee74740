"""Outreach as one viewer may see it: the caseload list, one assignment with its attempts and
decisions, what the assign page needs, and the outreach on an alert's child.

Every function checks the viewer's role, applies need to know on the child (``require_child_access``
for one child, ledgered ``read``; ``visible_among`` and one ``read_list`` for a list page) and returns
view objects. A coordinator sees every outreach; anyone else the outreach assigned to their team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from sightline.access.models import Agency, User
from sightline.access.permissions import MATRIX, Cap, can
from sightline.access.services import actor_for
from sightline.cases.selectors.access_hooks import ledger_list, require_child_access, require_viewer_cap
from sightline.core.errors import NotFound
from sightline.intelligence.models import Alert
from sightline.intelligence.selectors import Listing
from sightline.outreach.models import Assignment, Attempt, Decision, Outcome
from sightline.outreach.rules import may_work_on
from sightline.people.models import Person
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import person_group_ids

VIEW_CAPS = (Cap.RECORD_OUTREACH, Cap.ASSIGN_OUTREACH)


@dataclass(frozen=True)
class AssignmentView:
    """One outreach and what came of it. ``may_work``: the viewer may record attempts and decisions."""

    assignment: Assignment
    child: Person
    team: str
    attempts: list[Attempt]  # oldest first
    decisions: list[Decision]  # oldest first
    may_work: bool
    names: dict[str, str]  # username -> the name people know them by
    may_open_alert: bool  # the viewer may open the alert the outreach came from

    @property
    def status_label(self) -> str:
        return str(self.assignment.get_status_display())

    @property
    def awaiting_decision(self) -> Attempt | None:
        """The decline a decision must answer before anyone tries again."""
        if self.assignment.status != Assignment.Status.DECISION_NEEDED:
            return None
        declines = [a for a in self.attempts if a.outcome == Outcome.DECLINED]
        return declines[-1] if declines else None

    @property
    def worker_name(self) -> str:
        return self.names.get(self.assignment.worker, self.assignment.worker)

    @property
    def assigned_by_name(self) -> str:
        return self.names.get(self.assignment.assigned_by, self.assignment.assigned_by)

    @property
    def attempt_rows(self) -> list[tuple[Attempt, str]]:
        """Each attempt with the name of whoever recorded it."""
        return [(t, self.names.get(t.recorded_by, t.recorded_by)) for t in self.attempts]

    @property
    def decision_rows(self) -> list[tuple[Decision, str]]:
        return [(d, self.names.get(d.decided_by, d.decided_by)) for d in self.decisions]

    @property
    def may_record_attempt(self) -> bool:
        return self.may_work and self.assignment.status == Assignment.Status.OPEN

    @property
    def may_decide(self) -> bool:
        return self.may_work and self.assignment.status != Assignment.Status.CLOSED


@dataclass(frozen=True)
class OutreachRow:
    """An outreach in a list. ``child_name`` is blank when the viewer may not open the child."""

    id: str
    person_id: str
    child_name: str
    restricted: bool
    alert_id: str
    agency_id: str
    team: str
    worker: str  # the worker's name, blank when nobody is allocated
    status: str
    status_label: str
    assigned_at: dt.datetime
    first_contact_at: dt.datetime | None
    attempts: int


def _viewer(user: Any) -> None:
    require_viewer_cap(user, *VIEW_CAPS)


def _team_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("id", "name"))


def display_names(usernames: set[str]) -> dict[str, str]:
    """Staff by the name they are known by, not their sign-in name (kept if the account is gone)."""
    found = {u.username: u.display_name for u in User.objects.filter(username__in=usernames - {""})}
    return {name: found.get(name, name) for name in usernames}


def _mine(user: Any) -> QuerySet[Assignment]:
    """The outreach a viewer works with: every one for a coordinator, else their team's."""
    qs = Assignment.objects.all()
    if not can(user.role, Cap.ASSIGN_OUTREACH):
        qs = qs.filter(agency_id=user.agency_id or "")
    return qs


def outreach_list(user: Any, *, closed: bool = False) -> Listing[OutreachRow]:
    """Open outreach (or, with ``closed``, closed outreach), newest first. The page taken from it
    ledgers the children it names."""
    _viewer(user)
    qs = _mine(user)
    qs = qs.filter(status=Assignment.Status.CLOSED) if closed else qs.exclude(status=Assignment.Status.CLOSED)
    qs = qs.select_related("person").annotate(n_attempts=Count("attempts")).order_by("-assigned_at", "id")

    def show(rows: list[Any]) -> list[OutreachRow]:
        visible = visible_among(user, [r.person_id for r in rows])
        ledger_list(user, "outreach", visible, hidden=sum(1 for r in rows if r.person_id not in visible))
        teams = _team_names()
        names = display_names({r.worker for r in rows})
        return [
            OutreachRow(
                id=r.id,
                person_id=r.person_id,
                child_name=str(r.person) if r.person_id in visible else "",
                restricted=r.person_id not in visible,
                alert_id=r.alert_id,
                agency_id=r.agency_id,
                team=teams.get(r.agency_id, r.agency_id),
                worker=names.get(r.worker, r.worker),
                status=r.status,
                status_label=str(r.get_status_display()),
                assigned_at=r.assigned_at,
                first_contact_at=r.first_contact_at,
                attempts=r.n_attempts,
            )
            for r in rows
        ]

    return Listing(qs, show)


def view_of(assignment: Assignment, user: Any) -> AssignmentView:
    """The view of an assignment the caller has already checked (need to know, ledgered)."""
    attempts = list(assignment.attempts.order_by("occurred_at", "id"))
    decisions = list(assignment.decisions.order_by("decided_at", "id"))
    people = {assignment.worker, assignment.assigned_by}
    people |= {t.recorded_by for t in attempts} | {d.decided_by for d in decisions}
    return AssignmentView(
        assignment=assignment,
        child=assignment.person,
        team=_team_names().get(assignment.agency_id, assignment.agency_id),
        attempts=attempts,
        decisions=decisions,
        may_work=may_work_on(actor_for(user), assignment.agency_id),
        names=display_names(people),
        may_open_alert=can(user.role, Cap.VIEW_INTELLIGENCE),
    )


def get_assignment(user: Any, assignment_id: str, purpose: str = "outreach") -> AssignmentView:
    """One outreach after the need-to-know check on its child (ledgered). Raises NotFound or
    PermissionDenied."""
    _viewer(user)
    assignment = Assignment.objects.select_related("person").filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("No such outreach")
    require_child_access(user, assignment.person_id, f"{purpose} {assignment_id}")
    return view_of(assignment, user)


@dataclass(frozen=True)
class AssignContext:
    """What the assign page shows. ``problem`` says why outreach cannot be assigned from this alert."""

    alert: Alert
    child: Person | None
    open: Assignment | None
    problem: str


def assign_context(user: Any, alert_id: str) -> AssignContext:
    """The alert, its child (need to know, ledgered) and any outreach already open for them."""
    require_viewer_cap(user, Cap.ASSIGN_OUTREACH)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("No such alert")
    if alert.kind != Alert.Kind.CHILD_AT_RISK:
        return AssignContext(alert, None, None, "Outreach is assigned from an alert about a child at risk.")
    root = require_child_access(user, alert.subject_id, f"assign outreach from alert {alert.id}")
    child = Person.objects.get(pk=root)
    taken = Assignment.objects.filter(person_id=root).exclude(status=Assignment.Status.CLOSED).first()
    problem = ""
    if alert.status == Alert.Status.DISMISSED:
        problem = "This alert was dismissed. Review it before assigning outreach."
    elif taken is not None:
        problem = "This child already has outreach open. Close it before assigning it again."
    return AssignContext(alert, child, taken, problem)


def alert_outreach(user: Any, person_id: str) -> list[Assignment]:
    """The outreach for an alert's child, newest first, for the alert page (which has already checked
    and ledgered the viewer's read of the child). Empty for a viewer who may not open the child."""
    if not any(can(getattr(user, "role", ""), c) for c in (*VIEW_CAPS, Cap.VIEW_INTELLIGENCE)):
        return []
    if not person_id or not visible_among(user, [person_id]):
        return []
    return list(Assignment.objects.filter(person_id__in=person_group_ids(person_id)).order_by("-assigned_at"))


def outreach_teams() -> list[Agency]:
    """The teams outreach can be assigned to: agencies with an active account that records outreach."""
    return list(Agency.objects.filter(pk__in=_workers().values("agency_id"), active=True).order_by("name"))


def outreach_workers() -> list[User]:
    """Active accounts that may record outreach, by team and name (staff, not case data)."""
    return list(_workers().select_related("agency").order_by("agency__name", "last_name", "username"))


def _workers() -> QuerySet[User]:
    roles = [role for role, caps in MATRIX.items() if Cap.RECORD_OUTREACH in caps]
    return User.objects.filter(is_active=True, role__in=roles, agency__isnull=False)
