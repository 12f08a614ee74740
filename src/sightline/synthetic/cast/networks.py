"""Exploitation networks of every model, in the variant's proportions: victims, men, cars, phones, places."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .. import geography as geo
from .. import identifiers as ids
from ..exploitation import AWAY, MODELS, Model
from ..model import Network, Person, Place
from ..names import COMMUNITIES, DERIVED_NICKNAMES, STREET_NICKNAMES
from ..population import YEAR, E, S, age_on

if TYPE_CHECKING:
    from . import VariantBuilder

SEMI_PUBLIC = ("takeaway", "car_park", "hotel", "park", "shop", "bus_station")


def allocate(total: int, shares: dict[str, float]) -> dict[str, int]:
    """`total` split in proportion to `shares`, largest remainders first, so the counts add up exactly."""
    exact = {k: total * s for k, s in shares.items()}
    counts = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def build(b: VariantBuilder, places: list[Place]) -> list[Network]:
    rng, v = b.rng, b.v
    total = max(4, round(b.n * v.victims)) if v.victims > 0 else 0
    counts = allocate(total, v.model_shares())
    plan: list[tuple[str, bool, list[str]]] = []  # model, tiny, the sex of each victim
    for model, count in counts.items():
        m = MODELS[model]
        boys = round(count * (v.criminal_boys if m.exploitation == "criminal" else v.boys))
        sexes = ["M"] * boys + ["F"] * (count - boys)
        rng.shuffle(sexes)
        while sexes:
            tiny = rng.random() < m.tiny
            size = min(len(sexes), rng.randint(1, 2) if tiny else rng.randint(*m.victims))
            plan.append((model, tiny, sexes[:size]))
            sexes = sexes[size:]
    rng.shuffle(plan)
    placed_slots = set(rng.sample(range(total), round(total * v.placed_victims)))

    pools = _Pools(b.children)
    haunts: dict[str, list[Place]] = {}
    for place in places:
        if place.category in SEMI_PUBLIC:
            haunts.setdefault(place.category, []).append(place)
    for pool in haunts.values():
        rng.shuffle(pool)
    if counts.get("county_lines"):
        places += _away_places(b)
    nets: list[Network] = []
    slot = 0
    for model, tiny, sexes in plan:
        m = MODELS[model]
        net = Network(f"NET-{len(nets) + 1:03d}", b.locality(), tiny, model=model)
        net.start = b.day(S - 200, E - 300)
        net.end = min(E, net.start + rng.randint(365, 1200))
        _offenders(b, net, m)
        _cars_and_phones(b, net, m)
        _places(b, net, m, haunts, places)
        for sex in sexes:
            _victim(b, net, m, sex, slot in placed_slots, pools)
            slot += 1
        if net.victims:
            nets.append(net)
        else:
            for off in net.offenders:
                off.role, off.network, off.label = "ordinary", None, ""
    return nets


class _Pools:
    """Children who may be exploited, by sex, by area and sex, and those placed from elsewhere."""

    def __init__(self, children: Iterable[Person]) -> None:
        self.by_sex: dict[str, list[Person]] = {"F": [], "M": []}
        self.local: dict[tuple[str, str], list[Person]] = {}
        self.placed: dict[str, list[Person]] = {"F": [], "M": []}
        for c in children:
            if age_on(c.dob, E) < 12:
                continue
            if c.placed_from:
                self.placed[c.sex].append(c)
            else:
                self.by_sex[c.sex].append(c)
                self.local.setdefault((c.address.locality, c.sex), []).append(c)


def _offenders(b: VariantBuilder, net: Network, m: Model) -> None:
    rng, v = b.rng, b.v
    nicknames: set[str] = set()
    for i in range(2 if net.tiny else rng.randint(*m.offenders)):
        sex = "M" if rng.random() < m.male or (net.model == "boyfriend" and i == 0) else "F"
        lo, hi = m.offender_age
        off = b.free_adult("offender", sex, lo, hi, net.locality if rng.random() < 0.6 else None)
        if net.model == "peer" or (net.model == "boyfriend" and i == 0):
            young = (17, 19.9) if net.model == "peer" else (18, 23)
            born = net.start - int(rng.uniform(*young) * YEAR)
            off.dob = date.fromordinal(min(born, E - int(18 * YEAR) - 1))  # an adult by the period's end
            if net.model == "boyfriend":
                off.traits += ("boyfriend",)
        off.network, off.label = net, net.model
        if rng.random() < m.pnc:
            off.pnc = b.pnc()
        if not off.phone:
            off.phone = b.phone()
        nick = DERIVED_NICKNAMES.get(off.given, "") if rng.random() < 0.7 else ""
        while not nick or nick in nicknames:
            nick = rng.choice(STREET_NICKNAMES)
        nicknames.add(nick)
        off.nickname = nick
        if i > 0 and rng.random() < v.described_only:
            off.described_only, off.pnc = True, ""
            off.traits += ("described_only",)
        elif rng.random() < v.aliases:
            _give_aliases(b, off, nicknames)
        net.offenders.append(off)


def _give_aliases(b: VariantBuilder, off: Person, taken: set[str]) -> None:
    """Another street name for youth workers, another name altogether for health and social care."""
    rng = b.rng
    other = rng.choice([n for n in STREET_NICKNAMES if n not in taken] or STREET_NICKNAMES)
    community = COMMUNITIES[off.community]
    false_given = community.given(rng, off.sex, adult=True)
    false_family = community.surname_for(community.surnames.pick(rng), off.sex)
    off.aliases = {
        "youth_service": (other, ""),
        "health": (false_given, false_family),
        "social_care": (false_given, false_family),
    }
    off.traits += ("aliases",)


def _cars_and_phones(b: VariantBuilder, net: Network, m: Model) -> None:
    rng, v = b.rng, b.v
    men = net.offenders
    for owner in rng.sample(men, min(len(men), rng.randint(*m.cars))):
        owner.vehicle = b.vehicle()
        net.vehicles.append(owner.vehicle)
    named = [o for o in men if not o.described_only]
    drivers = [o for o in named if rng.random() < m.taxi]
    if m.taxi >= 0.5 and not drivers and named:
        drivers = [named[0]]
    for driver in drivers:
        driver.vehicle = b.vehicle(taxi=True)
        driver.taxi_driver, driver.taxi_firm = True, rng.choice(geo.TAXI_FIRMS)
        net.vehicles.append(driver.vehicle)
    for man in men:
        if man.vehicle is None and net.vehicles and rng.random() < v.shared_vehicles:
            owner = rng.choice([o for o in men if o.vehicle is not None])
            assert owner.vehicle is not None
            man.vehicle = owner.vehicle
            if owner.taxi_driver and not man.described_only:  # two drivers on one licensed car
                man.taxi_driver, man.taxi_firm = True, owner.taxi_firm
            for who in (man, owner):
                if "shared_vehicle" not in who.traits:
                    who.traits += ("shared_vehicle",)
    for i, man in enumerate(men[1:], start=1):
        if rng.random() < v.shared_phones:
            other = men[rng.randrange(i)]
            man.phone = other.phone
            for who in (man, other):
                if "shared_phone" not in who.traits:
                    who.traits += ("shared_phone",)
    net.phones = list(dict.fromkeys(o.phone for o in men))
    if rng.random() < m.line_phone:
        net.phones.append(b.phone())


def _places(
    b: VariantBuilder, net: Network, m: Model, haunts: dict[str, list[Place]], places: list[Place]
) -> None:
    rng = b.rng
    kind = m.private
    if kind == "flat|house":
        kind = "flat" if rng.random() < 0.6 else "house"
    if kind == "flat":
        flat = b.addresses.new(net.locality, flat=True)
        text = flat.line(short=True, with_locality=False)
        net.places.append(Place(text, text, "flat", flat.postcode, net.locality, False))
    elif kind == "house":
        host = net.offenders[0]
        text = host.address.line(short=True, with_locality=False)
        net.places.append(Place(text, text, "house", host.address.postcode, host.address.locality, False))
    wanted = max(rng.randint(*m.n_haunts), 0 if net.places else 1)
    for _ in range(wanted):
        open_kinds = [k for k in m.haunts if haunts.get(k)]
        if open_kinds:
            net.places.append(haunts[rng.choice(open_kinds)].pop())
        else:  # every haunt of these kinds is some group's already: share one
            net.places.append(rng.choice([p for p in places if p.category in m.haunts] or places))


def _away_places(b: VariantBuilder) -> list[Place]:
    """Addresses in other towns where a county line's runners are found: a flat taken over from a user."""
    rng = b.rng
    out = []
    for town, district in AWAY:
        stem, (_, short_end) = rng.choice(geo.STREET_STEMS), rng.choice(geo.STREET_ENDINGS)
        number = rng.randint(1, 90)
        code = ids.postcode(district, rng.randint(1, 9), rng)
        name = f"{number} {stem} {short_end}, {town}"
        out.append(Place(name, f"an address in {town}", "away", code, town, False))
    return out


