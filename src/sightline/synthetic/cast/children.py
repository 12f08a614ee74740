"""Children placed in the town by other councils, the children who must not be mistaken for victims, and
who cares for the children in care.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..exploitation import PLACING_COUNCILS
from ..model import Household, Person, Town
from ..names import COMMUNITIES, ETHNICITIES
from ..population import COMMUNITY_CODE, YEAR, E, age_on

if TYPE_CHECKING:
    from . import VariantBuilder


def placed_children(b: VariantBuilder, count: int) -> None:
    """Looked-after children of 11 to 17 from other councils, each on their own in a placement here."""
    rng = b.rng
    eldest, youngest = date(1996, 7, 1).toordinal(), E - int(11.5 * YEAR)
    for _ in range(count):
        code = b.ethnicity()
        _, father_line, mother_line = ETHNICITIES[code]
        community = COMMUNITIES[father_line]
        sex = rng.choice("FM")
        family = community.surname_for(community.surnames.pick(rng), sex)
        address = b.addresses.new(b.locality())
        hh = Household(f"H{len(b.households) + 1:06d}", family, father_line, address, None, 0)
        child = Person(
            pid=b.next_pid(),
            kind="child",
            given=COMMUNITIES[rng.choice((father_line, mother_line))].given(rng, sex, adult=False),
            family=family,
            dob=date.fromordinal(rng.randint(eldest, youngest)),
            sex=sex,
            ethnicity=code,
            community=father_line,
            role="ordinary",
            address=address,
            household=hh,
            in_care=True,
            placed_from=rng.choice(PLACING_COUNCILS),
            traits=("placed",),
        )
        if rng.random() < 0.8:
            child.phone = b.phone()
        hh.children.append(child)
        b.households.append(hh)
        b.children.append(child)


def decoys(b: VariantBuilder, town: Town) -> None:
    """Runaways, same-age couples, friendship groups, children moved between placements, children abused
    at home: each chosen by age, area and circumstance alone, among children no network has touched.
    """
    rng, v, n = b.rng, b.v, b.n
    free = [c for c in b.children if c.role == "ordinary"]
    for child in _some(b, free, round(n * v.runaways), lambda c: age_on(c.dob, E) >= 11):
        child.role, child.label = "missing_not_exploited", "runaway"
        child.in_care = child.in_care or rng.random() < 0.25
        child.flagged = rng.random() < 0.1  # assessed for 11A although not exploited
    for victim in (c for c in b.children if c.role == "victim" and not c.placed_from):
        victim.in_care = rng.random() < (0.2 if victim.flagged else 0.08)

    teen = [c for c in b.children if c.role == "ordinary" and 14 <= age_on(c.dob, E) <= 17]
    rng.shuffle(teen)
    couples = round(n * v.same_age_partners / 2)
    for a in teen:
        if len(town.couples) >= couples:
            break
        if a.role != "ordinary":
            continue
        partner = _partner(b, a, teen)
        if partner is not None:
            for x, y in ((a, partner), (partner, a)):
                x.role, x.label, x.related = "decoy", "same_age_partner", y
            town.couples.append((a, partner))

    _friendships(b, town, round(n * v.friendship_groups))

    wanted = round(n * v.many_placements)
    placed = [c for c in b.children if c.role == "ordinary" and c.placed_from]
    others = [c for c in b.children if c.role == "ordinary" and not c.placed_from]
    chosen = _some(b, placed, min(wanted, len(placed) // 2), lambda _c: True)
    chosen += _some(b, others, wanted - len(chosen), lambda c: age_on(c.dob, E) >= 8)
    for child in chosen:
        child.role, child.label, child.in_care = "decoy", "many_placements", True

    def at_home(c: Person) -> bool:
        return c.household is not None and bool(c.household.adults) and age_on(c.dob, E) >= 5

    for child in _some(
        b, [c for c in b.children if c.role == "ordinary"], round(n * v.abused_at_home), at_home
    ):
        hh = child.household
        assert hh is not None
        men = [a for a in hh.adults if a.sex == "M"]
        abuser = rng.choice(men) if men and rng.random() < 0.75 else rng.choice(hh.adults)
        child.role, child.label, child.related = "decoy", "abused_at_home", abuser
        if "abuser" not in abuser.traits:
            abuser.traits += ("abuser",)


def _some(b: VariantBuilder, pool: list[Person], k: int, ok: Callable[[Person], bool]) -> list[Person]:
    fits = [c for c in pool if c.role == "ordinary" and ok(c)]
    return b.rng.sample(fits, min(max(k, 0), len(fits)))


def _partner(b: VariantBuilder, a: Person, teen: list[Person]) -> Person | None:
    rng = b.rng
    want_sex = a.sex if rng.random() < 0.1 else ("M" if a.sex == "F" else "F")
    for _ in range(60):
        c = rng.choice(teen)
        if (
            c is not a
            and c.role == "ordinary"
            and c.sex == want_sex
            and c.household is not a.household
            and abs(c.dob.toordinal() - a.dob.toordinal()) < 1.5 * YEAR
            and (c.address.locality == a.address.locality or rng.random() < 0.3)
        ):
            return c
    return None


def _friendships(b: VariantBuilder, town: Town, wanted: int) -> None:
    """Groups of four to eight teenagers of one area, a third with a friend of 18 or 19, some with a car."""
    rng = b.rng
    by_loc: dict[str, list[Person]] = {}
    for c in b.children:
        if c.role == "ordinary" and 13 <= age_on(c.dob, E) <= 17:
            by_loc.setdefault(c.address.locality, []).append(c)
    members = 0
    for _ in range(wanted * 3):
        if members >= wanted - 2 or not by_loc:
            break
        loc = rng.choice(sorted(by_loc))
        pool = [c for c in by_loc[loc] if c.role == "ordinary"]
        if len(pool) < 4:
            del by_loc[loc]
            continue
        first = rng.choice(pool)
        near = [
            c for c in pool if c is not first and abs(c.dob.toordinal() - first.dob.toordinal()) < 2 * YEAR
        ]
        size = min(rng.randint(4, 8), len(near) + 1, wanted - members)
        if size < 3:
            continue
        group = [first, *rng.sample(near, size - 1)]
        older = None
        if rng.random() < 0.35:
            older = b.free_adult("decoy", rng.choice("FM"), 15, 16, loc)  # 18 or 19 by the end
            older.label = "older_friend"
            if rng.random() < 0.5:
                older.vehicle = b.vehicle()
        for c in group:
            c.role, c.label, c.related = "decoy", "friendship_group", older
        town.friendships.append((group, older))
        members += len(group)


def carers(b: VariantBuilder, town: Town) -> None:
    """A carer for every child in care: one of the town's foster carers if it has them, one after another
    for a child moved between placements; and a relative for each runaway to stay with.
    """
    rng = b.rng
    fosterers = [h for h in town.hubs if h.hub_type == "foster_carer"]
    for child in b.children:
        if child.in_care:
            moves = rng.randint(3, 8) if child.label == "many_placements" else 1
            line: list[Person] = []
            for _ in range(moves):
                if fosterers and rng.random() < 0.85:
                    line.append(rng.choice(fosterers))
                else:
                    line.append(b.free_adult("ordinary", "F" if rng.random() < 0.8 else "M", 30, 62))
            town.placements[child.pid] = line
            town.carers[child.pid] = line[-1]
            if child.placed_from and line[-1].hub_type == "foster_carer":
                child.address = line[-1].address  # living with the carer
                assert child.household is not None
                child.household.address = child.address
        if child.role == "missing_not_exploited":
            hh = child.household
            assert hh is not None
            comm = COMMUNITIES[hh.community]
            sex = rng.choice("FM")
            code = COMMUNITY_CODE[hh.community] if child.ethnicity.startswith("M") else child.ethnicity
            dob = date.fromordinal(child.dob.toordinal() - int(rng.uniform(22, 55) * YEAR))
            town.relatives[child.pid] = b.adult(
                "ordinary",
                sex,
                dob,
                code,
                comm,
                comm.surname_for(hh.family, sex),
                b.addresses.new(b.locality()),
            )
