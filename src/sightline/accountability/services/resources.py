"""Resources: the money for each funding line and the staff in each team, year by year. A correction
needs a reason."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import FundingLine, StaffingLevel
from sightline.accountability.services.validation import find_agency, required
from sightline.ledger.services import Actor, do_create, do_update


def _amount(value: object, fld: str, *, below: str, places: str, what: str, unit: str = "") -> Decimal:
    """A finite, non-negative decimal below ``below``, rounded to ``places``."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({fld: f"enter {what}{unit}"}) from None
    if not number.is_finite() or number < 0 or number >= Decimal(below):
        raise ValidationError({fld: f"enter {what} of zero or more"})
    return number.quantize(Decimal(places))


def _year(value: object, fld: str) -> int:
    if not isinstance(value, int) or not 1990 <= value <= 2100:
        raise ValidationError({fld: "enter a year between 1990 and 2100"})
    return value


def do_set_funding(
    actor: Actor,
    *,
    name: str,
    financial_year: int,
    amount: Decimal | int | float | str,
    agency: str = "",
    note: str = "",
    reason: str = "",
) -> FundingLine:
    """Record (or correct, with a reason) the money for one line in one financial year."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"name": name})
    _year(financial_year, "financial_year")
    value = _amount(amount, "amount", below="1e12", places="0.01", what="an amount", unit=" in pounds")
    agency_obj = find_agency(agency, "agency") if agency else None
    with transaction.atomic():
        row = (
            FundingLine.objects.select_for_update()
            .filter(name=name.strip(), agency=agency_obj, financial_year=financial_year)
            .first()
        )
        if row is None:
            return do_create(
                FundingLine(
                    name=name.strip(),
                    agency=agency_obj,
                    financial_year=financial_year,
                    amount=value,
                    note=note.strip(),
                ),
                actor=actor,
                reason=reason,
            )
        if row.amount == value and row.note == note.strip():
            return row
        if row.amount != value and not reason.strip():
            raise ValidationError({"reason": "say why the amount is changing"})
        row.amount, row.note = value, note.strip()
        return do_update(row, actor=actor, reason=reason.strip())


def do_set_staffing(
    actor: Actor,
    *,
    agency: str,
    team: str,
    year: int,
    staff: Decimal | int | float | str,
    note: str = "",
    reason: str = "",
) -> StaffingLevel:
    """Record (or correct, with a reason) the staff in an agency's team in one year."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"agency": agency, "team": team})
    _year(year, "year")
    value = _amount(staff, "staff", below="1e6", places="0.1", what="a number of staff")
    agency_obj = find_agency(agency, "agency")
    with transaction.atomic():
        row = (
            StaffingLevel.objects.select_for_update()
            .filter(agency=agency_obj, team=team.strip(), year=year)
            .first()
        )
        if row is None:
            return do_create(
                StaffingLevel(
                    agency=agency_obj, team=team.strip(), year=year, staff=value, note=note.strip()
                ),
                actor=actor,
                reason=reason,
            )
        if row.staff == value and row.note == note.strip():
            return row
        if row.staff != value and not reason.strip():
            raise ValidationError({"reason": "say why the number is changing"})
        row.staff, row.note = value, note.strip()
        return do_update(row, actor=actor, reason=reason.strip())
