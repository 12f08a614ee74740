"""Linking encoded records (docs/pprl.md): the Splink model of the plain engine, with Dice levels on
the filters and equality on the digests (``sightline.pprl.similarity``).

Records compare only within one agreement (same scheme, salt, key check, hardening and length):
filters made under different keys are unrelated bits. Pure like the engine: no Django.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from sightline.people.linkage import duck
from sightline.people.linkage.clustering import ClusteringSettings, cluster_records
from sightline.people.linkage.encoded_rows import COLUMNS, SecretMismatch, encoded_row
from sightline.people.linkage.engine import labels_of
from sightline.people.linkage.model import hard_conflicts
from sightline.people.linkage.types import HumanDecision, LinkageResult, PreviousLinkage
from sightline.pprl.bloom import Encoder, Params
from sightline.pprl.levels import HUB_COLUMNS, given_salts_near
from sightline.pprl.records import PEOPLE_COLUMNS
from sightline.pprl.rows import RowEncoder
from sightline.pprl.similarity import LIST_COLUMNS, comparisons, create_decoded_table

if TYPE_CHECKING:  # duckdb itself only when linking: see _duckdb_api
    import duckdb

# Pairs kept from scoring. Lower ones still count, as vetoes (ClusteringSettings.veto_weight).
KEEP_PROBABILITY = 0.001
# The plain engine's constrained clustering, without scoring every pair within a group: the
# encoded model cannot score pairs the plain model scored, and the other way round.
CLUSTERING = ClusteringSettings(score_within=False)
BLOCKING = [
    block_on("dob_digest"),
    block_on("dob_swap_digest", "dob_year_digest"),
    block_on("nhs_digest"),
    block_on("upn_digest"),
    block_on("pnc_digest"),
    block_on("email_digest"),
    block_on("postcode_bf", "dob_year_digest"),
    block_on("postcode_district_digest", "fullname_bf"),
    block_on("birth_years", "given_canon_digest"),
    block_on("phone_digest"),
]


# The pairs of a run as the plain run's pairs hold them; the rest of an encoded run's pairs (each
# comparison's level and weight) is kept apart, in LinkageResult.encoded_pairs, for explanations.
PAIR_COLUMNS = ["record_key_l", "record_key_r", "match_probability", "match_weight", "hard_conflict"]


@dataclass
class EncodedLinkage:
    clusters: dict[str, str]  # record key -> cluster key (the smallest record key in it)
    # record_key_l, record_key_r, match_probability, match_weight, hard_conflict, linked; and for
    # explanations mw_prior, then level_<comparison> (its label) and mw_<comparison> (bits) for each
    # encoded comparison, in the model's order. Labels and weights only: never a filter or digest.
    pairs: pd.DataFrame
    stats: dict[str, float] = field(default_factory=dict)


def link_encoded(
    rows: Sequence[Mapping[str, Any]],
    encoding: Mapping[str, Any],
    *,
    decisions: Sequence[HumanDecision] = (),
) -> EncodedLinkage:
    """Link the records of one agreement (rows from :func:`encoded_row`) into clusters, without the
    hub's records (with them: ``joint.link_joint``). Human `decisions` about two records of this run
    are honoured as the plain clustering honours them: "same" joins, "not the same" keeps apart."""
    started = time.perf_counter()
    keys = sorted(str(r["unique_id"]) for r in rows)
    if len(rows) < 2:
        return EncodedLinkage({k: k for k in keys}, _empty_pairs())
    pairs = score_pairs(rows, encoding)
    clusters = cluster_agreement(keys, pairs, decisions)
    pairs["linked"] = [
        clusters[a] == clusters[b] for a, b in zip(pairs["record_key_l"], pairs["record_key_r"], strict=True)
    ]
    stats = {"seconds": time.perf_counter() - started, "pairs": float(len(pairs))}
    return EncodedLinkage(clusters, pairs, stats)


def score_pairs(
    rows: Sequence[Mapping[str, Any]],
    encoding: Mapping[str, Any],
    blocking: Sequence[BlockingRuleCreator] = BLOCKING,
    block_columns_sql: str | None = None,
    comps: Sequence[dict[str, Any]] | None = None,
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The model trained on these rows and their candidate pairs scored (``_pairs_of``). With
    `block_columns_sql` (a select list), each row also has those columns, for `blocking` to read;
    `comps` replace the encoded comparisons, which may read the `extra` columns (name -> type) too."""
    comps = list(comps or comparisons(encoding))
    con = duck.connect()
    try:
        _create_table(con, rows, extra)
        if block_columns_sql:
            keyed = f"SELECT *, {block_columns_sql} FROM encoded"
            con.execute(f"CREATE OR REPLACE TABLE encoded AS {keyed}")
        settings = SettingsCreator(
            link_type="dedupe_only",
            comparisons=list[ComparisonCreator | dict[str, Any]](comps),
            blocking_rules_to_generate_predictions=list[BlockingRuleCreator | dict[str, Any]](blocking),
            # About one true pair per record among n^2/2 pairs.
            probability_two_random_records_match=min(0.01, 2.0 / len(rows)),
            retain_matching_columns=True,
            # gamma_ (levels: hard conflicts, explanations) and bf_ (each comparison's weight).
            retain_intermediate_calculation_columns=True,
        )
        linker = Linker("encoded", settings, db_api=_duckdb_api(con), set_up_basic_logging=False)
        linker.training.estimate_u_using_random_sampling(max_pairs=min(1_500_000, 20 * len(rows)), seed=1)
        for rule in (block_on("dob_digest"), block_on("postcode_bf", "dob_year_digest")):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            except Exception:  # too few pairs to train on: the starting m values stand
                logging.getLogger(__name__).info("EM on %s skipped", rule)
        predictions = linker.inference.predict(threshold_match_probability=KEEP_PROBABILITY)
        names = [str(c["output_column_name"]) for c in comps]
        levels = ", ".join(f"gamma_{c}, bf_{c}" for c in names)
        scored = con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, {levels}"
            f" FROM {predictions.physical_name}"
        ).df()
    finally:
        con.close()
    return _pairs_of(scored, names, comps)


