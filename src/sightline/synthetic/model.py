"""The true state of the synthetic town, before any agency records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .variants import Variant


@dataclass(slots=True)
class Address:
    number: str  # "12" or "Flat 3, Ferham House"
    street: str  # "Brook Road"
    street_short: str  # "Brook Rd"
    locality: str
    postcode: str

    def line(self, short: bool = False, with_locality: bool = True) -> str:
        street = self.street_short if short else self.street
        text = f"{self.number} {street}" if self.number[0].isdigit() else f"{self.number}, {street}"
        return f"{text}, {self.locality}" if with_locality else text


@dataclass(slots=True)
class Place:
    name: str  # canonical, e.g. "Star Kebab, Main St"
    short: str  # how people say it, e.g. "Star Kebab"
    category: str  # takeaway, shop, park, flat, house, hotel, car_park, bus_station, school, ...
    postcode: str
    locality: str
    public: bool


@dataclass(slots=True)
class School:
    name: str
    phase: str  # primary / secondary
    locality: str
    postcode: str
    establishment: str  # four-digit DfE establishment number
    place: Place
    pupils: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class Vehicle:
    reg: str
    description: str  # "silver Vauxhall Astra"


@dataclass(slots=True)
class Person:
    pid: str
    kind: str  # child / adult
    given: str
    family: str
    dob: date
    sex: str
    ethnicity: str
    community: str
    role: str
    address: Address
    old_address: Address | None = None  # before a move during the period
    household: Household | None = None
    phone: str = ""
    nhs: str = ""
    upn: str = ""
    pnc: str = ""
    school: School | None = None
    network: Network | None = None
    flagged: bool = False
    nickname: str = ""  # street name (offenders) or name friends use
    hub_type: str = ""  # coach, shopkeeper, youth_worker, teacher, school_driver
    hub_place: Place | None = None
    vehicle: Vehicle | None = None
    in_care: bool = False
    visibility: str = ""  # victims: high / medium / low, how much of the abuse reaches any agency
    exploited_from: int = 0  # victims: date ordinals of the exploitation
    exploited_to: int = 0
    taxi_driver: bool = False
    taxi_firm: str = ""
    # Only in a town made from a variant (docs/synthetic-town.md, "Variants").
    label: str = ""  # victims and offenders: the network's model; decoys and hubs: their kind
    traits: tuple[str, ...] = ()  # record traps and offenders' habits, e.g. ("twin",), ("aliases",)
    placed_from: str = ""  # a looked-after child placed in the town by another council
    related: Person | None = None  # the boyfriend, partner, abuser or older friend the story turns on
    aliases: dict[str, tuple[str, str]] | None = None  # agency -> (given, family) he gives that agency
    described_only: bool = False  # no agency ever learns his name


@dataclass(slots=True)
class Household:
    hid: str
    family: str
    community: str
    address: Address
    old_address: Address | None
    move_day: int  # date ordinal of the move, 0 if none
    adults: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class Network:
    nid: str
    locality: str
    tiny: bool
    offenders: list[Person] = field(default_factory=list)
    victims: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    model: str = "group"  # how it exploits children: see exploitation.MODELS
    start: int = 0  # date ordinals of the group's activity
    end: int = 0


@dataclass(slots=True)
class Town:
    children: list[Person]
    adults: list[Person]
    households: list[Household]
    schools: list[School]
    places: list[Place]
    networks: list[Network]
    hubs: list[Person]
    twins: list[tuple[Person, Person]]
    namesakes: list[tuple[Person, Person]]
    period_start: date
    period_end: date
    carers: dict[str, Person] = field(default_factory=dict)  # child pid -> foster carer / home worker
    relatives: dict[str, Person] = field(default_factory=dict)  # child pid -> aunt, uncle or grandparent
    # Only in a town made from a variant.
    variant: Variant | None = None
    placements: dict[str, list[Person]] = field(default_factory=dict)  # child pid -> carers in turn
    couples: list[tuple[Person, Person]] = field(default_factory=list)  # same-age partners
    friendships: list[tuple[list[Person], Person | None]] = field(default_factory=list)  # group, older friend
