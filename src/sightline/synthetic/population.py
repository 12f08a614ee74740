"""Who lives in the town: households, schools, places, benign hubs, taxi drivers and exploitation networks.

Ethnicity is drawn independently of where people live and of every role: victims are chosen by age, sex and
the area a group operates in; offenders' ethnicity follows the town's adult distribution.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from itertools import accumulate

from . import geography as geo
from . import identifiers as ids
from .model import Address, Household, Network, Person, Place, School, Town, Vehicle
from .names import COMMUNITIES, DERIVED_NICKNAMES, ETHNICITIES, STREET_NICKNAMES, Community

PERIOD_START = date(2011, 1, 1)
PERIOD_END = date(2014, 6, 30)
S = PERIOD_START.toordinal()
E = PERIOD_END.toordinal()
YEAR = 365.25

Progress = Callable[[str, int, int], None]

# Community -> the DfE code its adults carry in a single-heritage household.
COMMUNITY_CODE = {
    "british": "WBRI",
    "irish": "WIRI",
    "pakistani": "APKN",
    "bangladeshi": "ABAN",
    "indian": "AIND",
    "east_european": "WOTH",
    "roma": "WROM",
    "african": "BAFR",
    "caribbean": "BCRB",
    "middle_eastern": "OOTH",
    "chinese": "CHNE",
}
CHILDREN_PER_HOUSEHOLD = ((1, 0.35), (2, 0.38), (3, 0.18), (4, 0.07), (5, 0.02))
# Consecutive clashes before a locality's postcodes or street names are taken as nearly used up.
CROWDED = 60
STREET_PREFIXES = ("Upper", "Lower", "New", "Old", "Little", "Great", "North", "South", "East", "West")
HUB_TYPES = ("coach", "shopkeeper", "youth_worker", "teacher", "school_driver")
HUB_WEIGHTS = (0.25, 0.25, 0.2, 0.2, 0.1)


def age_on(dob: date, day: int) -> int:
    when = date.fromordinal(day)
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


class AddressBook:
    """Hands out unique addresses, street by street, with real-looking postcodes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_postcodes: set[str] = set()
        self.streets: dict[str, list[tuple[str, str, str, int, int]]] = {}  # locality -> open streets
        self.street_names: dict[str, set[str]] = {loc: set() for loc, _ in geo.LOCALITIES}
        self.district = dict(geo.LOCALITIES)
        self.sectors = {loc: rng.sample(range(1, 10), 3) for loc, _ in geo.LOCALITIES}
        self.used_districts = set(self.district.values())  # every district ever handed out
        self.street_prefix = {loc: "" for loc, _ in geo.LOCALITIES}
        self.blocks = 0

    def _new_postcode(self, locality: str) -> str:
        tries = 0
        while True:
            code = ids.postcode(self.district[locality], self.rng.choice(self.sectors[locality]), self.rng)
            if code not in self.used_postcodes:
                self.used_postcodes.add(code)
                return code
            tries += 1
            if tries >= CROWDED:
                self._more_postcodes(locality)
                tries = 0

    def _more_postcodes(self, locality: str) -> None:
        """A locality whose sectors are nearly full takes another sector, then another district: a
        county-sized town holds more homes than three sectors' 1,200 units (without this, a million
        records looped for ever). Small towns never get here, so their output is unchanged."""
        free = [s for s in range(10) if s not in self.sectors[locality]]
        if free:
            self.sectors[locality].append(free[0])
            return
        area = self.district[locality].rstrip("0123456789")
        number = next(n for n in range(10, 100) if f"{area}{n}" not in self.used_districts)
        self.district[locality] = f"{area}{number}"
        self.used_districts.add(self.district[locality])
        self.sectors[locality] = list(range(1, 10))

    def _new_street(self, locality: str) -> tuple[str, str]:
        tries = 0
        while True:
            stem = self.rng.choice(geo.STREET_STEMS)
            long_end, short_end = self.rng.choice(geo.STREET_ENDINGS)
            prefix = self.street_prefix[locality]
            name = f"{prefix}{stem} {long_end}"
            if name not in self.street_names[locality]:
                self.street_names[locality].add(name)
                return name, f"{prefix}{stem} {short_end}"
            tries += 1
            if tries >= CROWDED:  # every stem and ending taken, nearly: "Upper ...", "New ..." and on
                self.street_prefix[locality] = self._next_prefix(self.street_prefix[locality])
                tries = 0

    @staticmethod
    def _next_prefix(prefix: str) -> str:
        words = prefix.split()
        if not words:
            return f"{STREET_PREFIXES[0]} "
        i = STREET_PREFIXES.index(words[-1])
        if i + 1 < len(STREET_PREFIXES):
            return " ".join([*words[:-1], STREET_PREFIXES[i + 1]]) + " "
        return " ".join([*words, STREET_PREFIXES[0]]) + " "

    def new(self, locality: str, flat: bool | None = None) -> Address:
        rng = self.rng
        if flat is None:
            flat = rng.random() < 0.12
        if flat:
            self.blocks += 1
            name, short = self._new_street(locality)
            block = f"{rng.choice(geo.STREET_STEMS)} House"
            return Address(
                f"Flat {rng.randint(1, 40)}, {block}", name, short, locality, self._new_postcode(locality)
            )
        open_streets = self.streets.setdefault(locality, [])
        if not open_streets or rng.random() < 0.08:
            name, short = self._new_street(locality)
            open_streets.append((name, short, self._new_postcode(locality), 0, rng.randint(14, 24)))
        i = rng.randrange(len(open_streets))
        name, short, code, last, per_code = open_streets[i]
        number = last + rng.choice((1, 2, 2))
        if number > per_code:  # the next stretch of the street has its own postcode
            code, per_code = self._new_postcode(locality), per_code + rng.randint(14, 24)
        if number > 140:
            open_streets.pop(i)
        else:
            open_streets[i] = (name, short, code, number, per_code)
        return Address(str(number), name, short, locality, code)


