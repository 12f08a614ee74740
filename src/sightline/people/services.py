"""Writes for people entered or corrected by hand, their identifiers, manual merge and unmerge, and
break-glass on a person's record.

Every write goes through the ledger's one write path. Merging never moves or deletes anything: the
merged person gets a new version pointing at the person it was merged into (``merged_into``), and
every read resolves that pointer (``selectors.resolve_person_id`` / ``selectors.person_group_ids``).
Unmerging is one more version that clears the pointer, so it restores exactly what was there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.models import Agency, BreakGlass, User
from sightline.access.permissions import Cap, has_cap, require_cap
from sightline.access.services import check_break_glass, do_grant_break_glass
from sightline.core.errors import NotFound
from sightline.ledger.services import Actor, StaleVersionError, do_create, do_update, record_action
from sightline.people.models import Person, PersonIdentifier

EDITABLE_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "sex",
    "ethnicity",
    "address",
    "postcode",
)

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_DOB = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ETHNICITY = re.compile(r"^[A-Z]{4}$")


def normalise_postcode(value: str) -> str:
    """``s652ab`` -> ``S65 2AB``. Raises ValueError when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    match = _POSTCODE.match(compact)
    if not match:
        raise ValueError(f"{value!r} is not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def normalise_identifier(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def valid_nhs_number(value: str) -> bool:
    """NHS numbers are 10 digits whose last is a modulus-11 check digit."""
    if len(value) == 10 and value.isascii() and value.isdigit():
        # Plain digits, as extracts mostly carry them: the weighted sum in one expression (the
        # weights 10 down to 2 add up to 54, each byte is its digit plus 48).
        b = value.encode("ascii")
        total = 10 * b[0] + 9 * b[1] + 8 * b[2] + 7 * b[3] + 6 * b[4]
        total += 5 * b[5] + 4 * b[6] + 3 * b[7] + 2 * b[8]
        check = 11 - (total - 48 * 54) % 11
        check = 0 if check == 11 else check
        return check != 10 and check == b[9] - 48
    digits = normalise_identifier(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _validate_dob(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not _DOB.match(value):
        raise ValueError("enter a date of birth as YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError("the date of birth must be a real date") from exc
    if dt.date(parts[0], 1, 1) > dt.date.today():
        raise ValueError("the date of birth must be in the past")
    return value


def _clean_person_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise editable fields; raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in EDITABLE_FIELDS:
            errors[name] = "this field cannot be set by hand"
            continue
        try:
            if name == "kind":
                if raw not in Person.Kind.values:
                    raise ValueError(f"choose one of {', '.join(Person.Kind.values)}")
                out[name] = raw
            elif name == "date_of_birth":
                out[name] = _validate_dob(str(raw or ""))
            elif name == "estimated_age":
                if raw in (None, ""):
                    out[name] = None
                else:
                    age = int(raw)
                    if not 0 <= age <= 120:
                        raise ValueError("enter an age from 0 to 120")
                    out[name] = age
            elif name == "sex":
                sex = str(raw or "").upper()
                if sex not in {"", "F", "M", "U"}:
                    raise ValueError("enter F, M or U")
                out[name] = sex
            elif name == "ethnicity":
                code = str(raw or "").strip().upper()
                if code and not _ETHNICITY.match(code):
                    raise ValueError("enter a DfE ethnicity code such as WBRI, or leave it blank")
                out[name] = code
            elif name == "postcode":
                out[name] = normalise_postcode(str(raw or ""))
            else:
                out[name] = " ".join(str(raw or "").split())
        except (TypeError, ValueError) as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return out


def _has_name(values: Mapping[str, Any]) -> bool:
    return any(values.get(f) for f in ("given_name", "family_name", "other_names"))


def _person(person_id: str, *, lock: bool = False) -> Person:
    rows = Person.objects.select_for_update() if lock else Person.objects.all()
    person = rows.filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"There is no person {person_id}")
    return person


def do_create_person(
    actor: Actor,
    *,
    kind: str = Person.Kind.CHILD,
    identifiers: list[tuple[str, str]] | None = None,
    reason: str = "",
    **fields: Any,
) -> Person:
    """Create a person by hand. ``identifiers`` are ``(scheme, value)`` pairs held by the actor's agency."""
    require_cap(actor, Cap.RAISE_CONCERN)
    values = _clean_person_fields({"kind": kind, **fields})
    if not _has_name(values) and not values.get("date_of_birth") and values.get("estimated_age") is None:
        raise ValidationError({"given_name": "enter a name, a date of birth or an estimated age"})
    with transaction.atomic():
        entered_by = actor.agency if Agency.objects.filter(pk=actor.agency).exists() else None
        person = do_create(
            Person(created_by="hand", entered_by_agency_id=entered_by, **values), actor=actor, reason=reason
        )
        for scheme, value in identifiers or []:
            do_add_identifier(actor, person_id=person.id, scheme=scheme, value=value)
    return person


def do_update_person(
    actor: Actor,
    *,
    person_id: str,
    changes: Mapping[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> Person:
    """Correct a person's details by hand. A merged person is edited through the one it was merged into."""
    if not has_cap(actor, Cap.MERGE_PEOPLE):
        require_cap(actor, Cap.MANAGE_CASE)
    values = _clean_person_fields(changes)
    with transaction.atomic():
        person = _person(person_id, lock=True)
        if expected_version is not None and person.version != expected_version:
            raise StaleVersionError(
                f"person {person_id} is at version {person.version}, not {expected_version}"
            )
        if person.status == Person.Status.MERGED:
            raise ValidationError(
                {"__all__": f"{person_id} was merged into {person.merged_into}: edit that record"}
            )
        for name, value in values.items():
            setattr(person, name, value)
        names = {f: getattr(person, f) for f in ("given_name", "family_name", "other_names")}
        if not _has_name(names) and not person.date_of_birth and person.estimated_age is None:
            raise ValidationError({"given_name": "a person needs a name, a date of birth or an age"})
        return do_update(person, actor=actor, reason=reason)


def do_add_identifier(
    actor: Actor, *, person_id: str, scheme: str, value: str, agency: str | None = None
) -> PersonIdentifier:
    """Record an identifier an agency holds for the person (NHS numbers must pass the check digit)."""
    require_cap(actor, Cap.RAISE_CONCERN)
    if scheme not in PersonIdentifier.Scheme.values:
        raise ValidationError({"scheme": f"choose one of {', '.join(PersonIdentifier.Scheme.values)}"})
    clean = normalise_identifier(value)
    if not clean:
        raise ValidationError({"value": "enter the identifier"})
    if scheme == PersonIdentifier.Scheme.NHS_NUMBER and not valid_nhs_number(clean):
        raise ValidationError({"value": "an NHS number is 10 digits with a valid check digit"})
    person = _person(person_id)
    owner = agency if agency is not None else (actor.agency if actor.role != "system" else None)
    return do_create(
        PersonIdentifier(person=person, scheme=scheme, value=clean, agency_id=owner or None), actor=actor
    )


def do_retire_identifier(actor: Actor, *, identifier_id: str, reason: str) -> PersonIdentifier:
    """Mark a wrongly entered identifier as no longer in use (it stays in the ledger)."""
    require_cap(actor, Cap.MANAGE_CASE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the identifier is being retired"})
    ident = PersonIdentifier.objects.filter(pk=identifier_id).first()
    if ident is None:
        raise NotFound(f"There is no identifier {identifier_id}")
    ident.active = False
    return do_update(ident, actor=actor, action="retire", reason=reason)


def _root(person: Person) -> str:
    seen = {person.id}
    current = person
    while current.status == Person.Status.MERGED and current.merged_into:
        if current.merged_into in seen:
            break
        seen.add(current.merged_into)
        current = Person.objects.get(pk=current.merged_into)
    return current.id


def do_merge_people(actor: Actor, *, source_id: str, target_id: str, reason: str) -> Person:
    """Merge ``source`` into ``target`` (the same real person recorded twice). Returns the target.

    The source keeps its id, records and case work; reads of the target include them. Reversible with
    :func:`do_unmerge_person`.
    """
    require_cap(actor, Cap.MERGE_PEOPLE)
    if not reason.strip():
        raise ValidationError({"reason": "say why these records are the same person"})
    if source_id == target_id:
        raise ValidationError({"target": "a person cannot be merged into themselves"})
    with transaction.atomic():
        source = _person(source_id, lock=True)
        target = Person.objects.select_for_update().filter(pk=target_id).first()
        if target is None:
            raise ValidationError({"target": f"there is no person {target_id}"})
        if source.status == Person.Status.MERGED:
            raise ValidationError({"source": f"{source_id} is already merged into {source.merged_into}"})
        if target.status == Person.Status.MERGED:
            raise ValidationError(
                {"target": f"{target_id} was merged into {target.merged_into}: merge into that"}
            )
        if _root(target) == source.id:
            raise ValidationError({"target": "that merge would make a loop"})
        source.status = Person.Status.MERGED
        source.merged_into = target.id
        do_update(source, actor=actor, action="merge", reason=reason)
        record_action(
            actor, "merge_into", Person.ledger_type(), target.id, data={"merged": source.id}, reason=reason
        )
    return target


def do_unmerge_person(actor: Actor, *, person_id: str, reason: str) -> Person:
    """Undo a manual merge: the person stands alone again with everything that was theirs."""
    require_cap(actor, Cap.MERGE_PEOPLE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the merge was wrong"})
    with transaction.atomic():
        person = _person(person_id, lock=True)
        if person.status != Person.Status.MERGED:
            raise ValidationError({"__all__": f"{person_id} is not merged"})
        former = person.merged_into
        person.status = Person.Status.ACTIVE
        person.merged_into = ""
        do_update(person, actor=actor, action="unmerge", reason=reason)
        record_action(
            actor, "unmerge_from", Person.ledger_type(), former, data={"unmerged": person.id}, reason=reason
        )
    return person


def do_break_glass(user: User, *, person_id: str, reason: str) -> BreakGlass:
    """Open a person's record outside the user's normal access, for a limited time, with a reason
    (``access.services.do_grant_break_glass``), once the person is known to exist."""
    check_break_glass(user, reason)  # a refused role or reason says so before whether the person exists
    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound("There is no person with this identifier")
    return do_grant_break_glass(user, person_id=person_id, reason=reason)
