"""One agency's book: the person records it holds and the events it logged, in its own habits."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from . import noise
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
)


@dataclass(frozen=True)
class Habits:
    """How carefully an agency records people. Probabilities are per record."""

    record_prefix: str
    event_prefix: str
    extracted_on: date
    typo: float = 0.02
    swap: float = 0.0
    variant: float = 0.0
    fold: float = 0.3
    upper_family: float = 0.0
    dob_full: float = 0.97
    dob_partial: float = 0.0
    dob_transpose: float = 0.01
    estimate_age: float = 0.0  # chance of an estimated age when no date of birth is recorded
    address: float = 0.95
    short_street: float = 0.5
    postcode: float = 0.95
    stale_address: float = 0.1
    phone: float = 0.5
    phone_style: str = "plain"
    ethnicity: float = 0.9
    not_recorded: float = 0.02
    sex: float = 0.99
    duplicate: float = 0.02
    family_name: float = 1.0
    nhs: float = 0.0
    upn: float = 0.0
    pnc: float = 0.0
    email: float = 0.0
    datetime_events: bool = False
    place_postcode: float = 0.5


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


class Book:
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
        self.extra_columns: tuple[str, ...] = ()

    # --- records ---------------------------------------------------------------------------------------
    def rec(self, person: Person, day: int, style: str = "normal", **extra: str) -> int:
        """The record this agency uses for a person, created (perhaps twice over) on first contact."""
        rng = self.rng
        # Police keep nominal and nickname-only intelligence records apart; otherwise one slot per person.
        key = (person.pid, style if style in ("intel", "nominal") else "")
        slots = self.slots.get(key)
        if style == "intel":  # each sighting may start a new nickname-only record
            if slots is None or (len(slots) < 2 and rng.random() < 0.25):
                index = self._new(person, day, style, extra)
                if slots is None:
                    self.slots[key] = [index]
                else:
                    slots.append(index)
                    self.noise["duplicate"] += 1
                return index
            return rng.choice(slots)
        if slots is None:
            slots = self.slots[key] = [self._new(person, day, style, extra)]
            if rng.random() < self.h.duplicate:
                slots.append(self._new(person, day, style, extra, duplicate=True))
                self.noise["duplicate"] += 1
            return slots[0]
        if len(slots) > 1 and rng.random() < 0.35:
            return slots[-1]
        return slots[0]

    def _new(self, p: Person, day: int, style: str, extra: dict[str, str], duplicate: bool = False) -> int:
        rng, h = self.rng, self.h
        row = dict.fromkeys(PEOPLE_COLUMNS, "")
        row.update(extra)
        index = len(self.rows)
        given, family = p.given, p.family
        if style == "intel":
            if p.nickname and rng.random() < 0.6:
                given = p.nickname
            elif rng.random() < 0.4:
                given = self._variant(given, force=True)
            family = family if rng.random() < 0.35 else ""
            if family and rng.random() < 0.2:
                family = noise.typo(family, rng)
                self.noise["typo"] += 1
            if given != p.nickname and p.nickname and rng.random() < 0.3:
                row["other_names"] = p.nickname
            row["sex"] = p.sex
            if rng.random() < 0.85:
                self.age_error[index] = rng.randint(-5, 5) if p.kind == "adult" else rng.randint(-1, 1)
            row["description"] = noise.description(rng, p.sex, None)
            if p.phone and rng.random() < 0.35:
                row["phone"] = format_phone(p.phone, h.phone_style)
            row["given_name"], row["family_name"] = given, family
            return self._store(row, p, day)
        if style == "professional":
            row["given_name"], row["family_name"] = self._variant(given), family
            row["sex"] = p.sex if rng.random() < 0.7 else ""
            if p.phone and rng.random() < 0.5:
                row["phone"] = format_phone(p.phone, h.phone_style)
            return self._store(row, p, day)
        # "normal", "contact" (a parent or carer named on someone else's record) and "named" (a child
        # named by a third party, e.g. in a taxi complaint).
        given = self._variant(given)
        if rng.random() < h.fold:
            given, family = noise.fold(given), noise.fold(family)
        if rng.random() < h.typo * (2 if duplicate else 1):
            if rng.random() < 0.5:
                given = noise.typo(given, rng)
            else:
                family = noise.typo(family, rng)
            self.noise["typo"] += 1
        if style == "named" or rng.random() >= h.family_name:
            family = "" if style != "named" or rng.random() < 0.4 else family
        if family and rng.random() < h.upper_family:
            family = family.upper()
        if family and rng.random() < h.swap:
            given, family = family, given
            self.noise["swapped_names"] += 1
        row["given_name"], row["family_name"] = given, family
        # Date of birth, as far as it is known.
        dob_full, dob_partial = h.dob_full, h.dob_partial
        if style == "contact":
            dob_full, dob_partial = 0.3, 0.0
        elif style == "named":
            dob_full, dob_partial = 0.0, 0.0
        if duplicate:
            dob_full *= 0.8
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
            row["date_of_birth"] = p.dob.isoformat()[: 7 if rng.random() < 0.4 else 4]
            self.noise["partial_dob"] += 1
        elif style == "named" or rng.random() < h.estimate_age:
            self.age_error[index] = rng.randint(-1, 1) if p.kind == "child" else rng.randint(-4, 4)
        if rng.random() < h.sex:
            row["sex"] = p.sex
        elif rng.random() < 0.5:
            row["sex"] = "U"
        if style != "named":
            self._contact_details(row, p, day, style)
            if rng.random() < h.ethnicity * (0.3 if style == "contact" else 1):
                row["ethnicity"] = self._ethnicity(p)
            if rng.random() < h.nhs:
                row["nhs_number"] = self.nhs.of(p)
            if p.upn and rng.random() < h.upn:
                row["upn"] = p.upn
            if p.pnc and rng.random() < h.pnc:
                row["pnc_id"] = p.pnc
            if p.kind == "adult" and rng.random() < h.email:
                row["email"] = self._email(p)
        return self._store(row, p, day)

    def _store(self, row: dict[str, str], p: Person, day: int) -> int:
        for column in self.extra_columns:
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
        if p.ethnicity.startswith("M") and rng.random() < 0.15:  # mixed heritage recorded as one side
            return rng.choice(("WBRI", "WOTH"))
        return p.ethnicity

    def _contact_details(self, row: dict[str, str], p: Person, day: int, style: str) -> None:
        rng, h = self.rng, self.h
        hh = p.household
        address = p.address
        moved_since = day < hh.move_day and rng.random() < 0.5 if hh is not None else False
        if p.old_address is not None and (moved_since or rng.random() < h.stale_address):
            address = p.old_address
            self.noise["old_address"] += 1
        if rng.random() < h.address:
            text = address.line(short=rng.random() < h.short_street, with_locality=rng.random() < 0.6)
            row["address"] = text.upper() if h.upper_family and rng.random() < 0.3 else text
        if rng.random() < h.postcode:
            row["postcode"] = address.postcode
        if p.phone and rng.random() < (0.8 if style == "contact" else h.phone):
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
        )
        self.events.append(event)
        return event
