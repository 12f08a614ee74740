"""The Fellegi-Sunter model: comparisons, blocking rules, training and persistence.

Comparisons are written as explicit Splink comparison levels over the columns built in
prepare.py. The SQL differs between DuckDB and Spark only in three functions (string
similarity, array overlap), so `comparisons(dialect)` writes each dialect directly and
trained m/u values are carried across by comparison name and level label. The trained
model is stored as Splink's own JSON (`save_model_to_json`), so it can be opened with
Splink directly.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

logger = logging.getLogger(__name__)

TF_COLUMNS: tuple[str, ...] = ("given", "family")
TF_COMPARISONS: tuple[str, ...] = ("given_name", "family_name")


@dataclass(frozen=True)
class _Sql:
    dialect: str

    def jw(self, a: str, b: str) -> str:
        if self.dialect == "spark":
            return f"jaro_winkler({a}, {b})"
        return f"jaro_winkler_similarity({a}, {b})"

    def damerau(self, a: str, b: str) -> str:
        # DuckDB's own; on Spark, Splink's bundled UDF.
        return f"damerau_levenshtein({a}, {b})"

    def overlap(self, a: str, b: str) -> str:
        if self.dialect == "spark":
            return f"arrays_overlap({a}, {b})"
        return f"list_has_any({a}, {b})"


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": " ".join(sql.split()), "label_for_charts": label, **extra}


# Starting (m, u) for each non-null level, in order. Training replaces them; they stay
# only where training never sees a level (no UPNs or emails in the data yet, say).
STARTING_VALUES: dict[str, list[tuple[float, float]]] = {
    "given_name": [
        (0.80, 0.01),
        (0.02, 1e-5),
        (0.06, 0.002),
        (0.05, 0.005),
        (0.02, 0.001),
        (0.01, 0.005),
        (0.02, 0.05),
        (0.02, 0.927),
    ],
    "family_name": [(0.85, 0.01), (0.02, 1e-5), (0.06, 0.005), (0.02, 0.001), (0.02, 0.05), (0.03, 0.934)],
    "date_of_birth": [
        (0.75, 0.0003),
        (0.02, 1e-5),
        (0.03, 0.001),
        (0.05, 0.002),
        (0.03, 0.02),
        (0.07, 0.1),
        (0.02, 0.15),
        (0.01, 0.1),
        (0.01, 0.05),
        (0.01, 0.5767),
    ],
    "sex": [(0.97, 0.5), (0.03, 0.5)],
    "location": [(0.6, 0.001), (0.1, 0.002), (0.05, 0.002), (0.05, 0.02), (0.05, 0.1), (0.15, 0.875)],
    "phone": [(0.6, 0.0005), (0.4, 0.9995)],
    "email": [(0.8, 0.0001), (0.2, 0.9999)],
    "identifiers": [(0.6, 1e-6), (0.2, 1e-6), (0.13, 1e-6), (0.02, 1e-5), (0.03, 0.5), (0.02, 0.499987)],
}


# Identifiers one keystroke apart, or differing where one cannot be checked: evidence for and
# against, but neither a match nor a hard conflict.
KEYSTROKE_APART = "One keystroke apart (likely a typo)"
UNCHECKED_DIFFERENT = "Different, not checkable (may be mistyped)"


def comparisons(dialect: str) -> list[dict[str, Any]]:
    """The comparison definitions, most specific level first (Splink CASE WHEN order)."""
    s = _Sql(dialect)

    def alike(a: str, b: str) -> str:
        return (
            f"({a}_l = {b}_r OR {a}_mp_l = {b}_mp_r OR {s.jw(f'{a}_l', f'{b}_r')} >= 0.92"
            f" OR {s.damerau(f'{a}_l', f'{b}_r')} <= 1)"
        )

    # Crosswise the same, sounding alike, spelt nearly alike or one keystroke apart (swapped fields
    # with a typo: "Hels Trey" and "Trye Held"). Both names must agree crosswise, so twins, who
    # share a family name, never meet here.
    swapped = f"given_l <> family_l AND {alike('given', 'family')} AND {alike('family', 'given')}"
    given = {
        "output_column_name": "given_name",
        "comparison_description": "Given name",
        "comparison_levels": [
            _level("given_l IS NULL OR given_r IS NULL", "Not recorded", is_null_level=True),
            _level("given_l = given_r", "Same name", tf_adjustment_column="given", tf_adjustment_weight=1.0),
            _level(swapped, "Given and family names swapped"),
            _level(s.overlap("given_canon_l", "given_canon_r"), "Nickname or variant (e.g. Jess / Jessica)"),
            _level(
                f"given_mp_l = given_mp_r OR {s.jw('given_l', 'given_r')} >= 0.92",
                "Sounds alike or similar spelling",
            ),
            _level(
                "array_contains(name_tokens_r, given_l) OR array_contains(name_tokens_l, given_r)",
                "Among the other record's names or aliases",
            ),
            _level(
                "(length(given_l) = 1 OR length(given_r) = 1)"
                " AND substr(given_l, 1, 1) = substr(given_r, 1, 1)",
                "Initial agrees",
            ),
            _level(f"{s.jw('given_l', 'given_r')} >= 0.8", "Loosely similar"),
            _level("ELSE", "Different"),
        ],
    }
    family = {
        "output_column_name": "family_name",
        "comparison_description": "Family name",
        "comparison_levels": [
            _level("family_l IS NULL OR family_r IS NULL", "Not recorded", is_null_level=True),
            _level(
                "family_l = family_r", "Same name", tf_adjustment_column="family", tf_adjustment_weight=1.0
            ),
            _level(swapped, "Given and family names swapped"),
            _level(
                f"family_mp_l = family_mp_r OR {s.jw('family_l', 'family_r')} >= 0.92",
                "Sounds alike or similar spelling",
            ),
            _level(
                "array_contains(name_tokens_r, family_l) OR array_contains(name_tokens_l, family_r)",
                "Among the other record's names (previous or double-barrelled name)",
            ),
            _level(f"{s.jw('family_l', 'family_r')} >= 0.8", "Loosely similar"),
            _level("ELSE", "Different"),
        ],
    }
    either_estimate = "(birth_is_estimate_l OR birth_is_estimate_r)"
    dob = {
        "output_column_name": "date_of_birth",
        "comparison_description": "Date of birth or estimated age",
        "comparison_levels": [
            _level("birth_year_l IS NULL OR birth_year_r IS NULL", "Not recorded", is_null_level=True),
            _level("dob_l = dob_r", "Same date of birth"),
            _level("dob_t_l = dob_r", "Day and month transposed"),
            # Full dates are all YYYY-MM-DD, so one change or one swap of neighbours. Damerau-
            # Levenshtein costs five Levenshteins: asked only of dates two changes apart.
            _level(
                f"levenshtein(dob_l, dob_r) <= 1 OR (levenshtein(dob_l, dob_r) = 2"
                f" AND {s.damerau('dob_l', 'dob_r')} = 1)",
                "One keystroke different (a digit changed or two swapped)",
            ),
            _level(
                "(dob_ym_l = dob_ym_r OR dob_t_ym_l = dob_ym_r OR dob_ym_l = dob_t_ym_r) AND"
                " (dob_precision_l = 'month' OR dob_precision_r = 'month')",
                "Same year and month (one date partial)",
            ),
            _level(
                "dob_y_l = dob_y_r AND (dob_precision_l = 'year' OR dob_precision_r = 'year')",
                "Same year (one date partial)",
            ),
            _level(
                f"{either_estimate} AND abs(birth_year_l - birth_year_r) <= 1.5",
                "Estimated age consistent (within 1.5 years)",
            ),
            _level(
                f"{either_estimate} AND abs(birth_year_l - birth_year_r) <= 3.5",
                "Estimated age roughly consistent (within 3.5 years)",
            ),
            _level(
                f"{either_estimate} AND abs(birth_year_l - birth_year_r) <= 6.5",
                "Estimated age loosely consistent (within 6.5 years)",
            ),
            _level(
                f"NOT {either_estimate} AND abs(birth_year_l - birth_year_r) <= 1",
                "Different dates within a year",
            ),
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
    location = {
        "output_column_name": "location",
        "comparison_description": "Address and postcode",
        "comparison_levels": [
            _level(
                "NOT ((postcode_l IS NOT NULL AND postcode_r IS NOT NULL)"
                " OR (address_l IS NOT NULL AND address_r IS NOT NULL)"
                " OR (pc_district_l IS NOT NULL AND pc_district_r IS NOT NULL))",
                "Not recorded",
                is_null_level=True,
            ),
            _level(
                "address_l = address_r AND (postcode_l = postcode_r"
                " OR postcode_l IS NULL OR postcode_r IS NULL)",
                "Same address",
            ),
            _level("postcode_l = postcode_r", "Same postcode"),
            _level(f"{s.jw('address_l', 'address_r')} >= 0.9", "Similar address"),
            _level("pc_sector_l = pc_sector_r", "Same postcode sector"),
            _level("pc_district_l = pc_district_r", "Same postcode district"),
            _level("ELSE", "Different area"),
        ],
    }
    phone = {
        "output_column_name": "phone",
        "comparison_description": "Phone numbers",
        "comparison_levels": [
            _level("phones_l IS NULL OR phones_r IS NULL", "Not recorded", is_null_level=True),
            _level(s.overlap("phones_l", "phones_r"), "A number in common"),
            _level("ELSE", "No number in common"),
        ],
    }
    email = {
        "output_column_name": "email",
        "comparison_description": "Email",
        "comparison_levels": [
            _level("email_l IS NULL OR email_r IS NULL", "Not recorded", is_null_level=True),
            _level("email_l = email_r", "Same"),
            _level("ELSE", "Different"),
        ],
    }

    def keystroke(c: str) -> str:
        # One character changed or two neighbours swapped.
        return f"(length({c}_l) = length({c}_r) AND {s.damerau(f'{c}_l', f'{c}_r')} <= 1)"

    # Differing numbers that both pass their check (NHS numbers that fail it are not recorded).
    checked_differ = (
        "coalesce(nhs_l <> nhs_r OR upn_checked_l <> upn_checked_r OR pnc_checked_l <> pnc_checked_r, false)"
    )
    identifiers = {
        "output_column_name": "identifiers",
        "comparison_description": "NHS number, UPN, PNC id",
        "comparison_levels": [
            _level(
                "(nhs_l IS NULL OR nhs_r IS NULL) AND (upn_l IS NULL OR upn_r IS NULL)"
                " AND (pnc_l IS NULL OR pnc_r IS NULL)",
                "None in common",
                is_null_level=True,
            ),
            _level("nhs_l = nhs_r", "Same NHS number"),
            _level("upn_l = upn_r", "Same UPN"),
            _level("pnc_l = pnc_r", "Same PNC id"),
            _level(f"({keystroke('upn')} OR {keystroke('pnc')}) AND NOT {checked_differ}", KEYSTROKE_APART),
            _level(f"NOT {checked_differ}", UNCHECKED_DIFFERENT),
            # Two numbers that both pass their check digit or letter are no typo of each other.
            _level("ELSE", "Identifier conflicts"),
        ],
    }
    out: list[dict[str, Any]] = [given, family, dob, sex, location, phone, email, identifiers]
    for comp in out:
        non_null = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for level, (m, u) in zip(non_null, STARTING_VALUES[comp["output_column_name"]], strict=True):
            level["m_probability"] = m
            level["u_probability"] = u
    return out


COMPARISON_NAMES: tuple[str, ...] = tuple(c["output_column_name"] for c in comparisons("duckdb"))


# Blocking keys: a pair is scored when any one key agrees. "[]" marks an array column
# that is exploded, so any shared element agrees (nickname canonicals, phones). A
# rule's optional condition narrows it further.
SPARSE_SIDE = "(l.family IS NULL OR r.family IS NULL) AND (l.sex IS NULL OR r.sex IS NULL OR l.sex = r.sex)"
BLOCKING_KEYS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("given_mp", "family_mp"), None),
    (("given_canon[]", "family_mp"), None),
    # Records with no family name ("Chloe, about 15") by name and birth bucket.
    (("given_canon[]", "birth_3y_a"), SPARSE_SIDE),
    (("given_canon[]", "birth_3y_b"), SPARSE_SIDE),
    (("dob", "pc_district"), None),
    (("dob", "given_mp"), None),
    (("dob", "family_mp"), None),
    (("family_mp", "postcode"), None),
    (("postcode", "given_mp"), None),
    # The same address or birthday and the same initial: typos and nicknames that sound different
    # ("Josyua" and "Joshua", "Jim" and "James", "Beth" and "Bethany").
    (("postcode", "given_init"), None),
    (("dob", "given_init"), None),
    (("given_canon[]", "postcode"), None),
    (("nhs",), None),
    (("upn",), None),
    (("pnc",), None),
    # A UPN or PNC id one keystroke off (a typo: two that pass their check never are).
    (("id_near[]",), None),
    (("email",), None),
    (("phones[]",), None),
)
SWAPPED_RULE = "l.given_mp = r.family_mp AND l.family_mp = r.given_mp"


def blocking_rules(keys: Sequence[tuple[tuple[str, ...], str | None]] = BLOCKING_KEYS) -> list[Any]:
    """Candidate pairs. Phonetic keys and nickname canonicals let misspelt and
    nicknamed pairs through, the swapped rule catches given/family swaps, and
    identifiers catch the rest. ``keys``: BLOCKING_KEYS, or those narrowed for a large
    town (blocking_scale.scaled_keys)."""
    rules: list[Any] = []
    for spec, condition in keys:
        cols = [c.removesuffix("[]") for c in spec]
        arrays = [c.removesuffix("[]") for c in spec if c.endswith("[]")] or None
        if condition is None:
            rules.append(block_on(*cols, arrays_to_explode=arrays))
        else:
            sql = " AND ".join([f"l.{c} = r.{c}" for c in cols] + [condition])
            rules.append(CustomRule(sql, arrays_to_explode=arrays))
    rules.append(CustomRule(SWAPPED_RULE))
    return rules


def em_blocking_rules() -> list[Any]:
    # Each rule leaves the other comparisons free to be estimated; between them every
    # comparison is estimated at least once.
    return [
        block_on("dob"),
        block_on("given_mp", "family_mp"),
        block_on("postcode", "dob_y"),
    ]


def _parameters_from_model(model: dict[str, Any]) -> dict[str, list[tuple[float | None, float | None]]]:
    out: dict[str, list[tuple[float | None, float | None]]] = {}
    for comp in model["comparisons"]:
        out[comp["output_column_name"]] = [
            (lv.get("m_probability"), lv.get("u_probability")) for lv in comp["comparison_levels"]
        ]
    return out


def model_matches_structure(model: dict[str, Any]) -> bool:
    """True when the stored model was trained on exactly these comparison levels."""
    try:
        mine = {c["output_column_name"]: c for c in comparisons(model.get("sql_dialect", "duckdb"))}
        theirs = {c["output_column_name"]: c for c in model["comparisons"]}
        if set(mine) != set(theirs):
            return False
        for name, comp in mine.items():
            a = [(lv["label_for_charts"], lv["sql_condition"]) for lv in comp["comparison_levels"]]
            b = [
                (lv.get("label_for_charts"), " ".join(str(lv.get("sql_condition")).split()))
                for lv in theirs[name]["comparison_levels"]
            ]
            if a != b:
                return False
        return True
    except (KeyError, TypeError):
        return False


def gamma_of(comparison: str, label: str, comps: Sequence[dict[str, Any]] | None = None) -> int:
    """Splink's gamma value for a level: ELSE is 0, counting up to the first level. ``comps``: these
    comparisons (the encoded ones, say) rather than the plain model's."""
    comp = next(c for c in comps or comparisons("duckdb") if c["output_column_name"] == comparison)
    non_null = [lv["label_for_charts"] for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
    return len(non_null) - 1 - non_null.index(label)


def hard_conflicts(pairs: pd.DataFrame, comps: Sequence[dict[str, Any]] | None = None) -> pd.Series:
    """Pairs that contradict each other directly: different given names (not a
    nickname, variant, swap, alias or near spelling), incompatible birth dates, or
    different identifiers of one kind that both pass their check (one that cannot be
    checked may be mistyped). Birth dates that differ beside numbers one keystroke apart are
    two slips, not two people. Such records are never put in one cluster unless an
    identifier matches or a human says so. This is what keeps twins (same family,
    address and birth date) and parent/child namesakes apart: their shared household
    details are correlated evidence that Fellegi-Sunter adds up as if it were
    independent. ``comps``: the comparisons that scored the pairs (the plain model's by
    default)."""
    different = 0
    ids = pairs["gamma_identifiers"]
    # The "Same ..." levels come first; the PNC id's is the last of them.
    id_match = ids >= gamma_of("identifiers", "Same PNC id", comps)
    # A number one keystroke from the other's is no conflict, and it explains a birth date that
    # differs (a slip in both): twins, whom close numbers otherwise suggest, share their birth date.
    labels = {lv["label_for_charts"] for c in comps or comparisons("duckdb") for lv in c["comparison_levels"]}
    near_id = ids == gamma_of("identifiers", KEYSTROKE_APART, comps) if KEYSTROKE_APART in labels else False
    conflict = (
        (pairs["gamma_given_name"] == different)
        | ((pairs["gamma_date_of_birth"] == different) & ~near_id)
        | (ids == different)
    )
    return conflict & ~id_match


def settings_for(
    dialect: str,
    *,
    model: dict[str, Any] | None = None,
    rules: Sequence[Any] | None = None,
) -> SettingsCreator:
    """Splink settings for a dialect; with `model`, its trained parameters are applied."""
    comps = comparisons(dialect)
    prior = 1e-4
    if model is not None:
        params = _parameters_from_model(model)
        prior = float(model["probability_two_random_records_match"])
        for comp in comps:
            for level, (m, u) in zip(
                comp["comparison_levels"], params[comp["output_column_name"]], strict=True
            ):
                if level.get("is_null_level"):
                    continue
                if m is not None:
                    level["m_probability"] = m
                if u is not None:
                    level["u_probability"] = u
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comps,  # type: ignore[arg-type]
        blocking_rules_to_generate_predictions=list(rules if rules is not None else blocking_rules()),
        probability_two_random_records_match=prior,
        # Needed for the gamma (level) columns that explanations are built from.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
        em_convergence=0.001,
    )


