"""Children who are not being exploited but whose records could crowd the exploitation alerts: same-age
couples at the clinic, groups of friends out late, children moved from placement to placement, children
abused at home (a child protection matter, with its own route to a social worker), and looked-after
children placed in the town by other councils. Each also lives an ordinary childhood (children.py).
"""

from __future__ import annotations

from .. import geography as geo
from ..model import Person
from ..phrases import (
    GROUP_OUTREACH,
    GROUP_TROUBLE,
    HOME_ABUSE,
    HOME_ABUSE_POLICE,
    PARTNER_SEXUAL_HEALTH,
    PLACEMENT_MOVES,
)
from ..population import E, S, age_on
from .episodes import absence, missing_episode, placement, strategy_meeting
from .scene import Scene


def placed_here(s: Scene, c: Person) -> None:
    """A child placed in the town by another council arrives on the town's social care books."""
    day = s.day_in(S, E - 200)
    rec = s.social.rec(c, day)
    s.social.event(
        "referral", day, rec, summary=f"Notification: looked-after child placed here by {c.placed_from}"
    )
    placement(s, c, day + s.rng.randint(0, 3))


def many_placements(s: Scene, c: Person) -> None:
    """Moved from carer to carer, going missing from placements, found at home, at friends' or in town."""
    span = s.window(c, 8) or (S, E)
    carers = s.town.placements.get(c.pid) or [s.carer_of(c)]
    days = sorted(s.day_in(*span) for _ in carers)
    for carer, day in zip(carers, days):
        placement(s, c, day, carer=carer)
        s.social.event("other", day, s.social.rec(c, day), summary=s.rng.choice(PLACEMENT_MOVES))
    teen = s.window(c, 11) or span
    for _ in s.times((2, 8)):
        day = s.day_in(*teen)
        roll = s.rng.random()
        if roll < 0.35:
            missing_episode(s, c, day, known=True, summary="Missing from placement; returned to family home")
        elif roll < 0.7:
            friends = s.peers(c, 1, day)
            missing_episode(s, c, day, found_with=friends, known=True, summary="Found at a friend's house")
        else:
            place = s.rng.choice(s.public)
            missing_episode(s, c, day, found_at=place, known=True, summary="Found in town with friends")
    school = s.window(c, 5, 17)
    if school:
        for _ in s.times((1, 4)):
            absence(s, c, *school)


def abused_at_home(s: Scene, c: Person) -> None:
    """Abuse by a parent: a child protection referral, a section 47 strategy meeting and a plan, a police
    investigation with the parent as suspect, sometimes an injury or a disclosure at school."""
    rng = s.rng
    abuser = c.related
    assert abuser is not None and c.household is not None
    day = s.day_in(*(s.window(c, 5) or (S, E)))
    factor, summary = rng.choice(HOME_ABUSE)
    rec = s.social.rec(c, day)
    others = [(s.social.rec(abuser, day, "contact"), "parent")]
    s.social.event("referral", day, rec, others=others, factors=factor, summary=summary)
    s.social.event(
        "assessment",
        day + rng.randint(5, 30),
        rec,
        others=others,
        factors=factor,
        summary="Child and family assessment: allocated to a social worker; child protection plan",
    )
    strategy_meeting(s, c, day + rng.randint(1, 10))
    home = c.household.address
    if rng.random() < 0.6:
        day2 = min(E, day + rng.randint(0, 20))
        s.police.event(
            "police_incident",
            day2,
            s.police.rec(c, day2),
            minute=s.daytime(),
            place_text=home.line(short=True, with_locality=False),
            postcode=home.postcode,
            others=[(s.police.rec(abuser, day2), "suspect")],
            summary=rng.choice(HOME_ABUSE_POLICE),
        )
    if factor == "18A" or rng.random() < 0.3:
        s.health.event(
            "health_attendance",
            day,
            s.health.rec(c, day),
            place_text=geo.HOSPITAL[0],
            others=[(s.health.rec(abuser, day, "contact"), "parent")],
            summary="Injury not consistent with the account given; referred to paediatrician",
        )
    teacher = s.hub_of_school.get(c.school.name) if c.school is not None else None
    if c.school is not None and rng.random() < 0.5:
        others = [(s.education.rec(teacher, day, "professional"), "professional")] if teacher else []
        s.education.event(
            "other",
            s.weekday(day),
            s.education.rec(c, day),
            place=c.school.place,
            others=others,
            summary="Disclosure to teacher; safeguarding lead referred to social care",
        )
    older = s.window(c, 11)
    if older and rng.random() < 0.3:
        for _ in s.times((1, 3)):
            when = s.day_in(*older)
            missing_episode(
                s,
                c,
                when,
                found_with=s.peers(c, 1, when),
                known=True,
                summary="Ran away after a row at home; found at a friend's",
            )