def _pairs_of(scored: pd.DataFrame, names: list[str], comps: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Splink's predictions as the run's pairs (record_key_l < record_key_r), with each comparison's
    level label and weight and the prior's weight, which add up to the match weight."""
    left, right = scored["unique_id_l"].astype(str), scored["unique_id_r"].astype(str)
    pairs = pd.DataFrame(
        {
            "record_key_l": left.where(left < right, right),
            "record_key_r": right.where(left < right, left),
            "match_probability": scored["match_probability"].astype(float),
            "match_weight": scored["match_weight"].astype(float),
            # The plain engine's rule, on the encoded levels of the same names (model.hard_conflicts).
            "hard_conflict": hard_conflicts(scored, comps).to_numpy() if len(scored) else [],
        }
    )
    labels = labels_of(comps)
    weights = {c: np.log2(scored[f"bf_{c}"].astype(float).to_numpy()) for c in names}
    pairs["mw_prior"] = pairs["match_weight"].to_numpy() - sum(weights.values(), np.zeros(len(scored)))
    for c in names:
        gammas = scored[f"gamma_{c}"].astype(int)
        pairs[f"level_{c}"] = [labels[c].get(g, str(g)) for g in gammas]
        pairs[f"mw_{c}"] = weights[c]
    return pairs


def cluster_agreement(
    keys: list[str], pairs: pd.DataFrame, human: Sequence[HumanDecision] = ()
) -> dict[str, str]:
    """Records -> clusters by the plain engine's clustering over this run's pairs. The `human`
    decisions about two of these records hold ("not the same" is never crossed unless "same"
    decisions chain across it, as in the plain clustering)."""
    known = set(keys)
    decisions = [d for d in human if d.record_key_l in known and d.record_key_r in known]
    columns = ["record_key_l", "record_key_r", "match_weight", "hard_conflict"]
    clusters, *_ = cluster_records(keys, pairs[[c for c in columns if c in pairs]], decisions, CLUSTERING)
    return clusters


def _duckdb_api(con: duckdb.DuckDBPyConnection) -> Any:
    """Splink's, imported here, not with the module: importing duckdb starts a DuckDB thread, and
    ``serve``'s master imports this module with the command line. A web worker forked from it lacks
    that thread and aborted at exit ("terminate called without an active exception")."""
    from splink import DuckDBAPI  # noqa: PLC0415

    return DuckDBAPI(connection=con)


def _create_table(
    con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]], extra: Mapping[str, str] | None = None
) -> None:
    """The rows as a DuckDB table decoded as the comparisons expect (``create_decoded_table``),
    loaded from one DataFrame: inserting row by row (``similarity.create_prepared_table``) takes
    most of a run. `extra`: columns beside the encoded ones (the hub's own), name -> type."""
    types = {c: "VARCHAR[]" if c in LIST_COLUMNS else "VARCHAR" for c in COLUMNS} | dict(extra or {})
    columns = list(types)
    frame = pd.DataFrame({c: [r.get(c) for r in rows] for c in columns})
    con.register("encoded_rows", frame)
    casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in types.items())
    create_decoded_table(con, "encoded", f"(SELECT {casts} FROM encoded_rows)", columns)
    con.unregister("encoded_rows")


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_key_l": pd.Series(dtype="object"),
            "record_key_r": pd.Series(dtype="object"),
            "match_probability": pd.Series(dtype="float64"),
            "match_weight": pd.Series(dtype="float64"),
            "hard_conflict": pd.Series(dtype="bool"),
            "linked": pd.Series(dtype="bool"),
        }
    )


