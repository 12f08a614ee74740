"""Turn raw person records into the standardised feature table the model compares.

Everything Splink compares is precomputed here, in Python, so that the comparison SQL
stays simple (equality, array overlap, string similarity) and runs unchanged on DuckDB
and Spark. Ethnicity is never read: only the columns in INPUT_COLUMNS are looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterator
from datetime import date
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .names import canonical_forms, metaphone, name_tokens, nysiis
from .types import LinkageInputError

INPUT_COLUMNS: tuple[str, ...] = (
    "record_key",
    "agency",
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "sex",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "upn",
    "pnc_id",
    "address",
    "reference_date",
)

# Columns of the prepared table, in order; the Spark schema and the tests rely on it.
STRING_FEATURES: tuple[str, ...] = (
    "unique_id",
    "agency",
    "given",
    "family",
    "given_mp",
    "family_mp",
    "given_init",
    "given_ny",
    "family_ny",
    "dob",
    "dob_t",
    "dob_ym",
    "dob_t_ym",
    "dob_y",
    "dob_precision",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "address",
    "email",
    "nhs",
    "upn",
    "pnc",
    "upn_checked",
    "pnc_checked",
)
ARRAY_FEATURES: tuple[str, ...] = ("given_canon", "name_tokens", "phones", "id_near")
FLOAT_FEATURES: tuple[str, ...] = ("birth_year",)
# Overlapping three-year birth buckets: births within 1.5 years share at least one.
INT_FEATURES: tuple[str, ...] = ("birth_3y_a", "birth_3y_b")
BOOL_FEATURES: tuple[str, ...] = ("birth_is_estimate",)
FEATURE_COLUMNS: tuple[str, ...] = (
    STRING_FEATURES + ARRAY_FEATURES + FLOAT_FEATURES + INT_FEATURES + BOOL_FEATURES
)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_WORD = re.compile(r"[a-z0-9]+")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_ADDRESS_ABBREVIATIONS = {
    "road": "rd",
    "street": "st",
    "avenue": "ave",
    "lane": "ln",
    "drive": "dr",
    "close": "cl",
    "court": "ct",
    "crescent": "cres",
    "place": "pl",
    "terrace": "ter",
    "gardens": "gdns",
    "square": "sq",
    "flat": "flat",
    "apartment": "flat",
}


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def _text(value: object) -> str:
    return "" if _blank(value) else str(value).strip()


def _decimal_year(d: date) -> float:
    start = date(d.year, 1, 1)
    days = (date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def _parse_reference_date(key: str, raw: str, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise LinkageInputError(key, "reference_date", f"not a YYYY-MM-DD date: {raw!r}") from exc


def _birth_features(
    key: str, dob_raw: str, age_raw: str, reference: date
) -> tuple[str | None, str | None, str | None, str | None, str | None, float | None, bool]:
    """Returns dob (full), dob with day and month transposed (when that is a date),
    dob_ym, dob_y, precision, approximate birth year, is_estimate."""
    if dob_raw:
        m = _DOB.match(dob_raw)
        if not m:
            raise LinkageInputError(
                key, "date_of_birth", f"expected YYYY-MM-DD, YYYY-MM or YYYY, got {dob_raw!r}"
            )
        year, month, day = m.group(1), m.group(2), m.group(3)
        if day is not None and month is not None:
            try:
                d = date(int(year), int(month), int(day))
            except ValueError as exc:
                raise LinkageInputError(key, "date_of_birth", f"no such date: {dob_raw!r}") from exc
            transposed = f"{year}-{day}-{month}" if day != month and int(day) <= 12 else None
            return dob_raw, transposed, f"{year}-{month}", year, "day", _decimal_year(d), False
        if month is not None:
            if not 1 <= int(month) <= 12:
                raise LinkageInputError(key, "date_of_birth", f"no such month: {dob_raw!r}")
            return None, None, f"{year}-{month}", year, "month", int(year) + (int(month) - 0.5) / 12, False
        return None, None, None, year, "year", int(year) + 0.5, False
    if age_raw:
        try:
            age = int(float(age_raw))
        except ValueError as exc:
            raise LinkageInputError(key, "estimated_age", f"not a whole number: {age_raw!r}") from exc
        if not 0 <= age <= 120:
            raise LinkageInputError(key, "estimated_age", f"out of range: {age_raw!r}")
        # Someone aged A on the reference date was born between A+1 and A years before it.
        return None, None, None, None, None, _decimal_year(reference) - age - 0.5, True
    return None, None, None, None, None, None, False


def normalise_postcode(raw: str) -> tuple[str | None, str | None, str | None]:
    """Returns (postcode, sector, district) with spaces removed, or Nones."""
    pc = re.sub(r"[^A-Z0-9]", "", raw.upper())
    if not pc:
        return None, None, None
    m = _POSTCODE.match(pc)
    if not m:
        # Partial postcodes ("S65") still tell us the district.
        return None, None, pc if re.match(r"^[A-Z]{1,2}\d[A-Z\d]?$", pc) else None
    outward, inward = m.group(1), m.group(2)
    return pc, outward + inward[0], outward


def normalise_address(raw: str, postcode: str | None) -> str | None:
    """House and street only ("12 Lindley Drive, Parkgate" -> "12 lindley dr"): the
    locality is often left off, and the postcode is compared on its own."""
    parts = [p.strip() for p in raw.lower().split(",") if p.strip()]
    if not parts:
        return None
    first = parts[0]
    if len(parts) > 1 and re.match(r"^(flat|apartment|apt|unit|room)\b", first):
        first = f"{first} {parts[1]}"
    if postcode:
        compact = postcode.lower()
        for form in (f"{compact[:-3]} {compact[-3:]}", compact):
            first = first.replace(form, " ")
    words = [_ADDRESS_ABBREVIATIONS.get(w, w) for w in _WORD.findall(first)]
    return " ".join(words) or None


def normalise_phones(raw: str) -> list[str] | None:
    out: set[str] = set()
    for part in re.split(r"[;,/]", raw):
        digits = re.sub(r"\D", "", part)
        if digits.startswith("44") and len(digits) >= 11:
            digits = "0" + digits[2:]
        if len(digits) >= 6:
            out.add(digits)
    return sorted(out) or None


def valid_nhs_number(value: str) -> bool:
    """Modulus 11 check; invalid numbers are treated as not recorded."""
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def _identifier(raw: str) -> str | None:
    cleaned = re.sub(r"[^A-Z0-9/]", "", raw.upper())
    return cleaned or None


# The check letter alphabets leave out letters that look like digits.
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_UPN = re.compile(r"^([A-Z])(\d{12})$")
_PNC = re.compile(r"^(?:\d{2})?(\d{2})/(\d{1,7})([A-Z])$")


def valid_upn(value: str) -> bool:
    """A permanent UPN whose check letter holds (DfE: digits weighted 2 to 13, modulus 23)."""
    m = _UPN.match(value)
    if not m:
        return False
    total = sum(int(d) * w for w, d in enumerate(m.group(2), start=2))
    return UPN_CHECK_LETTERS[total % 23] == m.group(1)


def valid_pnc_id(value: str) -> bool:
    """A PNC id (YY/NNNNNNNC, or with a four-digit year) whose check letter holds: the two-digit
    year and the serial padded to seven digits, as one number, modulus 23."""
    m = _PNC.match(value)
    if not m:
        return False
    return PNC_CHECK_LETTERS[int(m.group(1) + m.group(2).zfill(7)) % 23] == m.group(3)


def _keystroke_keys(rows: np.ndarray) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(name, keys, rows they apply to) for values of one length, a character code per column:
    each position blanked ("?"), and each pair of neighbours put in order ("<"). Two different
    values share a key exactly when one keystroke apart (a character changed, or two neighbours
    swapped)."""
    everyone = np.ones(len(rows), dtype=bool)
    for i in range(rows.shape[1]):
        keys = rows.copy()
        keys[:, i] = ord("?")
        yield "?", keys, everyone
    for i in range(rows.shape[1] - 1):
        keys = rows.copy()
        a, b = rows[:, i], rows[:, i + 1]
        keys[:, i], keys[:, i + 1] = np.minimum(a, b), np.maximum(a, b)
        yield f"<{i}", keys, a != b


