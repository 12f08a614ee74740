"""Writes for sharing decisions and section 47 workspaces. Each takes the actor first and everything
else by keyword, checks the actor's capability (and, for a workspace, that they are of its team),
validates, and writes through the ledger's one write path in one transaction.

Need to know on the child is checked here too (``checks.can_open``), as well as by the pages and
endpoints, which also ledger the read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.models import User
from sightline.access.permissions import Cap, can, has_cap, require_cap
from sightline.cases.services import checks
from sightline.ledger.services import Actor, do_create, do_update, locked
from sightline.sharing.models import Discipline, JointDecision, Member, SharingDecision, Task, Workspace
from sightline.sharing.rules import WORKSPACE_CAPS, in_team


def _open_child(actor: Actor, person_id: str) -> str:
    child = checks.child(person_id)
    if not checks.can_open(actor, child.id):
        raise PermissionDenied("you cannot open this child's record")
    return child.id


def do_record_sharing_decision(
    actor: Actor,
    *,
    person_id: str,
    recipients: Sequence[str],
    what: str,
    outcome: str,
    reason_code: str = "",
    reason: str = "",
    decided_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SharingDecision:
    """Record a decision to share information about a child, or not to. Not sharing needs a reason
    code, and "other" needs the reason in words as well."""
    require_cap(actor, Cap.RAISE_CONCERN)
    checks.required({"what": what, "outcome": outcome})
    checks.choice(outcome, SharingDecision.Outcome.values, "outcome")
    agencies = sorted({r.strip() for r in recipients if r and r.strip()})
    if not agencies:
        raise ValidationError({"recipients": "name the agency or agencies it was shared with or asked by"})
    for code in agencies:
        checks.agency(code, "recipients")
    if outcome == SharingDecision.Outcome.NOT_SHARED:
        if not reason_code:
            raise ValidationError({"reason_code": "say why the information was not shared"})
        checks.choice(reason_code, SharingDecision.Reason.values, "reason_code")
        if reason_code == SharingDecision.Reason.OTHER:
            checks.required({"reason": reason})
    elif reason_code:
        raise ValidationError({"reason_code": "a reason code is for a decision not to share"})
    now = checks.utc(now)
    decided_on = decided_on or timezone.localdate(now)
    checks.dates(decided_on=decided_on)
    checks.not_future(decided_on, "decided_on", now)
    with transaction.atomic():
        child = _open_child(actor, person_id)
        return do_create(
            SharingDecision(
                person_id=child,
                agency=checks.actor_agency(actor),
                decided_by=actor.user,
                recipients=agencies,
                what=what.strip(),
                outcome=outcome,
                reason_code=reason_code,
                reason=reason.strip(),
                decided_on=decided_on,
                recorded_at=now,
            ),
            actor=actor,
            reason=reason.strip(),
        )


# --- section 47 workspace --------------------------------------------------------------------------


def _require_workspace_role(actor: Actor) -> None:
    if not any(has_cap(actor, c) for c in WORKSPACE_CAPS):
        require_cap(actor, Cap.MANAGE_CASE)


def _team_workspace(actor: Actor, workspace_id: str) -> Workspace:
    workspace = locked(Workspace, workspace_id)
    if not in_team(actor, workspace):
        raise PermissionDenied("only the enquiry's team, its lead agency or a coordinator can do this")
    if workspace.status != Workspace.Status.OPEN:
        raise ValidationError({"workspace": "this enquiry is closed"})
    return workspace


DISCIPLINES = {
    "education": Discipline.EDUCATION,
    "social_care": Discipline.SOCIAL_WORK,
    "mash": Discipline.SOCIAL_WORK,
    "health": Discipline.HEALTH,
    "police": Discipline.POLICE,
}


def _discipline_of(user: User) -> str:
    """The member's discipline, from their agency (schools' own agencies count as education)."""
    kind = user.agency.kind if user.agency else ""
    return DISCIPLINES.get(user.agency_id or "") or DISCIPLINES.get(kind, Discipline.OTHER)


def do_open_workspace(
    actor: Actor,
    *,
    person_id: str,
    summary: str = "",
    opened_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Workspace:
    """Open a section 47 enquiry's workspace about a child; the opener is its first member and their
    agency leads it."""
    require_cap(actor, Cap.MANAGE_CASE)
    now = checks.utc(now)
    opened_on = opened_on or timezone.localdate(now)
    checks.dates(opened_on=opened_on)
    checks.not_future(opened_on, "opened_on", now)
    with transaction.atomic():
        child = _open_child(actor, person_id)
        lead = checks.actor_agency(actor)
        workspace = do_create(
            Workspace(
                person_id=child,
                lead_agency=lead,
                opened_by=actor.user,
                opened_on=opened_on,
                summary=summary.strip(),
            ),
            actor=actor,
        )
        opener = User.objects.filter(username=actor.user).select_related("agency").first()
        if opener is not None:
            do_create(
                Member(
                    workspace=workspace,
                    username=opener.username,
                    agency=lead,
                    discipline=_discipline_of(opener),
                    added_by=actor.user,
                    added_at=now,
                ),
                actor=actor,
            )
    return workspace


def do_add_member(
    actor: Actor,
    *,
    workspace_id: str,
    username: str,
    discipline: str = "",
    now: dt.datetime | None = None,
) -> Member:
    """Add an account to the team. Their agency becomes involved with the child (need to know)."""
    _require_workspace_role(actor)
    checks.required({"username": username})
    if discipline:
        checks.choice(discipline, Discipline.values, "discipline")
    now = checks.utc(now)
    with transaction.atomic():
        workspace = _team_workspace(actor, workspace_id)
        user = User.objects.filter(username=username.strip(), is_active=True).select_related("agency").first()
        if user is None or user.agency_id is None:
            raise ValidationError({"username": f"{username} is not an active account in an agency"})
        if not any(can(user.role, c) for c in WORKSPACE_CAPS):
            raise ValidationError({"username": f"{username}'s role does not take part in enquiries"})
        if workspace.members.filter(username=user.username, active=True).exists():
            raise ValidationError({"username": f"{username} is already a member"})
        return do_create(
            Member(
                workspace=workspace,
                username=user.username,
                agency_id=user.agency_id,
                discipline=discipline or _discipline_of(user),
                added_by=actor.user,
                added_at=now,
            ),
            actor=actor,
        )


def do_remove_member(actor: Actor, *, workspace_id: str, username: str, reason: str) -> Member:
    """Take a member off the team, with the reason (the membership stays in the ledger)."""
    _require_workspace_role(actor)
    checks.required({"reason": reason})
    with transaction.atomic():
        workspace = _team_workspace(actor, workspace_id)
        member = workspace.members.filter(username=username, active=True).first()
        if member is None:
            raise ValidationError({"member": "no such member of this team"})
        member.active = False
        member.removed_reason = reason.strip()
        return do_update(member, actor=actor, action="remove", reason=reason.strip())


def do_add_task(
    actor: Actor, *, workspace_id: str, description: str, assignee: str, due_on: dt.date | None
) -> Task:
    """Give a member of the team a task, due by a date. ``assignee`` is the member's username."""
    _require_workspace_role(actor)
    checks.required({"description": description, "assignee": assignee, "due_on": due_on})
    assert due_on is not None
    checks.dates(due_on=due_on)
    with transaction.atomic():
        workspace = _team_workspace(actor, workspace_id)
        member = workspace.members.filter(username=assignee, active=True).first()
        if member is None:
            raise ValidationError({"assignee": "choose a member of the team"})
        return do_create(
            Task(
                workspace=workspace,
                description=description.strip(),
                assignee=member,
                due_on=due_on,
                set_by=actor.user,
            ),
            actor=actor,
        )


