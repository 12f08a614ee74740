"""Indicator rows: a shipped indicator is stored on its first change; targets and directions change
with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.accountability import indicators as ind
from sightline.accountability.models import Indicator
from sightline.accountability.services.validation import required, set_fields
from sightline.core.errors import NotFound
from sightline.ledger.services import Actor, do_create, do_update


def upsert_indicator(d: ind.Definition, actor: Actor, reason: str) -> Indicator:
    """Store a definition (a plan's own, or a shipped one), or bring the stored row up to it."""
    row = Indicator.objects.select_for_update().filter(key=d.key).first()
    values = {
        "name": d.name,
        "definition": d.definition,
        "measure": d.measure,
        "unit": d.unit,
        "target": d.target,
        "direction": d.direction,
    }
    if row is None:
        shipped = [s.key for s in ind.shipped_definitions()]
        position = shipped.index(d.key) if d.key in shipped else len(shipped) + Indicator.objects.count()
        return do_create(Indicator(key=d.key, position=position, **values), actor=actor, reason=reason)
    if set_fields(row, values):
        return do_update(row, actor=actor, reason=reason)
    return row


def do_update_indicator(
    actor: Actor,
    *,
    indicator_key: str,
    target: float | None,
    direction: str,
    reason: str,
    name: str | None = None,
    definition: str | None = None,
) -> Indicator:
    """Change an indicator's target or direction (a shipped one is stored on its first change)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    if direction not in ind.DIRECTIONS:
        raise ValidationError({"direction": "choose higher or lower"})
    with transaction.atomic():
        row = Indicator.objects.select_for_update().filter(key=indicator_key).first()
        if row is None:
            shipped = {d.key: d for d in ind.shipped_definitions()}
            if indicator_key not in shipped:
                raise NotFound("No such indicator")
            row = upsert_indicator(
                shipped[indicator_key], actor, "shipped indicator stored before its first change"
            )
        changes: dict[str, object] = {"target": target, "direction": direction}
        if name is not None:
            required({"name": name})
            changes["name"] = name.strip()
        if definition is not None:
            required({"definition": definition})
            changes["definition"] = " ".join(definition.split())
        if not set_fields(row, changes):
            return row
        required({"reason": reason})
        return do_update(row, actor=actor, reason=reason.strip())
