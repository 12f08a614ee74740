"""Keeping person_ids stable across re-runs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable


def assign_stable_ids(
    clusters: dict[str, str],
    previous: dict[str, str],
    new_id: Callable[[], str],
) -> dict[str, str]:
    """record_key -> person_id.

    `clusters` is this run's record_key -> cluster key; `previous` the last run's
    record_key -> person_id. Each cluster inherits the previous person_id held by most
    of its records; a contested id goes to the cluster holding the most records with it
    (ties: the cluster where they are the larger share, then the smaller cluster key);
    each old id is used at most once, and clusters left
    without one get `new_id()`, called in cluster-key order so runs are reproducible.
    A cluster whose records are unchanged therefore keeps its id, a split keeps the id
    on its larger part and a merge keeps the id of the larger contributor."""
    members: dict[str, list[str]] = defaultdict(list)
    for record_key, cluster_key in clusters.items():
        members[cluster_key].append(record_key)

    candidates: list[tuple[int, int, str, str]] = []
    for cluster_key, records in members.items():
        counts = Counter(previous[r] for r in records if r in previous)
        for old_id, n in counts.items():
            # Most shared records first; then prefer the cluster where that id is a
            # larger share; then deterministic by keys.
            candidates.append((-n, len(records), cluster_key, old_id))
    candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]))

    chosen: dict[str, str] = {}
    used: set[str] = set()
    for _, _, cluster_key, old_id in candidates:
        if cluster_key in chosen or old_id in used:
            continue
        chosen[cluster_key] = old_id
        used.add(old_id)
    for cluster_key in sorted(members):
        if cluster_key not in chosen:
            chosen[cluster_key] = new_id()
    return {r: chosen[c] for r, c in clusters.items()}
