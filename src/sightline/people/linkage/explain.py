"""Why records were (or were not) taken for one person, for the review pages: each pair's match
weight, field by field, as a waterfall's bars.

Explanations come from the last run's stored pairs and model (SIGHTLINE_HOME/linkage), so a page
shows the very weights that run used; pairs it never compared are scored now with the same model.

A pair with an encoded record (docs/pprl.md) is explained from its agreement's run: the encoded
comparisons' levels and weights as that run stored them. Its encoded side shows "Encoded", never a
filter or digest. One that run never compared cannot be scored now (the hub holds no secret): it
has no explanation.
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
from sightline.people.linkage.state import stored_encoded_pairs_among, stored_pairs_among
from sightline.people.linkage.types import FieldWeight
from sightline.people.pprl.models import EncodedRecord
from sightline.pprl.records import PEOPLE_FIELDS
from sightline.pprl.similarity import comparisons as encoded_comparisons

# What an encoded record shows in place of each value it holds encoded.
ENCODED = "Encoded"
# The encoded comparisons' titles and "different" levels. Thresholds change only the Dice labels.
_ENCODED_COMPARISONS = encoded_comparisons({"hardening": "fold"})


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
    encoded: bool = False  # compared by their encodings, in their agreement's run


def comparison_titles(encoded: bool = False) -> dict[str, str]:
    comps = _ENCODED_COMPARISONS if encoded else mdl.comparisons("duckdb")
    titles = {c["output_column_name"]: str(c["comparison_description"]) for c in comps}
    return {"prior": "Before comparing", **titles}


def encoded_fields(keys: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each encoded record among ``keys`` -> the fields of an agency record (given_name, phone and
    so on) it holds encoded. Names the fields only: no filter or digest leaves here."""
    by_agency: dict[str, list[str]] = {}
    for key in keys:
        agency, sep, rid = key.partition(":")
        if sep:
            by_agency.setdefault(agency, []).append(rid)
    out: dict[str, frozenset[str]] = {}
    for agency, rids in by_agency.items():
        rows = EncodedRecord.objects.filter(agency_id=agency, record_id__in=rids)
        for rid, encoded in rows.values_list("record_id", "encoded"):
            held = {f for c in PEOPLE_FIELDS if c.kind != "plain" and encoded.get(c.column) for f in c.source}
            # birth_years and the name salts come from either; the digest of the date tells which.
            held.discard("estimated_age" if encoded.get("dob_digest") else "date_of_birth")
            out[f"{agency}:{rid}"] = frozenset(held)
    return out


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


def _shown_encoded(features: pd.DataFrame, key: str, encoded: frozenset[str] | None) -> dict[str, str | None]:
    """What the waterfall shows of one side of an encoded comparison: "Encoded" for what the
    agency holds encoded, a plain record's values as the plain waterfall shows them."""
    if encoded is not None:
        names = {"given_name", "family_name"}
        compared = {
            c: set(f for f, comp in FIELD_COMPARISON.items() if comp == c) for c in mdl.COMPARISON_NAMES
        }
        shown: dict[str, str | None] = {c: ENCODED if encoded & fs else None for c, fs in compared.items()}
        shown["full_name"] = ENCODED if encoded >= names else None
        return shown
    if key not in features.index:
        return {}
    shown = display_values(features.loc[key])
    both = [shown.get("given_name"), shown.get("family_name")]
    shown["full_name"] = " ".join(v for v in both if v) or None
    return shown


def _explain_encoded(
    wanted: set[tuple[str, str]], encoded: dict[str, frozenset[str]]
) -> dict[tuple[str, str], PairExplanation]:
    """Pairs with an encoded record, from their agreement's run; pairs it never compared are left out."""
    keys = sorted({k for pair in wanted for k in pair})
    stored = stored_encoded_pairs_among(keys)
    rows = [
        r for r in stored.to_dict("records") if (str(r["record_key_l"]), str(r["record_key_r"])) in wanted
    ]
    if not rows:
        return {}
    names = [c.removeprefix("level_") for c in stored.columns if c.startswith("level_")]
    plain = sorted({k for r in rows for k in (r["record_key_l"], r["record_key_r"]) if k not in encoded})
    features = _features(plain).set_index("unique_id", drop=False) if plain else pd.DataFrame()
    out: dict[tuple[str, str], PairExplanation] = {}
    for row in rows:
        left, right = str(row["record_key_l"]), str(row["record_key_r"])
        shown_l = _shown_encoded(features, left, encoded.get(left))
        shown_r = _shown_encoded(features, right, encoded.get(right))
        fields = [FieldWeight("prior", "Chance two records are the same person", float(row["mw_prior"]))]
        fields += [
            FieldWeight(c, str(row[f"level_{c}"]), float(row[f"mw_{c}"]), shown_l.get(c), shown_r.get(c))
            for c in names
        ]
        out[(left, right)] = PairExplanation(
            left,
            right,
            float(row["match_weight"]),
            float(row["match_probability"]),
            tuple(fields),
            True,
            True,
        )
    return out


def explain_pairs(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PairExplanation]:
    """Field-by-field match weights for pairs of record keys, keyed by the pair in sorted order.
    Empty when linkage has never run (there is no trained model to explain with). A pair with an
    encoded record is explained from its agreement's run, or not at all if that run never compared
    it."""
    wanted = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    encoded = encoded_fields({k for pair in wanted for k in pair}) if wanted else {}
    ours = {p for p in wanted if p[0] in encoded or p[1] in encoded}
    explained = _explain_encoded(ours, encoded) if ours else {}
    wanted -= ours
    model = mdl.load_model(linkage_dir() / "model.json") if wanted else None
    if model is None:
        return explained
    keys = sorted({k for pair in wanted for k in pair})
    features = _features(keys).set_index("unique_id", drop=False)
    wanted = {p for p in wanted if p[0] in features.index and p[1] in features.index}
    labels = level_labels()
    out = explained
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
    columns = ["record_key_l", "record_key_r", "match_weight"]
    frames = [f[columns] for f in (stored_pairs_among(keys), stored_encoded_pairs_among(keys)) if len(f)]
    stored = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
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
    comps = _ENCODED_COMPARISONS if explanation.encoded else mdl.comparisons("duckdb")
    # The last level of each comparison, and identifiers that differ though one cannot be checked.
    different = {
        c["output_column_name"]: {str(c["comparison_levels"][-1]["label_for_charts"])} for c in comps
    }
    different["identifiers"].add(mdl.UNCHECKED_DIFFERENT)
    levels = {f.field: f.level_label for f in explanation.fields}
    return {
        field: (levels[comp], levels[comp] in different[comp])
        for field, comp in FIELD_COMPARISON.items()
        if comp in levels
    }
