"""Reads for sharing decisions and section 47 workspaces, for one viewer: need to know on the child
(ledgered), the reviewer's view of every decision, and the team check on a workspace."""

from sightline.sharing.selectors.decisions import (
    DecisionRow,
    child_decisions,
    child_summary,
    reviewer_decisions,
)
from sightline.sharing.selectors.workspaces import (
    WorkspaceView,
    child_workspaces,
    get_workspace,
    team_candidates,
    view_of,
)

__all__ = [
    "DecisionRow",
    "WorkspaceView",
    "child_decisions",
    "child_summary",
    "child_workspaces",
    "get_workspace",
    "reviewer_decisions",
    "team_candidates",
    "view_of",
]
