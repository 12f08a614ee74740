"""Outreach on the child's chronology: the assignment, each attempt and each decision, beside the
case work, so whoever reads the child's record sees who has tried to reach them and what came of it."""

from __future__ import annotations

from sightline.cases.selectors.chronology import Line, line_at, register_lines
from sightline.outreach.models import Assignment, Attempt, Decision

KINDS = {
    "outreach_assigned": "Outreach assigned",
    "outreach_attempt": "Outreach attempt",
    "outreach_decision": "Outreach decision",
}


def _assignment(a: Assignment) -> list[Line]:
    to = a.agency.name + (f" ({a.worker_name})" if a.worker else "")
    return [line_at(a, a.assigned_at, "outreach_assigned", a.agency_id, f"Outreach assigned to {to}", a.note)]


def _attempt(t: Attempt) -> list[Line]:
    title = f"{t.get_outcome_display()}: {t.get_method_display().lower()}" + (
        f", {t.place}" if t.place else ""
    )
    parts = [
        f"Referred to {t.referred_to}" if t.referred_to else "",
        f"Wishes: {t.wishes}" if t.wishes else "",
    ]
    return [
        line_at(t, t.occurred_at, "outreach_attempt", t.agency_id, title, ". ".join(p for p in parts if p))
    ]


def _decision(d: Decision) -> list[Line]:
    return [line_at(d, d.decided_at, "outreach_decision", d.agency_id, d.get_decision_display(), d.reason)]


def register_chronology_lines() -> None:
    register_lines(Assignment, "person_id", _assignment, KINDS)
    register_lines(Attempt, "assignment__person_id", _attempt, KINDS)
    register_lines(Decision, "assignment__person_id", _decision, KINDS)
