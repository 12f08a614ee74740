"""What happened in the town between the period's start and end, as each agency recorded it.

Each agency only sees its own slice. Exploitation leaves traces everywhere but rarely in one place: police
meet victims at night in cars with men they know by street names; health sees sexual health attendances;
schools see absences; youth workers see children at hotspots and cars pulling away; licensing hears taxi
complaints. Innocent adults (coaches, shopkeepers, youth workers, teachers, school-run drivers) meet many
children openly, by day, in public places, as professionals, witnesses or associates.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

from . import geography as geo
from .identifiers import partial_registration
from .model import Network, Person, Place, Town, Vehicle
from .population import YEAR, E, S, age_on
from .records import Book, Habits, NhsNumbers

Progress = Callable[[str, int, int], None]

AGENCIES = ("police", "social_care", "health", "education", "youth_service", "licensing", "housing")
EXTRACTED = date(2014, 7, 1)

HABITS: dict[str, Habits] = {
    "police": Habits(
        "NOM-",
        "OCC-",
        date(2014, 7, 1),
        pnc=0.9,
        typo=0.05,
        swap=0.02,
        variant=0.12,
        fold=0.8,
        upper_family=0.4,
        dob_full=0.84,
        dob_partial=0.05,
        dob_transpose=0.025,
        estimate_age=0.5,
        address=0.85,
        postcode=0.8,
        stale_address=0.25,
        phone=0.35,
        phone_style="split",
        ethnicity=0.45,
        not_recorded=0.08,
        sex=0.98,
        duplicate=0.06,
        datetime_events=True,
        place_postcode=0.7,
    ),
    "social_care": Habits(
        "CS",
        "CSE",
        date(2014, 7, 2),
        typo=0.02,
        swap=0.005,
        variant=0.03,
        fold=0.2,
        dob_full=0.97,
        dob_partial=0.015,
        dob_transpose=0.01,
        address=0.95,
        postcode=0.95,
        stale_address=0.12,
        phone=0.45,
        phone_style="triple",
        ethnicity=0.95,
        not_recorded=0.02,
        duplicate=0.03,
        nhs=0.4,
        upn=0.2,
        email=0.15,
        place_postcode=0.4,
    ),
    "health": Habits(
        "RH",
        "ATT",
        date(2014, 7, 3),
        typo=0.03,
        swap=0.015,
        variant=0.02,
        fold=0.6,
        dob_full=0.985,
        dob_partial=0.005,
        dob_transpose=0.015,
        address=0.95,
        postcode=0.96,
        stale_address=0.3,
        phone=0.6,
        ethnicity=0.8,
        not_recorded=0.06,
        duplicate=0.02,
        nhs=0.96,
        place_postcode=0.2,
    ),
    "education": Habits(
        "ED",
        "EDE",
        date(2014, 7, 1),
        typo=0.01,
        swap=0.002,
        variant=0.0,
        fold=0.2,
        dob_full=0.995,
        dob_transpose=0.005,
        address=0.99,
        postcode=0.99,
        stale_address=0.08,
        phone=0.3,
        ethnicity=0.97,
        not_recorded=0.02,
        duplicate=0.007,
        upn=0.99,
        place_postcode=0.9,
    ),
    "youth_service": Habits(
        "YS-",
        "YSE-",
        date(2014, 7, 4),
        typo=0.05,
        swap=0.0,
        variant=0.3,
        fold=0.7,
        dob_full=0.45,
        dob_partial=0.15,
        dob_transpose=0.02,
        estimate_age=0.8,
        address=0.0,
        postcode=0.75,
        stale_address=0.2,
        phone=0.4,
        ethnicity=0.2,
        not_recorded=0.1,
        sex=0.9,
        duplicate=0.07,
        family_name=0.1,
        place_postcode=0.3,
        datetime_events=True,
    ),
    "licensing": Habits(
        "LIC-",
        "LCE-",
        date(2014, 7, 7),
        typo=0.01,
        swap=0.005,
        fold=0.5,
        dob_full=0.99,
        address=0.99,
        postcode=0.99,
        stale_address=0.05,
        phone=0.95,
        phone_style="split",
        ethnicity=0.3,
        duplicate=0.01,
        email=0.5,
        place_postcode=0.6,
    ),
    "housing": Habits(
        "HSG",
        "HSE",
        date(2014, 7, 2),
        typo=0.02,
        swap=0.01,
        fold=0.4,
        dob_full=0.9,
        dob_partial=0.02,
        address=1.0,
        postcode=1.0,
        stale_address=0.0,
        phone=0.7,
        phone_style="triple",
        ethnicity=0.6,
        duplicate=0.02,
        email=0.2,
        nhs=0.0,
        place_postcode=1.0,
    ),
}

BACKGROUND_FACTORS = ("3A", "3B", "16A", "2B", "1B", "4B", "17A", "18B", "5A", "6A", "7A", "14A")
MISSING_FACTORS = ("14A", "15A", "1A", "4A", "3A", "16A", "2A")
VICTIM_HIDDEN_FACTORS = ("10A", "14A", "1A", "15A", "4A", "3A", "16A", "2A")
INJURIES = (
    "Fall from trampoline, wrist injury",
    "Asthma attack",
    "Head injury playing in the street",
    "Dog bite to hand",
    "Sprained ankle",
    "Fever and rash",
    "Fractured arm, fall from bike",
    "Abdominal pain",
    "Cut to foot, stood on glass",
    "Allergic reaction",
    "Burn from kettle",
    "Tonsillitis",
)
VICTIM_ATTENDANCES = (
    "Alcohol intoxication, found in the town centre",
    "Intoxicated, brought in by ambulance from {place}",
    "Overdose of paracetamol",
    "Self-harm, cuts to forearms",
    "Facial bruising, says she fell",
    "Assault injury, will not say who",
    "Intoxicated and distressed",
)
INTEL_NAMES = {"high": 1.0, "medium": 0.6, "low": 0.15}
NIGHT = (19 * 60, 27 * 60)  # 19:00 to 03:00
DAY = (9 * 60, 19 * 60)


class Story:
    def __init__(self, town: Town, seed: int, progress: Progress | None) -> None:
        self.town = town
        self.rng = random.Random(f"sightline-town/{seed}/story")
        self.progress = progress
        nhs = NhsNumbers(random.Random(f"sightline-town/{seed}/nhs"))
        self.books = {
            a: Book(a, HABITS[a], random.Random(f"sightline-town/{seed}/{a}"), (S, E), nhs) for a in AGENCIES
        }
        self.books["education"].extra_columns = ("school",)
        self.police = self.books["police"]
        self.social = self.books["social_care"]
        self.health = self.books["health"]
        self.education = self.books["education"]
        self.youth = self.books["youth_service"]
        self.licensing = self.books["licensing"]
        self.housing = self.books["housing"]
        self.known_to_social_care: set[str] = set()
        self.by_locality: dict[str, list[Person]] = {}
        for child in town.children:
            self.by_locality.setdefault(child.address.locality, []).append(child)
        self.public = [p for p in town.places if p.category in ("bus_station", "town_centre", "shopping")]
        self.parks = [p for p in town.places if p.category == "park"]
        self.shops = [p for p in town.places if p.category in ("shop", "takeaway")]
        self.youth_centres = [p for p in town.places if p.category == "youth_centre"] or self.parks
        self.homes = [p for p in town.places if p.category == "childrens_home"]
        self.youth_workers = [h for h in town.hubs if h.hub_type == "youth_worker"]
        self.teachers = [h for h in town.hubs if h.hub_type == "teacher"]
        self.hub_of_school: dict[str, Person] = {}
        for teacher in self.teachers:
            if teacher.hub_place is not None:
                self.hub_of_school.setdefault(teacher.hub_place.name, teacher)
        self.places_by_name = {p.name: p for p in town.places}

    # --- small helpers -------------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_in(self, lo: int, hi: int) -> int:
        lo, hi = max(lo, S), min(hi, E)
        return self.rng.randint(lo, hi) if hi >= lo else lo

    def window(self, person: Person, min_age: float, max_age: float = 99) -> tuple[int, int] | None:
        lo = max(S, person.dob.toordinal() + int(min_age * YEAR))
        hi = min(E, person.dob.toordinal() + int(max_age * YEAR))
        return (lo, hi) if hi - lo >= 7 else None

    def night(self) -> int:
        return self.rng.randint(*NIGHT) % (24 * 60)

    def daytime(self) -> int:
        return self.rng.randint(*DAY)

    def weekday(self, day: int) -> int:
        while date.fromordinal(day).weekday() >= 5:
            day = day + 1 if day < E else day - 2
        return day

    def parent_of(self, child: Person) -> Person | None:
        hh = child.household
        if hh is None or not hh.adults:
            return None
        mothers = [a for a in hh.adults if a.sex == "F"]
        return mothers[0] if mothers and self.chance(0.7) else self.rng.choice(hh.adults)

    def carer_of(self, child: Person) -> Person:
        carer = self.town.carers.get(child.pid)
        if carer is not None:
            return carer
        parent = self.parent_of(child)
        assert parent is not None
        return parent

    def relative_of(self, child: Person) -> Person:
        return self.town.relatives[child.pid]

    def reporter(self, child: Person, book: Book, day: int) -> list[tuple[int, str]]:
        if child.in_care and self.chance(0.8):
            return [(book.rec(self.carer_of(child), day), "carer")]
        parent = self.parent_of(child)
        return [(book.rec(parent, day), "parent")] if parent is not None else []

    def reg_seen(self, vehicle: Vehicle, full: float) -> str:
        return vehicle.reg if self.chance(full) else partial_registration(vehicle.reg, self.rng)

    def peers(self, child: Person, k: int, day: int) -> list[Person]:
        """Children of about the same age from the same area, old enough to be out with this one."""
        pool = self.by_locality.get(child.address.locality, [])
        out: list[Person] = []
        for _ in range(k * 3):
            if len(out) >= k or not pool:
                break
            other = self.rng.choice(pool)
            if (
                other is not child
                and other not in out
                and abs(other.dob.toordinal() - child.dob.toordinal()) < 2 * YEAR
                and day - other.dob.toordinal() > 10 * YEAR
            ):
                out.append(other)
        return out

    # --- the whole story -----------------------------------------------------------------------------------
    def run(self) -> dict[str, Book]:
        town = self.town
        self.enrol()
        self.household_events()
        total = len(town.children)
        for i, child in enumerate(town.children):
            if child.role == "victim":
                self.victim(child)
            elif child.role == "missing_not_exploited":
                self.missing_child(child)
            else:
                self.ordinary_child(child)
            if self.progress and (i + 1) % 5000 == 0:
                self.progress("events", i + 1, total)
        for net in town.networks:
            self.network(net)
        for hub in town.hubs:
            self.hub(hub)
        self.taxis()
        self.tenancies()
        if self.progress:
            self.progress("events", total, total)
        return self.books

    def enrol(self) -> None:
        for child in self.town.children:
            assert child.school is not None
            self.education.rec(child, S, school=child.school.name)

    # --- households: domestic abuse and family referrals ----------------------------------------------------
    def household_events(self) -> None:
        for hh in self.town.households:
            if not hh.adults:
                continue
            if self.chance(0.035):  # a family known to children's services
                day = self.day_in(S, E - 30)
                factor = self.rng.choice(BACKGROUND_FACTORS)
                for child in hh.children:
                    if child.dob.toordinal() > day:
                        continue
                    self.known_to_social_care.add(child.pid)
                    rec = self.social.rec(child, day)
                    others = [(self.social.rec(a, day, "contact"), "parent") for a in hh.adults]
                    self.social.event(
                        "referral",
                        day,
                        rec,
                        others=others,
                        summary=self.rng.choice(
                            (
                                "Referral from school",
                                "Referral from health visitor",
                                "Referral from police",
                                "Anonymous referral",
                            )
                        ),
                    )
                    if self.chance(0.7):
                        self.social.event(
                            "assessment",
                            day + self.rng.randint(10, 45),
                            rec,
                            others=others,
                            factors=factor,
                            summary="Child and family assessment completed",
                        )
                    if self.chance(0.12):
                        self.social.event(
                            "strategy_meeting",
                            day + self.rng.randint(1, 10),
                            rec,
                            others=others,
                            summary="Strategy discussion, section 47 enquiry",
                        )
            if self.chance(0.015):  # domestic incident at home, children present
                day = self.day_in(S, E)
                suspect = self.rng.choice(hh.adults)
                rec = self.police.rec(suspect, day)
                others = [(self.police.rec(a, day), "victim") for a in hh.adults if a is not suspect]
                kids = [c for c in hh.children if c.dob.toordinal() < day and age_on(c.dob, day) >= 3]
                others += [(self.police.rec(c, day), "witness") for c in kids]
                self.police.event(
                    "police_incident",
                    day,
                    rec,
                    minute=self.night(),
                    place_text=hh.address.line(short=True, with_locality=False),
                    postcode=hh.address.postcode,
                    others=others,
                    summary="Domestic incident, verbal argument, children present",
                )
                for child in kids:
                    if self.chance(0.6):
                        self.known_to_social_care.add(child.pid)
                        self.social.event(
                            "referral",
                            day + self.rng.randint(1, 5),
                            self.social.rec(child, day),
                            factors="3A",
                            summary="Police notification: domestic abuse",
                        )

    # --- ordinary children -------------------------------------------------------------------------------
    def ordinary_child(self, c: Person) -> None:
        rng = self.rng
        school_years = self.window(c, 5, 17)
        if school_years and self.chance(0.1):
            for _ in range(rng.randint(1, 3)):
                self.absence(c, *school_years)
        if c.school is not None and c.school.phase == "secondary" and school_years and self.chance(0.015):
            self.exclusion(c, *school_years)
        if self.chance(0.14):
            for _ in range(rng.randint(1, 3)):
                day = self.day_in(c.dob.toordinal(), E)
                rec = self.health.rec(c, day)
                parent = self.parent_of(c)
                others = (
                    [(self.health.rec(parent, day, "contact"), "parent")]
                    if parent and self.chance(0.6)
                    else []
                )
                self.health.event(
                    "health_attendance",
                    day,
                    rec,
                    place_text=geo.HOSPITAL[0],
                    others=others,
                    summary=rng.choice(INJURIES),
                )
        older = self.window(c, 15)
        if older and self.chance(0.04):
            day = self.day_in(*older)
            self.health.event(
                "sexual_health",
                day,
                self.health.rec(c, day),
                place_text=geo.SEXUAL_HEALTH_CLINIC[0],
                summary=rng.choice(("Contraception advice", "Routine screening", "Condoms issued")),
            )
        teen = self.window(c, 10)
        if teen and self.chance(0.01):  # one episode, back by the morning
            self.missing_episode(
                c, self.day_in(*teen), found=None, summary="Returned home of own accord after argument"
            )
        if teen and self.chance(0.025):
            day = self.day_in(*teen)
            place = rng.choice(self.parks + self.shops + self.public)
            rec = self.police.rec(c, day)
            others = [(self.police.rec(p, day), "associate") for p in self.peers(c, rng.randint(0, 3), day)]
            what = rng.choice(
                (
                    "Youths causing annoyance",
                    "Shoplifting",
                    "Fight between school pupils",
                    "Criminal damage to bus shelter",
                    "Theft of pedal cycle",
                    "Youths drinking",
                )
            )
            self.police.event(
                "police_incident",
                day,
                rec,
                minute=self.daytime() + rng.randint(0, 180),
                place=place,
                others=others,
                summary=what,
            )
        youth = self.window(c, 11, 18)
        if youth and self.chance(0.05):
            for _ in range(rng.randint(1, 3)):
                self.outreach(c, self.day_in(*youth))

    # --- missing but not exploited --------------------------------------------------------------------------
    def missing_child(self, c: Person) -> None:
        rng = self.rng
        span = self.window(c, 10.5) or (max(S, E - 200), E)
        known = self.chance(0.8) or c.flagged or c.in_care
        if known:
            self.known_to_social_care.add(c.pid)
            day = self.day_in(span[0], span[0] + 200)
            rec = self.social.rec(c, day)
            others = self.reporter(c, self.social, day)
            self.social.event(
                "referral", day, rec, others=others, summary="Referral from police: repeat missing"
            )
            factors = ["10A", *rng.sample(MISSING_FACTORS, rng.randint(0, 2))]
            if c.flagged:
                factors.append("11A")
            self.social.event(
                "assessment",
                day + rng.randint(10, 40),
                rec,
                others=others,
                factors=";".join(sorted(set(factors))),
                summary="Assessment: staying out late, conflict at home"
                + ("; CSE screening completed, medium risk" if c.flagged else ""),
            )
            if c.flagged:
                self.strategy_meeting(c, day + rng.randint(20, 60))
            if c.in_care:
                self.placement(c, day + rng.randint(30, 120))
        for _ in range(rng.randint(2, 9)):
            day = self.day_in(*span)
            roll = rng.random()
            if roll < 0.35:
                friends = self.peers(c, 1, day)
                summary = "Found at a friend's house"
                found: tuple[Place | None, list[Person], str] = (None, friends, summary)
            elif roll < 0.45:
                found = (None, [self.relative_of(c)], "Stayed at a relative's address without permission")
            elif roll < 0.7:
                found = (rng.choice(self.public + self.parks), [], "Found in the town centre with friends")
            else:
                found = (None, [], "Returned home of own accord")
            self.missing_episode(c, day, found=found, known=known, summary=found[2])
        school = self.window(c, 5, 17)
        if school and self.chance(0.55):
            for _ in range(rng.randint(2, 6)):
                self.absence(c, *school)
        if school and self.chance(0.15):
            self.exclusion(c, *school)
        if self.chance(0.35):
            day = self.day_in(*span)
            what = rng.choice(
                ("Alcohol intoxication", "Self-harm", "Injury after fall while drunk", "Anxiety")
            )
            self.health.event(
                "health_attendance", day, self.health.rec(c, day), place_text=geo.HOSPITAL[0], summary=what
            )
        older = self.window(c, 14)
        if older and self.chance(0.15):
            day = self.day_in(*older)
            self.health.event(
                "sexual_health",
                day,
                self.health.rec(c, day),
                place_text=geo.SEXUAL_HEALTH_CLINIC[0],
                summary="Contraception advice",
            )
        youth = self.window(c, 11, 18)
        if youth and self.chance(0.35):
            for _ in range(rng.randint(1, 4)):
                self.outreach(c, self.day_in(*youth))

    # --- victims --------------------------------------------------------------------------------------------
    def victim(self, v: Person) -> None:
        rng = self.rng
        net = v.network
        assert net is not None
        lo, hi = v.exploited_from, v.exploited_to
        vis = v.visibility
        known = v.flagged or self.chance({"high": 0.6, "medium": 0.45, "low": 0.2}[vis])
        if known:
            self.known_to_social_care.add(v.pid)
            day = self.day_in(lo, hi)
            rec = self.social.rec(v, day)
            others = self.reporter(v, self.social, day)
            source = rng.choice(("police", "school", "health", "parent", "youth service"))
            self.social.event("referral", day, rec, others=others, summary=f"Referral from {source}")
            if v.flagged:
                factors = (
                    ["11A"] + (["10A"] if vis != "low" else []) + rng.sample(("1A", "15A", "12A", "4A"), 1)
                )
                summary = "CSE risk assessment: high risk, older males, gifts, lifts in cars"
                phone = rng.choice(net.phones) if self.chance(0.3) else ""
            else:
                factors = rng.sample(VICTIM_HIDDEN_FACTORS, rng.randint(1, 2))
                summary = rng.choice(
                    (
                        "Concerns about behaviour, staying out late, older friends",
                        "Parent struggling with boundaries; child beyond parental control",
                        "Low mood and self-harm; engaging with CAMHS",
                        "Concerns about alcohol use; case closed, no further action",
                    )
                )
                phone = ""
            self.social.event(
                "assessment",
                day + rng.randint(10, 40),
                rec,
                others=others,
                phone=phone,
                factors=";".join(sorted(set(factors))),
                summary=summary,
            )
            if v.flagged:
                for _ in range(rng.randint(1, 3)):
                    self.strategy_meeting(v, self.day_in(day + 20, day + 300))
            if v.in_care:
                self.placement(v, self.day_in(day + 30, day + 200))
        # Missing episodes, some ending with the child found with the men or at their places.
        n_missing = {"high": rng.randint(1, 8), "medium": rng.randint(0, 3), "low": rng.randint(0, 1)}[vis]
        with_men = {"high": 0.45, "medium": 0.25, "low": 0.0}[vis]
        met = False
        for _ in range(n_missing):
            day = self.day_in(lo, hi)
            roll = rng.random()
            place = (
                rng.choice(net.places) if roll < 0.55 else rng.choice(self.public) if roll < 0.75 else None
            )
            men: list[Person] = []
            if place is not None and self.chance(with_men):
                men = rng.sample(net.offenders, min(len(net.offenders), rng.randint(1, 2)))
                met = True
            summary = f"Found at {place.short}" if place else "Returned home in the early hours"
            if men:
                summary += " with older males"
            vehicle = ""
            if men and net.vehicles and self.chance(0.4):
                car = rng.choice(net.vehicles)
                vehicle = self.reg_seen(car, 0.2)
                summary += f"; seen getting out of a {car.description}"
            found = (place, men, summary)
            self.missing_episode(
                v, day, found=found, known=known, summary=summary, vehicle=vehicle, men_role="suspect"
            )
        # Stopped in a car or found at an address with the men.
        n_incidents = {"high": rng.randint(1, 4), "medium": 0 if met and self.chance(0.5) else 1, "low": 0}[
            vis
        ]
        for _ in range(n_incidents):
            self.found_with_men(v, net, self.day_in(lo, hi))
        # Now and then a child comes forward herself or himself.
        if vis != "low" and self.chance(0.06):
            day = self.day_in(lo, hi)
            men = rng.sample(net.offenders, min(len(net.offenders), rng.randint(1, 3)))
            names = ", ".join(m.nickname for m in men)
            self.police.event(
                "self_referral",
                day,
                self.police.rec(v, day),
                minute=self.daytime(),
                others=[(self.police.rec(m, day, "intel"), "suspect") for m in men],
                summary=f"Came forward to report abuse by men known as {names}",
            )
        # Health.
        sexual = {"high": 0.75, "medium": 0.55, "low": 0.5}[vis]
        if self.chance(sexual):
            for _ in range(rng.randint(1, 4)):
                day = self.day_in(lo, hi)
                age = age_on(v.dob, day)
                summary = rng.choice(
                    (
                        "Emergency contraception",
                        "STI screening",
                        "Pregnancy test",
                        "Emergency contraception; partner described as older",
                    )
                )
                others = []
                if self.chance(0.2):
                    man = rng.choice(net.offenders)
                    others.append((self.health.rec(man, day, "intel"), "associate"))
                    summary += "; attended with an adult male who waited outside"
                self.health.event(
                    "sexual_health",
                    day,
                    self.health.rec(v, day),
                    place_text=geo.SEXUAL_HEALTH_CLINIC[0],
                    others=others,
                    summary=f"{summary} (age {age})",
                )
        if self.chance({"high": 0.5, "medium": 0.3, "low": 0.25}[vis]):
            for _ in range(rng.randint(1, 3)):
                day = self.day_in(lo, hi)
                place = rng.choice(net.places)
                others = []
                summary = rng.choice(VICTIM_ATTENDANCES).format(place=place.short)
                if self.chance(0.25):
                    man = rng.choice(net.offenders)
                    others.append((self.health.rec(man, day, "intel"), "associate"))
                    summary += "; accompanied by an adult male who said he was a cousin"
                self.health.event(
                    "health_attendance",
                    day,
                    self.health.rec(v, day),
                    place_text=geo.HOSPITAL[0],
                    others=others,
                    summary=summary,
                )
        # School.
        school = self.window(v, 5, 17)
        if school:
            s_lo, s_hi = max(school[0], lo), min(school[1], hi)
            if s_hi > s_lo and self.chance({"high": 0.85, "medium": 0.7, "low": 0.5}[vis]):
                for _ in range(rng.randint(2, 8)):
                    self.absence(v, s_lo, s_hi)
            if s_hi > s_lo and self.chance(0.15):
                self.exclusion(v, s_lo, s_hi)
            if s_hi > s_lo and net.vehicles and self.chance(0.1):
                day = self.weekday(self.day_in(s_lo, s_hi))
                car = rng.choice(net.vehicles)
                assert v.school is not None
                self.education.event(
                    "other",
                    day,
                    self.education.rec(v, day),
                    place=v.school.place,
                    vehicle=self.reg_seen(car, 0.1),
                    summary=f"Seen getting into a {car.description} outside the school gates",
                )
        # Youth outreach: often the only agency to see the quieter victims.
        youth = {"high": 0.65, "medium": 0.5, "low": 0.8}[vis]
        if self.chance(youth):
            for _ in range(rng.randint(1, 5)):
                self.outreach(v, self.day_in(lo, hi), net=net)

    def found_with_men(self, v: Person, net: Network, day: int) -> None:
        rng = self.rng
        men = rng.sample(net.offenders, min(len(net.offenders), rng.randint(1, 3)))
        rec = self.police.rec(v, day)
        others = [
            (self.police.rec(m, day, "intel"), "suspect" if self.chance(0.6) else "associate") for m in men
        ]
        peers = [x for x in net.victims if x is not v and x.exploited_from <= day <= x.exploited_to]
        for peer in rng.sample(peers, min(len(peers), rng.randint(0, 2))):
            others.append((self.police.rec(peer, day), "victim"))
        vehicle, place = "", rng.choice(net.places)
        if net.vehicles and self.chance(0.7):
            car = rng.choice(net.vehicles)
            vehicle = self.reg_seen(car, 0.35)
            summary = (
                f"Vehicle stopped near {place.short}: {car.description}, child aged {age_on(v.dob, day)} "
                f"in the rear with {len(men)} adult male(s) giving first names only. Child taken home."
            )
        else:
            summary = (
                f"Welfare check at {place.short}: child found with {len(men)} adult male(s), alcohol present."
            )
        phone = rng.choice(net.phones) if self.chance(0.25) else ""
        self.police.event(
            "police_incident",
            day,
            rec,
            minute=self.night(),
            place=place,
            vehicle=vehicle,
            phone=phone,
            others=others,
            summary=summary,
        )

    # --- the networks, seen from the offenders' side --------------------------------------------------------
    def network(self, net: Network) -> None:
        rng = self.rng
        lo, hi = max(S, net.start), min(E, net.end)
        for _ in range(rng.randint(1, 2) if net.tiny else rng.randint(2, 8)):
            day = self.day_in(lo, hi)
            subject = rng.choice(net.offenders)
            rec = self.police.rec(subject, day, "intel")
            others = [
                (self.police.rec(m, day, "intel"), "associate")
                for m in rng.sample(net.offenders, min(len(net.offenders), rng.randint(0, 3)))
                if m is not subject
            ]
            active = [x for x in net.victims if x.exploited_from <= day <= x.exploited_to] or net.victims
            # Intelligence names the children police already meet; the quieter ones rarely.
            active = [x for x in active if self.chance(INTEL_NAMES[x.visibility])]
            for victim in rng.sample(active, min(len(active), rng.randint(0, 3))):
                others.append((self.police.rec(victim, day), "victim"))
            place = rng.choice(net.places) if self.chance(0.7) else None
            vehicle = ""
            car_text = "a car"
            if net.vehicles and self.chance(0.7):
                car = rng.choice(net.vehicles)
                vehicle, car_text = self.reg_seen(car, 0.4), f"a {car.description}"
            phone = rng.choice(net.phones) if self.chance(0.5) else ""
            where = f" at {place.short}" if place else ""
            summary = rng.choice(
                (
                    f"Information: {subject.nickname} gives girls alcohol and lifts in {car_text}{where}",
                    f"Third party: girls seen with {subject.nickname} and other males{where}, late at night",
                    f"Intelligence: {subject.nickname} uses {car_text} to collect schoolgirls{where}",
                )
            )
            self.police.event(
                "intelligence",
                day,
                rec,
                minute=self.night(),
                place=place,
                vehicle=vehicle,
                phone=phone,
                others=others,
                summary=summary,
            )
        # Nominal records: men with a police national computer id are on the system by their full names.
        for off in net.offenders:
            if off.pnc:
                self.police.rec(
                    off, lo, "nominal", pnc_id=off.pnc, other_names=off.nickname if self.chance(0.6) else ""
                )
        # Arrests, charges, bail.
        if self.chance(0.2 if net.tiny else 0.4):
            for off in rng.sample(net.offenders, min(len(net.offenders), rng.randint(1, 2))):
                day = self.day_in(lo, hi)
                rec = self.police.rec(off, day, "nominal", pnc_id=off.pnc, other_names=off.nickname)
                victims = rng.sample(net.victims, min(len(net.victims), rng.randint(1, 2)))
                others = [(self.police.rec(x, day), "victim") for x in victims]
                self.police.event(
                    "arrest",
                    day,
                    rec,
                    minute=self.night(),
                    others=others,
                    summary="Arrested on suspicion of sexual activity with a child",
                )
                if self.chance(0.7):
                    bail_end = min(E, day + rng.randint(28, 90))
                    self.police.event(
                        "bail",
                        day + 1,
                        rec,
                        minute=self.daytime(),
                        ended=bail_end,
                        summary="Released on police bail, conditions not to contact named children",
                    )
                if self.chance(0.3):
                    self.police.event(
                        "charge",
                        min(E, day + rng.randint(30, 120)),
                        rec,
                        minute=self.daytime(),
                        others=others,
                        summary="Charged: sexual activity with a child",
                    )
        # Licensing: drivers among the men.
        for off in net.offenders:
            if off.taxi_driver and off.vehicle is not None:
                rec = self.licensing.rec(off, lo)
                self.licensing.event(
                    "other",
                    self.day_in(S, lo),
                    rec,
                    vehicle=off.vehicle.reg,
                    summary=f"Private hire driver and vehicle licence granted ({off.taxi_firm})",
                )
                for _ in range(rng.randint(1, 3) if self.chance(0.7) else 0):
                    day = self.day_in(lo, hi)
                    victim = rng.choice(net.victims)
                    others = []
                    parent = self.parent_of(victim)
                    if parent is not None:
                        others.append((self.licensing.rec(parent, day, "contact"), "witness"))
                    if self.chance(0.6):
                        others.append((self.licensing.rec(victim, day, "named"), "victim"))
                    self.licensing.event(
                        "taxi_complaint",
                        day,
                        rec,
                        vehicle=off.vehicle.reg,
                        others=others,
                        summary=rng.choice(
                            (
                                "Parent complains driver gives free lifts to teenage girls",
                                "Driver seen with schoolgirls in the vehicle late at night",
                                "Complaint: driver offered cigarettes and alcohol to a 14-year-old",
                            )
                        ),
                    )
        # Housing: a council flat used by the group.
        flat = net.places[0]
        if flat.category == "flat" and self.chance(0.6):
            tenant = rng.choice(net.offenders)
            rec = self.housing.rec(tenant, lo)
            self.housing.event("other", self.day_in(S - 400, lo), rec, place=flat, summary="Tenancy started")
            for _ in range(rng.randint(1, 4)):
                day = self.day_in(lo, hi)
                vehicle = (
                    self.reg_seen(rng.choice(net.vehicles), 0.1) if net.vehicles and self.chance(0.3) else ""
                )
                self.housing.event(
                    "other",
                    day,
                    rec,
                    place=flat,
                    vehicle=vehicle,
                    summary=rng.choice(
                        (
                            "Neighbour reports young girls visiting late at night",
                            "Anti-social behaviour: cars coming and going, loud music",
                            "Neighbour reports girls in school uniform entering the flat",
                        )
                    ),
                )

    # --- benign hubs ----------------------------------------------------------------------------------------
    def hub(self, hub: Person) -> None:
        rng = self.rng
        place = hub.hub_place
        assert place is not None
        if hub.hub_type in ("teacher", "school_driver"):
            pool = [c for s in self.town.schools if s.place is place for c in s.pupils]
        else:
            pool = [c for c in self.by_locality.get(place.locality, []) if age_on(c.dob, E) >= 8]
        if len(pool) < 15:
            pool = [c for c in self.town.children if age_on(c.dob, E) >= 8]
        kids = rng.sample(pool, min(len(pool), rng.randint(15, 60)))
        for kid in kids:
            span = self.window(kid, 7)
            if span is None:
                continue
            day = self.day_in(*span)
            roll = rng.random()
            kind = hub.hub_type
            if kind == "coach":
                if roll < 0.3:
                    rec = self.police.rec(kid, day)
                    self.police.event(
                        "police_incident",
                        day,
                        rec,
                        minute=self.daytime(),
                        place=place,
                        others=[(self.police.rec(hub, day, "professional"), "witness")],
                        summary="Disturbance at junior football match; coach gave an account",
                    )
                elif roll < 0.6:
                    self.health.event(
                        "health_attendance",
                        day,
                        self.health.rec(kid, day),
                        place_text=geo.HOSPITAL[0],
                        others=[(self.health.rec(hub, day, "professional"), "associate")],
                        summary="Injury at football training, brought in by coach",
                    )
                elif roll < 0.7:
                    self.social.event(
                        "referral",
                        day,
                        self.social.rec(kid, day),
                        others=[(self.social.rec(hub, day, "professional"), "professional")],
                        summary="Referral from football coach: child often hungry at training",
                    )
                else:
                    self.outreach(kid, day, place=place, extra=[(hub, "associate")])
            elif kind == "shopkeeper":
                if roll < 0.5:
                    self.police.event(
                        "police_incident",
                        day,
                        self.police.rec(kid, day),
                        minute=self.daytime(),
                        place=place,
                        others=[(self.police.rec(hub, day, "professional"), "witness")],
                        summary="Shoplifting: sweets and energy drinks, shopkeeper reported",
                    )
                elif roll < 0.65:
                    self.missing_episode(
                        kid,
                        day,
                        found=(place, [], "Found at the shop; shopkeeper rang police"),
                        summary="Found at the shop; shopkeeper rang police",
                        helper=(hub, "witness"),
                    )
                else:
                    self.outreach(kid, day, place=place, extra=[(hub, "associate")])
            elif kind == "youth_worker":
                if roll < 0.7:
                    self.outreach(kid, day, worker=hub)
                elif roll < 0.9:
                    rec = self.social.rec(kid, day)
                    self.social.event(
                        "referral",
                        day,
                        rec,
                        others=[(self.social.rec(hub, day, "professional"), "professional")],
                        summary="Referral from youth service",
                    )
                else:
                    self.police.event(
                        "police_incident",
                        day,
                        self.police.rec(kid, day),
                        minute=self.daytime(),
                        place=place,
                        others=[(self.police.rec(hub, day, "professional"), "professional")],
                        summary="Youth worker reported a fight outside the youth centre",
                    )
            elif kind == "teacher":
                school_days = self.window(kid, 5, 17)
                if school_days is None:
                    continue
                day = self.weekday(self.day_in(*school_days))
                if roll < 0.55:
                    self.education.event(
                        "other",
                        day,
                        self.education.rec(kid, day),
                        place=place,
                        others=[(self.education.rec(hub, day, "professional"), "professional")],
                        summary="Pastoral support meeting",
                    )
                elif roll < 0.75:
                    self.exclusion(kid, day, day, teacher=hub)
                elif roll < 0.95:
                    self.social.event(
                        "referral",
                        day,
                        self.social.rec(kid, day),
                        others=[(self.social.rec(hub, day, "professional"), "professional")],
                        summary="Referral from school designated safeguarding lead",
                    )
                else:
                    self.police.event(
                        "police_incident",
                        day,
                        self.police.rec(kid, day),
                        minute=self.daytime(),
                        place=place,
                        others=[(self.police.rec(hub, day, "professional"), "witness")],
                        summary="Scuffle outside school gates; teacher intervened",
                    )
            elif kind == "school_driver" and hub.vehicle is not None:
                school_days = self.window(kid, 5, 17)
                if school_days is None:
                    continue
                day = self.weekday(self.day_in(*school_days))
                self.education.event(
                    "other",
                    day,
                    self.education.rec(kid, day),
                    place=place,
                    vehicle=hub.vehicle.reg,
                    others=[(self.education.rec(hub, day, "professional"), "professional")],
                    summary=f"Home to school transport arranged with {hub.taxi_firm}",
                )
        if hub.hub_type == "school_driver" and hub.vehicle is not None:
            rec = self.licensing.rec(hub, S)
            self.licensing.event(
                "other",
                self.day_in(S, E),
                rec,
                vehicle=hub.vehicle.reg,
                summary=f"Private hire driver and vehicle licence renewed ({hub.taxi_firm}); school contract",
            )

    # --- taxis and tenancies in general ---------------------------------------------------------------------
    def taxis(self) -> None:
        rng = self.rng
        drivers = [a for a in self.town.adults if a.taxi_driver and a.role != "offender" and a.hub_type == ""]
        complainants = [a for a in self.town.adults if a.role == "parent"]
        for driver in drivers:
            assert driver.vehicle is not None
            rec = self.licensing.rec(driver, S)
            self.licensing.event(
                "other",
                self.day_in(S, E),
                rec,
                vehicle=driver.vehicle.reg,
                summary=f"Private hire driver and vehicle licence renewed ({driver.taxi_firm})",
            )
            if self.chance(0.15):
                day = self.day_in(S, E)
                who = rng.choice(complainants)
                self.licensing.event(
                    "taxi_complaint",
                    day,
                    rec,
                    vehicle=driver.vehicle.reg,
                    others=[(self.licensing.rec(who, day, "contact"), "witness")],
                    summary=rng.choice(
                        ("Overcharging", "Rude to passenger", "Dangerous driving", "Refused a guide dog")
                    ),
                )

    def tenancies(self) -> None:
        rng = self.rng
        for hh in self.town.households:
            if not hh.adults or not self.chance(0.25):
                continue
            tenant = hh.adults[0]
            day = rng.randint(S - 3000, E)
            rec = self.housing.rec(tenant, max(day, S))
            if day >= S:
                self.housing.event(
                    "other",
                    day,
                    rec,
                    place_text=hh.address.line(short=True, with_locality=False),
                    postcode=hh.address.postcode,
                    summary="Tenancy started",
                )
            if self.chance(0.04):
                day = self.day_in(S, E)
                self.housing.event(
                    "other",
                    day,
                    rec,
                    place_text=hh.address.line(short=True, with_locality=False),
                    postcode=hh.address.postcode,
                    summary=rng.choice(
                        (
                            "Noise complaint from neighbour",
                            "Rent arrears",
                            "Repairs: damp in bedroom",
                            "Garden untidy",
                        )
                    ),
                )

    # --- building blocks ------------------------------------------------------------------------------------
    def missing_episode(
        self,
        c: Person,
        day: int,
        *,
        found: tuple[Place | None, Sequence[Person], str] | None,
        summary: str,
        known: bool = False,
        vehicle: str = "",
        men_role: str = "associate",
        helper: tuple[Person, str] | None = None,
    ) -> None:
        rng = self.rng
        rec = self.police.rec(c, day)
        others = self.reporter(c, self.police, day)
        place = found[0] if found else None
        if found:
            for person in found[1]:
                if person.kind == "child":
                    others.append((self.police.rec(person, day), "associate"))
                elif person.role == "offender":
                    others.append(
                        (self.police.rec(person, day, "intel"), men_role if self.chance(0.5) else "associate")
                    )
                else:
                    others.append((self.police.rec(person, day), "associate"))
        if helper is not None:
            others.append((self.police.rec(helper[0], day, "professional"), helper[1]))
        start = self.night() if helper is None else self.daytime()
        hours = rng.randint(3, 60)
        end_min = start + hours * 60
        ended = day + end_min // (24 * 60)  # past the period's end: still open at extraction
        self.police.event(
            "missing",
            day,
            rec,
            minute=start,
            ended=ended,
            ended_minute=end_min % (24 * 60),
            place=place,
            vehicle=vehicle,
            others=others,
            summary=summary,
        )
        if known and self.chance(0.7):
            s_rec = self.social.rec(c, day)
            kind = "absent" if c.in_care and hours < 12 and self.chance(0.5) else "missing"
            self.social.event(
                kind,
                day,
                s_rec,
                ended=ended,
                place=place,
                others=self.reporter(c, self.social, day),
                factors="10A",
                summary="Missing from " + ("placement" if c.in_care else "home"),
            )
            if self.chance(0.6) and ended + 3 <= E:
                self.social.event(
                    "return_interview",
                    ended + rng.randint(0, 3),
                    s_rec,
                    summary=rng.choice(
                        (
                            "Return interview completed; child would not say where they had been",
                            "Return interview completed",
                            "Return interview declined",
                        )
                    ),
                )

    def absence(self, c: Person, lo: int, hi: int) -> None:
        assert c.school is not None
        day = self.weekday(self.day_in(lo, hi))
        sessions = self.rng.randint(1, 10)
        rec = self.education.rec(c, day)
        ended = min(E, day + sessions // 2)
        self.education.event(
            "school_absence",
            day,
            rec,
            ended=ended,
            place=c.school.place,
            summary=f"Unauthorised absence, {sessions} sessions",
        )

    def exclusion(self, c: Person, lo: int, hi: int, teacher: Person | None = None) -> None:
        assert c.school is not None
        day = self.weekday(self.day_in(lo, hi))
        rec = self.education.rec(c, day)
        others: list[tuple[int, str]] = []
        parent = self.parent_of(c)
        if parent is not None and self.chance(0.5):
            others.append((self.education.rec(parent, day, "contact"), "parent"))
        teacher = teacher or self.hub_of_school.get(c.school.name)
        if teacher is not None and self.chance(0.6):
            others.append((self.education.rec(teacher, day, "professional"), "professional"))
        length = self.rng.randint(1, 5)
        self.education.event(
            "exclusion",
            day,
            rec,
            ended=min(E, day + length),
            place=c.school.place,
            others=others,
            summary=f"Fixed-term exclusion, {length} days: "
            + self.rng.choice(
                (
                    "persistent disruptive behaviour",
                    "verbal abuse of staff",
                    "physical assault on pupil",
                    "smoking on site",
                )
            ),
        )

    def outreach(
        self,
        c: Person,
        day: int,
        *,
        net: Network | None = None,
        place: Place | None = None,
        worker: Person | None = None,
        extra: list[tuple[Person, str]] | None = None,
    ) -> None:
        rng = self.rng
        if worker is None and self.youth_workers:
            local = [
                w for w in self.youth_workers if w.hub_place and w.hub_place.locality == c.address.locality
            ]
            worker = rng.choice(local or self.youth_workers)
        rec = self.youth.rec(c, day)
        others: list[tuple[int, str]] = []
        if worker is not None:
            others.append((self.youth.rec(worker, day, "professional"), "professional"))
        vehicle = ""
        if net is not None:
            place = rng.choice(net.places[1:] or net.places) if self.chance(0.5) else rng.choice(self.public)
            summary = rng.choice(
                (
                    "Seen with older males, evasive about where they had been",
                    "Had new phone and clothes, would not say who bought them",
                    "Appeared intoxicated; said they were waiting for a lift",
                    "Seen getting into a car with adult males",
                )
            )
            if net.vehicles and self.chance(0.35):
                car = rng.choice(net.vehicles)
                vehicle = self.reg_seen(car, 0.1)
                summary += f" ({car.description})"
            if self.chance(0.25):
                man = rng.choice(net.offenders)
                others.append((self.youth.rec(man, day, "intel"), "associate"))
            for peer in [x for x in net.victims if x is not c and self.chance(0.15)][:2]:
                others.append((self.youth.rec(peer, day), "associate"))
        else:
            if place is None:
                place = rng.choice(self.youth_centres + self.parks + self.public)
            summary = rng.choice(
                (
                    "Chatted with detached youth work team",
                    "Attended youth club session",
                    "Given information on local activities",
                    "Group of young people, no concerns",
                )
            )
            for peer in self.peers(c, rng.randint(0, 2), day):
                others.append((self.youth.rec(peer, day), "associate"))
        for person, role in extra or ():
            others.append((self.youth.rec(person, day, "professional"), role))
        minute = self.night() if net is not None else self.daytime()
        self.youth.event(
            "outreach_contact",
            day,
            rec,
            minute=minute,
            place=place,
            vehicle=vehicle,
            others=others,
            summary=summary,
        )

    def strategy_meeting(self, c: Person, day: int) -> None:
        rec = self.social.rec(c, day)
        others = self.reporter(c, self.social, day)
        assert c.school is not None
        teacher = self.hub_of_school.get(c.school.name)
        if teacher is not None and self.chance(0.5):
            others.append((self.social.rec(teacher, day, "professional"), "professional"))
        if self.youth_workers and self.chance(0.3):
            others.append(
                (self.social.rec(self.rng.choice(self.youth_workers), day, "professional"), "professional")
            )
        self.social.event(
            "strategy_meeting", min(day, E), rec, others=others, summary="Multi-agency strategy meeting"
        )

    def placement(self, c: Person, day: int) -> None:
        day = min(day, E)
        rec = self.social.rec(c, day)
        carer = self.carer_of(c)
        others = [(self.social.rec(carer, day, "contact"), "carer")]
        if self.chance(0.5) and self.homes:
            self.social.event(
                "placement",
                day,
                rec,
                place=self.rng.choice(self.homes),
                others=others,
                summary="Placed in residential children's home",
            )
        else:
            self.social.event("placement", day, rec, others=others, summary="Placed with foster carers")
