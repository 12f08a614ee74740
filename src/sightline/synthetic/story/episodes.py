"""Episodes any child may have, each written into the books of the agencies it reaches.

A missing episode, a school absence or exclusion, a youth outreach contact, a strategy meeting, a placement:
the victims', runaways' and ordinary children's stories are made of these.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..conduct import PRACTICE, VICTIMS
from ..model import Network, Person, Place
from ..phrases import EXCLUSION_REASONS, OUTREACH_AT_NIGHT, OUTREACH_BY_DAY, RETURN_INTERVIEWS
from ..population import E
from .scene import Scene


def missing_episode(
    s: Scene,
    c: Person,
    day: int,
    *,
    summary: str,
    found_at: Place | None = None,
    found_with: Sequence[Person] = (),
    known: bool = False,
    vehicle: str = "",
    men_role: str = "associate",
    helper: tuple[Person, str] | None = None,
) -> None:
    """Police record a child missing (found at a place, with people); social care hear if the child is known.

    `helper` is an adult who found the child by day; `men_role` is how offenders found with the child may be
    recorded.
    """
    rec = s.police.rec(c, day)
    others = s.reporter(c, s.police, day)
    for person in found_with:
        if person.kind == "child":
            others.append((s.police.rec(person, day), "associate"))
        elif person.role == "offender":
            record = s.police.rec(person, day, "intel")
            others.append((record, men_role if s.chance(PRACTICE.men_as_suspects) else "associate"))
        else:
            others.append((s.police.rec(person, day), "associate"))
    if helper is not None:
        others.append((s.police.rec(helper[0], day, "professional"), helper[1]))
    start = s.night() if helper is None else s.daytime()
    hours = s.rng.randint(*PRACTICE.missing_hours)
    end_min = start + hours * 60
    ended = day + end_min // (24 * 60)  # past the period's end: still open at extraction
    s.police.event(
        "missing",
        day,
        rec,
        minute=start,
        ended=ended,
        ended_minute=end_min % (24 * 60),
        place=found_at,
        vehicle=vehicle,
        others=others,
        summary=summary,
    )
    if known and s.chance(PRACTICE.social_care_told):
        _missing_to_social_care(s, c, day, ended, hours, found_at)


def _missing_to_social_care(
    s: Scene, c: Person, day: int, ended: int, hours: int, place: Place | None
) -> None:
    rec = s.social.rec(c, day)
    soon_back = c.in_care and hours < PRACTICE.absent_hours and s.chance(PRACTICE.absent_not_missing)
    s.social.event(
        "absent" if soon_back else "missing",
        day,
        rec,
        ended=ended,
        place=place,
        others=s.reporter(c, s.social, day),
        factors="10A",
        summary="Missing from " + ("placement" if c.in_care else "home"),
    )
    latest = PRACTICE.interview_after[1]
    if s.chance(PRACTICE.return_interview) and ended + latest <= E:
        s.social.event(
            "return_interview",
            ended + s.rng.randint(*PRACTICE.interview_after),
            rec,
            summary=s.rng.choice(RETURN_INTERVIEWS),
        )


def absence(s: Scene, c: Person, lo: int, hi: int) -> None:
    assert c.school is not None
    day = s.weekday(s.day_in(lo, hi))
    sessions = s.rng.randint(*PRACTICE.absence_sessions)
    rec = s.education.rec(c, day)
    s.education.event(
        "school_absence",
        day,
        rec,
        ended=min(E, day + sessions // 2),
        place=c.school.place,
        summary=f"Unauthorised absence, {sessions} sessions",
    )


def exclusion(s: Scene, c: Person, lo: int, hi: int, teacher: Person | None = None) -> None:
    """A fixed-term exclusion, with a parent and the school's teacher (a benign hub) on the record."""
    assert c.school is not None
    day = s.weekday(s.day_in(lo, hi))
    rec = s.education.rec(c, day)
    others: list[tuple[int, str]] = []
    parent = s.parent_of(c)
    if parent is not None and s.chance(PRACTICE.exclusion_parent):
        others.append((s.education.rec(parent, day, "contact"), "parent"))
    teacher = teacher or s.hub_of_school.get(c.school.name)
    if teacher is not None and s.chance(PRACTICE.exclusion_teacher):
        others.append((s.education.rec(teacher, day, "professional"), "professional"))
    length = s.rng.randint(*PRACTICE.exclusion_days)
    s.education.event(
        "exclusion",
        day,
        rec,
        ended=min(E, day + length),
        place=c.school.place,
        others=others,
        summary=f"Fixed-term exclusion, {length} days: " + s.rng.choice(EXCLUSION_REASONS),
    )


