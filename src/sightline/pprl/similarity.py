"""Dice similarity of encoded filters, in Python and in DuckDB SQL, and Splink comparison levels.

Dice(a, b) = 2 |a AND b| / (|a| + |b|), |x| counting set bits. In DuckDB a base64 filter becomes a
bitstring with ``from_base64(x)::BIT``; ``&`` and ``bit_count`` then work on it in plain SQL. List
columns (a name salted with several birth years, several plates) compare by their best pair.

The levels here are for a pair whose records are both encoded under the same agreement (the same
`salt` and `key_check` in their manifests); they are written like the plain model's, with `_l`/`_r`
columns of a prepared table in which every ``;``-list cell has become a VARCHAR[] (NULL when empty),
with the filters also decoded (`create_decoded_table`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

# Dice thresholds for "similar" and "loosely similar", by hardening. Balanced filters carry the
# complement half, which agrees wherever both filters are empty: their Dice sits higher throughout
# (1 - Hamming/bits), so their thresholds do too. Measured on FEBRL names (bench/bench_pprl.py).
THRESHOLDS: dict[str, tuple[float, float]] = {
    "fold": (0.8, 0.6),
    "off": (0.8, 0.6),
    "balance": (0.9, 0.82),
}


def dice(a: bytes, b: bytes) -> float:
    ia, ib = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    total = ia.bit_count() + ib.bit_count()
    return 2 * (ia & ib).bit_count() / total if total else 0.0


def dice_b64(a: str, b: str) -> float:
    return dice(base64.b64decode(a), base64.b64decode(b))


def best_dice(a: str, b: str) -> float | None:
    """Best Dice between the filters of two ';'-list cells; None when either is empty."""
    left, right = [x for x in a.split(";") if x], [y for y in b.split(";") if y]
    if not left or not right:
        return None
    return max(dice_b64(x, y) for x in left for y in right)


def _bits(expr: str) -> str:
    return f"from_base64({expr})::BIT"


def dice_sql(left: str, right: str) -> str:
    """DuckDB: Dice of two base64 filters (VARCHAR expressions of the same length)."""
    a, b = _bits(left), _bits(right)
    return f"(2.0 * bit_count({a} & {b}) / nullif(bit_count({a}) + bit_count({b}), 0))"


def best_dice_sql(left: str, right: str) -> str:
    """DuckDB: best Dice over the pairs of two VARCHAR[] columns of base64 filters."""
    inner = dice_sql("x__", "y__")
    return f"list_max(list_transform({left}, x__ -> list_max(list_transform({right}, y__ -> {inner}))))"


def salted_dice_sql(column: str, salts: str) -> str:
    """DuckDB: best Dice over the filters of `column` (VARCHAR[]) whose salts, the parallel list
    `salts`, agree between the two records; NULL when no salt agrees. One Dice per shared salt."""
    l_col, r_col, l_salts, r_salts = f"{column}_l", f"{column}_r", f"{salts}_l", f"{salts}_r"
    at = f"list_position({r_salts}, {l_salts}[i__])"
    inner = dice_sql(f"{l_col}[i__]", f"{r_col}[{at}]")
    return (
        f"list_max(list_transform(range(1, len({l_salts}) + 1), i__ -> CASE WHEN {at} > 0 THEN {inner} END))"
    )


# The Dice levels read filters decoded once per record, not once per pair and level: beside
# `given_bf`, `family_bf`, `fullname_bf` and `address_bf`, the prepared table holds them as BIT
# (`given_bits` ..., BIT[] for lists; `DECODED`). The comparisons call two DuckDB macros
# (`create_macros`), which DuckDB inlines: the SQL that Splink parses with sqlglot, for every level
# at every training and scoring step, stays a few words long. (Decoding the filters in place, under
# their own names, measured slower: Splink's u sampling took twice as long.)
DECODED: dict[str, str] = {
    "given_bits": "given_bf", "family_bits": "family_bf", "fullname_bits": "fullname_bf",
    "address_bits": "address_bf",
}  # fmt: skip
MACROS: tuple[str, ...] = (
    # Dice of two decoded filters (BIT), as dice_sql.
    "CREATE OR REPLACE TEMP MACRO pprl_dice(a__, b__) AS"
    " (2.0 * bit_count(a__ & b__) / nullif(bit_count(a__) + bit_count(b__), 0))",
    # Best Dice over the filters (BIT[]) whose salts agree, as salted_dice_sql; NULL when none do.
    "CREATE OR REPLACE TEMP MACRO pprl_salted_dice(a__, b__, sa__, sb__) AS list_max(list_transform("
    "range(1, len(sa__) + 1), i__ -> CASE WHEN list_position(sb__, sa__[i__]) > 0"
    " THEN pprl_dice(a__[i__], b__[list_position(sb__, sa__[i__])]) END))",
)


def create_macros(con: Any) -> None:
    """The macros the comparisons call, on a DuckDB connection."""
    for sql in MACROS:
        con.execute(sql)


def decoded_sql(columns: Sequence[str]) -> str:
    """DuckDB: the select list of a prepared table (lists typed VARCHAR[]) as the comparisons read
    it: every column, and the `DECODED` columns of those there."""
    out = [f'"{c}"' for c in columns]
    for name, source in DECODED.items():
        if source in columns:
            one = (
                f'list_transform("{source}", x__ -> {_bits("x__")})'
                if source in LIST_COLUMNS
                else _bits(source)
            )
            out.append(f"{one} AS {name}")
    return ", ".join(out)


def create_decoded_table(con: Any, name: str, source: str, columns: Sequence[str]) -> None:
    """Table `name` from `source` (prepared rows, lists typed VARCHAR[]) with the decoded filters
    (`decoded_sql`), and the macros the comparisons call."""
    create_macros(con)
    con.execute(f'CREATE TABLE "{name}" AS SELECT {decoded_sql(columns)} FROM {source}')


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": " ".join(sql.split()), "label_for_charts": label, **extra}


def dice_levels(
    column: str, thresholds: Sequence[float], *, lists: bool = True, null_sql: str | None = None
) -> list[dict[str, Any]]:
    """Null, one level per threshold (Dice at least it, highest first), else: for `column_l/_r`."""
    left, right = f"{column}_l", f"{column}_r"
    sim = best_dice_sql(left, right) if lists else dice_sql(left, right)
    levels = [_level(null_sql or f"{left} IS NULL OR {right} IS NULL", "Not recorded", is_null_level=True)]
    for t in sorted(thresholds, reverse=True):
        levels.append(_level(f"{sim} >= {t}", f"Dice at least {t}"))
    levels.append(_level("ELSE", "Different"))
    return levels


def _overlap(a: str, b: str) -> str:
    return f"list_has_any({a}, {b})"


def comparisons(encoding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Splink comparisons on the encoded columns, named as the plain model's are, for pairs
    whose records are both encoded under `encoding` (a manifest's `encoding`)."""
    hi, lo = THRESHOLDS[encoding["hardening"]]

    def apart(salts: str) -> str:
        # Filters salted differently cannot be compared: their bits are unrelated.
        return f"NOT {_overlap(f'{salts}_l', f'{salts}_r')}"

    def dice_at(col: str, t: float) -> str:
        bits, salts = (col.removesuffix("_bf") + s for s in ("_bits", "_salts"))
        return f"pprl_salted_dice({bits}_l, {bits}_r, {salts}_l, {salts}_r) >= {t}"

    def null(col: str, salts: str) -> dict[str, Any]:
        sql = f"{col}_l IS NULL OR {col}_r IS NULL OR {apart(salts)}"
        return _level(sql, "Not recorded or not comparable", is_null_level=True)

    given = {
        "output_column_name": "given_name",
        "comparison_description": "Given name (encoded)",
        "comparison_levels": [
            null("given_bf", "given_salts"),
            _level(_overlap("given_bf_l", "given_bf_r"), "Same name"),
            _level(_overlap("given_canon_digest_l", "given_canon_digest_r"), "Nickname or variant"),
            _level(dice_at("given_bf", hi), f"Similar spelling (Dice at least {hi})"),
            _level(
                f"{_overlap('given_bf_l', 'other_names_bf_r')}"
                f" OR {_overlap('other_names_bf_l', 'given_bf_r')}",
                "Among the other record's names or aliases",
            ),
            _level(dice_at("given_bf", lo), f"Loosely similar (Dice at least {lo})"),
            _level("ELSE", "Different"),
        ],
    }  # fmt: skip
    family = {
        "output_column_name": "family_name",
        "comparison_description": "Family name (encoded)",
        "comparison_levels": [
            null("family_bf", "family_salts"),
            _level(_overlap("family_bf_l", "family_bf_r"), "Same name"),
            _level(dice_at("family_bf", hi), f"Similar spelling (Dice at least {hi})"),
            _level(dice_at("family_bf", lo), f"Loosely similar (Dice at least {lo})"),
            _level("ELSE", "Different"),
        ],
    }
    # Both names in one filter: counted only where the two above could not both compare, so that
    # a pair is not scored twice on the same names. Salted by birth year, or by nothing at all.
    both_compared = (
        f"NOT (given_bf_l IS NULL OR given_bf_r IS NULL OR {apart('given_salts')})"
        f" AND NOT (family_bf_l IS NULL OR family_bf_r IS NULL OR {apart('family_salts')})"
    )
    full = {
        "output_column_name": "full_name",
        "comparison_description": "Given and family names together (encoded), where not compared apart",
        "comparison_levels": [
            _level(
                f"fullname_bf_l IS NULL OR fullname_bf_r IS NULL OR {apart('fullname_salts')}"
                f" OR ({both_compared})",
                "Not recorded, not comparable or compared apart",
                is_null_level=True,
            ),
            _level(_overlap("fullname_bf_l", "fullname_bf_r"), "Same names (in either order)"),
            _level(dice_at("fullname_bf", hi), f"Similar (Dice at least {hi})"),
            _level(dice_at("fullname_bf", lo), f"Loosely similar (Dice at least {lo})"),
            _level("ELSE", "Different"),
        ],
    }
    y, m, d = (f"dob_{p}_digest" for p in ("year", "month", "day"))
    both_days = "dob_precision_l = 'day' AND dob_precision_r = 'day'"
    dob = {
        "output_column_name": "date_of_birth",
        "comparison_description": "Date of birth or estimated age (encoded)",
        "comparison_levels": [
            _level("birth_years_l IS NULL OR birth_years_r IS NULL", "Not recorded", is_null_level=True),
            _level("dob_digest_l = dob_digest_r", "Same date of birth"),
            _level("dob_swap_digest_l = dob_digest_r", "Day and month transposed"),
            _level(
                f"{both_days} AND (({y}_l = {y}_r AND {m}_l = {m}_r) OR ({y}_l = {y}_r AND {d}_l = {d}_r)"
                f" OR ({m}_l = {m}_r AND {d}_l = {d}_r))",
                "Two of day, month and year agree",
            ),
            _level(
                f"{y}_l = {y}_r AND {m}_l = {m}_r"
                " AND (dob_precision_l = 'month' OR dob_precision_r = 'month')",
                "Same year and month (one date partial)",
            ),
            _level(
                f"{y}_l = {y}_r AND (dob_precision_l = 'year' OR dob_precision_r = 'year')",
                "Same year (one date partial)",
            ),
            _level(
                "(dob_digest_l IS NULL OR dob_digest_r IS NULL)"
                " AND list_has_any(birth_years_l, birth_years_r)",
                "Estimated age consistent",
            ),
            _level("list_has_any(birth_years_l, birth_years_r)", "Birth years close"),
            _level("ELSE", "Different"),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_description": "Sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "Not recorded", is_null_level=True),
            _level("sex_l = sex_r", "Same"),
            _level("ELSE", "Different"),
        ],
    }
    recorded = " OR ".join(
        f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)"
        for c in ("postcode_bf", "address_bf", "postcode_district_digest")
    )
    location = {
        "output_column_name": "location",
        "comparison_description": "Address and postcode (encoded)",
        "comparison_levels": [
            _level(f"NOT ({recorded})", "Not recorded", is_null_level=True),
            _level(
                "address_bf_l = address_bf_r AND (postcode_bf_l = postcode_bf_r"
                " OR postcode_bf_l IS NULL OR postcode_bf_r IS NULL)",
                "Same address",
            ),
            _level("postcode_bf_l = postcode_bf_r", "Same postcode"),
            _level(f"pprl_dice(address_bits_l, address_bits_r) >= {hi}", "Similar address"),
            _level("postcode_sector_digest_l = postcode_sector_digest_r", "Same postcode sector"),
            _level("postcode_district_digest_l = postcode_district_digest_r", "Same postcode district"),
            _level("ELSE", "Different area"),
        ],
    }
    phone = {
        "output_column_name": "phone",
        "comparison_description": "Phone numbers (encoded)",
        "comparison_levels": [
            _level("phone_digest_l IS NULL OR phone_digest_r IS NULL", "Not recorded", is_null_level=True),
            _level(_overlap("phone_digest_l", "phone_digest_r"), "A number in common"),
            _level("ELSE", "No number in common"),
        ],
    }
    email = {
        "output_column_name": "email",
        "comparison_description": "Email (encoded)",
        "comparison_levels": [
            _level("email_digest_l IS NULL OR email_digest_r IS NULL", "Not recorded", is_null_level=True),
            _level("email_digest_l = email_digest_r", "Same"),
            _level("ELSE", "Different"),
        ],
    }
    ids = [("nhs", "NHS number"), ("upn", "UPN"), ("pnc", "PNC id")]
    identifiers = {
        "output_column_name": "identifiers",
        "comparison_description": "NHS number, UPN, PNC id (encoded)",
        "comparison_levels": [
            _level(
                " AND ".join(f"({c}_digest_l IS NULL OR {c}_digest_r IS NULL)" for c, _ in ids),
                "None in common",
                is_null_level=True,
            ),
            *(_level(f"{c}_digest_l = {c}_digest_r", f"Same {label}") for c, label in ids),
            _level("ELSE", "Identifier conflicts"),
        ],
    }
    return [given, family, full, dob, sex, location, phone, email, identifiers]


