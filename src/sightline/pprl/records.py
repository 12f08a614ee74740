"""Which columns of an extract are kept, encoded or dropped (rows.py encodes each row).

Everything not listed in KEPT_* or encoded here is dropped unless the agency names it with
``--keep``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
PEOPLE_COLUMNS: tuple[str, ...] = tuple(f.column for f in PEOPLE_FIELDS)
EVENT_COLUMNS: tuple[str, ...] = tuple(f.column for f in EVENT_FIELDS)
