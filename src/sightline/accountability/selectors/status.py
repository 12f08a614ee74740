"""Where an action or recommendation stands. People record not started, in progress or complete;
overdue follows from the date, and "complete" counts only once a second person has signed it off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from sightline.accountability.models import Action, ActionStatus, Recommendation

# The four statuses in report order; "awaiting sign-off" counts as in progress.
STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "overdue": "Overdue",
}
TAGS = {
    "not_started": "govuk-tag--grey",
    "in_progress": "govuk-tag--blue",
    "awaiting_sign_off": "govuk-tag--yellow",
    "complete": "govuk-tag--green",
    "overdue": "govuk-tag--red",
}


def today_or(today: dt.date | None = None) -> dt.date:
    return today or timezone.localdate()


@dataclass(frozen=True)
class State:
    """Where an action or recommendation stands. ``key`` is one of STATUSES; ``awaiting_sign_off``
    marks a completed action that no second person has confirmed yet."""

    key: str
    awaiting_sign_off: bool = False

    @property
    def label(self) -> str:
        if self.awaiting_sign_off and self.key != "overdue":
            return "Awaiting sign-off"
        return STATUSES[self.key]

    @property
    def tag(self) -> str:
        return TAGS["awaiting_sign_off" if self.awaiting_sign_off and self.key != "overdue" else self.key]

    @property
    def overdue(self) -> bool:
        return self.key == "overdue"


def action_state(action: Action, today: dt.date | None = None) -> State:
    """Complete only once signed off; overdue whenever the target date has passed before that."""
    today = today_or(today)
    awaiting = action.status == ActionStatus.COMPLETE and action.signed_off_at is None
    if action.status == ActionStatus.COMPLETE and not awaiting:
        return State("complete")
    if action.target_date < today:
        return State("overdue", awaiting)
    if awaiting:
        return State("in_progress", True)
    return State(str(action.status))


def recommendation_state(
    rec: Recommendation, actions: Sequence[Action], today: dt.date | None = None
) -> State:
    today = today_or(today)
    states = [action_state(a, today) for a in actions]
    if states and all(s.key == "complete" for s in states):
        return State("complete")
    if rec.target_date < today or any(s.overdue for s in states):
        return State("overdue")
    if any(s.key in ("in_progress", "complete") for s in states):
        return State("in_progress", any(s.awaiting_sign_off for s in states))
    return State("not_started")


def status_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(key, label, count) for each status, in report order (for pages)."""
    return [(k, label, counts.get(k, 0)) for k, label in STATUSES.items()]
