"""Reads for outreach. ``assignments``: what a viewer may see (need to know, ledgered);
``funnel``: counts for indicators and the board, naming no child; ``access``: what outreach tells
need to know."""

from sightline.outreach.selectors.assignments import (
    AssignContext,
    AssignmentView,
    OutreachRow,
    alert_outreach,
    assign_context,
    display_names,
    get_assignment,
    outreach_list,
    outreach_teams,
    outreach_workers,
    view_of,
)
from sightline.outreach.selectors.funnel import (
    Capacity,
    Figures,
    Funnel,
    Stage,
    capacities,
    capacity,
    figures,
    funnel,
    funnels,
    outreach_figures,
)

__all__ = [
    "AssignContext",
    "AssignmentView",
    "Capacity",
    "Figures",
    "Funnel",
    "OutreachRow",
    "Stage",
    "alert_outreach",
    "assign_context",
    "capacities",
    "capacity",
    "display_names",
    "figures",
    "funnel",
    "funnels",
    "get_assignment",
    "outreach_figures",
    "outreach_list",
    "outreach_teams",
    "outreach_workers",
    "view_of",
]
