"""The networks seen from the men's side: intelligence, nominal records, arrests, taxi licences, a flat."""

from __future__ import annotations

import zlib

from ..conduct import OFFENDERS, VISIBILITY
from ..model import Network, Person
from ..phrases import (
    COMPLAINTS_ABOUT_DRIVERS,
    INTELLIGENCE,
    INTELLIGENCE_BY_MODEL,
    NEIGHBOURS_OF_THE_FLAT,
    PARTY_COMPLAINTS,
)
from ..population import E, S
from ..records import PRIVATE_HIRE_LICENCE, SCHOOL_CONTRACT_LICENCE
from .scene import Scene


def network(s: Scene, net: Network) -> None:
    lo, hi = max(S, net.start), min(E, net.end)
    for _ in s.times(OFFENDERS.reports_tiny if net.tiny else OFFENDERS.reports):
        intelligence(s, net, s.day_in(lo, hi))
    # Men with a police national computer id are on the system by their full names.
    for man in net.offenders:
        if man.pnc:
            aside = man.nickname if s.chance(OFFENDERS.nominal_street_name) else ""
            s.police.rec(man, lo, "nominal", pnc_id=man.pnc, other_names=aside)
    if s.chance(OFFENDERS.arrests_tiny if net.tiny else OFFENDERS.arrests):
        for man in s.some(net.offenders, OFFENDERS.arrested):
            arrest(s, net, man, s.day_in(lo, hi))
    for man in net.offenders:
        if man.taxi_driver and man.vehicle is not None:
            licensed_driver(s, net, man, lo, hi)
    flat = net.places[0]
    if flat.category == "flat" and s.chance(OFFENDERS.flat_tenancy):
        council_flat(s, net, lo, hi)


def intelligence(
    s: Scene,
    net: Network,
    day: int,
    phrases: tuple[str, ...] = INTELLIGENCE,
    phone_given: float = OFFENDERS.phone_given,
) -> None:
    """A report on the group: who, with which children, where, in which car, on which number."""
    rng = s.rng
    subject = rng.choice(net.offenders)
    rec = s.police.rec(subject, day, "intel")
    others = [
        (s.police.rec(m, day, "intel"), "associate")
        for m in s.some(net.offenders, OFFENDERS.associates_named)
        if m is not subject
    ]
    active = [x for x in net.victims if x.exploited_from <= day <= x.exploited_to] or net.victims
    # Intelligence names the children police already meet; the quieter ones rarely.
    active = [x for x in active if s.chance(VISIBILITY[x.visibility].named_in_intelligence)]
    for child in s.some(active, OFFENDERS.victims_named):
        others.append((s.police.rec(child, day), "victim"))
    place = rng.choice(net.places) if s.chance(OFFENDERS.place_given) else None
    vehicle, car_text = "", "a car"
    if net.vehicles and s.chance(OFFENDERS.car_given):
        car = rng.choice(net.vehicles)
        vehicle, car_text = s.reg_seen(car, OFFENDERS.registration_given), f"a {car.description}"
    phone = rng.choice(net.phones) if s.chance(phone_given) else ""
    where = f" at {place.short}" if place else ""
    name = "an unknown man" if subject.described_only else subject.nickname
    summary = rng.choice(phrases).format(name=name, car=car_text, where=where, phone=phone or "a mobile")
    s.police.event(
        "intelligence",
        day,
        rec,
        minute=s.night(),
        place=place,
        vehicle=vehicle,
        phone=phone,
        others=others,
        summary=summary,
    )


def arrest(
    s: Scene, net: Network, man: Person, day: int, offence: str = "sexual activity with a child"
) -> None:
    """An arrest naming one or two children, often bail, now and then a charge."""
    rec = s.police.rec(man, day, "nominal", pnc_id=man.pnc, other_names=man.nickname)
    children = s.some(net.victims, OFFENDERS.victims_in_arrest)
    others = [(s.police.rec(x, day), "victim") for x in children]
    s.police.event(
        "arrest",
        day,
        rec,
        minute=s.night(),
        others=others,
        summary=f"Arrested on suspicion of {offence}",
    )
    if s.chance(OFFENDERS.bail):
        bail_end = min(E, day + s.rng.randint(*OFFENDERS.bail_days))
        s.police.event(
            "bail",
            day + 1,
            rec,
            minute=s.daytime(),
            ended=bail_end,
            summary="Released on police bail, conditions not to contact named children",
        )
    if s.chance(OFFENDERS.charged):
        s.police.event(
            "charge",
            min(E, day + s.rng.randint(*OFFENDERS.charge_after)),
            rec,
            minute=s.daytime(),
            others=others,
            summary=f"Charged: {offence}",
        )


