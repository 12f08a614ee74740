"""Victims of every model but `group` (told by victims.py), in the fragments each agency sees.

Every victim has what their visibility gives (`conduct.VISIBILITY`); the model says where they are found,
how often with the men, how much travels by phone (`exploitation.CONDUCT`), and adds its own scenes: dates
with a boyfriend, parties, taxi rides, a phone examined, an older youth at the school gates, arrests of a
county line's runners.
"""

from __future__ import annotations

from .. import geography as geo
from ..conduct import VICTIMS, VISIBILITY, Visibility, outcome
from ..exploitation import CONDUCT, MODELS, Conduct
from ..model import Network, Person, Place
from ..phrases import (
    CRIMINAL_ASSESSMENTS,
    CRIMINAL_ATTENDANCES,
    CRIMINAL_HIDDEN_FACTORS,
    FLAGGED_EXTRA_FACTORS,
    FOUND_BY_MODEL,
    HIDDEN_ASSESSMENTS,
    PHONE_TRACES,
    VICTIM_HIDDEN_FACTORS,
    VICTIM_REFERRERS,
)
from ..population import age_on
from .episodes import missing_episode, outreach
from .scene import Scene
from .victims import assessment, at_school, comes_forward, found_with_men, hospital, sexual_health


def exploited(s: Scene, v: Person) -> None:
    net = v.network
    assert net is not None
    sexual = MODELS[net.model].exploitation == "sexual"
    conduct, level = CONDUCT[net.model], VISIBILITY[v.visibility]
    # A child placed here by another council is always on social care's books.
    known = v.flagged or s.chance(level.known_to_social_care) or bool(v.placed_from)
    if known:
        _social_care(s, v, net, sexual)
    met = _missing(s, v, net, level, conduct, known)
    for _ in range(_stops(s, v.visibility, met, conduct.stops)):
        found_with_men(s, v, net, s.day_in(v.exploited_from, v.exploited_to))
    for _ in range(_fewer(s, v.visibility, conduct.own_scenes)):
        SCENES[net.model](s, v, net, s.day_in(v.exploited_from, v.exploited_to))
    for _ in range(_fewer(s, v.visibility, conduct.phone_traces)):
        _phone_trace(s, v, net, known)
    if sexual and level.comes_forward and s.chance(level.comes_forward):
        comes_forward(s, v, net)
    if sexual and s.chance(level.sexual_health):
        for _ in s.times(VICTIMS.sexual_health_visits):
            sexual_health(s, v, net)
    if s.chance(level.hospital):
        for _ in s.times(VICTIMS.hospital_visits):
            hospital(s, v, net) if sexual else _injured(s, v)
    at_school(s, v, net, level)
    if s.chance(level.outreach):
        for _ in s.times(VICTIMS.outreach_contacts):
            outreach(s, v, s.day_in(v.exploited_from, v.exploited_to), net=net)


def _social_care(s: Scene, v: Person, net: Network, sexual: bool) -> None:
    """A referral and an assessment that names the exploitation (11A, or 24A and 13A) or misses it."""
    rng = s.rng
    day = s.day_in(v.exploited_from, v.exploited_to)
    rec = s.social.rec(v, day)
    others = s.reporter(v, s.social, day)
    source = rng.choice(VICTIM_REFERRERS)
    s.social.event("referral", day, rec, others=others, summary=f"Referral from {source}")
    phone = ""
    if v.flagged:
        extra = rng.choice(FLAGGED_EXTRA_FACTORS)
        factors = ["11A", "10A", extra] if sexual else ["24A", "13A", "10A"]
        summary = (
            "CSE risk assessment: high risk, older males, gifts, lifts in cars"
            if sexual
            else "Criminal exploitation: going missing to other towns, drugs and cash found"
        )
        phone = rng.choice(net.phones) if s.chance(VICTIMS.line_phone_on_assessment) else ""
    else:
        factors = s.some(VICTIM_HIDDEN_FACTORS if sexual else CRIMINAL_HIDDEN_FACTORS, VICTIMS.hidden_factors)
        summary = rng.choice(HIDDEN_ASSESSMENTS if sexual else CRIMINAL_ASSESSMENTS)
    if net.model == "boyfriend":
        summary += "; has an older boyfriend"
    assessment(s, v, rec, day, others=others, phone=phone, factors=factors, summary=summary)