def outreach(
    s: Scene,
    c: Person,
    day: int,
    *,
    net: Network | None = None,
    place: Place | None = None,
    worker: Person | None = None,
    extra: list[tuple[Person, str]] | None = None,
) -> None:
    """A youth worker meets the child: at night near a network's haunts, or by day where young people go."""
    if worker is None and s.youth_workers:
        local = [w for w in s.youth_workers if w.hub_place and w.hub_place.locality == c.address.locality]
        worker = s.rng.choice(local or s.youth_workers)
    rec = s.youth.rec(c, day)
    others: list[tuple[int, str]] = []
    if worker is not None:
        others.append((s.youth.rec(worker, day, "professional"), "professional"))
    vehicle = ""
    if net is not None:
        place, vehicle, summary = _outreach_at_night(s, c, day, net, others)
    else:
        if place is None:
            place = s.rng.choice(s.youth_centres + s.parks + s.public)
        summary = s.rng.choice(OUTREACH_BY_DAY)
        for peer in s.peers(c, s.rng.randint(*PRACTICE.friends_at_outreach), day):
            others.append((s.youth.rec(peer, day), "associate"))
    for person, role in extra or ():
        others.append((s.youth.rec(person, day, "professional"), role))
    s.youth.event(
        "outreach_contact",
        day,
        rec,
        minute=s.night() if net is not None else s.daytime(),
        place=place,
        vehicle=vehicle,
        others=others,
        summary=summary,
    )


def _outreach_at_night(
    s: Scene, c: Person, day: int, net: Network, others: list[tuple[int, str]]
) -> tuple[Place, str, str]:
    """Where a victim is met, the car seen and what the worker wrote; the men and friends go into `others`."""
    rng = s.rng
    if s.chance(VICTIMS.outreach_at_hotspot):
        place = rng.choice(net.places[1:] or net.places)  # not the private flat or house
    else:
        place = rng.choice(s.public)
    summary = rng.choice(OUTREACH_AT_NIGHT)
    vehicle = ""
    if net.vehicles and s.chance(VICTIMS.outreach_car):
        car = rng.choice(net.vehicles)
        vehicle = s.reg_seen(car, VICTIMS.registration_at_outreach)
        summary += f" ({car.description})"
    if s.chance(VICTIMS.outreach_man):
        others.append((s.youth.rec(rng.choice(net.offenders), day, "intel"), "associate"))
    friends = [x for x in net.victims if x is not c and s.chance(VICTIMS.outreach_friend)]
    for friend in friends[: VICTIMS.outreach_friends]:
        others.append((s.youth.rec(friend, day), "associate"))
    return place, vehicle, summary


def strategy_meeting(s: Scene, c: Person, day: int) -> None:
    rec = s.social.rec(c, day)
    others = s.reporter(c, s.social, day)
    assert c.school is not None
    teacher = s.hub_of_school.get(c.school.name)
    if teacher is not None and s.chance(PRACTICE.meeting_teacher):
        others.append((s.social.rec(teacher, day, "professional"), "professional"))
    if s.youth_workers and s.chance(PRACTICE.meeting_youth_worker):
        worker = s.rng.choice(s.youth_workers)
        others.append((s.social.rec(worker, day, "professional"), "professional"))
    s.social.event(
        "strategy_meeting", min(day, E), rec, others=others, summary="Multi-agency strategy meeting"
    )


def placement(s: Scene, c: Person, day: int, carer: Person | None = None) -> None:
    day = min(day, E)
    rec = s.social.rec(c, day)
    carer = carer or s.carer_of(c)
    others = [(s.social.rec(carer, day, "contact"), "carer")]
    if s.chance(PRACTICE.residential_home) and s.homes:
        home = s.rng.choice(s.homes)
        s.social.event(
            "placement", day, rec, place=home, others=others, summary="Placed in residential children's home"
        )
    else:
        s.social.event("placement", day, rec, others=others, summary="Placed with foster carers")
