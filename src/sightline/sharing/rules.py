"""Who may see and work in a section 47 workspace, decided once for the services (which enforce it)
and the selectors (which also ledger a refusal)."""

from __future__ import annotations

from sightline.access.permissions import Cap, has_cap
from sightline.ledger.services import SYSTEM, Actor
from sightline.sharing.models import Workspace

# Roles that take part in a section 47 enquiry: case workers and police investigators.
WORKSPACE_CAPS = (Cap.MANAGE_CASE, Cap.INVESTIGATE)


def in_team(actor: Actor, workspace: Workspace) -> bool:
    """Whether the actor is of the team: an active member, someone of the lead agency (the child's
    owners for the enquiry), or a multi-agency coordinator. Seeing the child is not enough."""
    if actor.role == SYSTEM.role:
        return True
    if not any(has_cap(actor, c) for c in WORKSPACE_CAPS):
        return False
    if has_cap(actor, Cap.VIEW_ALL_PEOPLE) or actor.agency == workspace.lead_agency_id:
        return True
    return workspace.members.filter(username=actor.user, active=True).exists()
