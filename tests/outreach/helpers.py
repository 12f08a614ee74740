"""Data for the outreach tests: child-at-risk alerts (as an analysis run would raise them)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from sightline.intelligence.models import Alert
from sightline.ledger.services import SYSTEM, do_create
from sightline.people.models import Person

_serial = itertools.count(1)


def alert_about(
    child: Person,
    *,
    raised: dt.datetime | None = None,
    kind: str = Alert.Kind.CHILD_AT_RISK,
    status: str = Alert.Status.NEW,
) -> Alert:
    return do_create(
        Alert(
            id=f"A-T{next(_serial)}",
            kind=kind,
            subject_id=child.id,
            subject_label=str(child),
            score=10.0,
            reasons="Missing three times; seen with an adult of concern.",
            first_raised_at=raised or timezone.now(),
            status=status,
        ),
        actor=SYSTEM,
    )
