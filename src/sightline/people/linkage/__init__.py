"""Record linkage: joins person records from every agency into people.

The engine is pure Python on Splink (DuckDB by default, Spark optional), without Django; see
docs/linkage.md for how it works and what it measures. Its modules:

- ``prepare`` and ``names``: records to comparable features (name variants, phonetic keys, dates);
- ``model``: the Splink comparisons, training and the stored model; ``backends``: where Splink runs;
- ``engine``: :func:`link_records` (score, cluster, review queue, explanations);
- ``clustering``, ``stable_ids``, ``types``; ``extracts`` and ``evaluate`` for the bench and tests.

The application's side reads and writes the database through the ledger, and is imported from its
modules (this package imports no Django):

- ``run``: :func:`~sightline.people.linkage.run.do_link`, behind ``sightline link``;
- ``records`` (what a run reads), ``state`` (the last run on disk), ``store`` (what a run writes);
- ``decisions``: a practitioner's ruling on a pair; ``reviews`` and ``explain``: the review pages.
"""

from sightline.people.linkage.clustering import ClusteringSettings
from sightline.people.linkage.engine import PAIR_FLOOR_WEIGHT, REVIEW_BAND, REVIEW_REASONS, link_records
from sightline.people.linkage.prepare import INPUT_COLUMNS, prepare_records
from sightline.people.linkage.stable_ids import assign_stable_ids
from sightline.people.linkage.types import (
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
