"""One agency's book: the person records it holds and the events it logged, in its own habits."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from . import noise
from .habits import EVERY_AGENCY, NAMED, PROFESSIONAL, SECONDHAND, SIGHTING, Habits
from .identifiers import format_phone, nhs_number
from .model import Person, Place
from .names import GIVEN_VARIANTS, NOT_RECORDED_CODES

PEOPLE_COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "sex",
    "ethnicity",
    "address",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "upn",
    "pnc_id",
    "description",
)
EVENT_COLUMNS = (
    "event_id",
    "record_id",
    "kind",
    "occurred_on",
    "ended_on",
    "place",
    "postcode",
    "vehicle",
    "phone",
    "others",
    "factors",
    "summary",
    "licence",  # last: left off the extracts of agencies that hold no licences
)
# The licensing extract's `licence` column: what a driver is licensed for (docs/extract-format.md).
PRIVATE_HIRE_LICENCE = "private_hire_driver;private_hire_vehicle"
SCHOOL_CONTRACT_LICENCE = f"{PRIVATE_HIRE_LICENCE};school_contract"


class NhsNumbers:
    """NHS numbers, handed out when an agency first records one: most people never need theirs here."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def of(self, person: Person) -> str:
        while not person.nhs:
            number = nhs_number(self.rng)
            if number not in self.used:
                self.used.add(number)
                person.nhs = number
        return person.nhs


@dataclass(slots=True)
class Event:
    occurred: int  # date ordinal
    minute: int  # minute of the day, for agencies that log times; -1 if none
    record: int
    kind: str
    ended: int = 0
    ended_minute: int = -1
    place: str = ""
    postcode: str = ""
    vehicle: str = ""
    phone: str = ""
    others: tuple[tuple[int, str], ...] = ()
    factors: str = ""
    summary: str = ""
    licence: str = ""  # licensing: what the subject is licensed for, e.g. school_contract