def _missing(s: Scene, v: Person, net: Network, level: Visibility, conduct: Conduct, known: bool) -> bool:
    rng = s.rng
    met = False
    for _ in s.times(level.missing_episodes):
        day = s.day_in(v.exploited_from, v.exploited_to)
        where = outcome(conduct.found, rng.random())
        place: Place | None = None
        if where == "hotspot" and net.places:
            place = rng.choice(net.places)
        elif where == "public":
            place = rng.choice(s.public)
        elif where == "away":
            place = rng.choice([p for p in s.town.places if p.category == "away"] or s.public)
        men: list[Person] = []
        if place is not None and s.chance(min(1.0, level.found_with_men * conduct.found_with_men)):
            men = _men_then(s, net, v, day)
            met = True
        summary = f"Found at {place.short}" if place else "Returned home"
        if place is not None and where in ("hotspot", "away"):
            summary = FOUND_BY_MODEL[net.model].format(place=place.short)
        vehicle = ""
        if men and net.vehicles and s.chance(VICTIMS.car_when_found):
            car = rng.choice(net.vehicles)
            vehicle = s.reg_seen(car, VICTIMS.registration_when_found)
            summary += f"; seen getting out of a {car.description}"
        role = "suspect" if s.chance(conduct.men_as_suspects) else "associate"
        missing_episode(
            s,
            v,
            day,
            found_at=place,
            found_with=men,
            known=known,
            summary=summary,
            vehicle=vehicle,
            men_role=role,
        )
    return met


def _men_then(s: Scene, net: Network, v: Person, day: int) -> list[Person]:
    """The men a child is with: a boyfriend alone at first, then the friends he passes her to."""
    if net.model == "boyfriend":
        half = (v.exploited_from + v.exploited_to) // 2
        if day < half or len(net.offenders) == 1:
            return net.offenders[:1]
        return s.some(net.offenders[1:], VICTIMS.men_found)
    return s.some(net.offenders, VICTIMS.men_found)


def _stops(s: Scene, visibility: str, met: bool, times: float) -> int:
    base = {"high": s.rng.randint(*VICTIMS.most_visible_stops), "medium": 1, "low": 0}[visibility]
    if visibility == "medium" and met and s.chance(VICTIMS.stop_skipped_once_met):
        base = 0
    scaled = base * times
    return int(scaled) + (1 if s.chance(scaled - int(scaled)) else 0)


