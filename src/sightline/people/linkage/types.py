"""Plain data types shared by the linkage engine and its callers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


class LinkageInputError(ValueError):
    """A record that cannot be linked as given: names the record and field."""

    def __init__(self, record_key: str, field_name: str, reason: str) -> None:
        super().__init__(f"{record_key}: {field_name}: {reason}")
        self.record_key = record_key
        self.field_name = field_name
        self.reason = reason


@dataclass(frozen=True)
class HumanDecision:
    """A practitioner's ruling on a pair of records; honoured by every run."""

    record_key_l: str
    record_key_r: str
    same_person: bool


@dataclass(frozen=True)
class FieldWeight:
    """One bar of a waterfall chart: how much a field moved the match weight (bits).

    The weights of one explanation, starting with the prior, add up to the pair's
    match_weight."""

    field: str
    level_label: str
    match_weight: float
    value_l: str | None = None
    value_r: str | None = None


@dataclass(frozen=True)
class PreviousLinkage:
    """What an incremental run needs from the last run, e.g. as stored by the caller:
    its pairs table, its record_key -> cluster key mapping and its sparse-record
    attachments (record_key, cluster key), which untouched clusters keep."""

    pairs: pd.DataFrame
    clusters: dict[str, str]
    attachments: tuple[tuple[str, str], ...] = ()


@dataclass
class LinkageResult:
    clusters: dict[str, str]
    """record_key -> cluster key (the smallest record_key in the cluster)."""
    pairs: pd.DataFrame
    """Scored pairs: record_key_l < record_key_r, match_probability, match_weight,
    mw_<comparison> (per-comparison match weight, term frequency included),
    gamma_<comparison> (level index), hard_conflict and linked (same cluster)."""
    review: pd.DataFrame
    """Pairs for a human to look at, most uncertain first: record_key_l, record_key_r,
    match_probability, match_weight, reason (one of engine.REVIEW_REASONS), and where the run
    grouped it, group and group_kind (review_groups; "" or absent for none)."""
    model: dict[str, Any]
    """The trained Splink model (as saved to model_path)."""
    attachments: list[tuple[str, str]] = field(default_factory=list)
    """Sparse records joined as the only plausible match: (record_key, cluster key)."""
    conflicts: list[str] = field(default_factory=list)
    """Human decisions that could not all be honoured (contradict each other)."""
    stats: dict[str, float] = field(default_factory=dict)
    encoded_pairs: pd.DataFrame | None = None
    """The agreements' runs' pairs (``encoded.link_encoded``), each with every encoded comparison's
    level label and weight, for explanations; None when no record is encoded."""
    encoded_alone: frozenset[str] = frozenset()
    """Encoded records whose agreement ran without the plain records (no secret given): this run did
    not compare them with anything outside their agreement."""
    _explainer: Callable[[str, str], list[FieldWeight]] | None = field(default=None, repr=False)

    def explain(self, record_key_l: str, record_key_r: str) -> list[FieldWeight]:
        """Per-field match weights for a pair (any two records of this run), for a
        waterfall chart. The first entry is the prior; the weights sum to the pair's
        match_weight."""
        if self._explainer is None:
            raise RuntimeError("this result was built without an explainer")
        return self._explainer(record_key_l, record_key_r)