def licensed_driver(s: Scene, net: Network, man: Person, lo: int, hi: int) -> None:
    """A private hire licence granted before the group began, and complaints about lifts given to girls."""
    assert man.vehicle is not None
    rec = s.licensing.rec(man, lo)
    s.licensing.event(
        "other",
        s.day_in(S, lo),
        rec,
        vehicle=man.vehicle.reg,
        summary=f"Private hire driver and vehicle licence granted ({man.taxi_firm})",
        # Some hold a school contract too: the role must not hide what the records show. Chosen by
        # the man, not drawn, to leave the town's dice alone.
        licence=SCHOOL_CONTRACT_LICENCE if zlib.crc32(man.pid.encode()) % 4 == 0 else PRIVATE_HIRE_LICENCE,
    )
    for _ in s.times(OFFENDERS.complaints) if s.chance(OFFENDERS.taxi_complaints) else ():
        day = s.day_in(lo, hi)
        child = s.rng.choice(net.victims)
        others = []
        parent = s.parent_of(child)
        if parent is not None:
            others.append((s.licensing.rec(parent, day, "contact"), "witness"))
        if s.chance(OFFENDERS.child_named_in_complaint):
            others.append((s.licensing.rec(child, day, "named"), "victim"))
        s.licensing.event(
            "taxi_complaint",
            day,
            rec,
            vehicle=man.vehicle.reg,
            others=others,
            summary=s.rng.choice(COMPLAINTS_ABOUT_DRIVERS),
        )


def council_flat(s: Scene, net: Network, lo: int, hi: int) -> None:
    """The group's flat, let by the council to one of the men; the neighbours complain."""
    flat = net.places[0]
    tenant = s.rng.choice(net.offenders)
    rec = s.housing.rec(tenant, lo)
    s.housing.event(
        "other", s.day_in(S - OFFENDERS.tenancy_before, lo), rec, place=flat, summary="Tenancy started"
    )
    for _ in s.times(OFFENDERS.neighbour_complaints):
        day = s.day_in(lo, hi)
        vehicle = ""
        if net.vehicles and s.chance(OFFENDERS.car_at_flat):
            vehicle = s.reg_seen(s.rng.choice(net.vehicles), OFFENDERS.registration_at_flat)
        s.housing.event(
            "other",
            day,
            rec,
            place=flat,
            vehicle=vehicle,
            summary=s.rng.choice(NEIGHBOURS_OF_THE_FLAT),
        )


def model_network(s: Scene, net: Network) -> None:
    """The men's side of a group of any model but `group`: as `network`, in the model's words, and never
    naming a man no agency knows by name."""
    lo, hi = max(S, net.start), min(E, net.end)
    phone_given = 0.9 if net.model in ("phone", "county_lines") else OFFENDERS.phone_given
    for _ in s.times(OFFENDERS.reports_tiny if net.tiny else OFFENDERS.reports):
        intelligence(s, net, s.day_in(lo, hi), INTELLIGENCE_BY_MODEL[net.model], phone_given)
    named = [m for m in net.offenders if not m.described_only]
    for man in named:
        if man.pnc:
            aside = man.nickname if s.chance(OFFENDERS.nominal_street_name) else ""
            s.police.rec(man, lo, "nominal", pnc_id=man.pnc, other_names=aside)
    offence = "supplying class A drugs and child criminal exploitation"
    if named and s.chance(OFFENDERS.arrests_tiny if net.tiny else OFFENDERS.arrests):
        for man in s.some(named, OFFENDERS.arrested):
            if net.model == "county_lines":
                arrest(s, net, man, s.day_in(lo, hi), offence)
            else:
                arrest(s, net, man, s.day_in(lo, hi))
    for man in net.offenders:
        if man.taxi_driver and man.vehicle is not None:
            licensed_driver(s, net, man, lo, hi)
    private = net.places[0] if net.places else None
    if private is not None and private.category == "flat" and s.chance(OFFENDERS.flat_tenancy):
        council_flat(s, net, lo, hi)
    if net.model == "party_house" and private is not None and private.category == "house":
        host = net.offenders[0]
        for _ in s.times(OFFENDERS.neighbour_complaints):
            day = s.day_in(lo, hi)
            s.police.event(
                "police_incident",
                day,
                s.police.rec(host, day, "intel"),
                minute=s.night(),
                place=private,
                summary=s.rng.choice(PARTY_COMPLAINTS),
            )
