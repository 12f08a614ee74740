"""Screening: score a child's answers with the deployment's indicator set and record the result,
with the screener's judgement where it differs from the score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.permissions import Cap, require_cap
from sightline.cases import screening as tool
from sightline.cases.deadlines import add_months
from sightline.cases.models import Concern, Screening
from sightline.cases.services import checks
from sightline.ledger.services import Actor, do_create


def do_complete_screening(
    actor: Actor,
    *,
    person_id: str,
    answers: Mapping[str, Any],
    override_band: str = "",
    override_reason: str = "",
    notes: str = "",
    concern_id: str | None = None,
    now: dt.datetime | None = None,
) -> Screening:
    """Score a screening with the deployment's indicator set and record it.

    The computed band stands unless the screener overrides it, and an override needs a reason: the
    score supports professional judgement, it does not replace it. Reassessment falls due after the
    set's ``reassess_after_months``.
    """
    require_cap(actor, Cap.SCREEN)
    now = checks.utc(now)
    indicator_set = tool.default_indicator_set()
    try:
        parsed = tool.parse_answers(indicator_set, answers)
    except tool.IndicatorSetError as exc:
        raise ValidationError({"answers": str(exc)}) from None
    result = tool.score_answers(indicator_set, parsed)
    if override_band:
        try:
            indicator_set.band(override_band)
        except tool.IndicatorSetError:
            raise ValidationError(
                {"override_band": f"choose one of: {', '.join(b.key for b in indicator_set.bands)}"}
            ) from None
        if override_band == result.band.key:
            override_band = ""
        elif not override_reason.strip():
            raise ValidationError({"override_reason": "say why your judgement differs from the score"})
    child = checks.child(person_id)
    concern = None
    if concern_id:
        concern = Concern.objects.filter(pk=concern_id).first()
        if concern is None:
            raise ValidationError({"concern": f"there is no concern {concern_id}"})
    with transaction.atomic():
        agency = checks.actor_agency(actor)
        screening = do_create(
            Screening(
                person=child,
                concern=concern,
                indicator_set=indicator_set.id,
                indicator_set_version=indicator_set.version,
                answers={
                    code: {"current": a.current, "earlier": a.earlier}
                    for code, a in sorted(parsed.items())
                    if a.present
                },
                score=result.score,
                computed_band=result.band.key,
                override_band=override_band,
                override_reason=override_reason.strip() if override_band else "",
                band=override_band or result.band.key,
                notes=notes.strip(),
                completed_at=now,
                completed_by=actor.user,
                agency=agency,
                next_due_on=add_months(timezone.localdate(now), indicator_set.reassess_after_months),
            ),
            actor=actor,
            reason=override_reason if override_band else "",
        )
    return screening
