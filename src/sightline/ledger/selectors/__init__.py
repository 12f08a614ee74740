"""Reads over the ledger.

- ``proofs``: the tree size, an entry's bytes, and RFC 9162 inclusion and consistency proofs.
- ``verification``: full verification (hashes, positions, chain, columns, root, checkpoints), with
  ``rows`` (entries read fast, columns checked against bytes) and ``report`` (what was found).
- ``state``: the current-state tables against each object's latest version in the ledger.
"""

from sightline.ledger.selectors.proofs import (
    consistency_proof,
    entry_bytes,
    inclusion_proof,
    leaf_hashes,
    tree_size,
)
from sightline.ledger.selectors.report import Report
from sightline.ledger.selectors.state import state_problems
from sightline.ledger.selectors.verification import verify
from sightline.ledger.services import latest_versions

__all__ = [
    "Report",
    "consistency_proof",
    "entry_bytes",
    "inclusion_proof",
    "latest_versions",
    "leaf_hashes",
    "state_problems",
    "tree_size",
    "verify",
]
