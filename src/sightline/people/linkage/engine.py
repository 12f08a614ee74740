"""link_records: prepare, train or load the model, score, cluster, explain."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from splink.blocking_rule_library import CustomRule, block_on

from . import blocking_scale
from . import model as mdl
from .backends import Backend, make_backend, resolve_backend
from .clustering import ClusteringSettings, cluster_records, normalise_decisions
from .prepare import prepare_records
from .review_groups import change_chances, group_reviews
from .types import FieldWeight, HumanDecision, LinkageResult, PreviousLinkage

# Review queue: pairs kept apart with a probability in [low, high); pairs scored
# >= high but kept apart; each record whose best link inside its cluster is below
# high; and sparse records joined as the only plausible match.
REVIEW_BAND: tuple[float, float] = (0.3, 0.95)
# Scored pairs below this weight (p < 0.001) are dropped from the output.
PAIR_FLOOR_WEIGHT = -10.0

Progress = Callable[[str, float], None]


def _weight(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def format_pairs(raw: pd.DataFrame) -> pd.DataFrame:
    """Splink predictions -> the public pairs table (record_key_l < record_key_r)."""
    cols = ["record_key_l", "record_key_r", "match_probability", "match_weight"]
    for name in mdl.COMPARISON_NAMES:
        cols += [f"gamma_{name}", f"mw_{name}"]
    if raw is None or not len(raw):
        empty = {c: pd.Series(dtype="object" if c.startswith("record") else "float64") for c in cols}
        empty["hard_conflict"] = pd.Series(dtype="bool")
        return pd.DataFrame(empty)
    out = pd.DataFrame(
        {
            "record_key_l": raw["unique_id_l"].astype(str).to_numpy(),
            "record_key_r": raw["unique_id_r"].astype(str).to_numpy(),
            "match_probability": raw["match_probability"].astype(float).to_numpy(),
            "match_weight": raw["match_weight"].astype(float).to_numpy(),
        }
    )
    for name in mdl.COMPARISON_NAMES:
        out[f"gamma_{name}"] = raw[f"gamma_{name}"].astype(int).to_numpy()
        mw = np.log2(raw[f"bf_{name}"].astype(float).to_numpy())
        tf_col = f"bf_tf_adj_{name}"
        if tf_col in raw.columns:
            mw = mw + np.log2(raw[tf_col].astype(float).fillna(1.0).to_numpy())
        out[f"mw_{name}"] = mw
    out["hard_conflict"] = mdl.hard_conflicts(out).to_numpy()
    swap = out["record_key_l"] > out["record_key_r"]
    if swap.any():
        out.loc[swap, ["record_key_l", "record_key_r"]] = out.loc[
            swap, ["record_key_r", "record_key_l"]
        ].to_numpy()
    return out[[*cols, "hard_conflict"]]


def _block_keys(features: pd.DataFrame, spec: tuple[str, ...]) -> pd.Series:
    """One string key per record (exploded arrays give several rows per record)."""
    frame = features[["unique_id"] + [c.removesuffix("[]") for c in spec]].copy()
    for c in spec:
        if c.endswith("[]"):
            frame = frame.explode(c.removesuffix("[]"))
    frame = frame.dropna()
    if frame.empty:  # no record has the key (pandas would give a frame, not a series)
        return pd.Series(dtype=object)
    key = frame[[c.removesuffix("[]") for c in spec]].astype(str).agg("\x1f".join, axis=1)
    return pd.Series(key.to_numpy(), index=frame["unique_id"].to_numpy())


def _candidates_for(features: pd.DataFrame, new_keys: set[str]) -> pd.DataFrame:
    """New records plus every old record sharing a blocking key with one of them, so
    that blocking this subset finds exactly the pairs a full run would find for the new
    records (the swapped rule is matched as an unordered pair: a superset is fine)."""
    keep = set(new_keys)
    for spec, _ in mdl.BLOCKING_KEYS:
        keys = _block_keys(features, spec)
        new_values = set(keys[keys.index.isin(new_keys)].tolist())
        if new_values:
            keep.update(keys.index[keys.isin(new_values)].tolist())
    pair = features[["unique_id", "given_mp", "family_mp"]].dropna()
    unordered = pair[["given_mp", "family_mp"]].apply(lambda r: "\x1f".join(sorted(r)), axis=1)
    unordered.index = pair["unique_id"].to_numpy()
    new_values = set(unordered[unordered.index.isin(new_keys)].tolist())
    keep.update(unordered.index[unordered.isin(new_values)].tolist())
    return features[features["unique_id"].isin(keep)].reset_index(drop=True)


class _Scorer:
    def __init__(self, backend: Backend, model: dict[str, Any], tf: dict[str, pd.DataFrame]):
        self.backend = backend
        self.model = model
        self.tf = tf

    def blocked(self, features: pd.DataFrame, keys: blocking_scale.Keys) -> pd.DataFrame:
        rules = mdl.blocking_rules(keys)
        raw = self.backend.score(features, self.model, rules, self.tf, min_weight=PAIR_FLOOR_WEIGHT)
        return format_pairs(raw)

    def within(self, features: pd.DataFrame, components: dict[str, list[str]]) -> pd.DataFrame:
        root_of = {m: root for root, ms in components.items() for m in ms}
        subset = features[features["unique_id"].isin(root_of)].copy()
        subset["component"] = subset["unique_id"].map(root_of)
        raw = self.backend.score(subset, self.model, [block_on("component")], self.tf)
        return format_pairs(raw)


def sparse_records(features: pd.DataFrame) -> set[str]:
    """Records that cannot stand on their own: no family name, or nothing beside the
    names to tell namesakes apart (no date of birth, postcode or identifier)."""
    has_anchor = (
        features["dob"].notna()
        | features["dob_ym"].notna()
        | features["postcode"].notna()
        | features["nhs"].notna()
        | features["upn"].notna()
        | features["pnc"].notna()
    )
    sparse = features["family"].isna() | ~has_anchor
    return set(features.loc[sparse, "unique_id"].tolist())


def level_labels() -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> label (Splink numbers non-null levels from the
    bottom: ELSE is 0; the null level is -1)."""
    return labels_of(mdl.comparisons("duckdb"))


