"""Who may work on an outreach assignment, and the funded level of outreach: decided once for the
services (which enforce them) and the selectors (which tell pages what to offer)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sightline.access.permissions import Cap, has_cap
from sightline.ledger.services import Actor


def may_work_on(actor: Actor, agency_id: str) -> bool:
    """Whether the actor may record attempts and decisions on outreach assigned to ``agency_id``: the
    assigned team itself, or whoever may assign outreach (the coordinator). Seeing the child is not
    enough: a partner who can open the record does not thereby do another team's outreach."""
    if not has_cap(actor, Cap.RECORD_OUTREACH) and not has_cap(actor, Cap.ASSIGN_OUTREACH):
        return False
    return has_cap(actor, Cap.ASSIGN_OUTREACH) or actor.agency == agency_id


@dataclass(frozen=True)
class FundedLevel:
    """The outreach the council funds: ``workers`` posts, each holding up to ``caseload`` children."""

    workers: int
    caseload: int

    @property
    def children(self) -> int:
        return self.workers * self.caseload


def funded_level(text: str | None = None) -> FundedLevel:
    """``SIGHTLINE_OUTREACH_FUNDED`` (``workers=6,caseload=10``) as numbers; a bad value names itself."""
    raw = settings.SIGHTLINE_OUTREACH_FUNDED if text is None else text
    values: dict[str, int] = {}
    try:
        for part in str(raw).split(","):
            key, value = part.split("=")
            values[key.strip()] = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"SIGHTLINE_OUTREACH_FUNDED={raw!r}: write it as workers=6,caseload=10"
        ) from None
    if set(values) != {"workers", "caseload"} or min(values.values()) < 0:
        raise ImproperlyConfigured(
            f"SIGHTLINE_OUTREACH_FUNDED={raw!r}: give workers and caseload, each 0 or more"
        )
    return FundedLevel(values["workers"], values["caseload"])
