"""Children who are nobody's concern, and children who run away again and again but are not exploited."""

from __future__ import annotations

from .. import geography as geo
from ..conduct import CHILDHOOD, RUNAWAYS, SCHOOL_AGE, YOUTH_SERVICE_AGE, outcome
from ..model import Person
from ..phrases import INJURIES, MISSING_FACTORS, ROUTINE_SEXUAL_HEALTH, RUNAWAY_ATTENDANCES, YOUTH_TROUBLE
from ..population import E, S
from .episodes import absence, exclusion, missing_episode, outreach, placement, strategy_meeting
from .scene import Scene


# --- ordinary children --------------------------------------------------------------------------------------
def ordinary_child(s: Scene, c: Person) -> None:
    school_years = s.window(c, *SCHOOL_AGE)
    if school_years and s.chance(CHILDHOOD.absences):
        for _ in s.times(CHILDHOOD.absence_spells):
            absence(s, c, *school_years)
    secondary = c.school is not None and c.school.phase == "secondary"
    if secondary and school_years and s.chance(CHILDHOOD.secondary_exclusion):
        exclusion(s, c, *school_years)
    if s.chance(CHILDHOOD.hospital):
        for _ in s.times(CHILDHOOD.hospital_visits):
            _injury(s, c)
    older = s.window(c, CHILDHOOD.sexual_health_age)
    if older and s.chance(CHILDHOOD.sexual_health):
        day = s.day_in(*older)
        s.health.event(
            "sexual_health",
            day,
            s.health.rec(c, day),
            place_text=geo.SEXUAL_HEALTH_CLINIC[0],
            summary=s.rng.choice(ROUTINE_SEXUAL_HEALTH),
        )
    teen = s.window(c, CHILDHOOD.runs_off_age)
    if teen and s.chance(CHILDHOOD.runs_off):
        missing_episode(s, c, s.day_in(*teen), summary="Returned home of own accord after argument")
    if teen and s.chance(CHILDHOOD.trouble):
        _in_trouble(s, c, s.day_in(*teen))
    youth = s.window(c, *YOUTH_SERVICE_AGE)
    if youth and s.chance(CHILDHOOD.outreach):
        for _ in s.times(CHILDHOOD.outreach_contacts):
            outreach(s, c, s.day_in(*youth))


def _injury(s: Scene, c: Person) -> None:
    day = s.day_in(c.dob.toordinal(), E)
    rec = s.health.rec(c, day)
    parent = s.parent_of(c)
    others = (
        [(s.health.rec(parent, day, "contact"), "parent")]
        if parent and s.chance(CHILDHOOD.parent_at_hospital)
        else []
    )
    # The contact number taken is often a parent's mobile, the parent not named on the record.
    phone = ""
    if parent is not None and parent.phone and s.parent_numbers > 0 and s.chance(s.parent_numbers):
        phone = parent.phone
    s.health.event(
        "health_attendance",
        day,
        rec,
        place_text=geo.HOSPITAL[0],
        others=others,
        phone=phone,
        summary=s.rng.choice(INJURIES),
    )


def _in_trouble(s: Scene, c: Person, day: int) -> None:
    """Police meet the child by day with friends: shoplifting, a fight, youths causing annoyance."""
    place = s.rng.choice(s.parks + s.shops + s.public)
    rec = s.police.rec(c, day)
    friends = s.peers(c, s.rng.randint(*CHILDHOOD.friends_in_trouble), day)
    others = [(s.police.rec(p, day), "associate") for p in friends]
    what = s.rng.choice(YOUTH_TROUBLE)
    s.police.event(
        "police_incident",
        day,
        rec,
        minute=s.daytime() + s.rng.randint(*CHILDHOOD.trouble_later_by),
        place=place,
        others=others,
        summary=what,
    )


# --- missing but not exploited ------------------------------------------------------------------------------
def runaway(s: Scene, c: Person) -> None:
    span = s.window(c, RUNAWAYS.from_age) or (max(S, E - RUNAWAYS.late_span), E)
    known = s.chance(RUNAWAYS.known) or c.flagged or c.in_care
    if known:
        _known_runaway(s, c, span[0])
    for _ in s.times(RUNAWAYS.episodes):
        _runaway_episode(s, c, s.day_in(*span), known)
    school = s.window(c, *SCHOOL_AGE)
    if school and s.chance(RUNAWAYS.absences):
        for _ in s.times(RUNAWAYS.absence_spells):
            absence(s, c, *school)
    if school and s.chance(RUNAWAYS.exclusion):
        exclusion(s, c, *school)
    if s.chance(RUNAWAYS.hospital):
        day = s.day_in(*span)
        what = s.rng.choice(RUNAWAY_ATTENDANCES)
        s.health.event(
            "health_attendance", day, s.health.rec(c, day), place_text=geo.HOSPITAL[0], summary=what
        )
    older = s.window(c, RUNAWAYS.sexual_health_age)
    if older and s.chance(RUNAWAYS.sexual_health):
        day = s.day_in(*older)
        s.health.event(
            "sexual_health",
            day,
            s.health.rec(c, day),
            place_text=geo.SEXUAL_HEALTH_CLINIC[0],
            summary="Contraception advice",
        )
    youth = s.window(c, *YOUTH_SERVICE_AGE)
    if youth and s.chance(RUNAWAYS.outreach):
        for _ in s.times(RUNAWAYS.outreach_contacts):
            outreach(s, c, s.day_in(*youth))


def _known_runaway(s: Scene, c: Person, first: int) -> None:
    """Police refer the child to social care, who assess; a CSE screening for some, a placement for others."""
    day = s.day_in(first, first + RUNAWAYS.referral_within)
    rec = s.social.rec(c, day)
    others = s.reporter(c, s.social, day)
    s.social.event("referral", day, rec, others=others, summary="Referral from police: repeat missing")
    factors = ["10A", *s.some(MISSING_FACTORS, RUNAWAYS.extra_factors)]
    if c.flagged:
        factors.append("11A")
    s.social.event(
        "assessment",
        day + s.rng.randint(*RUNAWAYS.assessment_after),
        rec,
        others=others,
        factors=";".join(sorted(set(factors))),
        summary="Assessment: staying out late, conflict at home"
        + ("; CSE screening completed, medium risk" if c.flagged else ""),
    )
    if c.flagged:
        strategy_meeting(s, c, day + s.rng.randint(*RUNAWAYS.strategy_after))
    if c.in_care:
        placement(s, c, day + s.rng.randint(*RUNAWAYS.placement_after))


def _runaway_episode(s: Scene, c: Person, day: int, known: bool) -> None:
    where = outcome(RUNAWAYS.found, s.rng.random())
    if where == "friend":
        friends = s.peers(c, 1, day)
        missing_episode(s, c, day, found_with=friends, known=known, summary="Found at a friend's house")
    elif where == "relative":
        summary = "Stayed at a relative's address without permission"
        missing_episode(s, c, day, found_with=[s.relative_of(c)], known=known, summary=summary)
    elif where == "town":
        place = s.rng.choice(s.public + s.parks)
        missing_episode(
            s, c, day, found_at=place, known=known, summary="Found in the town centre with friends"
        )
    else:
        missing_episode(s, c, day, known=known, summary="Returned home of own accord")