class TownBuilder:
    def __init__(self, children: int, seed: int, progress: Progress | None) -> None:
        self.n = children
        self.rng = random.Random(f"sightline-town/{seed}/population")
        self.progress = progress
        self.addresses = AddressBook(self.rng)
        self.localities = [loc for loc, _ in geo.LOCALITIES]
        self.locality_weights = [self.rng.uniform(0.5, 1.5) for _ in self.localities]
        self.eth_codes = list(ETHNICITIES)
        self.eth_cum = list(accumulate(ETHNICITIES[c][0] for c in self.eth_codes))
        self.locality_cum = list(accumulate(self.locality_weights))
        self.children: list[Person] = []
        self.adults: list[Person] = []
        self.households: list[Household] = []
        self.pid = 0
        self.used_phones: set[str] = set()
        self.used_regs: set[str] = set()
        self.pnc_serial = self.rng.randint(100000, 400000)

    # --- small helpers ---------------------------------------------------------------------------------
    def next_pid(self) -> str:
        self.pid += 1
        return f"T{self.pid:07d}"

    def locality(self) -> str:
        return self.rng.choices(self.localities, cum_weights=self.locality_cum)[0]

    def ethnicity(self) -> str:
        return self.rng.choices(self.eth_codes, cum_weights=self.eth_cum)[0]

    def phone(self) -> str:
        while True:
            number = ids.mobile(self.rng)
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def vehicle(self, taxi: bool = False) -> Vehicle:
        while True:
            reg = ids.registration(self.rng)
            if reg not in self.used_regs:
                self.used_regs.add(reg)
                models = geo.TAXI_MODELS if taxi else geo.CAR_MODELS
                return Vehicle(reg, f"{self.rng.choice(geo.COLOURS)} {self.rng.choice(models)}")

    def pnc(self) -> str:
        self.pnc_serial += self.rng.randint(1, 400)
        return ids.pnc_id(self.rng.randint(1995, 2012), self.pnc_serial)

    def day(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, max(lo, hi))

    def adult(
        self,
        role: str,
        sex: str,
        dob: date,
        ethnicity: str,
        community: Community,
        family: str,
        address: Address,
        household: Household | None = None,
    ) -> Person:
        rng = self.rng
        person = Person(
            pid=self.next_pid(),
            kind="adult",
            given=community.given(rng, sex, adult=True),
            family=family,
            dob=dob,
            sex=sex,
            ethnicity=ethnicity,
            community=community.name,
            role=role,
            address=address,
            household=household,
            phone=self.phone() if rng.random() < 0.92 else "",
        )
        if household is not None:
            person.old_address = household.old_address
        self.adults.append(person)
        return person

    def free_adult(
        self, role: str, sex: str, age_lo: float, age_hi: float, locality: str | None = None
    ) -> Person:
        """An adult outside the child households: own address, ethnicity drawn from the town's mix."""
        rng = self.rng
        code = self.ethnicity()
        _, father_line, mother_line = ETHNICITIES[code]
        community = COMMUNITIES[father_line]
        given_community = COMMUNITIES[rng.choice((father_line, mother_line))]
        family = community.surname_for(community.surnames.pick(rng), sex)
        dob = date.fromordinal(S - self.day(int(age_lo * YEAR), int(age_hi * YEAR)))
        address = self.addresses.new(locality or self.locality())
        person = self.adult(role, sex, dob, code, given_community, family, address)
        person.community = father_line
        return person

    # --- households ----------------------------------------------------------------------------------------
    def build_households(self) -> None:
        rng = self.rng
        youngest = date(2010, 6, 30).toordinal()
        eldest = date(1996, 7, 1).toordinal()
        sizes = [k for k, _ in CHILDREN_PER_HOUSEHOLD]
        size_cum = list(accumulate(w for _, w in CHILDREN_PER_HOUSEHOLD))
        made = 0
        while made < self.n:
            k = min(rng.choices(sizes, cum_weights=size_cum)[0], self.n - made)
            code = self.ethnicity()
            _, father_line, mother_line = ETHNICITIES[code]
            fam_comm = COMMUNITIES[father_line]
            base_family = fam_comm.surnames.pick(rng)
            locality = self.locality()
            address = self.addresses.new(locality)
            old_address, move_day = None, 0
            if rng.random() < 0.07:
                old_address = self.addresses.new(self.locality() if rng.random() < 0.4 else locality)
                move_day = self.day(S + 60, E - 30)
            hh = Household(
                f"H{len(self.households) + 1:06d}", base_family, father_line, address, old_address, move_day
            )
            self.households.append(hh)
            # Children: distinct birthdays at least ten months apart.
            days: list[int] = []
            for _ in range(k * 6):
                if len(days) == k:
                    break
                d = rng.randint(eldest, youngest)
                if all(abs(d - o) > 300 for o in days):
                    days.append(d)
            days.sort()
            names: set[str] = set()
            for d in days:
                sex = rng.choice("FM")
                given_comm = COMMUNITIES[rng.choice((father_line, mother_line))]
                given = given_comm.given(rng, sex, adult=False)
                while given in names:
                    given = given_comm.given(rng, sex, adult=False)
                names.add(given)
                child = Person(
                    pid=self.next_pid(),
                    kind="child",
                    given=given,
                    family=fam_comm.surname_for(base_family, sex),
                    dob=date.fromordinal(d),
                    sex=sex,
                    ethnicity=code,
                    community=father_line,
                    role="ordinary",
                    address=address,
                    old_address=old_address,
                    household=hh,
                )
                hh.children.append(child)
                self.children.append(child)
            made += len(days)
            # Parents and carers.
            first_birth = days[0]
            mother_age = rng.uniform(17, 38)
            mother_dob = date.fromordinal(first_birth - int(mother_age * YEAR) - rng.randint(0, 200))
            father_dob = date.fromordinal(mother_dob.toordinal() - int(rng.uniform(-2, 8) * YEAR))
            mono = father_line == mother_line
            f_code = code if mono else COMMUNITY_CODE[father_line]
            m_code = code if mono else COMMUNITY_CODE[mother_line]
            shape = rng.random()
            if shape < 0.02:  # kinship carer: a grandmother
                gran_dob = date.fromordinal(first_birth - int(rng.uniform(36, 52) * YEAR))
                self.adult(
                    "parent",
                    "F",
                    gran_dob,
                    m_code,
                    COMMUNITIES[mother_line],
                    fam_comm.surname_for(base_family, "F"),
                    address,
                    hh,
                )
            else:
                if shape < 0.97:
                    mother_comm = COMMUNITIES[mother_line]
                    self.adult(
                        "parent",
                        "F",
                        mother_dob,
                        m_code,
                        mother_comm,
                        fam_comm.surname_for(base_family, "F"),
                        address,
                        hh,
                    )
                if shape < 0.72 or shape >= 0.97:
                    family = base_family
                    if shape < 0.72 and rng.random() < 0.12:  # stepfather with his own family name
                        family = fam_comm.surnames.pick(rng)
                    self.adult(
                        "parent", "M", father_dob, f_code, COMMUNITIES[father_line], family, address, hh
                    )
            hh.adults = [a for a in self.adults[-2:] if a.household is hh]
            if self.progress and len(self.households) % 2000 == 0:
                self.progress("households", made, self.n)
        for child in self.children:
            if age_on(child.dob, E) >= 12 and rng.random() < 0.75:
                child.phone = self.phone()

    def plant_twins(self, per_child: float = 0.007) -> list[tuple[Person, Person]]:
        rng = self.rng
        wanted = max(2, round(self.n * per_child))
        candidates = [h for h in self.households if len(h.children) >= 2]
        twins = []
        for hh in rng.sample(candidates, min(wanted, len(candidates))):
            a, b = hh.children[0], hh.children[1]
            b.dob = a.dob
            if rng.random() < 0.5:  # same-sex twins half the time
                b.sex = a.sex
                comm = COMMUNITIES[b.community]
                b.family = comm.surname_for(hh.family, b.sex)
                names = {c.given for c in hh.children}
                given = COMMUNITIES[rng.choice((a.community, b.community))].given(rng, b.sex, adult=False)
                for _ in range(50):
                    if given not in names:
                        break
                    given = COMMUNITIES[b.community].given(rng, b.sex, adult=False)
                if given not in names:
                    b.given = given
            if a.given != b.given:
                twins.append((a, b))
        return twins

    def plant_namesakes(self, wanted: int = 0) -> list[tuple[Person, Person]]:
        """Make pairs of unrelated children share a full name: different household, birthday and area."""
        rng = self.rng
        wanted = wanted or max(3, self.n // 250)
        by_comm: dict[str, list[Household]] = {}
        for hh in self.households:
            by_comm.setdefault(hh.community, []).append(hh)
        pairs: list[tuple[Person, Person]] = []
        touched: set[str] = set()
        for _ in range(wanted * 20):
            if len(pairs) >= wanted:
                break
            a = rng.choice(self.children)
            a_hh = a.household
            assert a_hh is not None
            pool = by_comm.get(a_hh.community, [])
            if len(pool) < 2:
                continue
            b_hh = rng.choice(pool)
            if b_hh is a_hh or b_hh.hid in touched or a_hh.hid in touched:
                continue
            if b_hh.address.locality == a_hh.address.locality and rng.random() < 0.8:
                continue
            same_sex = [
                c for c in b_hh.children if c.sex == a.sex and abs(c.dob.toordinal() - a.dob.toordinal()) > 30
            ]
            if not same_sex:
                continue
            b = same_sex[0]
            if any(c.given == a.given for c in b_hh.children if c is not b):
                continue
            comm = COMMUNITIES[b_hh.community]
            old = b_hh.family
            for member in b_hh.children + b_hh.adults:
                if member.family == comm.surname_for(old, member.sex):
                    member.family = comm.surname_for(a_hh.family, member.sex)
            b_hh.family = a_hh.family
            b.given = a.given
            touched.update((a_hh.hid, b_hh.hid))
            pairs.append((a, b))
        return pairs

    # --- schools and places ------------------------------------------------------------------------------
    def build_schools(self) -> list[School]:
        rng = self.rng
        district_of = dict(geo.LOCALITIES)
        census_day = date(2013, 9, 1).toordinal()
        primary: dict[str, list[Person]] = {}
        secondary: dict[str, list[Person]] = {}
        for child in self.children:
            loc = child.address.locality
            if age_on(child.dob, census_day) <= 10:
                primary.setdefault(loc, []).append(child)
            else:
                secondary.setdefault(district_of[loc], []).append(child)
        schools: list[School] = []
        used_names: set[str] = set()
        estab = {"primary": rng.randint(2000, 2100), "secondary": rng.randint(4000, 4100)}

        def make(phase: str, loc: str) -> School:
            patterns = geo.PRIMARY_SCHOOL_PATTERNS if phase == "primary" else geo.SECONDARY_SCHOOL_PATTERNS
            name = ""
            for _ in range(100):
                name = rng.choice(patterns).format(loc=loc, saint=rng.choice(geo.SAINTS))
                if name not in used_names:
                    break
            if name in used_names:
                name = f"{name} ({len(schools) + 1})"
            used_names.add(name)
            estab[phase] += rng.randint(1, 9)
            code = self.addresses._new_postcode(loc)
            place = Place(name, name, "school", code, loc, public=True)
            school = School(name, phase, loc, code, f"{estab[phase]:04d}", place)
            schools.append(school)
            return school

        groups: list[tuple[str, str, list[Person], int]] = [
            ("primary", loc, kids, 210) for loc, kids in sorted(primary.items())
        ]
        for district, kids in sorted(secondary.items()):
            locs = [loc for loc, d in geo.LOCALITIES if d == district]
            groups.append(("secondary", "|".join(locs), kids, 900))
        all_by_phase: dict[str, list[School]] = {"primary": [], "secondary": []}
        for phase, where, kids, per_school in groups:
            count = max(1, round(len(kids) / per_school))
            locs = where.split("|")
            made = [make(phase, locs[i % len(locs)] if phase == "secondary" else where) for i in range(count)]
            all_by_phase[phase].extend(made)
            for kid in kids:
                kid.school = rng.choice(made)
        for kid in self.children:  # one in ten travels to a school elsewhere in town
            assert kid.school is not None
            if rng.random() < 0.1:
                kid.school = rng.choice(all_by_phase[kid.school.phase])
            kid.school.pupils.append(kid)
        serial: dict[tuple[str, int], int] = {}
        for kid in self.children:
            assert kid.school is not None
            year = kid.dob.year + 5
            key = (kid.school.establishment, year)
            serial[key] = serial.get(key, rng.randint(0, 50)) + 1
            kid.upn = ids.upn(geo.LA_CODE, kid.school.establishment, year, serial[key] % 1000)
        return schools

    def build_places(self) -> list[Place]:
        rng = self.rng
        places: list[Place] = []
        roads = [(long, short, self.locality()) for long, short in geo.MAIN_ROADS]
        road_code = {long: self.addresses._new_postcode(loc) for long, _, loc in roads}

        def on_road(name: str, category: str, public: bool) -> Place:
            long, short, loc = rng.choice(roads)
            code = road_code[long] if rng.random() < 0.5 else self.addresses._new_postcode(loc)
            return Place(f"{name}, {short}", name, category, code, loc, public)

        seen: set[str] = set()

        def add(place: Place) -> None:
            if place.name not in seen:
                seen.add(place.name)
                places.append(place)

        for _ in range(max(14, self.n // 350)):
            add(on_road(rng.choice(geo.TAKEAWAY_NAMES).replace("_", " "), "takeaway", True))
        for _ in range(max(8, self.n // 600)):
            loc = self.locality()
            name = f"{loc} {rng.choice(geo.SHOP_NAMES).replace('_', ' ')}"
            add(on_road(name, "shop", True))
        for hotel in geo.HOTEL_NAMES:
            add(on_road(hotel, "hotel", True))
        for park in geo.PARK_NAMES:
            loc = self.locality()
            add(Place(park, park, "park", self.addresses._new_postcode(loc), loc, True))
        for car_park in geo.CAR_PARK_NAMES:
            add(
                Place(
                    car_park,
                    car_park,
                    "car_park",
                    self.addresses._new_postcode("Town Centre"),
                    "Town Centre",
                    True,
                )
            )
        for name, category, code in geo.PUBLIC_PLACES:
            add(Place(name, name.split(",")[0], category, code, "Town Centre", True))
        for loc in self.localities:
            if rng.random() < 0.5:
                name = f"{loc} Youth Centre"
                add(Place(name, name, "youth_centre", self.addresses._new_postcode(loc), loc, True))
        for name in geo.CHILDRENS_HOMES:
            loc = self.locality()
            add(Place(name, name, "childrens_home", self.addresses._new_postcode(loc), loc, False))
        return places

    # --- adults outside households -------------------------------------------------------------------------
    def build_hubs(self, places: list[Place], schools: list[School]) -> list[Person]:
        rng = self.rng
        count = max(5, self.n // 200)
        kinds = list(HUB_TYPES) + rng.choices(HUB_TYPES, HUB_WEIGHTS, k=max(0, count - len(HUB_TYPES)))
        by_cat: dict[str, list[Place]] = {}
        for place in places:
            by_cat.setdefault(place.category, []).append(place)
        return [self.hub(kind, by_cat, schools) for kind in kinds]

    def hub(self, kind: str, by_cat: dict[str, list[Place]], schools: list[School]) -> Person:
        rng = self.rng
        sex = "F" if kind in ("youth_worker", "teacher") and rng.random() < 0.55 else "M"
        hub = self.free_adult("benign_hub", sex, 24, 58)
        hub.hub_type = kind
        if kind == "coach":
            hub.hub_place = rng.choice(by_cat["park"] + by_cat["leisure"])
        elif kind == "shopkeeper":
            hub.hub_place = rng.choice(by_cat["shop"])
        elif kind == "youth_worker":
            hub.hub_place = rng.choice(by_cat.get("youth_centre") or by_cat["park"])
        else:
            school = rng.choice([s for s in schools if s.phase == "secondary"] or schools)
            hub.hub_place = school.place
            if kind == "school_driver":
                hub.vehicle = self.vehicle(taxi=True)
                hub.taxi_driver = True
                hub.taxi_firm = rng.choice(geo.TAXI_FIRMS)
        hub.address = self.addresses.new(hub.hub_place.locality if rng.random() < 0.6 else self.locality())
        return hub

    def build_taxi_drivers(self) -> None:
        rng = self.rng
        fathers = [a for a in self.adults if a.role == "parent" and a.sex == "M" and age_on(a.dob, E) < 62]
        count = max(6, self.n // 150)
        for i in range(count):
            if fathers and i % 5 < 3:
                driver = fathers.pop(rng.randrange(len(fathers)))
            else:
                driver = self.free_adult("ordinary", "M", 22, 60)
            driver.taxi_driver = True
            driver.taxi_firm = rng.choice(geo.TAXI_FIRMS)
            driver.vehicle = self.vehicle(taxi=True)
            if not driver.phone:
                driver.phone = self.phone()

    # --- exploitation networks ------------------------------------------------------------------------------
    def build_networks(self, places: list[Place]) -> list[Network]:
        rng = self.rng
        victims_wanted = max(4, round(self.n * rng.uniform(0.012, 0.018)))
        plan: list[tuple[bool, int]] = []
        total = 0
        while total < victims_wanted:
            tiny = len(plan) % 3 == 1
            size = rng.randint(1, 2) if tiny else rng.randint(3, 12)
            size = min(size, victims_wanted - total)
            plan.append((tiny or size <= 2, size))
            total += size
        if not any(t for t, _ in plan):  # always at least one tiny group
            plan.append((True, 1))
        rng.shuffle(plan)

        eligible = [c for c in self.children if age_on(c.dob, E) >= 12]
        eligible_by_loc: dict[str, list[Person]] = {}
        for child in eligible:
            eligible_by_loc.setdefault(child.address.locality, []).append(child)
        taken: set[str] = set()
        semi_public = [p for p in places if p.category in ("takeaway", "car_park", "hotel", "park", "shop")]
        rng.shuffle(semi_public)
        networks: list[Network] = []
        for i, (tiny, size) in enumerate(plan):
            net = Network(f"NET-{i + 1:03d}", self.locality(), tiny)
            net.start = self.day(S - 200, E - 300)
            net.end = min(E, net.start + rng.randint(365, 1200))
            # Offenders.
            n_off = 2 if tiny else rng.randint(3, 8)
            nicknames: set[str] = set()
            for _ in range(n_off):
                sex = "M" if rng.random() < 0.94 else "F"
                lo, hi = (18, 30) if tiny else (18, 50)
                off = self.free_adult("offender", sex, lo, hi, net.locality if rng.random() < 0.6 else None)
                off.network = net
                if rng.random() < 0.45:
                    off.pnc = self.pnc()
                if not off.phone:
                    off.phone = self.phone()
                nick = DERIVED_NICKNAMES.get(off.given, "") if rng.random() < 0.7 else ""
                while not nick or nick in nicknames:
                    nick = rng.choice(STREET_NICKNAMES)
                nicknames.add(nick)
                off.nickname = nick
                net.offenders.append(off)
            # Vehicles and phones.
            owners = rng.sample(net.offenders, min(len(net.offenders), rng.randint(1, 2 if tiny else 3)))
            for owner in owners:
                owner.vehicle = self.vehicle()
                net.vehicles.append(owner.vehicle)
            if rng.random() < (0.2 if tiny else 0.45):
                driver = rng.choice([o for o in net.offenders if o.vehicle is None] or net.offenders)
                driver.vehicle = self.vehicle(taxi=True)
                driver.taxi_driver = True
                driver.taxi_firm = rng.choice(geo.TAXI_FIRMS)
                if driver.vehicle not in net.vehicles:
                    net.vehicles.append(driver.vehicle)
            net.phones = [o.phone for o in net.offenders]
            if rng.random() < 0.5:
                net.phones.append(self.phone())  # a shared "line" given out to children
            # Hotspots: a private flat or house, and one or two semi-public places.
            if rng.random() < 0.6:
                flat = self.addresses.new(net.locality, flat=True)
                private = Place(
                    flat.line(short=True, with_locality=False),
                    flat.line(short=True, with_locality=False),
                    "flat",
                    flat.postcode,
                    net.locality,
                    False,
                )
            else:
                host = rng.choice(net.offenders)
                private = Place(
                    host.address.line(short=True, with_locality=False),
                    host.address.line(short=True, with_locality=False),
                    "house",
                    host.address.postcode,
                    host.address.locality,
                    False,
                )
            net.places.append(private)
            for _ in range(1 if tiny else rng.randint(1, 2)):
                if semi_public:
                    net.places.append(semi_public.pop())
            # Victims: children of the right age, most from the area the group works in.
            for _ in range(size):
                victim = None
                for _attempt in range(200):
                    local = rng.random() < 0.55
                    pool = eligible_by_loc.get(net.locality, []) if local else eligible
                    if not pool:
                        pool = eligible
                    cand = rng.choice(pool)
                    if cand.pid in taken:
                        continue
                    if cand.sex == "M" and rng.random() < 0.8:  # about 85% of victims are girls
                        continue
                    start = max(net.start, cand.dob.toordinal() + int(11.5 * YEAR), S)
                    end = min(net.end, E)
                    if end - start < 60:
                        continue
                    victim = cand
                    break
                if victim is None:
                    continue
                taken.add(victim.pid)
                victim.role = "victim"
                victim.network = net
                victim.exploited_from = self.day(start, end - 60)
                victim.exploited_to = self.day(victim.exploited_from + 60, end)
                victim.visibility = rng.choices(("high", "medium", "low"), (0.55, 0.35, 0.10))[0]
                net.victims.append(victim)
            if net.victims:
                networks.append(net)
            else:  # no child could be found: the adults go back to being nobody in particular
                for off in net.offenders:
                    off.role, off.network = "ordinary", None
        return networks

    def flag_victims(self, networks: list[Network]) -> None:
        """Social care flags 35-50% of victims (factor 11A), the visible ones more often."""
        rng = self.rng
        victims = [v for net in networks for v in net.victims]
        share = rng.uniform(0.37, 0.47)
        wanted = min(len(victims) - 1, max(1, round(len(victims) * share)))
        weight = {"high": 3.0, "medium": 1.5, "low": 0.3}
        pool = list(victims)
        for _ in range(wanted):
            pick = rng.choices(pool, [weight[v.visibility] for v in pool])[0]
            pick.flagged = True
            pool.remove(pick)

    def adult_namesakes(self, networks: list[Network]) -> list[tuple[Person, Person]]:
        """A few offenders share their full name with an unrelated parent elsewhere in town."""
        rng = self.rng
        parents_by_key: dict[tuple[str, str], list[Person]] = {}
        for adult in self.adults:
            if adult.role == "parent":
                parents_by_key.setdefault((adult.community, adult.sex), []).append(adult)
        offenders = [o for net in networks for o in net.offenders]
        pairs = []
        for off in rng.sample(offenders, min(len(offenders), max(1, len(networks) // 3))):
            pool = parents_by_key.get((off.community, off.sex), [])
            pool = [p for p in pool if p.address.locality != off.address.locality]
            if pool:
                parent = rng.choice(pool)
                off.given, off.family = parent.given, parent.family
                pairs.append((off, parent))
        return pairs

    def pick_missing_children(self) -> None:
        rng = self.rng
        pool = [c for c in self.children if c.role == "ordinary" and age_on(c.dob, E) >= 11]
        wanted = max(3, round(self.n * 0.012))
        for child in rng.sample(pool, min(wanted, len(pool))):
            child.role = "missing_not_exploited"
            child.in_care = rng.random() < 0.25
            child.flagged = rng.random() < 0.1  # assessed for 11A although not exploited
        victims = [c for c in self.children if c.role == "victim"]
        for victim in victims:
            victim.in_care = rng.random() < 0.2 if victim.flagged else rng.random() < 0.08

    def carers_and_relatives(self) -> tuple[dict[str, Person], dict[str, Person]]:
        """Foster carers for children in care; a relative some missing children stay with."""
        rng = self.rng
        carers: dict[str, Person] = {}
        relatives: dict[str, Person] = {}
        for child in self.children:
            if child.in_care:
                carers[child.pid] = self.free_adult("ordinary", "F" if rng.random() < 0.8 else "M", 30, 62)
            if child.role == "missing_not_exploited":
                hh = child.household
                assert hh is not None
                comm = COMMUNITIES[hh.community]
                sex = rng.choice("FM")
                code = COMMUNITY_CODE[hh.community] if child.ethnicity.startswith("M") else child.ethnicity
                dob = date.fromordinal(child.dob.toordinal() - int(rng.uniform(22, 55) * YEAR))
                relatives[child.pid] = self.adult(
                    "ordinary",
                    sex,
                    dob,
                    code,
                    comm,
                    comm.surname_for(hh.family, sex),
                    self.addresses.new(self.locality()),
                )
        return carers, relatives

    def build(self) -> Town:
        self.build_households()
        twins = self.plant_twins()
        namesakes = self.plant_namesakes()
        schools = self.build_schools()
        places = self.build_places()
        if self.progress:
            self.progress("households", self.n, self.n)
        hubs = self.build_hubs(places, schools)
        self.build_taxi_drivers()
        networks = self.build_networks(places)
        self.flag_victims(networks)
        namesakes += self.adult_namesakes(networks)
        self.pick_missing_children()
        carers, relatives = self.carers_and_relatives()
        for adult in self.adults:
            if adult.role == "ordinary" and not adult.pnc and self.rng.random() < 0.05:
                adult.pnc = self.pnc()
        if self.progress:
            self.progress("networks", len(networks), len(networks))
        return Town(
            children=self.children,
            adults=self.adults,
            households=self.households,
            schools=schools,
            places=places,
            networks=networks,
            hubs=hubs,
            twins=twins,
            namesakes=namesakes,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
            carers=carers,
            relatives=relatives,
        )


def build_town(children: int, seed: int, progress: Progress | None = None) -> Town:
    return TownBuilder(children, seed, progress).build()
