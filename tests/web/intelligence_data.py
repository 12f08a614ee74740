"""Hand-built intelligence data for the analysts' page and API tests: a child known to police and
social care, an adult known only to social care, the events linking them, a place and a phone; their
alerts and their group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sightline.intelligence.models import Alert, Network, NetworkMember
from sightline.ledger.services import SYSTEM, do_create
from tests import factories


def _alert(kind: str, subject: str, label: str, score: float, **extra: Any) -> Alert:
    return do_create(
        Alert(
            id=f"A-{kind[:6]}-{subject[-6:]}",
            kind=kind,
            subject_id=subject,
            subject_label=label,
            score=score,
            first_raised_at=timezone.now(),
            **extra,
        ),
        actor=SYSTEM,
    )


def build_handmade() -> dict[str, Any]:
    """The objects by name: child, adult, records, events, the four alerts and the network."""
    factories.agencies()
    child = factories.person("child", given_name="Kayleigh", family_name="Brookes")
    adult = factories.person("adult", given_name="Darren", family_name="Hollis")
    pol = factories.record(
        child, "police", "POL-1", row_number=5, given_name="Kayleigh", family_name="Brookes"
    )
    sc1 = factories.record(
        child, "social_care", "SC-1", row_number=7, given_name="Kayleigh", family_name="Brooks"
    )
    sc2 = factories.record(
        adult, "social_care", "SC-2", row_number=9, given_name="Darren", family_name="Hollis"
    )
    e1 = factories.event(pol, "missing", dt.date(2013, 5, 2), "E1", row_number=3)
    e2 = factories.event(sc1, "strategy_meeting", dt.date(2013, 8, 1), "CSE1", row_number=4)
    child_alert = _alert(
        "child_at_risk",
        child.id,
        "Kayleigh Brookes",
        20.5,
        reasons="Child aged 14; no agency has flagged this child. Missing 1 time [police:E1]. "
        "At place 'star kebab' with other children [social_care:CSE1].",
        record_keys=["police:POL-1", "social_care:SC-1", "police:GONE-9"],
        event_keys=["police:E1", "social_care:CSE1"],
        confidence="moderate",
    )
    adult_alert = _alert(
        "adult_of_concern",
        adult.id,
        "Darren Hollis",
        15.0,
        status="under_review",
        reasons="Adult linked to 1 child [police:E1].",
        record_keys=["social_care:SC-2"],
        event_keys=["police:E1"],
    )
    place_alert = _alert(
        "place_of_concern",
        "PL-STAR",
        "star kebab",
        5.0,
        reasons="Place where 1 child has been recorded [social_care:CSE1].",
        event_keys=["social_care:CSE1"],
    )
    dismissed = _alert(
        "vehicle_of_concern",
        "VH-OLD",
        "YX09 ABC",
        30.0,
        status="dismissed",
        status_reason="a taxi",
        reasons="Vehicle seen with 1 child.",
    )
    net = do_create(
        Network(
            id="N-TEST",
            label="Group around Darren Hollis and Star Kebab (4 members)",
            name_without_person="Group around Star Kebab (4 members)",
            named_person=adult.id,
            size=4,
            children=1,
            adults=1,
            score=40.0,
            links=[
                {
                    "source": child.id,
                    "target": adult.id,
                    "type": "contact",
                    "weight": 2.0,
                    "concerning": True,
                    "kinds": ["missing"],
                    "agencies": ["police"],
                    "events": ["police:E1"],
                    "first_seen": "2013-05-02",
                    "last_seen": "2013-05-02",
                },
                {
                    "source": child.id,
                    "target": "PL-STAR",
                    "type": "place",
                    "weight": 1.0,
                    "concerning": False,
                    "kinds": ["strategy_meeting"],
                    "agencies": ["social_care"],
                    "events": ["social_care:CSE1"],
                    "first_seen": "2013-08-01",
                    "last_seen": "2013-08-01",
                },
                {
                    "source": adult.id,
                    "target": "07700900123",
                    "type": "phone",
                    "weight": 0.5,
                    "concerning": False,
                    "kinds": [],
                    "agencies": [],
                    "events": [],
                    "first_seen": None,
                    "last_seen": None,
                },
            ],
        ),
        actor=SYSTEM,
    )
    for mtype, mid, label, role in [
        ("person", child.id, "Kayleigh Brookes", "child"),
        ("person", adult.id, "Darren Hollis", "adult"),
        ("place", "PL-STAR", "star kebab", ""),
        ("phone", "07700900123", "07700900123", ""),
    ]:
        do_create(
            NetworkMember(network=net, member_type=mtype, member_id=mid, label=label, role=role), actor=SYSTEM
        )
    return {
        "child": child,
        "adult": adult,
        "records": (pol, sc1, sc2),
        "events": (e1, e2),
        "child_alert": child_alert,
        "adult_alert": adult_alert,
        "place_alert": place_alert,
        "dismissed": dismissed,
        "network": net,
    }
