"""Record linkage: joins person records from every agency into people.

Pure Python on Splink (DuckDB by default, Spark optional); no Django. See
docs/linkage.md for how it works and what it measures.
"""

import importlib
from typing import Any

# Loaded on first use: pandas and Splink take seconds to import, and the web app and most commands
# only need the light name helpers in ``names``.
_EXPORTS = {
    "ClusteringSettings": ".clustering",
    "PAIR_FLOOR_WEIGHT": ".engine",
    "REVIEW_BAND": ".engine",
    "link_records": ".engine",
    "INPUT_COLUMNS": ".prepare",
    "prepare_records": ".prepare",
    "assign_stable_ids": ".stable_ids",
    "FieldWeight": ".types",
    "HumanDecision": ".types",
    "LinkageInputError": ".types",
    "LinkageResult": ".types",
    "PreviousLinkage": ".types",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


__all__ = [
    "INPUT_COLUMNS",
    "PAIR_FLOOR_WEIGHT",
    "REVIEW_BAND",
    "REVIEW_REASONS",
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
