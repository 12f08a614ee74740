"""Reading one field of a plan file, and the checks every format shares. Each problem is collected as
``file:row:field: reason``, not raised at once, so that the whole list can be given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sightline.accountability.planfile.specs import (
    IMPORT_STATUSES,
    REF,
    ActionSpec,
    PlanFileError,
    RecommendationSpec,
)


class Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, row: int | str, fld: str, reason: str) -> None:
        self.items.append(f"{self.name}:{row}:{fld}: {reason}")

    def raise_if_any(self) -> None:
        if self.items:
            raise PlanFileError(self.items)


def read_text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else " ".join(str(value).split()) if key != "text" else str(value).strip()


def read_date(value: Any, p: Problems, row: int | str, fld: str, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            p.add(row, fld, "this is required (a date, YYYY-MM-DD)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        p.add(row, fld, f"{value!r} is not a date (use YYYY-MM-DD)")
        return None
    if not 1900 <= day.year <= 2100:
        p.add(row, fld, f"{value!r} is outside 1900-2100")
        return None
    return day


def read_bool(value: Any, p: Problems, row: int | str, fld: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "n", "0"):
        return False
    if text in ("yes", "true", "y", "1"):
        return True
    p.add(row, fld, f"{value!r} is not yes or no")
    return False


def read_int(value: Any, p: Problems, row: int | str, fld: str, lo: int, hi: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        p.add(row, fld, f"{value!r} is not a whole number")
        return None
    if not lo <= number <= hi:
        p.add(row, fld, f"{number} is outside {lo}-{hi}")
        return None
    return number


def read_decimal(value: Any, p: Problems, row: int | str, fld: str) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        p.add(row, fld, f"{value!r} is not a number")
        return None
    if not number.is_finite() or number < 0:
        p.add(row, fld, f"{value!r} must be zero or more")
        return None
    return number


def check_ref(value: str, p: Problems, row: int | str, fld: str) -> str:
    if not value:
        p.add(row, fld, "this is required")
    elif not REF.match(value):
        p.add(row, fld, f"{value!r} must be up to 20 letters, digits, dots, dashes or underscores")
    return value


def check_action(spec: ActionSpec, p: Problems, row: int | str, prefix: str) -> None:
    if not prefix:  # YAML; CSV checks its required columns row by row
        check_ref(spec.ref, p, row, "ref")
        if not spec.description:
            p.add(row, "description", "this is required")
        if not spec.owner_agency:
            p.add(row, "owner.agency", "this is required (an agency code, e.g. police)")
    if spec.status not in IMPORT_STATUSES:
        p.add(
            row,
            f"{prefix}status",
            f"{spec.status!r} cannot be imported: use not_started or in_progress "
            "(complete needs evidence and a second person's sign-off, in Sightline)",
        )


def duplicates(
    recs: list[RecommendationSpec], p: Problems, rec_field: str = "ref", act_field: str = "ref"
) -> None:
    seen: dict[str, str] = {}
    for rec in recs:
        if rec.ref in seen:
            p.add(rec.where, rec_field, f"recommendation {rec.ref} appears twice (first at {seen[rec.ref]})")
        seen[rec.ref] = rec.where
        acts: dict[str, str] = {}
        for act in rec.actions:
            if act.ref in acts:
                p.add(act.where, act_field, f"action {act.ref} appears twice in {rec.ref}")
            acts[act.ref] = act.where
