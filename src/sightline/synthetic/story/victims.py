"""A victim's years of exploitation, in the fragments each agency sees.

How much reaches anyone depends on the child's visibility (`conduct.VISIBILITY`): the most visible go
missing often and are found with the men; the quietest are seen mostly by youth workers and health.
"""

from __future__ import annotations

from typing import Any

from .. import geography as geo
from ..conduct import SCHOOL_AGE, VICTIMS, VISIBILITY, Visibility, outcome
from ..model import Network, Person
from ..phrases import (
    FLAGGED_EXTRA_FACTORS,
    HIDDEN_ASSESSMENTS,
    VICTIM_ATTENDANCES,
    VICTIM_HIDDEN_FACTORS,
    VICTIM_REFERRERS,
    VICTIM_SEXUAL_HEALTH,
)
from ..population import age_on
from .episodes import absence, exclusion, missing_episode, outreach, placement, strategy_meeting
from .scene import Scene


def victim(s: Scene, v: Person) -> None:
    net = v.network
    assert net is not None
    level = VISIBILITY[v.visibility]
    known = v.flagged or s.chance(level.known_to_social_care)
    if known:
        _known_to_social_care(s, v, net)
    met = _missing_episodes(s, v, net, level, known)
    for _ in range(_stops(s, v.visibility, met)):
        found_with_men(s, v, net, s.day_in(v.exploited_from, v.exploited_to))
    if level.comes_forward and s.chance(level.comes_forward):
        comes_forward(s, v, net)
    if s.chance(level.sexual_health):
        for _ in s.times(VICTIMS.sexual_health_visits):
            sexual_health(s, v, net)
    if s.chance(level.hospital):
        for _ in s.times(VICTIMS.hospital_visits):
            hospital(s, v, net)
    at_school(s, v, net, level)
    if s.chance(level.outreach):  # often the only agency to see the quieter victims
        for _ in s.times(VICTIMS.outreach_contacts):
            outreach(s, v, s.day_in(v.exploited_from, v.exploited_to), net=net)


def _known_to_social_care(s: Scene, v: Person, net: Network) -> None:
    """A referral and an assessment that names the exploitation (flagged) or misses it (hidden)."""
    rng = s.rng
    day = s.day_in(v.exploited_from, v.exploited_to)
    rec = s.social.rec(v, day)
    others = s.reporter(v, s.social, day)
    source = rng.choice(VICTIM_REFERRERS)
    s.social.event("referral", day, rec, others=others, summary=f"Referral from {source}")
    phone = ""
    if v.flagged:
        factors = [*VISIBILITY[v.visibility].flag_factors, *rng.sample(FLAGGED_EXTRA_FACTORS, 1)]
        summary = "CSE risk assessment: high risk, older males, gifts, lifts in cars"
        phone = rng.choice(net.phones) if s.chance(VICTIMS.line_phone_on_assessment) else ""
    else:
        factors = s.some(VICTIM_HIDDEN_FACTORS, VICTIMS.hidden_factors)
        summary = rng.choice(HIDDEN_ASSESSMENTS)
    assessment(s, v, rec, day, others=others, phone=phone, factors=factors, summary=summary)


def assessment(
    s: Scene, v: Person, rec: Any, day: int, *, others: Any, phone: str, factors: list[str], summary: str
) -> None:
    """Social care's assessment, then the strategy meetings (flagged) and placement (in care) it leads to."""
    s.social.event(
        "assessment",
        day + s.rng.randint(*VICTIMS.assessment_after),
        rec,
        others=others,
        phone=phone,
        factors=";".join(sorted(set(factors))),
        summary=summary,
    )
    if v.flagged:
        first, last = VICTIMS.meetings_within
        for _ in s.times(VICTIMS.strategy_meetings):
            strategy_meeting(s, v, s.day_in(day + first, day + last))
    if v.in_care:
        first, last = VICTIMS.placement_within
        placement(s, v, s.day_in(day + first, day + last))


def _missing_episodes(s: Scene, v: Person, net: Network, level: Visibility, known: bool) -> bool:
    """Missing episodes, some ending with the child found with the men or at their places; True if so."""
    rng = s.rng
    # A count is drawn for every level, in table order, whatever the child's: a seed keeps giving one town.
    counts = {name: rng.randint(*row.missing_episodes) for name, row in VISIBILITY.items()}
    met = False
    for _ in range(counts[v.visibility]):
        day = s.day_in(v.exploited_from, v.exploited_to)
        where = outcome(VICTIMS.found, rng.random())
        places = {"hotspot": net.places, "public": s.public}.get(where)
        place = rng.choice(places) if places is not None else None
        men: list[Person] = []
        if place is not None and s.chance(level.found_with_men):
            men = s.some(net.offenders, VICTIMS.men_found)
            met = True
        summary = f"Found at {place.short}" if place else "Returned home in the early hours"
        if men:
            summary += " with older males"
        vehicle = ""
        if men and net.vehicles and s.chance(VICTIMS.car_when_found):
            car = rng.choice(net.vehicles)
            vehicle = s.reg_seen(car, VICTIMS.registration_when_found)
            summary += f"; seen getting out of a {car.description}"
        missing_episode(
            s,
            v,
            day,
            found_at=place,
            found_with=men,
            known=known,
            summary=summary,
            vehicle=vehicle,
            men_role="suspect",
        )
    return met


