"""Sharing decisions as a viewer may see them: those about one child (need to know, ledgered), and
every decision for the independent reviewer, whose list ledgers the children it names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sightline.access.models import Agency
from sightline.access.permissions import Cap
from sightline.access.selectors import display_names
from sightline.cases.selectors.access_hooks import ledger_list, require_child_access, require_viewer_cap
from sightline.intelligence.selectors import Listing
from sightline.people.selectors import person_group_ids
from sightline.sharing.models import SharingDecision

VIEW_CAPS = (Cap.RAISE_CONCERN,)
REVIEW_CAPS = (Cap.VIEW_LEDGER,)


@dataclass(frozen=True)
class DecisionRow:
    id: str
    person_id: str
    child_name: str
    agency: str
    decided_by: str  # username
    decided_by_name: str
    recipients: list[str]
    what: str
    outcome: str
    outcome_label: str
    reason_code: str
    reason_label: str
    reason: str
    decided_on: dt.date


def _rows(decisions: list[SharingDecision]) -> list[DecisionRow]:
    names = dict(Agency.objects.values_list("id", "name"))
    staff = display_names({d.decided_by for d in decisions})
    return [
        DecisionRow(
            id=d.id,
            person_id=d.person_id,
            child_name=str(d.person),
            agency=names.get(d.agency_id, d.agency_id),
            decided_by=d.decided_by,
            decided_by_name=staff.get(d.decided_by, d.decided_by),
            recipients=[names.get(r, r) for r in d.recipients],
            what=d.what,
            outcome=d.outcome,
            outcome_label=str(d.get_outcome_display()),
            reason_code=d.reason_code,
            reason_label=str(d.get_reason_code_display()) if d.reason_code else "",
            reason=d.reason,
            decided_on=d.decided_on,
        )
        for d in decisions
    ]


def child_summary(person_id: str) -> list[DecisionRow]:
    """The child's decisions, newest first, for the child's record, which has already checked and
    ledgered the viewer's read of the child."""
    qs = SharingDecision.objects.filter(person_id__in=person_group_ids(person_id)).select_related("person")
    return _rows(list(qs.order_by("-decided_on", "-recorded_at")))


def child_decisions(
    user: Any, person_id: str, purpose: str = "sharing decisions"
) -> tuple[str, list[DecisionRow]]:
    """The child's id (after merges) and their sharing decisions, after the need-to-know check
    (ledgered)."""
    require_viewer_cap(user, *VIEW_CAPS)
    root = require_child_access(user, person_id, purpose)
    return root, child_summary(root)


def reviewer_decisions(
    user: Any, *, outcome: str = "", reason_code: str = "", agency: str = ""
) -> Listing[DecisionRow]:
    """Every sharing decision, newest first, filtered, for the independent reviewer. The page taken
    from it ledgers the children it names."""
    require_viewer_cap(user, *REVIEW_CAPS)
    qs = SharingDecision.objects.select_related("person").order_by("-decided_on", "-recorded_at", "id")
    if outcome:
        qs = qs.filter(outcome=outcome)
    if reason_code:
        qs = qs.filter(reason_code=reason_code)
    if agency:
        qs = qs.filter(agency_id=agency)

    def show(rows: list[Any]) -> list[DecisionRow]:
        ledger_list(user, "sharing decisions review", [r.person_id for r in rows])
        return _rows(rows)

    return Listing(qs, show)
