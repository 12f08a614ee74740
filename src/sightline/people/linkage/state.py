"""The last run's state on disk (SIGHTLINE_HOME/linkage): its scored pairs as Parquet, and its clusters,
attachments and record versions as JSON. Incremental runs start from it; explanations read its pairs.
A missing or damaged state only costs a full run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils import timezone

from sightline.people.linkage.records import linkage_dir
from sightline.people.linkage.types import LinkageResult, PreviousLinkage

STATE = "state.json"


def _duckdb() -> Any:
    """duckdb, imported when used: its threads do not survive a fork, and web workers are forked
    from a process that imported this module."""
    import duckdb  # noqa: PLC0415

    return duckdb


PAIRS = "pairs.parquet"
# The agreements' runs' pairs: each encoded comparison's level and weight, for explanations.
ENCODED_PAIRS = "encoded_pairs.parquet"


def load_previous(current: dict[str, int]) -> tuple[PreviousLinkage | None, list[str]]:
    """The last run, and the record keys whose version has changed since (``current``: key ->
    version now). (None, []) when there is no usable state."""
    folder = linkage_dir()
    state_path, pairs_path = folder / STATE, folder / PAIRS
    if not (state_path.exists() and pairs_path.exists()):
        return None, []
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        pairs = _duckdb().read_parquet(str(pairs_path)).df()
    except Exception:  # a damaged cache only means a full run
        return None, []
    versions: dict[str, int] = state.get("versions", {})
    changed = sorted(k for k, v in current.items() if k in versions and versions[k] != v)
    attachments = tuple((str(r), str(c)) for r, c in state.get("attachments", []))
    return PreviousLinkage(pairs=pairs, clusters=state.get("clusters", {}), attachments=attachments), changed


def save_state(result: LinkageResult, versions: dict[str, int]) -> None:
    """Keep this run's pairs and clusters for the next run, replacing the files atomically."""
    folder = linkage_dir()
    pairs = result.pairs.drop(columns=["linked"], errors="ignore")
    tmp = folder / f"{PAIRS}.tmp"
    con = _duckdb().connect()
    try:
        con.register("pairs_df", pairs)
        con.execute(f"COPY pairs_df TO '{tmp}' (FORMAT PARQUET)")
    finally:
        con.close()
    tmp.replace(folder / PAIRS)
    state = {
        "clusters": result.clusters,
        "attachments": result.attachments,
        "versions": versions,
        "saved_at": timezone.now().isoformat(),
    }
    (folder / f"{STATE}.tmp").write_text(json.dumps(state), encoding="utf-8")
    (folder / f"{STATE}.tmp").replace(folder / STATE)


def save_encoded_pairs(pairs: pd.DataFrame | None) -> None:
    """Keep the agreements' pairs of this run (levels and weights, no encodings) for explanations,
    replacing the last run's; removed when no record is encoded."""
    path = linkage_dir() / ENCODED_PAIRS
    if pairs is None or pairs.empty:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(f"{ENCODED_PAIRS}.tmp")
    con = _duckdb().connect()
    try:
        con.register("encoded_pairs_df", pairs.drop(columns=["linked"], errors="ignore"))
        con.execute(f"COPY encoded_pairs_df TO '{tmp}' (FORMAT PARQUET)")
    finally:
        con.close()
    tmp.replace(path)


def stored_encoded_pairs_among(keys: list[str]) -> pd.DataFrame:
    """The last run's pairs of encoded records (``save_encoded_pairs``) whose both records are among
    ``keys``; empty when it had none."""
    return _among(linkage_dir() / ENCODED_PAIRS, keys)


def stored_pairs_among(keys: list[str]) -> pd.DataFrame:
    """The last run's scored pairs whose both records are among ``keys`` (empty if it never ran)."""
    return _among(linkage_dir() / PAIRS, keys)


def _among(path: Path, keys: list[str]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    con = _duckdb().connect()
    try:
        con.register("among_keys", pd.DataFrame({"k": pd.Series(keys, dtype="object")}))
        among = "record_key_l IN (SELECT k FROM among_keys) AND record_key_r IN (SELECT k FROM among_keys)"
        frame: pd.DataFrame = con.execute(f"SELECT * FROM read_parquet(?) WHERE {among}", [str(path)]).df()
        return frame
    finally:
        con.close()


def stored_pairs_touching(keys: list[str], low: float, high: float) -> tuple[pd.DataFrame, dict[str, str]]:
    """The last run's scored pairs with a probability in [low, high) and a record among ``keys``,
    and the run's clusters (record key -> cluster); empty when it never ran."""
    folder = linkage_dir()
    if not ((folder / PAIRS).exists() and (folder / STATE).exists()) or not keys:
        return pd.DataFrame(), {}
    con = _duckdb().connect()
    try:
        con.register("touching_keys", pd.DataFrame({"k": keys}))
        frame: pd.DataFrame = con.execute(
            "SELECT record_key_l, record_key_r, match_probability, match_weight FROM read_parquet(?) "
            "WHERE match_probability >= ? AND match_probability < ? AND (record_key_l IN "
            "(SELECT k FROM touching_keys) OR record_key_r IN (SELECT k FROM touching_keys))",
            [str(folder / PAIRS), low, high],
        ).df()
    finally:
        con.close()
    clusters: dict[str, str] = json.loads((folder / STATE).read_text(encoding="utf-8")).get("clusters", {})
    return frame, clusters
