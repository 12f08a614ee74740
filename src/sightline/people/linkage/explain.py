"""Why records were (or were not) taken for one person, for the review pages: each pair's match
weight, field by field, as a waterfall's bars.

Explanations come from the last run's stored pairs and model (SIGHTLINE_HOME/linkage), so a page
shows the very weights that run used; pairs it never compared are scored now with the same model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sightline.people.linkage import model as mdl
from sightline.people.linkage.engine import display_values, field_weights, level_labels, score_every_pair
from sightline.people.linkage.prepare import prepare_records
from sightline.people.linkage.records import input_frame, linkage_dir, records_by_key
from sightline.people.linkage.state import stored_pairs_among
from sightline.people.linkage.types import FieldWeight


@dataclass(frozen=True)
class PairExplanation:
    """Why two records were (or were not) taken for one person: the prior and each comparison's
    match weight in bits; they add up to ``match_weight``."""

    record_key_l: str
    record_key_r: str
    match_weight: float
    match_probability: float
    fields: tuple[FieldWeight, ...]
    scored_by_run: bool  # False: the last run never compared them; scored now with its model


def comparison_titles() -> dict[str, str]:
    titles = {c["output_column_name"]: str(c["comparison_description"]) for c in mdl.comparisons("duckdb")}
    return {"prior": "Before comparing", **titles}


def _features(keys: Iterable[str]) -> pd.DataFrame:
    """The prepared features of these records, as the engine compares them."""
    records = records_by_key(keys)
    newest = max((r.extract.extracted_on for r in records.values()), default=None)
    return prepare_records(input_frame(records), as_of=newest)


def _scored_rows(
    wanted: set[tuple[str, str]], keys: list[str], features: pd.DataFrame, model: dict[str, Any]
) -> dict[tuple[str, str], tuple[dict[str, Any], bool]]:
    """Each wanted pair's row of the pairs table, and whether the last run scored it."""
    rows: dict[tuple[str, str], tuple[dict[str, Any], bool]] = {}
    for row in stored_pairs_among(keys).to_dict("records"):
        pair = (str(row["record_key_l"]), str(row["record_key_r"]))
        if pair in wanted:
            rows[pair] = (row, True)
    missing = wanted - set(rows)
    if missing:
        subset = features.loc[sorted({k for pair in missing for k in pair})].reset_index(drop=True)
        # Fewer than TF_MIN_RECORDS records: name frequencies are neutral, as the model intends.
        for row in score_every_pair(subset, model, mdl.tf_tables(subset, model)).to_dict("records"):
            pair = (str(row["record_key_l"]), str(row["record_key_r"]))
            if pair in missing:
                rows[pair] = (row, False)
    return rows


def explain_pairs(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PairExplanation]:
    """Field-by-field match weights for pairs of record keys, keyed by the pair in sorted order.
    Empty when linkage has never run (there is no trained model to explain with)."""
    wanted = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    model = mdl.load_model(linkage_dir() / "model.json") if wanted else None
    if model is None:
        return {}
    keys = sorted({k for pair in wanted for k in pair})
    features = _features(keys).set_index("unique_id", drop=False)
    wanted = {p for p in wanted if p[0] in features.index and p[1] in features.index}
    labels = level_labels()
    out: dict[tuple[str, str], PairExplanation] = {}
    for (left, right), (row, by_run) in _scored_rows(wanted, keys, features, model).items():
        shown_l = display_values(features.loc[left])
        shown_r = display_values(features.loc[right])
        fields = field_weights(row, model, labels, shown_l, shown_r)
        out[(left, right)] = PairExplanation(
            left, right, float(row["match_weight"]), float(row["match_probability"]), tuple(fields), by_run
        )
    return out


def joining_links(keys: Iterable[str]) -> tuple[list[PairExplanation], list[str]]:
    """The strongest links that join these records (a maximum spanning tree over the last run's
    scored pairs among them), explained; and the records no scored pair joins to the others (joined
    by a human decision or a merge, or never linked)."""
    keys = sorted(set(keys))
    if len(keys) < 2:
        return [], []
    stored = stored_pairs_among(keys)
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    tree: list[tuple[str, str]] = []
    if len(stored):
        ranked = stored.sort_values(
            ["match_weight", "record_key_l", "record_key_r"], ascending=[False, True, True]
        )
        for left, right in zip(ranked["record_key_l"], ranked["record_key_r"], strict=True):
            a, b = find(str(left)), find(str(right))
            if a != b:
                parent[a] = b
                tree.append((str(left), str(right)))
    explained = explain_pairs(tree)
    links = [explained[p] for p in tree if p in explained]
    joined = {k for p in tree for k in p}
    return links, [k for k in keys if k not in joined]


# Which comparison of the model judges each field of an agency record.
FIELD_COMPARISON = {
    "given_name": "given_name",
    "family_name": "family_name",
    "other_names": "family_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "address": "location",
    "postcode": "location",
    "phone": "phone",
    "email": "email",
    "nhs_number": "identifiers",
    "upn": "identifiers",
    "pnc_id": "identifiers",
}


def field_verdicts(explanation: PairExplanation | None) -> dict[str, tuple[str, bool]]:
    """Record field -> (the waterfall's level for it, whether that level is the comparison's
    "different" one), so a side-by-side view tags a field exactly as the model judged it."""
    if explanation is None:
        return {}
    different = {
        c["output_column_name"]: str(c["comparison_levels"][-1]["label_for_charts"])
        for c in mdl.comparisons("duckdb")
    }
    levels = {f.field: f.level_label for f in explanation.fields}
    return {
        field: (levels[comp], levels[comp] == different[comp])
        for field, comp in FIELD_COMPARISON.items()
        if comp in levels
    }
