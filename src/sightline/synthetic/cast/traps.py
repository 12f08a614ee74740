"""Record traps a linker must not fall into: a son with his father's name, namesakes on one street."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Address, Household, Person
from ..names import COMMUNITIES

if TYPE_CHECKING:
    from . import VariantBuilder


def fathers_and_sons(b: VariantBuilder) -> None:
    """In the variant's share of households with a father and a son, the eldest son has his father's name."""
    rng, share = b.rng, b.v.fathers_and_sons
    if not share:
        return
    for hh in b.households:
        fathers = [a for a in hh.adults if a.sex == "M" and a.family == hh.family]
        sons = [c for c in hh.children if c.sex == "M" and c.family == hh.family and not c.traits]
        if not fathers or not sons or rng.random() >= share:
            continue
        father, son = fathers[0], sons[0]
        if any(c.given == father.given for c in hh.children):
            continue
        son.given = father.given
        father.traits += ("father_son",)
        son.traits += ("father_son",)


def street_namesakes(b: VariantBuilder) -> list[tuple[Person, Person]]:
    """Pairs of children of one full name living on the same street (`12 Brook Road`, `12A Brook Road`)."""
    rng = b.rng
    wanted = round(b.n * b.v.street_namesakes)
    houses = [h for h in b.households if h.address.number.isdigit() and h.children and h.adults]
    pairs: list[tuple[Person, Person]] = []
    touched: set[str] = set()
    for _ in range(wanted * 20):
        if len(pairs) >= wanted or len(houses) < 2:
            break
        a_hh, b_hh = rng.sample(houses, 2)
        if a_hh.hid in touched or b_hh.hid in touched or a_hh.community != b_hh.community:
            continue
        a = rng.choice(a_hh.children)
        same = [
            c for c in b_hh.children if c.sex == a.sex and abs(c.dob.toordinal() - a.dob.toordinal()) > 30
        ]
        if not same or any(c.given == a.given for c in b_hh.children):
            continue
        other = same[0]
        _move_next_door(b_hh, a_hh.address)
        comm = COMMUNITIES[b_hh.community]
        for member in b_hh.children + b_hh.adults:
            if member.family == comm.surname_for(b_hh.family, member.sex):
                member.family = comm.surname_for(a_hh.family, member.sex)
        b_hh.family = a_hh.family
        other.given = a.given
        a.traits += ("street_namesake",)
        other.traits += ("street_namesake",)
        touched.update((a_hh.hid, b_hh.hid))
        pairs.append((a, other))
    return pairs


def _move_next_door(hh: Household, beside: Address) -> None:
    old = hh.address
    new = Address(f"{beside.number}A", beside.street, beside.street_short, beside.locality, beside.postcode)
    hh.address = new
    for member in hh.children + hh.adults:
        if member.address is old:
            member.address = new