def couple(s: Scene, a: Person, b: Person) -> None:
    """Two teenagers of an age together: the clinic, now and then a night out that worries a parent."""
    lo = max(a.dob.toordinal(), b.dob.toordinal()) + int(14 * 365.25)
    span = (max(S, lo), E)
    if span[0] >= span[1]:
        return
    for child, partner in ((a, b), (b, a)):
        if child.sex == "M" and s.chance(0.6):
            continue
        for _ in s.times((1, 4)):
            day = s.day_in(*span)
            others = [(s.health.rec(partner, day, "contact"), "associate")] if s.chance(0.4) else []
            s.health.event(
                "sexual_health",
                day,
                s.health.rec(child, day),
                place_text=geo.SEXUAL_HEALTH_CLINIC[0],
                others=others,
                summary=f"{s.rng.choice(PARTNER_SEXUAL_HEALTH)} (age {age_on(child.dob, day)})",
            )
    if s.chance(0.3):
        day = s.day_in(*span)
        missing_episode(
            s, a, day, found_with=[b], summary="Stayed out overnight at partner's house; both the same age"
        )


def friends(s: Scene, group: list[Person], older: Person | None) -> None:
    """A group of friends out together: trouble in the park, youth workers, a night nobody came home."""
    lo = max(c.dob.toordinal() for c in group) + int(13 * 365.25)
    span = (max(S, lo), E)
    if span[0] >= span[1]:
        return
    for _ in s.times((3, 10)):
        day = s.day_in(*span)
        subject, *rest = s.rng.sample(group, len(group))
        with_them = rest[: s.rng.randint(2, max(2, len(rest)))]
        roll = s.rng.random()
        if roll < 0.45:
            others = [(s.police.rec(c, day), "associate") for c in with_them]
            vehicle = ""
            if older is not None and s.chance(0.5):
                others.append((s.police.rec(older, day), "associate"))
                vehicle = (
                    s.reg_seen(older.vehicle, 0.6) if older.vehicle is not None and s.chance(0.4) else ""
                )
            s.police.event(
                "police_incident",
                day,
                s.police.rec(subject, day),
                minute=s.night() if s.chance(0.5) else s.daytime(),
                place=s.rng.choice(s.parks + s.shops + s.public),
                vehicle=vehicle,
                others=others,
                summary=s.rng.choice(GROUP_TROUBLE),
            )
        elif roll < 0.8:
            place = s.rng.choice(s.youth_centres + s.parks)
            others = [(s.youth.rec(c, day), "associate") for c in with_them]
            if s.youth_workers:
                worker = s.rng.choice(s.youth_workers)
                others.append((s.youth.rec(worker, day, "professional"), "professional"))
            s.youth.event(
                "outreach_contact",
                day,
                s.youth.rec(subject, day),
                minute=s.night() if s.chance(0.4) else s.daytime(),
                place=place,
                others=others,
                summary=s.rng.choice(GROUP_OUTREACH),
            )
        else:
            missing_episode(
                s,
                subject,
                day,
                found_with=with_them[:2],
                found_at=s.rng.choice(s.parks),
                summary="Stayed out with friends; found together in the park",
            )