def do_complete_task(
    actor: Actor, *, workspace_id: str, task_id: str, now: dt.datetime | None = None
) -> Task:
    _require_workspace_role(actor)
    with transaction.atomic():
        workspace = _team_workspace(actor, workspace_id)
        task = workspace.tasks.filter(pk=task_id).first()
        if task is None:
            raise ValidationError({"task": "no such task in this enquiry"})
        if task.done:
            raise ValidationError({"task": "this task is already done"})
        task.done = True
        task.done_at = checks.utc(now)
        return do_update(task, actor=actor, action="done")


def do_record_joint_decision(
    actor: Actor,
    *,
    workspace_id: str,
    decision: str,
    outcome: str,
    agreed_by: Sequence[str],
    decided_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> JointDecision:
    """Record what the team decided together and which members agreed."""
    _require_workspace_role(actor)
    checks.required({"decision": decision, "outcome": outcome})
    checks.choice(outcome, JointDecision.Outcome.values, "outcome")
    now = checks.utc(now)
    decided_on = decided_on or timezone.localdate(now)
    checks.dates(decided_on=decided_on)
    checks.not_future(decided_on, "decided_on", now)
    names = sorted({a.strip() for a in agreed_by if a and a.strip()})
    if not names:
        raise ValidationError({"agreed_by": "say which members agreed"})
    with transaction.atomic():
        workspace = _team_workspace(actor, workspace_id)
        members = set(workspace.members.filter(active=True).values_list("username", flat=True))
        strangers = [n for n in names if n not in members]
        if strangers:
            raise ValidationError({"agreed_by": f"not members of the team: {', '.join(strangers)}"})
        return do_create(
            JointDecision(
                workspace=workspace,
                decision=decision.strip(),
                outcome=outcome,
                agreed_by=names,
                decided_on=decided_on,
                recorded_by=actor.user,
            ),
            actor=actor,
        )