# Below this many records, name frequencies say more about the sample than about
# the names, so term-frequency adjustments are switched off (made neutral).
TF_MIN_RECORDS = 1000


def tf_tables(features: pd.DataFrame, model: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Term frequencies over the whole table, so scores do not depend on which subset
    of records a scoring pass sees (full, incremental or within-cluster)."""
    out = {}
    small = model is not None and len(features) < TF_MIN_RECORDS
    for col in TF_COLUMNS:
        counts = features[col].dropna().value_counts()
        total = counts.sum()
        if small:
            # tf equal to the level's own u makes the adjustment exactly zero.
            neutral = _exact_u(model, col)
            freqs = [neutral] * len(counts)
        else:
            freqs = list((counts / total).to_numpy()) if total else []
        out[col] = pd.DataFrame({col: counts.index.astype(str), f"tf_{col}": freqs})
    return out


def _exact_u(model: dict[str, Any] | None, tf_column: str) -> float:
    assert model is not None
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("tf_adjustment_column") == tf_column:
                return float(level["u_probability"])
    raise KeyError(tf_column)


def register_tf(linker: Linker, tables: dict[str, pd.DataFrame]) -> None:
    for col, table in tables.items():
        # Splink leaves this method unannotated.
        linker.table_management.register_term_frequency_lookup(table, col, overwrite=True)  # type: ignore[no-untyped-call]


# The share of matching pairs assumed when nothing in the records can estimate it: 1 in the number of
# records, but never more than 1 in 10,000 (a small table would otherwise claim most pairs match).
FALLBACK_PRIOR = 1e-4

TRAINING_SAMPLE = 120_000


def training_sample(features: pd.DataFrame, *, seed: int = 42) -> pd.DataFrame:
    """Training runs on a sample when the table is large: m, u and the prior are rates,
    so they do not depend on the table's size."""
    if len(features) <= TRAINING_SAMPLE:
        return features
    return features.sample(n=TRAINING_SAMPLE, random_state=seed).reset_index(drop=True)


def train(
    table: Any,
    db_api: Any,
    tf: dict[str, pd.DataFrame],
    *,
    records: int,
    sample: pd.DataFrame | None = None,
    seed: int = 42,
) -> dict[str, Any]:
    """Unsupervised training: the prior from near-certain deterministic rules, u from
    random sampling, m from EM over a few blocking rules."""
    linker = Linker(
        table, settings_for(db_api.sql_dialect.sql_dialect_str), db_api=db_api, set_up_basic_logging=False
    )
    register_tf(linker, tf)
    skipped: list[str] = []
    sure = [("nhs",), ("upn",), ("given", "family", "dob")]
    prior_seen = sample is None or any(_any_pair(sample, columns) for columns in sure)
    with splink_notes() as notes:
        if prior_seen:
            linker.training.estimate_probability_two_random_records_match(
                [" AND ".join(f"l.{c} = r.{c}" for c in columns) for columns in sure], recall=0.6
            )
        else:
            skipped.append(
                "the share of records that match (no two records share an identifier, or a full name and"
                " birth date), so at most 1 in 10,000 pairs is assumed to match"
            )
        # u is a rate among non-matches, so ~20 sampled pairs per record is plenty; the
        # cap keeps training to seconds on two cores.
        max_pairs = min(max(20.0 * records, 2e5), 1.5e6)
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        for rule, (what, columns) in zip(em_blocking_rules(), EM_RULES, strict=True):
            # A field absent from every extract leaves a rule nothing to compare. Checked first:
            # Splink's failed session would leave the model without the rule's comparisons.
            if sample is not None and not _any_pair(sample, columns):
                skipped.append(f"match rates from pairs with the same {what} (none in the records)")
                continue
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
    report_training(skipped, notes)
    model = linker.misc.save_model_to_json()
    if not prior_seen or not model.get("probability_two_random_records_match"):
        # Conservative: never above the starting value a model holds before any training.
        model["probability_two_random_records_match"] = min(1 / max(records, 2), FALLBACK_PRIOR)
    return floor_m_probabilities(u_without_matches(model, max_pairs))


def u_without_matches(model: dict[str, Any], sampled: float) -> dict[str, Any]:
    """u among non-matches. Random pairs include matches, at the prior's rate: where records
    repeat often (a data set of duplicates, a small town) they inflate u for agreement on a
    near-unique value (an identifier, a birth date) and so weaken it. A level seen among the
    ``sampled`` pairs as often as matches explain is put at half a pair in the sample."""
    prior = float(model["probability_two_random_records_match"])
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        if any(lv.get("u_probability") is None or lv.get("m_probability") is None for lv in levels):
            continue
        for lv in levels:
            u, m = float(lv["u_probability"]), float(lv["m_probability"])
            lv["u_probability"] = max((u - prior * m) / (1 - prior), min(u, 0.5 / sampled))
        total = sum(float(lv["u_probability"]) for lv in levels)
        for lv in levels:
            lv["u_probability"] = float(lv["u_probability"]) / total
    return model


# What each of em_blocking_rules() blocks on, in words and as columns.
EM_RULES = (
    ("date of birth", ("dob",)),
    ("name sounds", ("given_mp", "family_mp")),
    ("postcode and birth year", ("postcode", "dob_y")),
)


def _any_pair(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    """True when two records agree on every column (none blank): a blocking rule has pairs."""
    if any(c not in frame for c in columns):
        return False
    known = frame[list(columns)].dropna()
    known = known[(known.astype(str) != "").all(axis=1)]
    return bool(known.duplicated(keep=False).any())


@contextmanager
def splink_notes() -> Iterator[list[str]]:
    """Splink's warnings during training, kept rather than printed one by one through the progress
    bar ("Level ... not observed in dataset")."""
    notes: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            notes.append(record.getMessage())

    splink_log = logging.getLogger("splink")
    keep, propagate = Keep(level=logging.WARNING), splink_log.propagate
    splink_log.addHandler(keep)
    splink_log.propagate = False
    try:
        yield notes
    finally:
        splink_log.removeHandler(keep)
        splink_log.propagate = propagate


_NOT_OBSERVED = re.compile(r"Level (.+?) on comparison (\S+) not observed")


def report_training(skipped: list[str], notes: list[str]) -> None:
    """One line for what training could not estimate; those parameters keep their starting values."""
    unseen = sorted({f"{m[2]} ({m[1]})" for m in map(_NOT_OBSERVED.search, notes) if m})
    parts = list(skipped)
    if unseen:
        shown = ", ".join(unseen[:4]) + (f" and {len(unseen) - 4} more" if len(unseen) > 4 else "")
        parts.append(f"{len(unseen)} comparison levels never seen in training ({shown})")
    if parts:
        logger.warning("linkage training could not estimate %s; starting values used", "; ".join(parts))


# No level may be treated as (nearly) impossible for a true match: records are wrong
# sometimes, and EM drives m towards 0 for levels it rarely sees among its matches.
M_FLOOR = 0.002


def floor_m_probabilities(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        ms = [max(float(lv.get("m_probability") or 0.0), floor) for lv in levels]
        total = sum(ms)
        for lv, m in zip(levels, ms, strict=True):
            lv["m_probability"] = m / total
    return model


def load_model(path: Path) -> dict[str, Any] | None:
    """The stored model, or None when missing or made for other comparisons."""
    if not path.is_file():
        return None
    model = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(model, dict) or not model_matches_structure(model):
        logger.warning("linkage model at %s does not match the comparisons; retraining", path)
        return None
    return model


def save_model(model: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(model, indent=2), encoding="utf-8")
    tmp.replace(path)


def prior_weight(model: dict[str, Any]) -> float:
    p = float(model["probability_two_random_records_match"])
    return math.log2(p / (1 - p))
