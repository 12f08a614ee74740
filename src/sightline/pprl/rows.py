"""How each row of an extract is encoded, a batch of rows at a time.

Name filters are salted with the birth year (Niedermeyer, Steinmetzer and Kroll 2014; Ranbaduge and
Schnell 2020): one filter per year the record's birth allows, so the same name in different birth
years encodes unrelated bits and name frequencies flatten out.

A batch is planned first (values cleaned, the filters not yet cached noted), those filters are
built together (`Encoder.filters`), then the rows are written from the caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from . import levels
from . import normalise as norm
from .bloom import Encoder
from .records import EVENT_COLUMNS, PEOPLE_COLUMNS

# Whole values' encodings kept before the caches start afresh: bounds memory on large extracts.
MAX_CACHED = 1_000_000
Person = tuple[Any, ...]  # what _plan found in a row, for _person
# A birth's columns; the salts of given, family and full names; each salt's digest
Birth = tuple[dict[str, str], list[str], list[str], list[str], dict[str, str]]


def _join(items: Iterable[str]) -> str:
    return ";".join(sorted(set(i for i in items if i)))


class RowEncoder:
    """Encodes rows of one extract. Caches whole values: names repeat far more than they vary."""

    def __init__(self, encoder: Encoder) -> None:
        self.enc = encoder
        self.params = encoder.params
        self._cache: dict[tuple[str, str, str], str] = {}
        self._lists: dict[tuple[str, ...], tuple[str, str]] = {}
        self._births: dict[tuple[str, ...], Birth] = {}
        self._wanted: dict[tuple[str, str, str], bool] = {}  # filters to build: key -> plate
        self._hub = False  # salting wider, for the hub's own records (hub_people)

    def people(self, rows: Sequence[tuple[dict[str, str], date]]) -> list[list[str]]:
        """Each row's encoded columns, in the order of PEOPLE_FIELDS (and then levels.HUB_COLUMNS
        for the hub's)."""
        self._bound()
        plans = [self._plan(row, reference) for row, reference in rows]
        self._build()
        return [self._person(plan) for plan in plans]

    def hub_people(self, rows: Sequence[tuple[dict[str, str], date]]) -> list[list[str]]:
        """As `people`, for plain records the hub encodes itself with the agreement's secret: given
        names under every birth month and family names under near dates (``levels``), so that an
        agency's record meets them despite a slip in either date. Never written to an extract."""
        self._hub = True
        try:
            return self.people(rows)
        finally:
            self._hub = False

    def hub_person(self, row: dict[str, str], reference: date) -> dict[str, str]:
        return dict(zip((*PEOPLE_COLUMNS, *levels.HUB_COLUMNS), self.hub_people([(row, reference)])[0]))

    def given_under(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, str]]:
        """For each (given name, salts): its filters, salts and canonical digests under those salts,
        for the hub's own records (``levels.given_salts_near``). The filters are built together."""
        cleaned = [(norm.name(given), list(salts)) for given, salts in items]
        for given, salts in cleaned:
            for s in salts:
                if given:
                    self._want("name", s, given)
        self._build()
        out: list[dict[str, str]] = []
        for given, salts in cleaned:
            if not given or not salts:
                out.append({})
                continue
            digests = dict(zip(salts, self.enc.digests("salt", ((s, "") for s in salts))))
            bf, salted = self._salted("name", given, salts, digests)
            out.append(
                {"given_bf": bf, "given_salts": salted, "given_canon_digest": self._canon(given, salts)}
            )
        return out

    def events(self, rows: Sequence[dict[str, str]]) -> list[list[str]]:
        """Each event's encoded columns, in the order of EVENT_FIELDS."""
        self._bound()
        plans = [self._event_plan(row) for row in rows]
        self._build()
        return [self._event(*plan) for plan in plans]

    def person(self, row: dict[str, str], reference: date) -> dict[str, str]:
        return dict(zip(PEOPLE_COLUMNS, self.people([(row, reference)])[0]))

    def event(self, row: dict[str, str]) -> dict[str, str]:
        return dict(zip(EVENT_COLUMNS, self.events([row])[0]))

    def _bound(self) -> None:
        if max(len(self._cache), len(self._lists), len(self._births)) > MAX_CACHED:
            self._cache.clear()
            self._lists.clear()
            self._births.clear()
        self.enc.forget(MAX_CACHED)

    def _want(self, domain: str, salt: str, cleaned: str, plate: bool = False) -> None:
        if (domain, salt, cleaned) not in self._cache:
            self._wanted[(domain, salt, cleaned)] = plate

    def _build(self) -> None:
        if not self._wanted:
            return
        needs = [
            (d, s, norm.plate_bigrams(v) if plate else norm.bigrams(v))
            for (d, s, v), plate in self._wanted.items()
        ]
        self._cache.update(zip(self._wanted, self.enc.filters_b64(needs)))
        self._wanted.clear()

    def _bf(self, domain: str, salt: str, cleaned: str, plate: bool = False) -> str:
        out = self._cache.get((domain, salt, cleaned))
        if out is None:  # not planned: built alone
            grams = norm.plate_bigrams(cleaned) if plate else norm.bigrams(cleaned)
            out = self._cache[(domain, salt, cleaned)] = self.enc.filter_b64(domain, salt, grams)
        return out

    def birth_years(self, dob: norm.BirthDate | None, age: str, reference: date) -> list[str]:
        """The years a record's birth may fall in: its year of birth give or take the spread for
        typing errors, or its estimated age's year give or take more; [] when neither is known."""
        p = self.params
        if dob is not None:
            centre, spread = dob.year, p.dob_year_spread
        elif age and (est := norm.estimated_birth_year(age, reference)) is not None:
            centre, spread = est, p.age_year_spread
        else:
            return []
        return [str(y) for y in range(centre - spread, centre + spread + 1)]

    @staticmethod
    def name_salts(dob: norm.BirthDate | None, years: list[str], by_day: bool = False) -> list[str]:
        """Birth year and month, give or take the year spread and a day/month transposition;
        every month when only the year is known or guessed, so such a record still meets the
        others. `by_day` (family names) adds the day and gives nothing when the day is unknown."""
        if by_day:
            if dob is None or not dob.day or not dob.month:
                return []
            pairs = [(dob.month, dob.day)] + ([(dob.day, dob.month)] if dob.transposed() else [])
            return [f"{y}-{m}-{d}" for y in years for m, d in pairs]
        if dob is not None and dob.month:
            months = [dob.month] + ([dob.day] if dob.transposed() and dob.day else [])
        else:
            months = list(range(1, 13))
        return [f"{y}-{m}" for y in years for m in months]

    def _plan(self, row: dict[str, str], reference: date) -> Person:
        raw = row.get("date_of_birth", "")
        dob = norm.birth_date(raw)
        years = self.birth_years(dob, row.get("estimated_age", "").strip(), reference)
        key = (raw, *years, "hub", str(reference.year)) if self._hub else (raw, *years)
        birth = self._births.get(key) or self._birth(key, dob, years)
        given = norm.name(row.get("given_name", ""))
        family = norm.name(row.get("family_name", ""))
        others = norm.names(row.get("other_names", ""))
        salts, family_salts, full_salts = birth[1], birth[2], birth[3]
        if self.params.salted_by_year:
            # Both names together, salted by the birth year only, are too varied for their
            # frequency to tell; one name alone is not. Unsalted when no birth is known.
            full = f"{given} {family}" if given and family else ""
        else:
            full = f"{given} {family}".strip()
        cache, wanted = self._cache, self._wanted  # _want inlined: a dozen a record
        for domain, value, value_salts in (
            ("fullname", full, full_salts), ("name", given, salts), ("family", family, family_salts),
        ):  # fmt: skip
            if value and value_salts and (domain, value, *value_salts) not in self._lists:
                for s in value_salts:
                    if (key := (domain, s, value)) not in cache:
                        wanted[key] = False
        for o in others:
            for s in salts:
                if (key := ("name", s, o)) not in cache:
                    wanted[key] = False
        pc = norm.postcode(row.get("postcode", ""))
        if pc is not None and pc.full:
            self._want("postcode", "", pc.full.lower())
        addr = norm.address(row.get("address", ""))
        if addr:
            self._want("address", "", addr)
        return row, birth, given, family, others, full, pc, addr

    def _birth(self, key: tuple[str, ...], dob: norm.BirthDate | None, years: list[str]) -> Birth:
        """What a birth date (and the years it allows) encodes to: the same for many records."""
        enc = self.enc
        out = {"dob_precision": dob.precision if dob else ""}
        out["birth_years"] = _join(enc.digest("year", y) for y in years)
        if dob is not None:
            swapped = dob.transposed()
            out |= {
                "dob_digest": enc.digest("dob", dob.text()),
                "dob_swap_digest": enc.digest("dob", swapped) if swapped else "",
                "dob_year_digest": enc.digest("dob-year", str(dob.year)),
                "dob_month_digest": enc.digest("dob-month", str(dob.month)) if dob.month else "",
                "dob_day_digest": enc.digest("dob-day", str(dob.day)) if dob.day else "",
            }
        if not self.params.salted_by_year:
            salts = family_salts = full_salts = [""]
        elif self._hub:
            salts, family_salts = levels.wide_name_salts(dob, years), levels.near_family_salts(dob)
            full_salts = levels.hub_full_salts(dob, years, int(key[-1]))
            near = levels.near_years(dob, years)
            out["near_year_digest"] = _join(enc.digest("dob-year", y) for y in near)
        else:
            # Salted by the birth; with none to salt with, names travel only in fullname_bf.
            salts = self.name_salts(dob, years) if years else []
            family_salts = self.name_salts(dob, years, by_day=True)
            full_salts = years or [""]
        every = list(dict.fromkeys([*salts, *family_salts, *full_salts]))
        digests = dict(zip(every, enc.digests("salt", ((s, "") for s in every))))
        birth = self._births[key] = (out, salts, family_salts, full_salts, digests)
        return birth

    def _person(self, plan: Person) -> list[str]:
        row, birth, given, family, others, full, pc, addr = plan
        _, salts, family_salts, full_salts, digests = birth
        enc = self.enc
        out = dict(birth[0])
        # Each salted filter list comes with its salts' digests in the same order: two records'
        # filters compare only where their salts agree, and which salts agree says no more than
        # the date-of-birth digests already do.
        out["fullname_bf"], out["fullname_salts"] = self._salted("fullname", full, full_salts, digests)
        out["given_bf"], out["given_salts"] = self._salted("name", given, salts, digests)
        out["family_bf"], out["family_salts"] = self._salted("family", family, family_salts, digests)
        out["other_names_bf"] = (
            _join([self._bf("name", s, o) for o in others for s in salts]) if others else ""
        )
        out["given_canon_digest"] = self._canon(given, salts) if given else ""
        out |= self._postcode(pc)
        out["address_bf"] = self._bf("address", "", addr) if addr else ""
        out["phone_digest"] = _join(enc.digest("phone", ph) for ph in norm.phones(row.get("phone", "")))
        mail = norm.email(row.get("email", ""))
        out["email_digest"] = enc.digest("email", mail) if mail else ""
        for column, out_column, domain in (
            ("nhs_number", "nhs_digest", "nhs"),
            ("upn", "upn_digest", "upn"),
            ("pnc_id", "pnc_digest", "pnc"),
        ):
            value = norm.identifier(row.get(column, ""))
            out[out_column] = enc.digest(domain, value) if value else ""
        return [
            out.get(c, "") for c in ((*PEOPLE_COLUMNS, *levels.HUB_COLUMNS) if self._hub else PEOPLE_COLUMNS)
        ]

    def _salted(self, domain: str, value: str, salts: list[str], digests: dict[str, str]) -> tuple[str, str]:
        if not value or not salts:
            return "", ""
        key = (domain, value, *salts)
        out = self._lists.get(key)
        if out is None:
            cache = self._cache
            pairs = sorted(
                [(digests[s], cache.get((domain, s, value)) or self._bf(domain, s, value)) for s in salts]
            )
            out = ";".join(p[1] for p in pairs), ";".join(p[0] for p in pairs)
            self._lists[key] = out
        return out

    def _canon(self, given: str, salts: list[str]) -> str:
        key = ("canon", given, *salts)
        out = self._lists.get(key)
        if out is None:
            out = (
                _join(
                    self.enc.digests("canon", ((f, s) for f in norm.canonical_forms(given) for s in salts))
                ),
                "",
            )
            self._lists[key] = out
        return out[0]

    def _postcode(self, pc: norm.Postcode | None) -> dict[str, str]:
        if pc is None:
            return {}
        enc = self.enc
        return {
            "postcode_bf": self._bf("postcode", "", pc.full.lower()) if pc.full else "",
            "postcode_sector_digest": enc.digest("postcode-sector", pc.sector) if pc.sector else "",
            "postcode_district_digest": enc.digest("postcode-district", pc.district) if pc.district else "",
        }

    def _event_plan(self, row: dict[str, str]) -> tuple[dict[str, str], str, list[str], norm.Postcode | None]:
        place = norm.free_text(row.get("place", ""))
        plates = norm.vehicles(row.get("vehicle", ""))
        pc = norm.postcode(row.get("postcode", ""))
        if place:
            self._want("place", "", place)
        for v in plates:
            self._want("vehicle", "", v, plate=True)
        if pc is not None and pc.full:
            self._want("postcode", "", pc.full.lower())
        return row, place, plates, pc

    def _event(
        self, row: dict[str, str], place: str, plates: list[str], pc: norm.Postcode | None
    ) -> list[str]:
        enc = self.enc
        out = {
            "place_bf": self._bf("place", "", place) if place else "",
            "vehicle_bf": _join(self._bf("vehicle", "", v, plate=True) for v in plates),
            "phone_digest": _join(enc.digest("phone", ph) for ph in norm.phones(row.get("phone", ""))),
        } | self._postcode(pc)  # fmt: skip
        return [out.get(c, "") for c in EVENT_COLUMNS]