def labels_of(comparisons: Sequence[dict[str, Any]]) -> dict[str, dict[int, str]]:
    """:func:`level_labels` of any Splink comparisons given as dicts (the encoded ones, say)."""
    out: dict[str, dict[int, str]] = {}
    for comp in comparisons:
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {len(non_null) - 1 - i: lv["label_for_charts"] for i, lv in enumerate(non_null)}
        labels[-1] = next(
            (lv["label_for_charts"] for lv in levels if lv.get("is_null_level")), "Not recorded"
        )
        out[comp["output_column_name"]] = labels
    return out


def display_values(row: pd.Series) -> dict[str, str | None]:
    def join(*vals: Any) -> str | None:
        parts = [str(v) for v in vals if v is not None and v == v and str(v)]
        return " ".join(parts) or None

    if row.get("birth_is_estimate"):
        birth = f"born about {row['birth_year']:.0f} (estimated age)"
    else:
        birth = row.get("dob") or row.get("dob_ym") or row.get("dob_y")
    phones = row.get("phones")
    ids = [f"{n}:{row[c]}" for n, c in (("NHS", "nhs"), ("UPN", "upn"), ("PNC", "pnc")) if row.get(c)]
    return {
        "given_name": row.get("given"),
        "family_name": row.get("family"),
        "date_of_birth": birth,
        "sex": row.get("sex"),
        "location": join(row.get("address"), row.get("postcode") or row.get("pc_district")),
        "phone": ";".join(phones) if isinstance(phones, (list, np.ndarray)) and len(phones) else None,
        "email": row.get("email"),
        "identifiers": " ".join(ids) or None,
    }


