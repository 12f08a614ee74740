"""Cleaning of identifying values before they are encoded, and the pieces they are encoded as.

Both sides of a linkage agreement must clean values the same way, or equal values would encode
differently; this module is therefore part of the scheme (docs/pprl.md) and changes to it need
a new scheme version.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from nicknames import NickNamer

_NICKNAMER = NickNamer()
_NOT_NAME = re.compile(r"[^a-z\s'-]")
_NAME_SEPARATORS = re.compile(r"[\s-]+")
_WORD = re.compile(r"[a-z0-9]+")
_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def _ascii_lower(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


@lru_cache(maxsize=100_000)
def name(value: str) -> str:
    """'Mary-Jane O'Neil ' -> 'mary jane oneil': letters only, accents dropped, parts spaced."""
    text = _NOT_NAME.sub(" ", _ascii_lower(value)).replace("'", "")
    return " ".join(t for t in _NAME_SEPARATORS.split(text) if t)


def names(value: str) -> list[str]:
    """The names in a ';'-separated cell (other_names), cleaned, blanks and repeats dropped."""
    out: list[str] = []
    for part in value.split(";"):
        cleaned = name(part)
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return out


@lru_cache(maxsize=100_000)
def canonical_forms(cleaned: str) -> tuple[str, ...]:
    """The name itself and the formal names it is a nickname of (Mick -> michael, mick, mike)."""
    if not cleaned:
        return ()
    forms = {cleaned, *(_ascii_lower(f) for f in _NICKNAMER.canonicals_of(cleaned))}
    return tuple(sorted(forms))


@lru_cache(maxsize=200_000)
def bigrams(cleaned: str) -> tuple[str, ...]:
    """Padded bigrams of a cleaned value, each once: 'ann' -> _a, an, nn, n_ (spaces become _)."""
    if not cleaned:
        return ()
    padded = "_" + cleaned.replace(" ", "_") + "_"
    return tuple(dict.fromkeys(padded[i : i + 2] for i in range(len(padded) - 1)))


@dataclass(frozen=True)
class BirthDate:
    """A date of birth as far as it is known: precision is 'day', 'month' or 'year'."""

    year: int
    month: int | None
    day: int | None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def text(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def transposed(self) -> str | None:
        """The date with day and month swapped, when that is another real date."""
        if not (self.day and self.month) or self.day == self.month or self.day > 12:
            return None
        return f"{self.year:04d}-{self.day:02d}-{self.month:02d}"


@lru_cache(maxsize=100_000)
def birth_date(value: str) -> BirthDate | None:
    """YYYY-MM-DD, YYYY-MM or YYYY (docs/extract-format.md); None for anything else."""
    m = _DOB.match(value.strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None:
            date(year, int(month), int(day))
            return BirthDate(year, int(month), int(day))
        if month is not None:
            return BirthDate(year, int(month), None) if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return BirthDate(year, None, None)


def estimated_birth_year(age: str, reference: date) -> int | None:
    """The likeliest birth year of someone judged to be `age` on `reference`."""
    try:
        years = int(float(age))
    except ValueError:
        return None
    if not 0 <= years <= 120:
        return None
    # Aged A on the reference day: born between A+1 and A years before it.
    return reference.year - years - (1 if reference.timetuple().tm_yday < 183 else 0)


@dataclass(frozen=True)
class Postcode:
    full: str | None  # 'S658PL'
    sector: str | None  # 'S658'
    district: str | None  # 'S65', the outward part


@lru_cache(maxsize=100_000)
def postcode(value: str) -> Postcode | None:
    compact = re.sub(r"[^A-Z0-9]", "", value.upper())
    m = _POSTCODE.match(compact)
    if m:
        return Postcode(compact, m.group(1) + m.group(2)[0], m.group(1))
    if _OUTWARD.match(compact):
        return Postcode(None, None, compact)
    return None


def phones(value: str) -> list[str]:
    """Digits of each number in a ';'-separated cell; +44 written as 0; too-short ones dropped."""
    out: list[str] = []
    for part in re.split(r"[;,/]", value):
        digits = re.sub(r"\D", "", part)
        if digits.startswith("44") and len(digits) >= 11:
            digits = "0" + digits[2:]
        if len(digits) >= 6 and digits not in out:
            out.append(digits)
    return out


def identifier(value: str) -> str:
    """NHS numbers, UPNs and PNC ids compared as their letters and digits: '943 476 5919' -> '9434765919'."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def email(value: str) -> str:
    return value.strip().lower()


def free_text(value: str) -> str:
    """Places: lower-case words of letters and digits, single-spaced."""
    return " ".join(_WORD.findall(_ascii_lower(value)))


_ABBREVIATIONS = {
    "road": "rd", "street": "st", "avenue": "ave", "lane": "ln", "drive": "dr", "close": "cl",
    "court": "ct", "crescent": "cres", "place": "pl", "terrace": "ter", "terr": "ter",
    "gardens": "gdns", "square": "sq", "apartment": "flat",
}  # fmt: skip


@lru_cache(maxsize=100_000)
def address(value: str) -> str:
    """House and street only, as the plain linkage compares them ('12 Lindley Drive, Parkgate' ->
    '12 lindley dr'): the locality is often left off and the postcode is encoded on its own."""
    parts = [p.strip() for p in _ascii_lower(value).split(",") if p.strip()]
    if not parts:
        return ""
    first = parts[0]
    if len(parts) > 1 and re.match(r"^(flat|apartment|apt|unit|room)\b", first):
        first = f"{first} {parts[1]}"
    return " ".join(_ABBREVIATIONS.get(w, w) for w in _WORD.findall(first))


def vehicles(value: str) -> list[str]:
    """Registrations in a ';'-separated cell, upper-case without spaces; '?' kept for unread characters."""
    out: list[str] = []
    for part in value.split(";"):
        plate = re.sub(r"[^A-Z0-9?]", "", part.upper())
        if plate.strip("?") and plate not in out:
            out.append(plate)
    return out


def plate_bigrams(plate: str) -> tuple[str, ...]:
    """Bigrams of a registration, leaving out those with an unread character."""
    return tuple(g for g in bigrams(plate.lower()) if "?" not in g)