def near_keys(values: list[str | None], kind: str, checked: Collection[str] = ()) -> list[list[str] | None]:
    """For each value, the keys it shares with values one keystroke from it (a typo and what it was
    meant to be), for blocking; None for a value no other is near, so blocking costs nothing where
    there are no typos. ``kind`` keeps schemes apart. ``checked``: values that pass their check
    character; two of them are never one keystroke apart, so only the others are looked for."""
    distinct = {v for v in values if v}
    shared: dict[str, list[str]] = {}
    for length in {len(v) for v in distinct - set(checked)}:
        same = np.array(sorted(v for v in distinct if len(v) == length))
        rows = same.view(np.uint32).reshape(len(same), length)
        for name, keys, keep in _keystroke_keys(rows):
            index = np.flatnonzero(keep)
            flat = np.ascontiguousarray(keys[index]).view(np.dtype((np.void, 4 * length))).ravel()
            _, code = np.unique(flat, return_inverse=True)
            for i in np.flatnonzero(np.bincount(code)[code] > 1):
                key = "".join(map(chr, keys[index[i]]))
                shared.setdefault(str(same[index[i]]), []).append(f"{kind}{name}:{key}")
    return [shared.get(v) if v else None for v in values]


def _mapped(values: list[K], fn: Callable[[K], T]) -> list[T]:
    """fn over each distinct value once (names, postcodes and dates repeat a lot)."""
    cache = {v: fn(v) for v in set(values)}
    return [cache[v] for v in values]


