"""Who did the demo's case work, and the town's children it was about. The demo accounts act as the
staff of each agency; the children come from what the town's extracts and the analysis put in."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import actor_for
from sightline.intelligence.models import Alert
from sightline.ledger.services import Actor
from sightline.people.models import Person, SourceRecord

SCHOOL_AGE = (10, 17)


@dataclass(frozen=True)
class Staff:
    social: Actor  # children's social care practitioner
    police: Actor  # police practitioner
    school: Actor  # a school's designated safeguarding lead
    hub: Actor  # the CSE coordinator in the multi-agency hub
    analyst: Actor  # the police analyst, who records investigations
    manager: Actor  # social care manager: signs off
    board: Actor  # safeguarding board member: signs off

    def raiser_for(self, agencies: set[str], rng: random.Random) -> Actor:
        """Someone from an agency that knows the child, so the concern is not raised blind."""
        by_agency = {"social_care": self.social, "police": self.police, "education": self.school}
        known = [actor for agency, actor in by_agency.items() if agency in agencies]
        return rng.choice(known) if known else self.hub


def demo_staff() -> Staff:
    def actor(username: str) -> Actor:
        return actor_for(User.objects.get(username=username))

    return Staff(
        social=actor("demo-practitioner"),
        police=actor("demo-police"),
        school=actor("demo-school-dsl"),
        hub=actor("demo-coordinator"),
        analyst=actor("demo-analyst"),
        manager=actor("demo-manager"),
        board=actor("demo-board"),
    )


@dataclass
class Child:
    id: str
    agencies: set[str] = field(default_factory=set)
    score: float = 0.0  # the child-at-risk alert's score, 0 without one


def _age(dob: str, estimated: int | None, today: dt.date) -> int | None:
    if len(dob) >= 4 and dob[:4].isdigit():
        return today.year - int(dob[:4])
    return estimated


def town_children(today: dt.date) -> tuple[list[Child], list[Child]]:
    """(children with a child-at-risk alert, highest score first; other children of school age)."""
    agencies: dict[str, set[str]] = defaultdict(set)
    for pid, agency in SourceRecord.objects.filter(person__isnull=False).values_list(
        "person_id", "agency_id"
    ):
        agencies[pid].add(agency)
    scores: dict[str, float] = {}
    for pid, score in Alert.objects.filter(kind=Alert.Kind.CHILD_AT_RISK, active=True).values_list(
        "subject_id", "score"
    ):
        scores[pid] = max(score, scores.get(pid, 0.0))
    at_risk, others = [], []
    people = Person.objects.filter(kind=Person.Kind.CHILD, status=Person.Status.ACTIVE).order_by("id")
    for pid, dob, estimated in people.values_list("id", "date_of_birth", "estimated_age"):
        child = Child(pid, agencies.get(pid, set()), scores.get(pid, 0.0))
        age = _age(dob, estimated, today)
        if child.score:
            at_risk.append(child)
        elif age is not None and SCHOOL_AGE[0] <= age <= SCHOOL_AGE[1] and child.agencies:
            others.append(child)
    at_risk.sort(key=lambda c: (-c.score, c.id))
    return at_risk, others


# --- time ----------------------------------------------------------------------------------------


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def working_time(rng: random.Random, day: dt.date, late: bool = False) -> dt.datetime:
    """A plausible time for a worker to record something on ``day`` (police at any hour)."""
    hour = rng.randint(0, 23) if late else rng.randint(8, 17)
    return moment(day, hour, rng.randint(0, 59))