def _victim(b: VariantBuilder, net: Network, m: Model, sex: str, placed: bool, pools: _Pools) -> None:
    rng = b.rng
    for _attempt in range(200):
        if placed and pools.placed[sex]:
            pool = pools.placed[sex]
        elif rng.random() < m.local:
            pool = pools.local.get((net.locality, sex)) or pools.by_sex[sex]
        else:
            pool = pools.by_sex[sex]
        if not pool:
            return
        cand = rng.choice(pool)
        if cand.role != "ordinary":
            continue
        start = max(net.start, cand.dob.toordinal() + int(m.victim_from_age * YEAR), S)
        end = min(net.end, E)
        if end - start < 60:
            continue
        cand.role, cand.network, cand.label = "victim", net, net.model
        cand.exploited_from = b.day(start, end - 60)
        cand.exploited_to = b.day(cand.exploited_from + 60, end)
        low = b.v.low_visibility
        cand.visibility = rng.choices(
            ("high", "medium", "low"), (0.55 * (1 - low), 0.35 * (1 - low), 0.9 * low)
        )[0]
        net.victims.append(cand)
        return


def flag(b: VariantBuilder, nets: list[Network]) -> None:
    """Social care names the exploitation of the variant's share of victims, the visible ones more often."""
    rng = b.rng
    victims = [v for net in nets for v in net.victims]
    wanted = min(len(victims) - 1, round(len(victims) * b.v.flagged)) if len(victims) > 1 else 0
    weight = {"high": 3.0, "medium": 1.5, "low": 0.3}
    pool = list(victims)
    for _ in range(wanted):
        pick = rng.choices(pool, [weight[v.visibility] for v in pool])[0]
        pick.flagged = True
        pool.remove(pick)
