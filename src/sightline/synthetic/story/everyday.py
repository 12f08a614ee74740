"""The town's everyday business: pupils on the school roll, families known to children's services, domestic
incidents, tenancies, and taxi drivers' licences and complaints.
"""

from __future__ import annotations

from ..conduct import EVERYDAY
from ..model import Household, Person
from ..phrases import BACKGROUND_FACTORS, FAMILY_REFERRALS, HOUSING_COMPLAINTS, TAXI_COMPLAINTS
from ..population import E, S, age_on
from ..records import PRIVATE_HIRE_LICENCE
from .scene import Scene


def enrol(s: Scene) -> None:
    for child in s.town.children:
        assert child.school is not None
        s.education.rec(child, S, school=child.school.name)


def households(s: Scene) -> None:
    for hh in s.town.households:
        if not hh.adults:
            continue
        if s.chance(EVERYDAY.referred):
            _family_referral(s, hh)
        if s.chance(EVERYDAY.domestic_incident):
            _domestic_incident(s, hh)


def _family_referral(s: Scene, hh: Household) -> None:
    """A referral for every child born by then, an assessment for most, a strategy discussion for a few."""
    rng = s.rng
    day = s.day_in(S, E - EVERYDAY.referred_before_end)
    factor = rng.choice(BACKGROUND_FACTORS)
    for child in hh.children:
        if child.dob.toordinal() > day:
            continue
        rec = s.social.rec(child, day)
        others = [(s.social.rec(a, day, "contact"), "parent") for a in hh.adults]
        s.social.event("referral", day, rec, others=others, summary=rng.choice(FAMILY_REFERRALS))
        if s.chance(EVERYDAY.assessed):
            s.social.event(
                "assessment",
                day + rng.randint(*EVERYDAY.assessment_after),
                rec,
                others=others,
                factors=factor,
                summary="Child and family assessment completed",
            )
        if s.chance(EVERYDAY.strategy_discussion):
            s.social.event(
                "strategy_meeting",
                day + rng.randint(*EVERYDAY.strategy_after),
                rec,
                others=others,
                summary="Strategy discussion, section 47 enquiry",
            )


def _domestic_incident(s: Scene, hh: Household) -> None:
    """Police attend a row at home at night; the children there are witnesses, and social care are told."""
    day = s.day_in(S, E)
    suspect = s.rng.choice(hh.adults)
    rec = s.police.rec(suspect, day)
    others = [(s.police.rec(a, day), "victim") for a in hh.adults if a is not suspect]
    kids = [
        c for c in hh.children if c.dob.toordinal() < day and age_on(c.dob, day) >= EVERYDAY.youngest_witness
    ]
    others += [(s.police.rec(c, day), "witness") for c in kids]
    s.police.event(
        "police_incident",
        day,
        rec,
        minute=s.night(),
        place_text=hh.address.line(short=True, with_locality=False),
        postcode=hh.address.postcode,
        others=others,
        summary="Domestic incident, verbal argument, children present",
    )
    for child in kids:
        if s.chance(EVERYDAY.police_notify):
            s.social.event(
                "referral",
                day + s.rng.randint(*EVERYDAY.notified_after),
                s.social.rec(child, day),
                factors="3A",
                summary="Police notification: domestic abuse",
            )


def tenancies(s: Scene) -> None:
    for hh in s.town.households:
        if not hh.adults or not s.chance(EVERYDAY.tenancy):
            continue
        day = s.rng.randint(S - EVERYDAY.tenancy_from, E)
        rec = s.housing.rec(hh.adults[0], max(day, S))
        home = hh.address.line(short=True, with_locality=False)
        if day >= S:
            s.housing.event(
                "other", day, rec, place_text=home, postcode=hh.address.postcode, summary="Tenancy started"
            )
        if s.chance(EVERYDAY.housing_complaint):
            s.housing.event(
                "other",
                s.day_in(S, E),
                rec,
                place_text=home,
                postcode=hh.address.postcode,
                summary=s.rng.choice(HOUSING_COMPLAINTS),
            )


def taxis(s: Scene) -> None:
    """Drivers who are neither offenders nor school-run hubs: a licence renewal, now and then a complaint."""
    drivers = [a for a in s.town.adults if a.taxi_driver and a.role != "offender" and a.hub_type == ""]
    complainants = [a for a in s.town.adults if a.role == "parent"]
    for driver in drivers:
        _taxi_driver(s, driver, complainants)


def _taxi_driver(s: Scene, driver: Person, complainants: list[Person]) -> None:
    assert driver.vehicle is not None
    rec = s.licensing.rec(driver, S)
    s.licensing.event(
        "other",
        s.day_in(S, E),
        rec,
        vehicle=driver.vehicle.reg,
        summary=f"Private hire driver and vehicle licence renewed ({driver.taxi_firm})",
        licence=PRIVATE_HIRE_LICENCE,
    )
    if s.chance(EVERYDAY.taxi_complaint):
        day = s.day_in(S, E)
        who = s.rng.choice(complainants)
        s.licensing.event(
            "taxi_complaint",
            day,
            rec,
            vehicle=driver.vehicle.reg,
            others=[(s.licensing.rec(who, day, "contact"), "witness")],
            summary=s.rng.choice(TAXI_COMPLAINTS),
        )
