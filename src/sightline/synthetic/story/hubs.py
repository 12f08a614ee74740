"""Benign hubs: coaches, shopkeepers, youth workers, teachers and school-run drivers meet many children
openly, by day, in their own places, and agencies record them as professionals, associates or witnesses.
Which scenes each kind of hub plays, and how often, is `conduct.HUB_SCENES`.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import geography as geo
from ..conduct import HUB_SCENES, HUBS, SCHOOL_AGE, HubScene
from ..model import Person
from ..population import E, S, age_on
from ..records import SCHOOL_CONTRACT_LICENCE
from .episodes import exclusion, missing_episode, outreach
from .scene import Scene


def hub(s: Scene, hub: Person) -> None:
    scenes = HUB_SCENES[hub.hub_type]
    for kid in _children_met(s, hub):
        span = s.window(kid, HUBS.first_meeting_age)
        if span is None:
            continue
        day = s.day_in(*span)
        roll = s.rng.random()
        if hub.hub_type in HUBS.at_school:
            school_days = s.window(kid, *SCHOOL_AGE)
            if school_days is None:
                continue
            day = s.weekday(s.day_in(*school_days))
        scene = next(scene for scene in scenes if roll < scene.upto)
        if scene.agency:
            _recorded(s, hub, kid, day, scene)
        else:
            PLAYED[scene.kind](s, hub, kid, day)
    if hub.hub_type == "school_driver":
        assert hub.vehicle is not None
        rec = s.licensing.rec(hub, S)
        s.licensing.event(
            "other",
            s.day_in(S, E),
            rec,
            vehicle=hub.vehicle.reg,
            summary=f"Private hire driver and vehicle licence renewed ({hub.taxi_firm}); school contract",
            licence=SCHOOL_CONTRACT_LICENCE,
        )


def _children_met(s: Scene, hub: Person) -> list[Person]:
    """Pupils of the hub's school, or children of its area; children from the whole town if too few."""
    place = hub.hub_place
    assert place is not None
    if hub.hub_type == "foster_carer":
        return [c for c in s.town.children if hub in s.town.placements.get(c.pid, ())]
    if hub.hub_type in HUBS.at_school:
        pool = [c for school in s.town.schools if school.place is place for c in school.pupils]
    else:
        pool = [c for c in s.by_locality.get(place.locality, []) if age_on(c.dob, E) >= HUBS.pool_from_age]
    if len(pool) < HUBS.smallest_pool:
        pool = [c for c in s.town.children if age_on(c.dob, E) >= HUBS.pool_from_age]
    return s.some(pool, HUBS.children_met)


def _recorded(s: Scene, hub: Person, kid: Person, day: int, scene: HubScene) -> None:
    """An event on the child's record at the scene's agency, the hub named on it in the scene's role."""
    book = s.books[scene.agency]
    rec = book.rec(kid, day)
    minute = s.night() if scene.night else s.daytime() if scene.timed else -1
    others = [(book.rec(hub, day, "professional"), scene.hub_role)]
    book.event(
        scene.kind,
        day,
        rec,
        minute=minute,
        place=hub.hub_place if scene.at == "hub" else None,
        place_text=geo.HOSPITAL[0] if scene.at == "hospital" else "",
        vehicle=hub.vehicle.reg if scene.vehicle and hub.vehicle is not None else "",
        others=others,
        summary=scene.summary.format(firm=hub.taxi_firm),
    )


def _outreach_with_hub(s: Scene, hub: Person, kid: Person, day: int) -> None:
    outreach(s, kid, day, place=hub.hub_place, extra=[(hub, "associate")])


def _outreach_by_hub(s: Scene, hub: Person, kid: Person, day: int) -> None:
    outreach(s, kid, day, worker=hub)


def _found_at_hub(s: Scene, hub: Person, kid: Person, day: int) -> None:
    summary = "Found at the shop; shopkeeper rang police"
    missing_episode(s, kid, day, found_at=hub.hub_place, summary=summary, helper=(hub, "witness"))


def _excluded_by_hub(s: Scene, hub: Person, kid: Person, day: int) -> None:
    exclusion(s, kid, day, day, teacher=hub)


# Scenes the story plays itself, named in HUB_SCENES by their kind.
PLAYED: dict[str, Callable[[Scene, Person, Person, int], None]] = {
    "outreach_with_hub": _outreach_with_hub,
    "outreach_by_hub": _outreach_by_hub,
    "found_at_hub": _found_at_hub,
    "excluded_by_hub": _excluded_by_hub,
}
