"""Checks shared by the accountability services: required fields, dates, agencies and owners, versions,
indicator keys, and row locks. Problems raise ``ValidationError`` with a message per field; a missing
object raises ``NotFound``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sightline.access.models import Agency, User
from sightline.access.permissions import Cap, has_cap
from sightline.accountability import indicators as ind
from sightline.accountability.models import Action, Indicator
from sightline.ledger.models import LedgeredModel
from sightline.ledger.services import Actor

M = TypeVar("M", bound=LedgeredModel)

REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
REF_PROBLEM = "use up to 20 letters, digits, dots, dashes or underscores"


def now_or(now: dt.datetime | None = None) -> dt.datetime:
    return now or timezone.now()


def required(values: Mapping[str, Any]) -> None:
    errors = {
        k: "this is required"
        for k, v in values.items()
        if v is None or (isinstance(v, str) and not v.strip())
    }
    if errors:
        raise ValidationError(errors)


def check_date(name: str, value: dt.date | None) -> None:
    if value is not None and (not isinstance(value, dt.date) or not 1900 <= value.year <= 2100):
        raise ValidationError({name: "enter a real date between 1900 and 2100"})


def find_agency(code: str, fld: str) -> Agency:
    found = Agency.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError({fld: f"there is no agency {code!r}"})
    return found


def check_owner(username: str, owner: Agency, fld: str = "owner_user") -> str:
    """The username of an action's owner, who must work for the owning agency ("" for none)."""
    if not username:
        return ""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({fld: f"there is no user {username!r}"})
    if user.agency_id != owner.id:
        raise ValidationError({fld: f"{username} does not work for {owner.name}"})
    return username


def set_fields(obj: LedgeredModel, values: Mapping[str, Any]) -> bool:
    """Set each value that differs; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def indicator_keys() -> set[str]:
    return set(Indicator.objects.values_list("key", flat=True)) | {d.key for d in ind.shipped_definitions()}


def check_indicators(keys: Iterable[str], fld: str = "indicator_keys") -> list[str]:
    keys = [k for k in keys if k]
    unknown = sorted(set(keys) - indicator_keys())
    if unknown:
        raise ValidationError({fld: f"unknown indicator(s): {', '.join(unknown)}"})
    return list(dict.fromkeys(keys))


def may_progress(actor: Actor, action: Action) -> bool:
    """The action's named owner, or anyone who manages recommendations, may record progress on it."""
    return has_cap(actor, Cap.MANAGE_RECOMMENDATIONS) or (
        bool(action.owner_user) and action.owner_user == actor.user
    )


def require_progress(actor: Actor, action: Action) -> None:
    if not may_progress(actor, action):
        raise PermissionDenied("only the action's owner or someone who manages recommendations may do this")
