"""Record linkage: joins person records from every agency into people.

Pure Python on Splink (DuckDB by default, Spark optional); no Django. See
docs/linkage.md for how it works and what it measures.
"""

from .clustering import ClusteringSettings
from .engine import PAIR_FLOOR_WEIGHT, REVIEW_BAND, link_records
from .prepare import INPUT_COLUMNS, prepare_records
from .stable_ids import assign_stable_ids
from .types import (
    FieldWeight,
    HumanDecision,
    LinkageInputError,
    LinkageResult,
    PreviousLinkage,
)

__all__ = [
    "INPUT_COLUMNS",
    "PAIR_FLOOR_WEIGHT",
    "REVIEW_BAND",
    "ClusteringSettings",
    "FieldWeight",
    "HumanDecision",
    "LinkageInputError",
    "LinkageResult",
    "PreviousLinkage",
    "assign_stable_ids",
    "link_records",
    "prepare_records",
]