def prepare_records(records: pd.DataFrame, *, as_of: date | None = None) -> pd.DataFrame:
    """Validate and standardise raw records into the feature table (one row per record,
    `unique_id` = record_key)."""
    if "record_key" not in records.columns:
        raise LinkageInputError("*", "record_key", "column is missing")
    default_ref = as_of or date.today()
    n = len(records)
    cols: dict[str, list[str]] = {}
    for c in INPUT_COLUMNS:
        cols[c] = _mapped(records[c].tolist(), _text) if c in records.columns else [""] * n
    keys = cols["record_key"]
    for i, k in enumerate(keys):
        if not k:
            raise LinkageInputError(f"row {i + 1}", "record_key", "blank")
    if len(set(keys)) != n:
        seen: set[str] = set()
        dupes = sorted({k for k in keys if k in seen or seen.add(k)})[:5]  # type: ignore[func-returns-value]
        raise LinkageInputError(dupes[0], "record_key", f"duplicated: {dupes}")

    g_tokens = _mapped(cols["given_name"], name_tokens)
    f_tokens = _mapped(cols["family_name"], name_tokens)
    o_tokens = _mapped(cols["other_names"], lambda v: name_tokens(v.replace(";", " ")))
    given = [t[0] if t else "" for t in g_tokens]
    family = ["".join(t) for t in f_tokens]
    tokens = [
        sorted(set(g) | set(f) | set(o) | ({fam} if fam else set())) or None
        for g, f, o, fam in zip(g_tokens, f_tokens, o_tokens, family, strict=True)
    ]

    births: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    birth_rows = []
    for key, dob_raw, age_raw, ref_raw in zip(
        keys, cols["date_of_birth"], cols["estimated_age"], cols["reference_date"], strict=True
    ):
        birth_key = (dob_raw, age_raw, ref_raw)
        b = births.get(birth_key)
        if b is None:
            ref = _parse_reference_date(key, ref_raw, default_ref)
            b = births[birth_key] = _birth_features(key, dob_raw, age_raw, ref)
        birth_rows.append(b)
    dob, dob_t, dob_ym, dob_y, precision, birth_year, is_est = (
        (list(c) for c in zip(*birth_rows, strict=True)) if n else ([], [], [], [], [], [], [])
    )

    postcodes = _mapped(cols["postcode"], normalise_postcode)
    pc = [p[0] for p in postcodes]
    address_keys = [f"{a}\x1f{p or ''}" for a, p in zip(cols["address"], pc, strict=True)]
    address = _mapped(
        address_keys, lambda k: normalise_address(*k.split("\x1f")) if k.split("\x1f")[0] else None
    )
    nhs_digits = _mapped(cols["nhs_number"], lambda v: re.sub(r"\D", "", v))
    upn: list[str | None] = _mapped(cols["upn"], _identifier)
    pnc: list[str | None] = _mapped(cols["pnc_id"], _identifier)
    upn_checked = _mapped(upn, lambda v: v if v and valid_upn(v) else None)
    pnc_checked = _mapped(pnc, lambda v: v if v and valid_pnc_id(v) else None)
    sexes = _mapped(cols["sex"], lambda v: v.upper()[:1] if v.upper()[:1] in ("F", "M") else None)

    frame = pd.DataFrame(
        {
            "unique_id": keys,
            "agency": [a or None for a in cols["agency"]],
            "given": [g or None for g in given],
            "family": [f or None for f in family],
            "given_mp": _mapped(given, metaphone),
            "family_mp": _mapped(family, metaphone),
            "given_init": [g[:1] or None for g in given],
            "given_ny": _mapped(given, nysiis),
            "family_ny": _mapped(family, nysiis),
            "dob": dob,
            "dob_t": dob_t,
            "dob_ym": dob_ym,
            "dob_t_ym": [d[:7] if d else None for d in dob_t],
            "dob_y": dob_y,
            "dob_precision": precision,
            "sex": sexes,
            "postcode": pc,
            "pc_sector": [p[1] for p in postcodes],
            "pc_district": [p[2] for p in postcodes],
            "address": address,
            "email": [e.lower() or None for e in cols["email"]],
            "nhs": [d if valid_nhs_number(d) else None for d in nhs_digits],
            "upn": upn,
            "pnc": pnc,
            "upn_checked": upn_checked,
            "pnc_checked": pnc_checked,
            # NHS numbers have none: two valid ones are never one keystroke apart (modulus 11
            # catches every change and swap of neighbours), and invalid ones are not recorded.
            "id_near": [
                (u or []) + (p or []) or None
                for u, p in zip(
                    near_keys(upn, "u", {v for v in upn_checked if v}),
                    near_keys(pnc, "p", {v for v in pnc_checked if v}),
                    strict=True,
                )
            ],
            "given_canon": _mapped(given, lambda g: list(canonical_forms(g)) or None),
            "name_tokens": tokens,
            "phones": _mapped(cols["phone"], lambda v: normalise_phones(v) if v else None),
            "birth_year": pd.Series(birth_year, dtype="float64"),
            "birth_is_estimate": pd.Series(is_est, dtype=bool),
        }
    )
    frame["birth_3y_a"] = (frame["birth_year"] // 3).astype("Int64")
    frame["birth_3y_b"] = ((frame["birth_year"] + 1.5) // 3).astype("Int64")
    return frame[list(FEATURE_COLUMNS)]