def _fewer(s: Scene, visibility: str, span: tuple[int, int]) -> int:
    """A count from `span` for the most visible; about half of it for the middle level, a third for the
    quietest."""
    n = s.rng.randint(*span)
    return {"high": n, "medium": (n + 1) // 2, "low": n // 3}[visibility]


def _phone_trace(s: Scene, v: Person, net: Network, known: bool) -> None:
    """One of the group's numbers on the child's own record: a phone examined, a contact given."""
    day = s.day_in(v.exploited_from, v.exploited_to)
    phone = s.rng.choice(net.phones)
    summary = s.rng.choice(PHONE_TRACES)
    if known and s.chance(0.5):
        s.social.event("other", day, s.social.rec(v, day), phone=phone, summary=summary)
    elif s.chance(0.6):
        s.police.event(
            "police_incident",
            day,
            s.police.rec(v, day),
            minute=s.daytime(),
            phone=phone,
            others=s.reporter(v, s.police, day),
            summary=summary,
        )
    else:
        s.health.event(
            "health_attendance",
            day,
            s.health.rec(v, day),
            place_text=geo.WALK_IN_CENTRE[0],
            phone=phone,
            summary="Gave an adult's mobile as her contact number",
        )


def _injured(s: Scene, v: Person) -> None:
    day = s.day_in(v.exploited_from, v.exploited_to)
    s.health.event(
        "health_attendance",
        day,
        s.health.rec(v, day),
        place_text=geo.HOSPITAL[0],
        summary=s.rng.choice(CRIMINAL_ATTENDANCES),
    )


# --- each model's own scenes ----------------------------------------------------------------------------
def _with_boyfriend(s: Scene, v: Person, net: Network, day: int) -> None:
    """Seen out with the boyfriend, who gives his first name; or at a clinic, his number as her contact."""
    bf = net.offenders[0]
    age = age_on(bf.dob, day)
    if s.chance(0.5):
        vehicle = s.reg_seen(bf.vehicle, 0.5) if bf.vehicle is not None else ""
        s.police.event(
            "police_incident",
            day,
            s.police.rec(v, day),
            minute=s.night(),
            vehicle=vehicle,
            others=[(s.police.rec(bf, day, "intel"), "associate")],
            summary=f"Stopped late at night with her boyfriend (aged about {age})",
        )
    else:
        s.health.event(
            "sexual_health",
            day,
            s.health.rec(v, day),
            place_text=geo.SEXUAL_HEALTH_CLINIC[0],
            phone=bf.phone,
            others=[(s.health.rec(bf, day, "contact"), "associate")],
            summary=f"Emergency contraception; boyfriend aged {age}",
        )


def _party(s: Scene, v: Person, net: Network, day: int) -> None:
    """Police called to a party at the group's house: this child, other victims, classmates, men."""
    house = net.places[0] if net.places else s.rng.choice(s.public)
    others = [(s.police.rec(m, day, "intel"), "associate") for m in s.some(net.offenders, (1, 3))]
    friends = [x for x in net.victims if x is not v and x.exploited_from <= day <= x.exploited_to]
    others += [(s.police.rec(x, day), "victim") for x in s.some(friends, (0, 3))]
    others += [(s.police.rec(x, day), "associate") for x in s.peers(v, s.rng.randint(0, 2), day)]
    s.police.event(
        "police_incident",
        day,
        s.police.rec(v, day),
        minute=s.night(),
        place=house,
        others=others,
        summary=f"Called to a party at {house.short}: children with adult males, alcohol",
    )


def _taxi_ride(s: Scene, v: Person, net: Network, day: int) -> None:
    drivers = [m for m in net.offenders if m.taxi_driver and m.vehicle is not None] or net.offenders
    man = s.rng.choice(drivers)
    vehicle = s.reg_seen(man.vehicle, 0.7) if man.vehicle is not None else ""
    age = age_on(v.dob, day)
    s.police.event(
        "police_incident",
        day,
        s.police.rec(v, day),
        minute=s.night(),
        vehicle=vehicle,
        others=[(s.police.rec(man, day, "intel"), "associate")],
        summary=f"Private hire car stopped at night with a girl of {age} in the front; "
        "driver said he was taking her home",
    )


def _phone_examined(s: Scene, v: Person, net: Network, day: int) -> None:
    assert v.school is not None
    s.education.event(
        "other",
        s.weekday(day),
        s.education.rec(v, day),
        place=v.school.place,
        phone=s.rng.choice(net.phones),
        summary="Phone confiscated in class: messages from an adult arranging to meet",
    )


def _older_youth(s: Scene, v: Person, net: Network, day: int) -> None:
    man = s.rng.choice(net.offenders)
    age = age_on(man.dob, day)
    if s.chance(0.6) and v.school is not None:
        s.education.event(
            "other",
            s.weekday(day),
            s.education.rec(v, day),
            place=v.school.place,
            others=[(s.education.rec(man, day, "named"), "associate")],
            summary=f"Concern: seen leaving with an older youth (about {age}) at the gates",
        )
    else:
        s.police.event(
            "police_incident",
            day,
            s.police.rec(v, day),
            minute=s.night(),
            place=s.rng.choice(net.places or s.parks),
            others=[(s.police.rec(man, day, "intel"), "suspect")],
            summary=f"Reported sexual assault by a youth of {age} she knows; would not support action",
        )


def _runner(s: Scene, v: Person, net: Network, day: int) -> None:
    """A county line's runner arrested or stopped: the child is the one on the charge sheet."""
    away = [p for p in s.town.places if p.category == "away"] or s.public
    place = s.rng.choice(away)
    others = [(s.police.rec(m, day, "intel"), "associate") for m in s.some(net.offenders, (0, 1))]
    phone = net.phones[-1] if s.chance(0.4) else ""
    kind, summary = (
        ("arrest", "Arrested in possession of class A drugs and cash, far from home")
        if s.chance(0.6)
        else ("police_incident", "Stopped with older males; drug wraps and a knife found")
    )
    s.police.event(
        kind,
        day,
        s.police.rec(v, day),
        minute=s.night(),
        place=place,
        others=others,
        phone=phone,
        summary=summary,
    )


SCENES = {
    "boyfriend": _with_boyfriend,
    "party_house": _party,
    "taxi": _taxi_ride,
    "phone": _phone_examined,
    "peer": _older_youth,
    "county_lines": _runner,
}
