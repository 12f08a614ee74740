"""The stage every part of the story plays on: the town, each agency's book and the story's own dice."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from ..conduct import PRACTICE, Span
from ..habits import AGENCY_HABITS, scaled_habits
from ..identifiers import partial_registration
from ..model import Person, Town, Vehicle
from ..population import YEAR, E, S
from ..records import Book, NhsNumbers

T = TypeVar("T")

NIGHT = (19 * 60, 27 * 60)  # 19:00 to 03:00, in minutes
DAY = (9 * 60, 19 * 60)


class Scene:
    def __init__(self, town: Town, seed: int) -> None:
        self.town = town
        self.rng = random.Random(f"sightline-town/{seed}/story")
        nhs = NhsNumbers(random.Random(f"sightline-town/{seed}/nhs"))
        variant = town.variant
        table = AGENCY_HABITS if variant is None else scaled_habits(variant.duplicates, variant.typos)
        self.parent_numbers = 0.0 if variant is None else variant.parent_numbers
        self.books = {
            agency: Book(agency, habits, random.Random(f"sightline-town/{seed}/{agency}"), (S, E), nhs)
            for agency, habits in table.items()
        }
        self.police = self.books["police"]
        self.social = self.books["social_care"]
        self.health = self.books["health"]
        self.education = self.books["education"]
        self.youth = self.books["youth_service"]
        self.licensing = self.books["licensing"]
        self.housing = self.books["housing"]
        self.by_locality: dict[str, list[Person]] = {}
        for child in town.children:
            self.by_locality.setdefault(child.address.locality, []).append(child)
        self.public = [p for p in town.places if p.category in ("bus_station", "town_centre", "shopping")]
        self.parks = [p for p in town.places if p.category == "park"]
        self.shops = [p for p in town.places if p.category in ("shop", "takeaway")]
        self.youth_centres = [p for p in town.places if p.category == "youth_centre"] or self.parks
        self.homes = [p for p in town.places if p.category == "childrens_home"]
        self.youth_workers = [h for h in town.hubs if h.hub_type == "youth_worker"]
        self.hub_of_school: dict[str, Person] = {}
        for teacher in town.hubs:
            if teacher.hub_type == "teacher" and teacher.hub_place is not None:
                self.hub_of_school.setdefault(teacher.hub_place.name, teacher)

    # --- dice -----------------------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def times(self, span: Span) -> range:
        return range(self.rng.randint(*span))

    def some(self, people: Sequence[T], span: Span) -> list[T]:
        """A few of them, as many as a draw from `span` allows."""
        k = self.rng.randint(*span)
        return self.rng.sample(people, min(len(people), k))

    # --- when -----------------------------------------------------------------------------------------------
    def day_in(self, lo: int, hi: int) -> int:
        lo, hi = max(lo, S), min(hi, E)
        return self.rng.randint(lo, hi) if hi >= lo else lo

    def window(self, person: Person, min_age: float, max_age: float = 99) -> tuple[int, int] | None:
        """The days of the period in which the person is of that age, if there is at least a week of them."""
        lo = max(S, person.dob.toordinal() + int(min_age * YEAR))
        hi = min(E, person.dob.toordinal() + int(max_age * YEAR))
        return (lo, hi) if hi - lo >= 7 else None

    def night(self) -> int:
        return self.rng.randint(*NIGHT) % (24 * 60)

    def daytime(self) -> int:
        return self.rng.randint(*DAY)

    def weekday(self, day: int) -> int:
        while date.fromordinal(day).weekday() >= 5:
            day = day + 1 if day < E else day - 2
        return day

    # --- who ------------------------------------------------------------------------------------------------
    def parent_of(self, child: Person) -> Person | None:
        hh = child.household
        if hh is None or not hh.adults:
            return None
        mothers = [a for a in hh.adults if a.sex == "F"]
        return mothers[0] if mothers and self.chance(PRACTICE.mother_named) else self.rng.choice(hh.adults)

    def carer_of(self, child: Person) -> Person:
        carer = self.town.carers.get(child.pid)
        if carer is not None:
            return carer
        parent = self.parent_of(child)
        assert parent is not None
        return parent

    def relative_of(self, child: Person) -> Person:
        return self.town.relatives[child.pid]

    def reporter(self, child: Person, book: Book, day: int) -> list[tuple[int, str]]:
        """The carer or parent on the record of a child's episode."""
        if child.in_care and self.chance(PRACTICE.carer_reports):
            return [(book.rec(self.carer_of(child), day), "carer")]
        parent = self.parent_of(child)
        return [(book.rec(parent, day), "parent")] if parent is not None else []

    def peers(self, child: Person, k: int, day: int) -> list[Person]:
        """Children of about the same age from the same area, old enough to be out with this one."""
        pool = self.by_locality.get(child.address.locality, [])
        out: list[Person] = []
        for _ in range(k * 3):
            if len(out) >= k or not pool:
                break
            other = self.rng.choice(pool)
            if (
                other is not child
                and other not in out
                and abs(other.dob.toordinal() - child.dob.toordinal()) < PRACTICE.friends_age_gap * YEAR
                and day - other.dob.toordinal() > PRACTICE.friends_from_age * YEAR
            ):
                out.append(other)
        return out

    def reg_seen(self, vehicle: Vehicle, full: float) -> str:
        """The registration as a witness caught it: whole with chance `full`, else in part."""
        return vehicle.reg if self.chance(full) else partial_registration(vehicle.reg, self.rng)