class Book:
    """One agency's records and events, written in its habits with its own dice."""

    def __init__(
        self, agency: str, habits: Habits, rng: random.Random, period: tuple[int, int], nhs: NhsNumbers
    ) -> None:
        self.agency = agency
        self.nhs = nhs
        self.period = period
        self.h = habits
        self.rng = rng
        self.rows: list[dict[str, str]] = []
        self.owners: list[Person] = []
        self.created: list[int] = []  # day each record was made
        self.age_error: dict[int, int] = {}  # record -> error in its estimated age
        self.slots: dict[tuple[str, str], list[int]] = {}
        self.events: list[Event] = []
        self.noise: Counter[str] = Counter()

    # --- records ---------------------------------------------------------------------------------------
    def rec(self, person: Person, day: int, style: str = "normal", **extra: str) -> int:
        """The record this agency uses for a person, created (perhaps twice over) on first contact.

        `style` is how the agency met them: "normal" in person, "contact" as a parent or carer on someone
        else's record, "named" by a third party, "professional", "intel" (a sighting police know by a street
        name) or "nominal" (police's own full record of a known man). Police keep nominal and sighting
        records apart from the one they use for everyone else.
        """
        if style == "intel":
            return self._sighting_record(person, day, extra)
        key = (person.pid, "nominal" if style == "nominal" else "")
        slots = self.slots.get(key)
        if slots is None:
            slots = self.slots[key] = [self._new(person, day, style, extra)]
            if self.rng.random() < self.h.duplicate:
                slots.append(self._new(person, day, style, extra, duplicate=True))
                self.noise["duplicate"] += 1
            return slots[0]
        if len(slots) > 1 and self.rng.random() < EVERY_AGENCY.later_use_of_duplicate:
            return slots[-1]
        return slots[0]

    def _sighting_record(self, person: Person, day: int, extra: dict[str, str]) -> int:
        key = (person.pid, "intel")
        slots = self.slots.get(key)
        if slots is None:
            index = self._new(person, day, "intel", extra)
            self.slots[key] = [index]
            return index
        if len(slots) < SIGHTING.most_records and self.rng.random() < SIGHTING.new_record:
            index = self._new(person, day, "intel", extra)
            slots.append(index)
            self.noise["duplicate"] += 1
            return index
        return self.rng.choice(slots)

    def _new(self, p: Person, day: int, style: str, extra: dict[str, str], duplicate: bool = False) -> int:
        row = dict.fromkeys(PEOPLE_COLUMNS, "")
        row.update(extra)
        if p.described_only:
            self._described(row, p)
        elif style == "intel":
            self._sighted(row, p)
        elif style == "professional":
            self._professional(row, p)
        else:
            self._in_person(row, p, day, style, duplicate)
        return self._store(row, p, day)

    def _known_as(self, p: Person) -> tuple[str, str, str]:
        """(given, family, street name) as this agency knows the person: a man with aliases gives each
        agency its own."""
        alias = p.aliases.get(self.agency) if p.aliases else None
        if alias is None:
            return p.given, p.family, p.nickname
        given, family = alias
        return (given, family, given) if not family else (given, family, p.nickname)

    def _described(self, row: dict[str, str], p: Person) -> None:
        """A man no agency has a name for: a sex, a guessed age, a description and perhaps his number."""
        rng = self.rng
        row["given_name"] = row["family_name"] = row["other_names"] = row["pnc_id"] = ""
        row["sex"] = p.sex
        self.age_error[len(self.rows)] = rng.randint(-SIGHTING.adult_age_error, SIGHTING.adult_age_error)
        row["description"] = noise.description(rng, p.sex, None)
        if p.phone and rng.random() < SIGHTING.phone:
            row["phone"] = format_phone(p.phone, self.h.phone_style)

    def _sighted(self, row: dict[str, str], p: Person) -> None:
        rng = self.rng
        given, family, nickname = self._known_as(p)
        if nickname and rng.random() < SIGHTING.street_name:
            given = nickname
        elif rng.random() < SIGHTING.variant:
            given = self._variant(given, force=True)
        family = family if rng.random() < SIGHTING.family_name else ""
        if family and rng.random() < SIGHTING.family_typo:
            family = noise.typo(family, rng)
            self.noise["typo"] += 1
        if given != nickname and nickname and rng.random() < SIGHTING.street_name_aside:
            row["other_names"] = nickname
        row["sex"] = p.sex
        if rng.random() < SIGHTING.estimated_age:
            error = SIGHTING.adult_age_error if p.kind == "adult" else SIGHTING.child_age_error
            self.age_error[len(self.rows)] = rng.randint(-error, error)
        row["description"] = noise.description(rng, p.sex, None)
        if p.phone and rng.random() < SIGHTING.phone:
            row["phone"] = format_phone(p.phone, self.h.phone_style)
        row["given_name"], row["family_name"] = given, family

    def _professional(self, row: dict[str, str], p: Person) -> None:
        given, family, _ = self._known_as(p)
        row["given_name"], row["family_name"] = self._variant(given), family
        row["sex"] = p.sex if self.rng.random() < PROFESSIONAL.sex else ""
        if p.phone and self.rng.random() < PROFESSIONAL.phone:
            row["phone"] = format_phone(p.phone, self.h.phone_style)

    def _in_person(self, row: dict[str, str], p: Person, day: int, style: str, duplicate: bool) -> None:
        """A record in the agency's own habits; "contact" and "named" records know less about the person."""
        rng, h = self.rng, self.h
        row["given_name"], row["family_name"] = self._names(p, style, duplicate)
        self._birth(row, p, style, duplicate)
        if rng.random() < h.sex:
            row["sex"] = p.sex
        elif rng.random() < EVERY_AGENCY.sex_unknown:
            row["sex"] = "U"
        if style == "named":
            return
        self._contact_details(row, p, day, style)
        if rng.random() < h.ethnicity * (SECONDHAND.ethnicity_share if style == "contact" else 1):
            row["ethnicity"] = self._ethnicity(p)
        if rng.random() < h.nhs:
            row["nhs_number"] = self.nhs.of(p)
        if p.upn and rng.random() < h.upn:
            row["upn"] = p.upn
        if p.pnc and rng.random() < h.pnc:
            row["pnc_id"] = p.pnc
        if p.kind == "adult" and rng.random() < h.email:
            row["email"] = self._email(p)

    def _names(self, p: Person, style: str, duplicate: bool) -> tuple[str, str]:
        rng, h = self.rng, self.h
        given, family, _ = self._known_as(p)
        given = self._variant(given)
        if rng.random() < h.fold:
            given, family = noise.fold(given), noise.fold(family)
        if rng.random() < h.typo * (EVERY_AGENCY.duplicate_typo_factor if duplicate else 1):
            if rng.random() < 0.5:
                given = noise.typo(given, rng)
            else:
                family = noise.typo(family, rng)
            self.noise["typo"] += 1
        if style == "named":
            if rng.random() < NAMED.no_family_name:
                family = ""
        elif rng.random() >= h.family_name:
            family = ""
        if family and rng.random() < h.upper_family:
            family = family.upper()
        if family and rng.random() < h.swap:
            given, family = family, given
            self.noise["swapped_names"] += 1
        return given, family

    def _birth(self, row: dict[str, str], p: Person, style: str, duplicate: bool) -> None:
        """The date of birth as far as it is known, or else perhaps an estimated age."""
        rng, h = self.rng, self.h
        dob_full, dob_partial = h.dob_full, h.dob_partial
        if style == "contact":
            dob_full, dob_partial = SECONDHAND.dob_full, SECONDHAND.dob_partial
        elif style == "named":
            dob_full, dob_partial = 0.0, 0.0
        if duplicate:
            dob_full *= EVERY_AGENCY.duplicate_dob_factor
        roll = rng.random()
        if roll < dob_full:
            dob = p.dob
            if rng.random() < h.dob_transpose:
                swapped = noise.transposed(dob)
                if swapped is not None:
                    dob = swapped
                    self.noise["transposed_dob"] += 1
            row["date_of_birth"] = dob.isoformat()
        elif roll < dob_full + dob_partial:
            keep = 7 if rng.random() < EVERY_AGENCY.month_of_partial_dob else 4
            row["date_of_birth"] = p.dob.isoformat()[:keep]
            self.noise["partial_dob"] += 1
        elif style == "named" or rng.random() < h.estimate_age:
            error = EVERY_AGENCY.child_age_error if p.kind == "child" else EVERY_AGENCY.adult_age_error
            self.age_error[len(self.rows)] = rng.randint(-error, error)

    def _store(self, row: dict[str, str], p: Person, day: int) -> int:
        for column in self.h.extra_columns:
            row.setdefault(column, "")
        self.rows.append(row)
        self.owners.append(p)
        self.created.append(day)
        return len(self.rows) - 1

    def _variant(self, given: str, force: bool = False) -> str:
        forms = GIVEN_VARIANTS.get(given)
        if forms and (force or self.rng.random() < self.h.variant):
            self.noise["name_variant"] += 1
            return self.rng.choice(forms)
        return given

    def _ethnicity(self, p: Person) -> str:
        rng = self.rng
        if rng.random() < self.h.not_recorded:
            return rng.choice(NOT_RECORDED_CODES)
        if p.ethnicity.startswith("M") and rng.random() < EVERY_AGENCY.mixed_as_one_side:
            return rng.choice(("WBRI", "WOTH"))
        return p.ethnicity

    def _contact_details(self, row: dict[str, str], p: Person, day: int, style: str) -> None:
        rng, h = self.rng, self.h
        hh = p.household
        address = p.address
        moved_since = (
            day < hh.move_day and rng.random() < EVERY_AGENCY.old_address_before_move
            if hh is not None
            else False
        )
        if p.old_address is not None and (moved_since or rng.random() < h.stale_address):
            address = p.old_address
            self.noise["old_address"] += 1
        if rng.random() < h.address:
            short = rng.random() < h.short_street
            text = address.line(short=short, with_locality=rng.random() < EVERY_AGENCY.address_with_locality)
            capitals = h.upper_family and rng.random() < EVERY_AGENCY.address_in_capitals
            row["address"] = text.upper() if capitals else text
        if rng.random() < h.postcode:
            row["postcode"] = address.postcode
        phone = SECONDHAND.phone if style == "contact" else h.phone
        if p.phone and rng.random() < phone:
            row["phone"] = format_phone(p.phone, h.phone_style)

    def _email(self, p: Person) -> str:
        local = noise.fold(f"{p.given}.{p.family}").lower().replace("'", "").replace(" ", "")
        return f"{local}{self.rng.randint(1, 99)}@example.{self.rng.choice(('com', 'net', 'org'))}"

    # --- events ------------------------------------------------------------------------------------------
    def event(
        self,
        kind: str,
        day: int,
        record: int,
        *,
        minute: int = -1,
        ended: int = 0,
        ended_minute: int = -1,
        place: Place | None = None,
        place_text: str = "",
        postcode: str = "",
        vehicle: str = "",
        phone: str = "",
        others: list[tuple[int, str]] | None = None,
        factors: str = "",
        summary: str = "",
        licence: str = "",
    ) -> Event:
        rng = self.rng
        lo, hi = self.period
        day = min(max(day, lo), hi)
        if ended:
            ended = 0 if ended > hi else max(ended, day)  # an episode still open at the end is left open
        if place is not None:
            place_text = noise.place_text(place, rng)
            if rng.random() < self.h.place_postcode:
                postcode = place.postcode
        seen: set[int] = {record}
        kept: list[tuple[int, str]] = []
        for other, role in others or ():
            if other not in seen:
                seen.add(other)
                kept.append((other, role))
        event = Event(
            occurred=day,
            minute=minute,
            record=record,
            kind=kind,
            ended=ended,
            ended_minute=ended_minute,
            place=place_text,
            postcode=postcode,
            vehicle=vehicle,
            phone=format_phone(phone, self.h.phone_style) if phone else "",
            others=tuple(kept),
            factors=factors,
            summary=summary,
            licence=licence,
        )
        self.events.append(event)
        return event