def _stops(s: Scene, visibility: str, met: bool) -> int:
    """Vehicle stops and welfare checks with the men: several for the most visible children; for the middle
    level one, or half the time none once already found with the men; none for the quietest. Both draws are
    made whatever the level, so that a seed keeps giving the same town.
    """
    most_visible = s.rng.randint(*VICTIMS.most_visible_stops)
    skipped = met and s.chance(VICTIMS.stop_skipped_once_met)
    return {"high": most_visible, "medium": 0 if skipped else 1, "low": 0}[visibility]


def found_with_men(s: Scene, v: Person, net: Network, day: int) -> None:
    """Police stop the men's car with the child in it, or find the child with them at one of their places."""
    rng = s.rng
    men = s.some(net.offenders, VICTIMS.men_stopped)
    rec = s.police.rec(v, day)
    others = [
        (s.police.rec(m, day, "intel"), "suspect" if s.chance(VICTIMS.men_as_suspects) else "associate")
        for m in men
    ]
    friends = [x for x in net.victims if x is not v and x.exploited_from <= day <= x.exploited_to]
    for friend in s.some(friends, VICTIMS.friends_stopped):
        others.append((s.police.rec(friend, day), "victim"))
    vehicle, place = "", rng.choice(net.places)
    if net.vehicles and s.chance(VICTIMS.stopped_in_car):
        car = rng.choice(net.vehicles)
        vehicle = s.reg_seen(car, VICTIMS.registration_when_stopped)
        summary = (
            f"Vehicle stopped near {place.short}: {car.description}, child aged {age_on(v.dob, day)} "
            f"in the rear with {len(men)} adult male(s) giving first names only. Child taken home."
        )
    else:
        summary = (
            f"Welfare check at {place.short}: child found with {len(men)} adult male(s), alcohol present."
        )
    phone = rng.choice(net.phones) if s.chance(VICTIMS.line_phone_when_stopped) else ""
    s.police.event(
        "police_incident",
        day,
        rec,
        minute=s.night(),
        place=place,
        vehicle=vehicle,
        phone=phone,
        others=others,
        summary=summary,
    )


def comes_forward(s: Scene, v: Person, net: Network) -> None:
    day = s.day_in(v.exploited_from, v.exploited_to)
    men = s.some(net.offenders, VICTIMS.men_named_by_child)
    names = ", ".join(m.nickname for m in men)
    s.police.event(
        "self_referral",
        day,
        s.police.rec(v, day),
        minute=s.daytime(),
        others=[(s.police.rec(m, day, "intel"), "suspect") for m in men],
        summary=f"Came forward to report abuse by men known as {names}",
    )


def sexual_health(s: Scene, v: Person, net: Network) -> None:
    day = s.day_in(v.exploited_from, v.exploited_to)
    age = age_on(v.dob, day)
    summary = s.rng.choice(VICTIM_SEXUAL_HEALTH)
    man_with = (VICTIMS.man_waits_outside, "; attended with an adult male who waited outside")
    clinic = geo.SEXUAL_HEALTH_CLINIC[0]
    _health_visit(s, v, net, day, "sexual_health", clinic, summary, man_with, f" (age {age})")


def hospital(s: Scene, v: Person, net: Network) -> None:
    day = s.day_in(v.exploited_from, v.exploited_to)
    place = s.rng.choice(net.places)
    summary = s.rng.choice(VICTIM_ATTENDANCES).format(place=place.short)
    man_with = (VICTIMS.man_as_cousin, "; accompanied by an adult male who said he was a cousin")
    _health_visit(s, v, net, day, "health_attendance", geo.HOSPITAL[0], summary, man_with)


def _health_visit(
    s: Scene,
    v: Person,
    net: Network,
    day: int,
    kind: str,
    place_text: str,
    summary: str,
    man_with: tuple[float, str],
    ending: str = "",
) -> None:
    """A health visit, now and then with one of the network's men (with that chance, and those words).
    The draws and records come in this order so that the same seed makes the same town."""
    others = []
    chance, words = man_with
    if s.chance(chance):
        man = s.rng.choice(net.offenders)
        others.append((s.health.rec(man, day, "intel"), "associate"))
        summary += words
    s.health.event(
        kind, day, s.health.rec(v, day), place_text=place_text, others=others, summary=summary + ending
    )


def at_school(s: Scene, v: Person, net: Network, level: Visibility) -> None:
    """Absences and exclusions while exploited, and now and then a car seen at the school gates."""
    school = s.window(v, *SCHOOL_AGE)
    if not school:
        return
    lo, hi = max(school[0], v.exploited_from), min(school[1], v.exploited_to)
    if hi <= lo:
        return
    if s.chance(level.absences):
        for _ in s.times(VICTIMS.absence_spells):
            absence(s, v, lo, hi)
    if s.chance(VICTIMS.exclusion):
        exclusion(s, v, lo, hi)
    if net.vehicles and s.chance(VICTIMS.car_at_school_gates):
        day = s.weekday(s.day_in(lo, hi))
        car = s.rng.choice(net.vehicles)
        assert v.school is not None
        s.education.event(
            "other",
            day,
            s.education.rec(v, day),
            place=v.school.place,
            vehicle=s.reg_seen(car, VICTIMS.registration_at_school),
            summary=f"Seen getting into a {car.description} outside the school gates",
        )
