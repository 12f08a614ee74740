"""The demo's outreach: the coordinator assigns outreach from the top child-at-risk alerts and the
youth worker records attempts, so the funnel and the outreach pages have something to show.

Deterministic: the same alerts (highest score first, ties by id) get the same story every time.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import actor_for, create_demo_users
from sightline.demo.casework import office_hours
from sightline.intelligence.models import Alert
from sightline.intelligence.selectors import ranked_alerts
from sightline.ledger.services import Actor
from sightline.outreach.models import Assignment
from sightline.outreach.services import do_assign_outreach, do_decide_outreach, do_record_outreach_attempt

COORDINATOR, WORKER, TEAM = "demo-coordinator", "demo-youth-worker", "youth_service"


@dataclass
class Clock:
    """When the worker acts next: a couple of days after the last step, in office hours."""

    at: dt.datetime

    def next(self) -> dt.datetime:
        self.at = office_hours(self.at + dt.timedelta(days=2, hours=3))
        return self.at


def _attempt(
    worker: Actor, assignment: Assignment, clock: Clock, method: str, outcome: str, **kw: Any
) -> None:
    at = clock.next()
    do_record_outreach_attempt(
        worker, assignment_id=assignment.id, method=method, outcome=outcome, occurred_at=at, now=at, **kw
    )


def _engaged(worker: Actor, a: Assignment, clock: Clock) -> None:
    _attempt(worker, a, clock, "street", "not_found", place="Town centre bus station")
    _attempt(worker, a, clock, "drop_in", "contact_made", place="Youth club", consent="not_asked")
    _attempt(
        worker, a, clock, "drop_in", "engaged", place="Youth club", consent="given",
        wishes="Wants help to stop seeing the older boys, and to go back to college.",
    )  # fmt: skip


def _declined_then_continued(worker: Actor, a: Assignment, clock: Clock) -> None:
    _attempt(worker, a, clock, "home_visit", "not_found", place="Home address")
    _attempt(
        worker, a, clock, "school", "declined", place="School, with the pastoral lead", consent="refused",
        wishes="Says they are fine and do not want a youth worker.",
    )  # fmt: skip
    do_decide_outreach(
        worker,
        now=clock.next(),
        assignment_id=a.id,
        decision="continue",
        reason="Missing twice this month. Try once more through the school nurse they trust, then review.",
    )


def _declined_then_closed(worker: Actor, a: Assignment, clock: Clock) -> None:
    _attempt(
        worker, a, clock, "phone", "declined", consent="refused",
        wishes="Does not want contact; already sees the sexual health nurse.",
    )  # fmt: skip
    do_decide_outreach(
        worker,
        now=clock.next(),
        assignment_id=a.id,
        decision="close",
        reason="In regular contact with the sexual health nurse, who will raise any new concern.",
    )


def _referred(worker: Actor, a: Assignment, clock: Clock) -> None:
    _attempt(
        worker, a, clock, "street", "referred_on", place="Retail park", consent="given",
        wishes="Would rather talk to a woman worker.", referred_to="Sexual health outreach nurse",
    )  # fmt: skip
    do_decide_outreach(
        worker,
        now=clock.next(),
        assignment_id=a.id,
        decision="close",
        reason="Referred on; the nurse has seen them.",
    )


def _not_found(worker: Actor, a: Assignment, clock: Clock) -> None:
    _attempt(worker, a, clock, "street", "not_found", place="Park by the takeaway")
    _attempt(worker, a, clock, "message", "not_found", notes="No reply to the number the school gave.")


def _nothing_yet(worker: Actor, a: Assignment, clock: Clock) -> None:
    """Assigned to the team, waiting for a worker."""


# What the coordinator tells the worker, by alert (in words that fit any child).
NOTES = [
    "Seen late at night with older men; trusts the school nurse.",
    "Picked up from school by cars the school does not know; goes to the youth club on Fridays.",
    "Missing overnight twice; a friend says they go to a flat above the takeaway.",
    "New phone and gifts nobody can explain; has a good relationship with the PE teacher.",
    "Placed here from out of area; goes missing after contact visits.",
    "Sexual health clinic twice this term; talks to the youth club staff.",
]

# (named worker?, what happens): one story per alert, in score order; later alerts stay unassigned.
STORIES: list[tuple[bool, Callable[[Actor, Assignment, Clock], None]]] = [
    (True, _engaged),
    (True, _declined_then_continued),
    (True, _declined_then_closed),
    (False, _referred),
    (True, _not_found),
    (False, _nothing_yet),
]


def step_outreach(_args: argparse.Namespace) -> None:
    if Assignment.objects.exists():
        print("      outreach is already under way")
        return
    create_demo_users()  # idempotent: the coordinator and the youth worker act below
    coordinator = actor_for(User.objects.get(username=COORDINATOR))
    worker = actor_for(User.objects.get(username=WORKER))
    # Alerts raised a month or more ago, so each story has had time to happen.
    open_ = [Alert.Status.NEW, Alert.Status.UNDER_REVIEW]
    month_ago = timezone.now() - dt.timedelta(days=30)
    ranked = ranked_alerts(kind=Alert.Kind.CHILD_AT_RISK, statuses=open_)
    ranked = ranked.filter(first_raised_at__lte=month_ago)
    # The highest-scoring alert of each month, newest months first: outreach through the year.
    by_month: dict[tuple[int, int], Alert] = {}
    for alert in ranked:
        by_month.setdefault((alert.first_raised_at.year, alert.first_raised_at.month), alert)
    alerts = [by_month[m] for m in sorted(by_month, reverse=True)][: len(STORIES)]
    for i, (alert, (named, story)) in enumerate(zip(alerts, STORIES)):
        clock = Clock(office_hours(alert.first_raised_at + dt.timedelta(days=1 + i % 3)))
        assignment = do_assign_outreach(
            coordinator,
            alert_id=alert.id,
            agency=TEAM,
            worker=WORKER if named else "",
            note=NOTES[i % len(NOTES)],
            now=clock.at,
        )
        story(worker, assignment, clock)
    print(f"      outreach assigned for {len(alerts)} children at risk, attempts recorded")
