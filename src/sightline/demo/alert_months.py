"""The demo's analysis through the last year: the hub linked and analysed each month's extracts as
they arrived and worked through the new child-at-risk alerts within days (now and then later), so
alerts, their reviews and the indicators built on them have a year of history, not one day."""

from __future__ import annotations

import datetime as dt
import logging
import random

from sightline.access.services import create_demo_users
from sightline.demo.casework import office_hours
from sightline.demo.staff import demo_staff
from sightline.intelligence.models import Alert
from sightline.intelligence.services import do_analyse, do_set_alert_status
from sightline.people.linkage.run import do_link

# Days from the analysis to the hub's review: mostly within the week, sometimes not.
REVIEW_DAYS = (0, 1, 1, 2, 3, 4, 6, 9, 13)
REASONS = (
    "Concern raised and screening booked.",
    "Shared with the allocated social worker; strategy discussion arranged.",
    "Known to the CSE team; the alert's adults passed to the police analyst.",
)


def analyse_month(when: dt.datetime, now: dt.datetime, rng: random.Random) -> int:
    """Link and analyse what has arrived by ``when``, as the hub did then; the hub reviews half of the
    new child-at-risk alerts (the highest scores first). Returns the number reviewed."""
    splink = logging.getLogger("splink")
    level = splink.level
    splink.setLevel(logging.ERROR)  # its training notes, once per month, would bury the progress bar
    try:
        do_link()
    finally:
        splink.setLevel(level)
    do_analyse(now=when)
    create_demo_users()  # idempotent: the coordinator acts below
    hub = demo_staff().hub
    new = Alert.objects.filter(
        kind=Alert.Kind.CHILD_AT_RISK, active=True, status=Alert.Status.NEW, first_raised_at=when
    ).order_by("-score", "id")
    fresh = list(new)
    reviewed = 0
    for i, alert in enumerate(fresh[: len(fresh) // 2]):
        at = office_hours(when + dt.timedelta(days=rng.choice(REVIEW_DAYS), hours=rng.randint(1, 6)))
        if at >= now:
            continue
        status = Alert.Status.UNDER_REVIEW if i % 4 == 3 else Alert.Status.ACTIONED
        reason = rng.choice(REASONS) if status == Alert.Status.ACTIONED else ""
        do_set_alert_status(hub, alert_id=alert.id, status=status, reason=reason, now=at)
        reviewed += 1
    return reviewed