def union_clusters(*links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Records joined by links (pairs, or record -> cluster of several runs, which join where they
    share a record); each record -> the smallest record key of its cluster."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pairs in links:
        for key, cluster in pairs:
            a, b = find(key), find(cluster)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(find(key), []).append(key)
    return {k: min(g) for g in groups.values() for k in g}


def empty_result() -> LinkageResult:
    """The plain run's result when every record is encoded."""
    columns = ["record_key_l", "record_key_r", "match_probability", "match_weight", "reason"]
    review = pd.DataFrame(columns=columns)
    return LinkageResult(clusters={}, pairs=_empty_pairs(), review=review, model={})


def plain_only(
    previous: PreviousLinkage, changed: list[str], encoded_keys: set[str]
) -> tuple[PreviousLinkage, list[str]]:
    """The last run's state without encoded records: the plain engine never sees them."""
    pairs = previous.pairs
    if not pairs.empty:
        pairs = pairs[~(pairs["record_key_l"].isin(encoded_keys) | pairs["record_key_r"].isin(encoded_keys))]
    clusters = {k: c for k, c in previous.clusters.items() if k not in encoded_keys and c not in encoded_keys}
    attachments = tuple(a for a in previous.attachments if a[0] not in encoded_keys)
    kept = PreviousLinkage(pairs=pairs.reset_index(drop=True), clusters=clusters, attachments=attachments)
    return kept, [k for k in changed if k not in encoded_keys]


def params_of(encoding: Mapping[str, Any]) -> Params:
    """The encoder's parameters an agreement's manifest records."""
    spread = encoding.get("year_spread") or {}
    return Params(
        salt=str(encoding["salt"]),
        hardening=str(encoding["hardening"]),
        bits=int(encoding["filter_bits"]),
        k=int(encoding.get("hash_functions", 20)),
        k_text=int(encoding.get("hash_functions_text", 8)),
        dob_year_spread=int(spread.get("date_of_birth", 1)),
        age_year_spread=int(spread.get("estimated_age", 3)),
        salt_names=bool(encoding.get("names_salted_by_year", True)),
    )


def hub_encoded(
    plain: pd.DataFrame,
    encoding: Mapping[str, Any],
    secret: bytes,
    agency: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The plain records encoded by the hub under one agreement, for this run only (in memory). A
    given name with no birth to salt it is encoded under the birth months of the `agency` records
    (the agreement's) at the same postcode (``levels.given_salts_near``)."""
    encoder = Encoder.create(secret, params_of(encoding))
    if encoder.key_check != encoding.get("key_check"):
        raise SecretMismatch(
            f"the secret given is not that of the agreement with salt {encoding.get('salt')!r} "
            "(its key check differs); plain records were not encoded"
        )
    batch = []
    for record in plain.to_dict("records"):
        values = {k: str(v or "") for k, v in record.items()}
        when = values["reference_date"]
        batch.append((values, dt.date.fromisoformat(when) if when else dt.date.today()))
    # One batch: the encoder builds the filters of many rows at once.
    rows = RowEncoder(encoder)
    encoded = rows.hub_people(batch)
    near = given_salts_near(encoder, agency, max((when.year for _, when in batch), default=0))
    held = [dict(zip((*PEOPLE_COLUMNS, *HUB_COLUMNS), row)) for row in encoded]
    lone = [i for i, h in enumerate(held) if not h["given_bf"] and h["postcode_bf"] in near]
    wanted = [(batch[i][0]["given_name"], near[held[i]["postcode_bf"]]) for i in lone]
    for i, given in zip(lone, rows.given_under(wanted), strict=True):
        held[i] |= given
    out = []
    for (values, _), held_row in zip(batch, held):
        hub_only = {c: [v for v in held_row[c].split(";") if v] or None for c in HUB_COLUMNS}
        out.append(encoded_row(values["record_key"], values["sex"], held_row) | hub_only | {"hub": True})
    return out
