"""Section 47 workspaces as a viewer may see them. Only the team sees one: its active members, people
of the lead agency, and multi-agency coordinators (``rules.in_team``); seeing the child is not
enough. A refusal is ledgered as ``read_denied``; a look is a ledgered read of the child."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from sightline.access.models import Agency, User
from sightline.access.permissions import can
from sightline.access.selectors import display_names
from sightline.access.services import actor_for
from sightline.cases.selectors.access_hooks import require_child_access, require_viewer_cap
from sightline.core.errors import NotFound
from sightline.ledger.services import record_action
from sightline.people.models import Person
from sightline.people.selectors import person_group_ids
from sightline.sharing.models import JointDecision, Member, Task, Workspace
from sightline.sharing.rules import WORKSPACE_CAPS, in_team


@dataclass(frozen=True)
class WorkspaceView:
    workspace: Workspace
    child: Person
    lead: str
    members: list[Member]  # active, by when they joined
    former: list[Member]
    tasks: list[Task]
    decisions: list[JointDecision]
    agencies: dict[str, str]
    names: dict[str, str]  # username -> the person's name, for everyone the page names

    @property
    def is_open(self) -> bool:
        return self.workspace.status == Workspace.Status.OPEN


def view_of(workspace: Workspace) -> WorkspaceView:
    members = list(workspace.members.order_by("added_at", "id"))
    decisions = list(workspace.decisions.order_by("decided_on", "id"))
    named = {m.username for m in members} | {d.recorded_by for d in decisions} | {workspace.opened_by}
    named |= {u for d in decisions for u in d.agreed_by}
    return WorkspaceView(
        workspace=workspace,
        child=workspace.person,
        lead=workspace.lead_agency.name,
        members=[m for m in members if m.active],
        former=[m for m in members if not m.active],
        tasks=list(workspace.tasks.select_related("assignee").order_by("done", "due_on", "id")),
        decisions=decisions,
        agencies=dict(Agency.objects.values_list("id", "name")),
        names=display_names(named),
    )


def get_workspace(user: Any, workspace_id: str, purpose: str = "section 47 enquiry") -> WorkspaceView:
    """One workspace, for its team only, after the need-to-know check on its child (ledgered)."""
    require_viewer_cap(user, *WORKSPACE_CAPS)
    workspace = Workspace.objects.select_related("person", "lead_agency").filter(pk=workspace_id).first()
    if workspace is None:
        raise NotFound("No such section 47 enquiry")
    if not in_team(actor_for(user), workspace):
        record_action(
            actor_for(user),
            "read_denied",
            Person.ledger_type(),
            workspace.person_id,
            data={"purpose": f"{purpose} {workspace_id}", "refused": "not of the enquiry's team"},
            reason=purpose,
        )
        raise PermissionDenied("Only the enquiry's team, its lead agency and coordinators can see this")
    require_child_access(user, workspace.person_id, f"{purpose} {workspace_id}")
    return view_of(workspace)


def child_workspaces(user: Any, person_id: str) -> list[Workspace]:
    """The child's enquiries the viewer is of the team of, for the child's record (which has already
    checked and ledgered the read of the child)."""
    if not any(can(getattr(user, "role", ""), c) for c in WORKSPACE_CAPS):
        return []
    actor = actor_for(user)
    found = Workspace.objects.filter(person_id__in=person_group_ids(person_id)).select_related("lead_agency")
    return [w for w in found.order_by("-opened_on") if in_team(actor, w)]


def team_candidates() -> list[User]:
    """Active accounts whose role takes part in enquiries (staff, not case data)."""
    roles = [
        r
        for r in {u for u in User.objects.values_list("role", flat=True)}
        if any(can(r, c) for c in WORKSPACE_CAPS)
    ]
    return list(
        User.objects.filter(is_active=True, role__in=roles, agency__isnull=False)
        .select_related("agency")
        .order_by("agency__name", "last_name", "username")
    )
