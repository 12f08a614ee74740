"""What happened in the town between the period's start and end, as each agency recorded it.

Each agency only sees its own slice. Exploitation leaves traces everywhere but rarely in one place: police
meet victims at night in cars with men they know by street names; health sees sexual health attendances;
schools see absences; youth workers see children at hotspots and cars pulling away; licensing hears taxi
complaints. Innocent adults (coaches, shopkeepers, youth workers, teachers, school-run drivers) meet many
children openly, by day, in public places, as professionals, witnesses or associates.

How often each thing happens is `conduct.py`; how each agency writes it down is `habits.py`; what it writes
is `phrases.py`. The chapters here are told in a fixed order, because every draw comes from the seed.
A town made from a variant adds chapters (models.py, decoys.py) that the default town never reaches.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Town
from ..records import Book
from .children import ordinary_child, runaway
from .decoys import abused_at_home, couple, friends, many_placements, placed_here
from .everyday import enrol, households, taxis, tenancies
from .hubs import hub
from .models import exploited
from .networks import model_network, network
from .scene import Scene
from .victims import victim

__all__ = ["tell"]

Progress = Callable[[str, int, int], None]
ALONE = {"many_placements": many_placements, "abused_at_home": abused_at_home}


def tell(town: Town, seed: int, progress: Progress | None = None) -> dict[str, Book]:
    """Every agency's book of the town, keyed by agency."""
    s = Scene(town, seed)
    enrol(s)
    households(s)
    total = len(town.children)
    for i, child in enumerate(town.children):
        if child.role == "victim":
            assert child.network is not None
            (victim if child.network.model == "group" else exploited)(s, child)
        elif child.role == "missing_not_exploited":
            runaway(s, child)
        else:
            ordinary_child(s, child)
            if child.label in ALONE:  # a decoy of a variant town, whose story is their own
                ALONE[child.label](s, child)
        if child.placed_from:
            placed_here(s, child)
        if progress and (i + 1) % 5000 == 0:
            progress("events", i + 1, total)
    for net in town.networks:
        (network if net.model == "group" else model_network)(s, net)
    for person in town.hubs:
        hub(s, person)
    taxis(s)
    tenancies(s)
    for a, b in town.couples:
        couple(s, a, b)
    for group, older in town.friendships:
        friends(s, group, older)
    if progress:
        progress("events", total, total)
    return s.books
