"""Writes for accounts and access. Every change is ledgered in the same transaction."""

from __future__ import annotations

from django.db import transaction

from sightline.access.models import Agency
from sightline.ledger.services import SYSTEM, Actor, do_create

STANDARD_AGENCIES = [
    ("police", "Police", "police"),
    ("social_care", "Children's social care", "council"),
    ("health", "Health", "health"),
    ("education", "Education", "council"),
    ("youth_service", "Youth service", "council"),
    ("licensing", "Licensing", "council"),
    ("housing", "Housing", "council"),
    ("mash", "Multi-agency safeguarding hub", "partnership"),
    ("independent_review", "Independent reviewer", "oversight"),
    ("sightline_ops", "Sightline operations", "operations"),
]


def ensure_standard_agencies(actor: Actor = SYSTEM) -> list[Agency]:
    """Create the standard partner agencies that do not exist yet. Idempotent."""
    out = []
    with transaction.atomic():
        for code, name, kind in STANDARD_AGENCIES:
            agency = Agency.objects.filter(pk=code).first()
            if agency is None:
                agency = do_create(Agency(id=code, name=name, kind=kind), actor=actor)
            out.append(agency)
    return out