def score_every_pair(
    features: pd.DataFrame, model: dict[str, Any], tf: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Every pair of a few records scored with the model, blocking aside: for explaining pairs that
    no run compared. Term frequencies come from ``tf``."""
    return format_pairs(Backend().score(features, model, [CustomRule("1=1")], tf))


def field_weights(
    row: Any,
    model: dict[str, Any],
    labels: dict[str, dict[int, str]],
    shown_l: dict[str, str | None],
    shown_r: dict[str, str | None],
) -> list[FieldWeight]:
    """A scored pair's waterfall: the prior, then each comparison's level and match weight, from a
    row of the pairs table (see :func:`format_pairs`)."""
    out = [FieldWeight("prior", "Chance two records are the same person", mdl.prior_weight(model))]
    for name in mdl.COMPARISON_NAMES:
        gamma = int(row[f"gamma_{name}"])
        out.append(
            FieldWeight(
                name,
                labels[name].get(gamma, str(gamma)),
                float(row[f"mw_{name}"]),
                shown_l[name],
                shown_r[name],
            )
        )
    return out


class _Explainer:
    def __init__(
        self, features: pd.DataFrame, pairs: pd.DataFrame, model: dict[str, Any], tf: dict[str, pd.DataFrame]
    ):
        self.features = features.set_index("unique_id", drop=False)
        self.pairs = pairs.set_index(["record_key_l", "record_key_r"])
        self.model = model
        self.tf = tf
        self.labels = level_labels()

    def __call__(self, a: str, b: str) -> list[FieldWeight]:
        for k in (a, b):
            if k not in self.features.index:
                raise KeyError(f"unknown record_key {k!r}")
        left, right = (a, b) if a < b else (b, a)
        if (left, right) in self.pairs.index:
            row = self.pairs.loc[(left, right)]
        else:
            subset = self.features.loc[[left, right]].reset_index(drop=True)
            row = score_every_pair(subset, self.model, self.tf).iloc[0]
        return field_weights(
            row,
            self.model,
            self.labels,
            display_values(self.features.loc[left]),
            display_values(self.features.loc[right]),
        )


REVIEW_REASONS = {
    "uncertain": "uncertain score, kept apart",
    "conflict": "high score but details conflict (different given names, birth dates or identifiers)",
    "apart": "high score but kept apart by the other records of these people",
    "weak": "joined, but this record's best link in its cluster is uncertain",
    "attached": "sparse record joined as the only plausible match",
}


def review_pairs(
    pairs: pd.DataFrame,
    decided: set[tuple[str, str]],
    attachments: Sequence[tuple[str, str]],
) -> pd.DataFrame:
    """The review queue: one row per pair, most uncertain first (see REVIEW_BAND). `pairs` needs
    match_probability, match_weight, linked and hard_conflict; `decided` pairs are left out."""
    columns = ["record_key_l", "record_key_r", "match_probability", "match_weight", "reason"]
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    low, high = REVIEW_BAND
    p = pairs["match_probability"]
    linked = pairs["linked"].astype(bool)
    conflict = pairs["hard_conflict"].astype(bool)
    reasons = pd.Series("", index=pairs.index, dtype="object")
    reasons[(p >= low) & (p < high) & ~linked] = REVIEW_REASONS["uncertain"]
    reasons[(p >= high) & ~linked & conflict] = REVIEW_REASONS["conflict"]
    reasons[(p >= high) & ~linked & ~conflict] = REVIEW_REASONS["apart"]

    # Each record's best link inside its cluster: weak ones are worth a look.
    inside = pairs[linked]
    if len(inside):
        ends = pd.concat(
            [
                pd.DataFrame(
                    {"record": inside["record_key_l"], "p": inside["match_probability"], "row": inside.index}
                ),
                pd.DataFrame(
                    {"record": inside["record_key_r"], "p": inside["match_probability"], "row": inside.index}
                ),
            ]
        )
        best = ends.sort_values(["p", "row"], ascending=[False, True]).drop_duplicates("record")
        weak_rows = best.loc[best["p"] < high, "row"]
        reasons[weak_rows[reasons[weak_rows] == ""].to_numpy()] = REVIEW_REASONS["weak"]
    if attachments and len(inside):
        attached = {r for r, _ in attachments}
        ends = pd.concat(
            [
                pd.DataFrame(
                    {"record": inside["record_key_l"], "w": inside["match_weight"], "row": inside.index}
                ),
                pd.DataFrame(
                    {"record": inside["record_key_r"], "w": inside["match_weight"], "row": inside.index}
                ),
            ]
        )
        ends = ends[ends["record"].isin(attached)]
        best_rows = ends.sort_values(["w", "row"], ascending=[False, True]).drop_duplicates("record")["row"]
        reasons[best_rows.to_numpy()] = REVIEW_REASONS["attached"]

    chosen = reasons != ""
    out = pairs.loc[chosen, columns[:-1]].copy()
    out["reason"] = reasons[chosen]
    if decided:
        keys = list(zip(out["record_key_l"], out["record_key_r"], strict=True))
        out = out[[k not in decided for k in keys]]
    out = out.assign(_u=(out["match_probability"] - 0.5).abs())
    out = out.sort_values(["_u", "record_key_l", "record_key_r"])
    return out.drop(columns="_u").reset_index(drop=True)


def link_records(
    records: pd.DataFrame,
    *,
    decisions: Sequence[HumanDecision] = (),
    model_path: Path | None = None,
    backend: str | None = None,
    as_of: date | None = None,
    progress: Progress | None = None,
    previous: PreviousLinkage | None = None,
    changed_keys: Sequence[str] = (),
    clustering: ClusteringSettings | None = None,
    spark_session: Any | None = None,
) -> LinkageResult:
    """Link person records into people.

    records: one row per record; columns as in prepare.INPUT_COLUMNS (record_key
        required; ethnicity and any other column are ignored).
    decisions: human rulings, all of them, every run ("not the same" splits,
        "same" joins).
    model_path: trained model JSON; used if present and current, else trained and saved.
    backend: "duckdb" or "spark"; default from SIGHTLINE_LINKAGE_BACKEND, else duckdb.
    as_of: the date estimated ages refer to when a record has no reference_date.
    previous: the last run's pairs and clusters, for an incremental run: only pairs
        involving records not in previous.clusters (or listed in changed_keys) are
        scored, and only the components they touch are re-clustered.
    """
    report: Progress = progress or (lambda _stage, _fraction: None)
    settings = clustering or ClusteringSettings()
    stats: dict[str, float] = {}
    t0 = time.perf_counter()

    report("prepare", 0.0)
    features = prepare_records(records, as_of=as_of)
    keys = set(features["unique_id"].tolist())
    stats["records"] = len(features)
    stats["seconds_prepare"] = time.perf_counter() - t0

    be = make_backend(resolve_backend(backend), spark_session)

    report("model", 0.1)
    t = time.perf_counter()
    model = mdl.load_model(model_path) if model_path else None
    if model is None:
        report("train", 0.1)
        model = be.train(features)
        if model_path:
            mdl.save_model(model, model_path)
    stats["seconds_model"] = time.perf_counter() - t
    tf = mdl.tf_tables(features, model)
    scorer = _Scorer(be, model, tf)
    # Narrowed by the whole town's blocks, so an incremental run blocks as a full run would.
    block_keys = blocking_scale.scaled_keys(features)

    report("score", 0.3)
    t = time.perf_counter()
    only: set[str] | None = None
    if previous is None:
        pairs = scorer.blocked(features, block_keys)
    else:
        changed = set(changed_keys)
        new_keys = (keys - set(previous.clusters)) | (changed & keys)
        removed = set(previous.clusters) - keys
        old = previous.pairs
        if "hard_conflict" not in old.columns:
            old = old.assign(hard_conflict=mdl.hard_conflicts(old).to_numpy())
        gone = changed | removed
        keep = ~(old["record_key_l"].isin(gone) | old["record_key_r"].isin(gone))
        # Components that lose a record must be re-clustered too.
        touched_by_removal = set(old.loc[~keep, "record_key_l"]) | set(old.loc[~keep, "record_key_r"])
        fresh = format_pairs(pd.DataFrame())
        if new_keys:
            fresh = scorer.blocked(_candidates_for(features, new_keys), block_keys)
            fresh = fresh[fresh["record_key_l"].isin(new_keys) | fresh["record_key_r"].isin(new_keys)]
        pairs = pd.concat([old.loc[keep, list(fresh.columns)], fresh], ignore_index=True)
        pairs = pairs.drop_duplicates(["record_key_l", "record_key_r"], keep="last")
        decided_keys = {k for d in decisions for k in (d.record_key_l, d.record_key_r)}
        only = new_keys | touched_by_removal | decided_keys
        # Their previous cluster-mates too: dropping a changed record's pairs can cut a
        # cluster apart, so its old grouping is no evidence any more.
        affected = {previous.clusters[k] for k in only | removed if k in previous.clusters}
        only |= {k for k, c in previous.clusters.items() if c in affected}
        only &= keys
        stats["new_records"] = len(new_keys)
    stats["seconds_score"] = time.perf_counter() - t
    stats["blocked_pairs"] = len(pairs)

    report("cluster", 0.6)
    t = time.perf_counter()
    pairs = pairs[pairs["record_key_l"].isin(keys) & pairs["record_key_r"].isin(keys)]
    clusters, extra, conflicts, touched, attachments = cluster_records(
        keys,
        pairs,
        decisions,
        settings,
        score_within=lambda comps: scorer.within(features, comps),
        only_components_with=only,
        sparse=sparse_records(features),
    )
    if previous is not None and only is not None:
        # Untouched records sit in components whose pairs did not change, so they keep
        # their previous grouping (re-keyed to the smallest member) and attachments. A
        # record that was to be re-clustered but is now in no component stands alone:
        # its old grouping must not hold it to a former partner.
        groups: dict[str, list[str]] = {}
        for k in keys - touched:
            groups.setdefault(k if k in only else previous.clusters.get(k, k), []).append(k)
        for ms in groups.values():
            smallest = min(ms)
            for k in ms:
                clusters[k] = smallest
        attachments = list(attachments) + [
            (r, clusters[r]) for r, _ in previous.attachments if r in keys and r not in touched | only
        ]
    if len(extra):
        pairs = pd.concat([pairs, extra], ignore_index=True).drop_duplicates(
            ["record_key_l", "record_key_r"], keep="first"
        )
    pairs = pairs.sort_values(["record_key_l", "record_key_r"]).reset_index(drop=True)
    pairs["linked"] = [
        clusters[a] == clusters[b] for a, b in zip(pairs["record_key_l"], pairs["record_key_r"], strict=True)
    ]
    stats["seconds_cluster"] = time.perf_counter() - t
    stats["within_cluster_pairs"] = len(extra)

    report("review", 0.9)
    must, cannot = normalise_decisions(decisions)
    review = group_reviews(review_pairs(pairs, must | cannot, attachments), features, clusters)
    review["change_chance"] = change_chances(review, pairs, clusters)
    stats["attached_sparse_records"] = len(attachments)
    stats["review_pairs"] = len(review)
    stats["clusters"] = len(set(clusters.values()))
    stats["seconds_total"] = time.perf_counter() - t0
    report("done", 1.0)
    return LinkageResult(
        clusters=clusters,
        pairs=pairs,
        review=review,
        model=model,
        attachments=[(r, clusters[r]) for r, _ in attachments],
        conflicts=conflicts,
        stats=stats,
        _explainer=_Explainer(features, pairs, model, tf),
    )