LIST_COLUMNS: tuple[str, ...] = (
    "given_bf", "family_bf", "fullname_bf", "other_names_bf", "given_canon_digest", "birth_years",
    "given_salts", "family_salts", "fullname_salts", "phone_digest", "vehicle_bf",
)  # fmt: skip


def create_prepared_table(con: Any, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """A DuckDB table of prepared rows with the list columns typed VARCHAR[] even when every cell
    is NULL (a DataFrame would leave such a column untyped and list functions would refuse it),
    decoded for the comparisons (`create_decoded_table`)."""
    columns = list(rows[0])
    types = ", ".join(f'"{c}" {"VARCHAR[]" if c in LIST_COLUMNS else "VARCHAR"}' for c in columns)
    con.execute(f'CREATE TEMP TABLE "{name}__raw" ({types})')
    marks = ", ".join("?" for _ in columns)
    con.executemany(
        f'INSERT INTO "{name}__raw" VALUES ({marks})', [[r.get(c) for c in columns] for r in rows]
    )
    create_decoded_table(con, name, f'"{name}__raw"', columns)
    con.execute(f'DROP TABLE "{name}__raw"')


def prepared_row(encoded: Mapping[str, str]) -> dict[str, Any]:
    """An encoded people.csv row as the comparisons above expect it: lists split, blanks NULL."""
    out: dict[str, Any] = {}
    for column, value in encoded.items():
        if column in LIST_COLUMNS:
            out[column] = [v for v in value.split(";") if v] or None
        else:
            out[column] = value or None
    return out
