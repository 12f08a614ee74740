"""Which columns of an extract are kept, encoded or dropped, and how each row is encoded.

Everything not listed in KEPT_* or encoded here is dropped unless the agency names it with
``--keep``. Name filters are salted with the birth year (Niedermeyer, Steinmetzer and Kroll 2014;
Ranbaduge and Schnell 2020): one filter per year the record's birth allows, so the same name in
different birth years encodes unrelated bits and name frequencies flatten out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from . import normalise as norm
from .bloom import Encoder

KEPT_PEOPLE: tuple[str, ...] = ("record_id", "sex")
KEPT_EVENTS: tuple[str, ...] = (
    "event_id",
    "record_id",
    "kind",
    "occurred_on",
    "ended_on",
    "others",
    "factors",
)


@dataclass(frozen=True)
class Field:
    """One output column: what it is made from and how (written to the manifest)."""

    column: str
    source: tuple[str, ...]
    kind: str  # bloom-list | bloom | digest | digest-list | plain
    domain: str
    elements: str
    year_salted: bool = False


PEOPLE_FIELDS: tuple[Field, ...] = (
    Field(
        "dob_precision", ("date_of_birth",), "plain", "", "day, month or year: how much of the date is known"
    ),
    Field("given_bf", ("given_name",), "bloom-list", "name", "padded bigrams", True),
    Field("family_bf", ("family_name",), "bloom-list", "name", "padded bigrams", True),
    Field("other_names_bf", ("other_names",), "bloom-list", "name", "padded bigrams of each name", True),
    Field(
        "fullname_bf",
        ("given_name", "family_name"),
        "bloom-list",
        "fullname",
        "padded bigrams of both names",
        True,
    ),
    Field(
        "fullname_salts",
        ("date_of_birth", "estimated_age"),
        "digest-list",
        "salt",
        "salts of fullname_bf, in order",
    ),
    Field(
        "given_salts",
        ("date_of_birth", "estimated_age"),
        "digest-list",
        "salt",
        "salts of given_bf, in order",
    ),
    Field("family_salts", ("date_of_birth",), "digest-list", "salt", "salts of family_bf, in order"),
    Field(
        "given_canon_digest", ("given_name",), "digest-list", "canon", "the name and its formal names", True
    ),
    Field(
        "birth_years",
        ("date_of_birth", "estimated_age"),
        "digest-list",
        "year",
        "years the birth may fall in",
    ),
    Field("dob_digest", ("date_of_birth",), "digest", "dob", "the date as far as known"),
    Field("dob_swap_digest", ("date_of_birth",), "digest", "dob", "the date with day and month swapped"),
    Field("dob_year_digest", ("date_of_birth",), "digest", "dob-year", "year"),
    Field("dob_month_digest", ("date_of_birth",), "digest", "dob-month", "month"),
    Field("dob_day_digest", ("date_of_birth",), "digest", "dob-day", "day of the month"),
    Field("postcode_bf", ("postcode",), "bloom", "postcode", "padded bigrams of the full postcode"),
    Field(
        "postcode_sector_digest", ("postcode",), "digest", "postcode-sector", "outward part and sector digit"
    ),
    Field("postcode_district_digest", ("postcode",), "digest", "postcode-district", "outward part"),
    Field("address_bf", ("address",), "bloom", "address", "padded bigrams of house and street"),
    Field("phone_digest", ("phone",), "digest-list", "phone", "digits of each number"),
    Field("email_digest", ("email",), "digest", "email", "lower-cased address"),
    Field("nhs_digest", ("nhs_number",), "digest", "nhs", "digits"),
    Field("upn_digest", ("upn",), "digest", "upn", "letters and digits"),
    Field("pnc_digest", ("pnc_id",), "digest", "pnc", "letters and digits"),
)
EVENT_FIELDS: tuple[Field, ...] = (
    Field("place_bf", ("place",), "bloom", "place", "padded bigrams of the words"),
    Field("postcode_bf", ("postcode",), "bloom", "postcode", "padded bigrams of the full postcode"),
    Field("postcode_sector_digest", ("postcode",), "digest", "postcode-sector", "outward part, sector digit"),
    Field("postcode_district_digest", ("postcode",), "digest", "postcode-district", "outward part"),
    Field("vehicle_bf", ("vehicle",), "bloom-list", "vehicle", "bigrams of each plate but unread ones"),
    Field("phone_digest", ("phone",), "digest-list", "phone", "digits of each number"),
)  # fmt: skip
# Read to make the encodings above; dropped from the output whatever --keep says.
IDENTIFYING_PEOPLE = frozenset(c for f in PEOPLE_FIELDS for c in f.source) | {"description"}
IDENTIFYING_EVENTS = frozenset(c for f in EVENT_FIELDS for c in f.source) | {"summary"}


def _join(items: Iterable[str]) -> str:
    return ";".join(sorted(set(i for i in items if i)))


class RowEncoder:
    """Encodes rows of one extract. Caches whole values: names repeat far more than they vary."""

    def __init__(self, encoder: Encoder) -> None:
        self.enc = encoder
        self.params = encoder.params
        self._cache: dict[tuple[str, str, str], str] = {}
        self._lists: dict[tuple[str, ...], tuple[str, str]] = {}

    def _bf(self, domain: str, salt: str, cleaned: str, plate: bool = False) -> str:
        key = (domain, salt, cleaned)
        out = self._cache.get(key)
        if out is None:
            grams = norm.plate_bigrams(cleaned) if plate else norm.bigrams(cleaned)
            out = self.enc.filter_b64(domain, salt, grams)
            self._cache[key] = out
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

    def person(self, row: dict[str, str], reference: date) -> dict[str, str]:
        enc = self.enc
        dob = norm.birth_date(row.get("date_of_birth", ""))
        years = self.birth_years(dob, row.get("estimated_age", "").strip(), reference)
        given = norm.name(row.get("given_name", ""))
        family = norm.name(row.get("family_name", ""))
        others = norm.names(row.get("other_names", ""))
        if self.params.salted_by_year:
            # Salted by the birth; with none to salt with, names travel only in fullname_bf.
            salts = self.name_salts(dob, years) if years else []
            family_salts = self.name_salts(dob, years, by_day=True)
            # Both names together, salted by the birth year only, are too varied for their
            # frequency to tell; one name alone is not. Unsalted when no birth is known.
            full = f"{given} {family}" if given and family else ""
            full_salts = years or [""]
        else:
            salts = family_salts = full_salts = [""]
            full = f"{given} {family}".strip()
        out: dict[str, str] = {"dob_precision": dob.precision if dob else ""}
        # Each salted filter list comes with its salts' digests in the same order: two records'
        # filters compare only where their salts agree, and which salts agree says no more than
        # the date-of-birth digests already do.
        out["fullname_bf"], out["fullname_salts"] = self._salted("fullname", full, full_salts)
        out["given_bf"], out["given_salts"] = self._salted("name", given, salts)
        out["family_bf"], out["family_salts"] = self._salted("family", family, family_salts)
        out["other_names_bf"] = _join(self._bf("name", s, o) for o in others for s in salts)
        out["given_canon_digest"] = self._canon(given, salts) if given else ""
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
        out |= self._postcode(row.get("postcode", ""))
        addr = norm.address(row.get("address", ""))
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
        return {f.column: out.get(f.column, "") for f in PEOPLE_FIELDS}

    def _salted(self, domain: str, value: str, salts: list[str]) -> tuple[str, str]:
        if not value or not salts:
            return "", ""
        key = (domain, value, *salts)
        out = self._lists.get(key)
        if out is None:
            pairs = sorted((self.enc.digest("salt", s), self._bf(domain, s, value)) for s in salts)
            out = ";".join(p[1] for p in pairs), ";".join(p[0] for p in pairs)
            self._lists[key] = out
        return out

    def _canon(self, given: str, salts: list[str]) -> str:
        key = ("canon", given, *salts)
        out = self._lists.get(key)
        if out is None:
            out = (
                _join(self.enc.digest("canon", f, s) for f in norm.canonical_forms(given) for s in salts),
                "",
            )
            self._lists[key] = out
        return out[0]

    def _postcode(self, raw: str) -> dict[str, str]:
        pc = norm.postcode(raw)
        if pc is None:
            return {}
        enc = self.enc
        return {
            "postcode_bf": self._bf("postcode", "", pc.full.lower()) if pc.full else "",
            "postcode_sector_digest": enc.digest("postcode-sector", pc.sector) if pc.sector else "",
            "postcode_district_digest": enc.digest("postcode-district", pc.district) if pc.district else "",
        }

    def event(self, row: dict[str, str]) -> dict[str, str]:
        enc = self.enc
        place = norm.free_text(row.get("place", ""))
        out = {
            "place_bf": self._bf("place", "", place) if place else "",
            "vehicle_bf": _join(
                self._bf("vehicle", "", v, plate=True) for v in norm.vehicles(row.get("vehicle", ""))
            ),
            "phone_digest": _join(enc.digest("phone", ph) for ph in norm.phones(row.get("phone", ""))),
        } | self._postcode(row.get("postcode", ""))  # fmt: skip
        return {f.column: out.get(f.column, "") for f in EVENT_FIELDS}
