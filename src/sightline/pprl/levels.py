"""What the hub adds when it holds an agreement's secret (docs/pprl.md, "one joint clustering").

An agency salts a given name by birth year and month and a family name by the full date, so two of
its records compare names only where their births agree. The hub encodes its plain records itself
and can afford more: a given name under every month of its year of birth, a family name under the
dates a typing slip would give (a day or a month one off, day and month swapped), both names
unsalted too or, with no birth, under every recent year. An agency's record then meets a hub
record's names at the agency's own salt even when the two births differ by a slip or one is
missing, as the plain model compares names whatever the dates say. What an agency's encoder
outputs does not change (``RowEncoder.people``).

Candidate pairs in a run with the hub's records: pairs that share one blocking key of a common set
(`BLOCK_COLUMNS_SQL`), exploded in one rule rather than many rules.
"""

from __future__ import annotations

import calendar
import copy
from collections.abc import Mapping, Sequence
from typing import Any

from . import normalise as norm
from .bloom import Encoder
from .similarity import comparisons

# Columns only the hub's own records carry (``RowEncoder.hub_people``), after an agency's.
HUB_COLUMNS: tuple[str, ...] = ("near_year_digest",)
# As the run's table holds them, with `hub`, true on the hub's own records.
HUB_TYPES: dict[str, str] = {"near_year_digest": "VARCHAR[]", "hub": "BOOLEAN"}

# Ages a person without a known birth might have, for the hub's salting of both names.
AGES = 100


def wide_name_salts(dob: norm.BirthDate | None, years: list[str]) -> list[str]:
    """Given-name salts of a hub record: every month of its year of birth (an agency's record
    carries its own year give or take the spread, so the two still meet a year apart), or of every
    year an estimated age allows."""
    if not years:
        return []
    return [f"{y}-{m}" for y in ([str(dob.year)] if dob is not None else years) for m in range(1, 13)]


def near_family_salts(dob: norm.BirthDate | None) -> list[str]:
    """Family-name salts of a hub record: in its year of birth, its date, day and month swapped,
    and the day or month one off; none when the day is unknown."""
    if dob is None or not dob.day or not dob.month:
        return []
    y, m, d = dob.year, dob.month, dob.day
    near = [(m, d), (d, m), (m, d - 1), (m, d + 1), (m - 1, d), (m + 1, d)]
    out = [f"{y}-{a}-{b}" for a, b in near if 1 <= a <= 12 and 1 <= b <= calendar.monthrange(y, a)[1]]
    return list(dict.fromkeys(out))


def hub_full_salts(dob: norm.BirthDate | None, years: list[str], reference_year: int) -> list[str]:
    """Both names' salts of a hub record: its year of birth, as for given names, or every year an
    estimated age allows; with no birth known, every year of the last `AGES`, so that it meets an
    agency's record whose birth is known. And unsalted, so that it meets one whose birth is not."""
    if dob is not None:
        salted = [str(dob.year)]
    else:
        salted = years or [str(y) for y in range(reference_year - AGES, reference_year + 1)]
    return [*salted, ""]


def given_salts_near(
    encoder: Encoder, agency: Sequence[Mapping[str, Any]], reference_year: int
) -> dict[str, list[str]]:
    """Postcode filter -> the given-name salts (birth year and month) of the agreement's records at
    that postcode. The hub holds the secret, so it can tell which salt a salt's digest is; a hub
    record with a given name and no birth is encoded under these, to meet its neighbours' names."""
    if not agency:
        return {}
    months = [f"{y}-{m}" for y in range(reference_year - AGES - 3, reference_year + 4) for m in range(1, 13)]
    salt_of = dict(zip(encoder.digests("salt", ((s, "") for s in months)), months))
    out: dict[str, set[str]] = {}
    for row in agency:
        if row.get("postcode_bf") and row.get("given_salts"):
            out.setdefault(row["postcode_bf"], set()).update(salt_of.get(d, "") for d in row["given_salts"])
    return {pc: sorted(s for s in salts if s) for pc, salts in out.items()}


def near_years(dob: norm.BirthDate | None, years: list[str]) -> list[str]:
    """The years within one of a hub record's year of birth, or of the year its estimated age gives
    (the middle of `years`): its `near_year_digest`, which an agency's year of birth can meet."""
    if not years:
        return []
    centre = dob.year if dob is not None else int(years[len(years) // 2])
    return [str(y) for y in range(centre - 1, centre + 2)]


# DuckDB: one record's blocking keys. Two records are a candidate pair when they share one: the date
# of birth (or it swapped), an identifier, a phone or email, the postcode within a birth year, both
# names within a birth year (or unsalted), or a given name's canonical form in a birth month. Filters
# and digests are keyed and domain-separated, so keys of different kinds never meet. The canonical
# forms (marked '#', outside base64) make many pairs of records that meet on their full names and
# dates anyway: they count only where one record lacks either (`block_loose`). Two of the hub's own
# records are never a pair here: the plain model scores those.
BLOCK_COLUMNS_SQL = (
    "list_distinct(list_filter(list_concat("
    "[dob_digest, dob_swap_digest, nhs_digest, upn_digest, pnc_digest, email_digest,"
    " postcode_bf || dob_year_digest],"
    " coalesce(phone_digest, []), coalesce(fullname_bf, []),"
    " list_transform(coalesce(given_canon_digest, []), c__ -> '#' || c__)), k__ -> k__ IS NOT NULL))"
    " AS block_key, fullname_bf IS NULL AS block_loose,"
    " coalesce(hub, false) AS block_hub"
)
BLOCKING_SQL = (
    "l.block_key = r.block_key AND NOT (l.block_hub AND r.block_hub)"
    " AND (NOT starts_with(l.block_key, '#') OR l.block_loose OR r.block_loose)"
)


def _insert(levels: list[dict[str, Any]], before: str, level: dict[str, Any]) -> None:
    at = next(i for i, lv in enumerate(levels) if lv["label_for_charts"].startswith(before))
    levels.insert(at, level)


def joint_comparisons(encoding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The encoded comparisons (``similarity.comparisons``) with levels for what the hub's records
    let a pair show, as the plain model shows it: given and family names swapped (the names the same
    together, not apart), and an estimated age within a year of a date of birth (`near_year_digest`).
    "Different" stays the last level (``model.hard_conflicts``)."""
    comps = copy.deepcopy(comparisons(encoding))
    by_name = {c["output_column_name"]: c["comparison_levels"] for c in comps}
    swapped = {
        "sql_condition": "list_has_any(fullname_bf_l, fullname_bf_r)",
        "label_for_charts": "Given and family names swapped (the same together)",
    }
    _insert(by_name["given_name"], "Loosely similar", dict(swapped))
    _insert(by_name["family_name"], "Loosely similar", dict(swapped))
    close = (
        "(dob_digest_l IS NULL OR dob_digest_r IS NULL)"
        " AND (list_contains(near_year_digest_l, dob_year_digest_r)"
        " OR list_contains(near_year_digest_r, dob_year_digest_l))"
    )
    _insert(
        by_name["date_of_birth"],
        "Estimated age consistent",
        {"sql_condition": close, "label_for_charts": "Estimated age consistent (within a year)"},
    )
    return comps
