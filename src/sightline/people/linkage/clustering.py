"""Turning scored pairs into people, without chaining through weak links.

Splink's own clustering is connected components at a threshold: one pair above the
threshold joins two whole clusters, so a sparse record (no date of birth, say) that
looks like two namesakes glues them into one person (Splink issues #1824, #2653).

Here instead:
1. Candidate components: connected components of pairs above a low candidate weight,
   plus human "same person" decisions.
2. Every pair inside a multi-record component is scored (not just the blocked pairs),
   so each record's fit with every other is known.
3. Constrained average-linkage agglomeration inside each component: repeatedly merge
   the two clusters with the highest mean pairwise match weight, while that mean is at
   least `merge_weight`, no pair across them is below `veto_weight` or a hard conflict
   (direct evidence that two records are different people, such as two different
   dates of birth) and no human has said "not the same person". A hard conflict is no
   bar when a cluster already holds both values: a record joined by its identifier
   despite another given name brings that name in, and the person's other records do
   not conflict with it again. A lone record that fits two people who cannot be one
   (namesakes) is left alone, not guessed.
4. Exclusive best link: a sparse record (no family name, or nothing beside the names)
   still on its own joins the one cluster it fits clearly better than any other.

Human "same person" decisions are merged first and always hold; a "not the same"
decision is never crossed unless it contradicts a chain of "same" decisions, which is
reported as a conflict.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .types import HumanDecision


@dataclass(frozen=True)
class ClusteringSettings:
    candidate_weight: float = -6.0
    """Pairs at or above this match weight can put records in one component (and so
    be considered for attaching a sparse record)."""
    merge_weight: float = 3.3
    """Mean pairwise match weight needed to merge two clusters (p ~ 0.9)."""
    veto_weight: float = -6.0
    """A pair below this (p ~ 0.015) is direct evidence of two different people."""
    attach_weight: float = -4.0
    """A sparse record left on its own joins its best cluster when that link is at
    least this strong..."""
    attach_margin: float = 4.0
    """...and beats every other candidate by this many bits (16 times as likely)."""
    score_within: bool = True
    """Score every pair inside each group of records joined by pairs at or above
    `within_weight`, not just the blocked pairs, so means and vetoes see them all."""
    within_weight: float = 0.0
    max_full_component: int = 200
    """Groups larger than this are not fully scored (their unscored pairs are simply
    left out of the means)."""


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Keep the smaller key as root so roots are deterministic.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return out


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


# The fields whose "Different" level (gamma 0) is a hard conflict, as bits of a pair's mask.
CONFLICT_BITS = {"given_name": 1, "date_of_birth": 2, "identifiers": 4}
# A hard conflict whose fields are not known (pairs without levels): never excused.
UNKNOWN = 8


def conflict_masks(frame: pd.DataFrame) -> np.ndarray | None:
    """Each pair's fields that contradict each other (``CONFLICT_BITS``), whether or not an
    identifier or a person overrides them; None when the pairs carry no levels."""
    if not all(f"gamma_{name}" in frame.columns for name in CONFLICT_BITS):
        return None
    mask = np.zeros(len(frame), dtype=np.int64)
    for name, bit in CONFLICT_BITS.items():
        mask |= np.where(frame[f"gamma_{name}"].to_numpy() == 0, bit, 0)
    return mask


def normalise_decisions(
    decisions: Iterable[HumanDecision],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Later decisions on the same pair replace earlier ones."""
    latest: dict[tuple[str, str], bool] = {}
    for d in decisions:
        if d.record_key_l == d.record_key_r:
            continue
        latest[_key(d.record_key_l, d.record_key_r)] = d.same_person
    must = {k for k, v in latest.items() if v}
    cannot = {k for k, v in latest.items() if not v}
    return must, cannot


def candidate_components(
    pairs: pd.DataFrame, must: Iterable[tuple[str, str]], settings: ClusteringSettings
) -> dict[str, list[str]]:
    """root -> members (sorted) for every component with two or more records."""
    uf = UnionFind()
    strong = pairs[pairs["match_weight"] >= settings.candidate_weight]
    for a, b in zip(strong["record_key_l"].tolist(), strong["record_key_r"].tolist(), strict=True):
        uf.union(a, b)
    for a, b in must:
        uf.union(a, b)
    return {root: sorted(members) for root, members in uf.groups().items() if len(members) > 1}


@dataclass
class _Link:
    total: float
    count: int
    minimum: float
    vetoes: list[tuple[str, str]] = field(default_factory=list)  # hard conflicts across
    held: int = 0  # conflict bits of the pairs across, overridden or not
    overridden: int = 0  # those of pairs across that an identifier joins despite them

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else -math.inf


class _Held:
    """Which conflicting values each cluster already holds together. A hard conflict
    between records x and y is excused, field by field, when x is joined despite that
    field to a record c that agrees with y on it: c in x's cluster (joined earlier by an
    identifier or a person), or c in y's, where an identifier joins x and c."""

    def __init__(
        self,
        clusters: dict[str, set[str]],
        weights: dict[tuple[str, str], float],
        fields: dict[tuple[str, str], int],
        vetoed: set[tuple[str, str]],
    ) -> None:
        self.clusters, self.weights, self.fields, self.vetoed = clusters, weights, fields, vetoed
        self.where = {m: root for root, ms in clusters.items() for m in ms}
        self.bits: dict[str, int] = defaultdict(int)
        for (a, b), mask in fields.items():
            root = self.where.get(a)
            if root is not None and root == self.where.get(b):
                self.bits[root] |= mask & ~UNKNOWN

    def merged(self, into: str, gone: str, across: int) -> None:
        for m in self.clusters[gone]:
            self.where[m] = into
        self.bits[into] |= self.bits.pop(gone, 0) | (across & ~UNKNOWN)

    def _holds(self, x: str, y: str, bit: int, extra: str | None) -> bool:
        """x is joined, despite ``bit``, to a record that agrees with y on it."""
        fields, own = self.fields, self.where[x]
        for c in (*self.clusters[own], *self.clusters[self.where[y]], *((extra,) if extra else ())):
            xc, cy = _key(x, c), _key(c, y)
            if c in (x, y) or not fields.get(xc, 0) & bit:
                continue
            if self.where[c] != own and xc in self.vetoed:
                continue  # across, only an identifier's join holds two values
            if cy in self.weights and not fields.get(cy, 0) & bit:
                return True
        return False

    def excused(self, link: _Link, ca: str, cb: str, extra: str | None = None) -> bool:
        """Every hard conflict between clusters ca and cb is excused; ``extra``: a record about
        to join one of them, which may bring the second value."""
        if not link.vetoes:
            return True
        if not (self.bits[ca] | self.bits[cb] | link.overridden) and extra is None:
            return False  # no value is held beside another: nothing to excuse a conflict
        for x, y in link.vetoes:
            mask = self.fields.get((x, y), UNKNOWN)
            if mask & UNKNOWN:
                return False
            for bit in CONFLICT_BITS.values():
                if mask & bit and not (self._holds(x, y, bit, extra) or self._holds(y, x, bit, extra)):
                    return False
        return True


def agglomerate(
    members: Sequence[str],
    weights: dict[tuple[str, str], float],
    must: set[tuple[str, str]],
    cannot: set[tuple[str, str]],
    settings: ClusteringSettings,
    vetoed: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    fields: dict[tuple[str, str], int] | None = None,
) -> tuple[list[list[str]], list[str]]:
    """Clusters of one component, and any human-decision conflicts found. `vetoed`
    pairs (hard conflicts in the data) are kept apart like human "not the same"
    decisions, but silently give way to "same person" decisions, and to a cluster that
    already holds both values (``_Held``). `fields`: the conflict bits of pairs with any
    (``conflict_masks``); a vetoed pair without them is never excused."""
    conflicts: list[str] = []
    uf = UnionFind()
    for m in members:
        uf.find(m)
    member_set = set(members)
    for a, b in sorted(must):
        if a in member_set and b in member_set:
            uf.union(a, b)
    for a, b in sorted(cannot):
        if a in member_set and b in member_set and uf.find(a) == uf.find(b):
            conflicts.append(
                f"{a} and {b} were ruled not the same person, but a chain of "
                "'same person' decisions joins them; the 'same person' decisions were kept"
            )
    groups = uf.groups()
    cluster_of = {m: root for root, ms in groups.items() for m in ms}
    clusters: dict[str, set[str]] = {root: set(ms) for root, ms in groups.items()}
    fields = fields or {}
    held = _Held(clusters, weights, fields, vetoed)

    links: dict[tuple[str, str], _Link] = {}
    for (a, b), w in weights.items():
        ca, cb = cluster_of.get(a), cluster_of.get(b)
        if ca is None or cb is None or ca == cb:
            continue
        k = _key(ca, cb)
        link = links.get(k)
        if link is None:
            link = links[k] = _Link(w, 1, w)
        else:
            link.total += w
            link.count += 1
            link.minimum = min(link.minimum, w)
        mask = fields.get((a, b), 0)
        link.held |= mask
        if mask and (a, b) not in vetoed:
            link.overridden |= mask & ~UNKNOWN
    for pair_set, human in ((cannot, True), (vetoed, False)):
        for a, b in pair_set:
            ca, cb = cluster_of.get(a), cluster_of.get(b)
            if ca is None or cb is None or ca == cb:
                continue
            k = _key(ca, cb)
            link = links.setdefault(k, _Link(0.0, 0, -math.inf))
            if human:
                link.minimum = -math.inf
            else:
                link.vetoes.append((a, b))

    neighbours: dict[str, set[str]] = defaultdict(set)
    for ca, cb in links:
        neighbours[ca].add(cb)
        neighbours[cb].add(ca)

    def mergeable(link: _Link, ca: str, cb: str) -> bool:
        return (
            link.mean >= settings.merge_weight
            and link.minimum >= settings.veto_weight
            and held.excused(link, ca, cb)
        )

    heap: list[tuple[float, str, str]] = [
        (-link.mean, ca, cb) for (ca, cb), link in links.items() if mergeable(link, ca, cb)
    ]
    heapq.heapify(heap)

    def contested(single: str, partner: str, mean: float) -> bool:
        """A lone record that fits `partner` and, about as well, someone `partner`
        cannot be (a record with no birth date between two namesakes)."""
        for n in neighbours[single]:
            if n == partner:
                continue
            alt = links[_key(single, n)]
            if mergeable(alt, single, n) and alt.mean >= mean - settings.attach_margin:
                between = links.get(_key(n, partner))
                if between is not None and (
                    between.minimum < settings.veto_weight or not held.excused(between, n, partner, single)
                ):
                    return True
        return False

    frozen: set[str] = set()
    while heap:
        neg_mean, ca, cb = heapq.heappop(heap)
        link = links.get((ca, cb))
        if link is None or -neg_mean != link.mean or not mergeable(link, ca, cb):
            continue  # stale entry
        if ca in frozen or cb in frozen:
            continue
        ambiguous = [
            single
            for single, partner in ((ca, cb), (cb, ca))
            if len(clusters[single]) == 1 and contested(single, partner, link.mean)
        ]
        if ambiguous:
            # Left on its own (and in the review queue) rather than guessed.
            frozen.update(ambiguous)
            continue
        # Merge cb into ca (ca < cb, so the root stays the smaller key).
        held.merged(ca, cb, link.held)
        clusters[ca] |= clusters.pop(cb)
        del links[(ca, cb)]
        neighbours[ca].discard(cb)
        neighbours[cb].discard(ca)
        for other in neighbours.pop(cb):
            neighbours[other].discard(cb)
            old = links.pop(_key(cb, other))
            k = _key(ca, other)
            existing = links.get(k)
            if existing is None:
                links[k] = _Link(
                    old.total, old.count, old.minimum, list(old.vetoes), old.held, old.overridden
                )
            else:
                existing.total += old.total
                existing.count += old.count
                existing.minimum = min(existing.minimum, old.minimum)
                existing.vetoes += old.vetoes
                existing.held |= old.held
                existing.overridden |= old.overridden
            neighbours[ca].add(other)
            neighbours[other].add(ca)
        for other in neighbours[ca]:
            k = _key(ca, other)
            if mergeable(links[k], *k):
                heapq.heappush(heap, (-links[k].mean, k[0], k[1]))
    return [sorted(c) for c in clusters.values()], conflicts


def attach_sparse(
    groups: list[list[str]],
    weights: dict[tuple[str, str], float],
    blocked: set[tuple[str, str]],
    sparse: set[str],
    settings: ClusteringSettings,
    rivals: dict[str, float] | None = None,
) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Exclusive best link for sparse records (e.g. "Chloe, about 15" from a youth
    service): a sparse record left on its own joins the one cluster it clearly fits
    best. Pairwise scores alone rarely reach the merge threshold for such a record,
    but when exactly one plausible person exists the choice is not in doubt. All
    decisions are taken against the clustering before any attachment, so the result
    does not depend on order. Returns the new groups and the (record, cluster key)
    attachments made, which are sent for review. ``rivals``: each record's best weight to a
    record outside this component, a candidate too ("Richard, about 29" fits a driver of 31 in
    his component and, nearly as well, another Richard of 29 outside it)."""
    cluster_of = {m: min(g) for g in groups for m in g}
    size = {min(g): len(g) for g in groups}
    adjacency: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), w in weights.items():
        adjacency[a].append((b, w))
        adjacency[b].append((a, w))
    moves: list[tuple[str, str]] = []
    for g in groups:
        if len(g) != 1 or g[0] not in sparse:
            continue
        record = g[0]
        best: dict[str, float] = {}
        excluded: set[str] = set()
        for other, w in adjacency.get(record, ()):
            target = cluster_of[other]
            if _key(record, other) in blocked:
                excluded.add(target)
            elif w > best.get(target, -math.inf):
                best[target] = w
        ranked = sorted(
            ((w, t) for t, w in best.items() if t not in excluded and not (size[t] == 1 and t in sparse)),
            key=lambda wt: (-wt[0], wt[1]),
        )
        if not ranked or ranked[0][0] < settings.attach_weight:
            continue
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < settings.attach_margin:
            continue
        if rivals and ranked[0][0] - rivals.get(record, -math.inf) < settings.attach_margin:
            continue
        moves.append((record, ranked[0][1]))
    if not moves:
        return groups, []
    target_of = dict(moves)
    merged: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        root = min(g)
        merged[target_of.get(root, root)].extend(g)
    return [sorted(ms) for ms in merged.values()], moves


def cluster_records(
    record_keys: Iterable[str],
    pairs: pd.DataFrame,
    decisions: Sequence[HumanDecision],
    settings: ClusteringSettings,
    *,
    score_within: Callable[[dict[str, list[str]]], pd.DataFrame] | None = None,
    only_components_with: set[str] | None = None,
    sparse: set[str] | None = None,
) -> tuple[dict[str, str], pd.DataFrame, list[str], set[str], list[tuple[str, str]]]:
    """Clusters every record.

    Returns (record_key -> cluster key, pairs scored within components, conflicts,
    the records in components that were (re)clustered, sparse-record attachments).
    With `only_components_with`, only components containing one of those records are
    clustered (incremental runs); the rest are left to the caller."""
    must, cannot = normalise_decisions(decisions)
    components = candidate_components(pairs, must, settings)
    if only_components_with is not None:
        components = {r: ms for r, ms in components.items() if not only_components_with.isdisjoint(ms)}
    strong = pairs[pairs["match_weight"] >= settings.within_weight]
    in_scope = set().union(*components.values()) if components else set()
    strong = strong[strong["record_key_l"].isin(in_scope)]
    groups_to_score = candidate_components(
        strong, set(), replace(settings, candidate_weight=settings.within_weight)
    )
    to_score = {
        root: ms for root, ms in groups_to_score.items() if 2 < len(ms) <= settings.max_full_component
    }
    use_within = score_within is not None and settings.score_within and to_score
    extra = score_within(to_score) if (score_within is not None and use_within) else pd.DataFrame()

    weights: dict[tuple[str, str], float] = {}
    vetoed: set[tuple[str, str]] = set()
    fields: dict[tuple[str, str], int] = {}
    for frame in (pairs, extra):
        if len(frame):
            for a, b, w in zip(
                frame["record_key_l"].tolist(),
                frame["record_key_r"].tolist(),
                frame["match_weight"].tolist(),
                strict=True,
            ):
                weights[_key(a, b)] = float(w)
            masks = conflict_masks(frame)
            if "hard_conflict" in frame.columns:
                is_hard = frame["hard_conflict"].astype(bool).to_numpy()
                hard = frame[is_hard]
                vetoed.update(
                    _key(a, b) for a, b in zip(hard["record_key_l"], hard["record_key_r"], strict=True)
                )
                if masks is None:
                    masks = np.where(is_hard, UNKNOWN, 0)
            if masks is not None:
                some = masks != 0
                for a, b, m in zip(
                    frame["record_key_l"].to_numpy()[some],
                    frame["record_key_r"].to_numpy()[some],
                    masks[some].tolist(),
                    strict=True,
                ):
                    fields[_key(a, b)] = m
    root_of = {m: root for root, ms in components.items() for m in ms}

    def local(pairs_set: Iterable[tuple[str, str]]) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for a, b in pairs_set:
            ra = root_of.get(a)
            if ra is not None and ra == root_of.get(b):
                out[ra].add((a, b))
        return out

    by_component: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for (a, b), w in weights.items():
        ra = root_of.get(a)
        if ra is not None and ra == root_of.get(b):
            by_component[ra][(a, b)] = w
    must_by, cannot_by, vetoed_by = local(must), local(cannot), local(vetoed)
    fields_by: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for pair, mask in fields.items():
        ra = root_of.get(pair[0])
        if ra is not None and ra == root_of.get(pair[1]):
            fields_by[ra][pair] = mask

    rivals = _rivals(pairs, root_of, sparse) if sparse else {}
    clusters: dict[str, str] = {}
    conflicts: list[str] = []
    touched: set[str] = set()
    attachments: list[tuple[str, str]] = []
    empty: set[tuple[str, str]] = set()
    for root, members in components.items():
        w_local = by_component.get(root, {})
        c_local, v_local = cannot_by.get(root, empty), vetoed_by.get(root, empty)
        groups, found = agglomerate(
            members, w_local, must_by.get(root, empty), c_local, settings, v_local, fields_by.get(root)
        )
        if sparse:
            groups, moved = attach_sparse(groups, w_local, v_local | c_local, sparse, settings, rivals)
            attachments.extend(moved)
        conflicts.extend(found)
        touched.update(members)
        for group in groups:
            cluster_key = min(group)
            for m in group:
                clusters[m] = cluster_key
    if only_components_with is None:
        for k in record_keys:
            clusters.setdefault(k, k)
    return clusters, extra, conflicts, touched, attachments


def _rivals(pairs: pd.DataFrame, root_of: dict[str, str], sparse: set[str]) -> dict[str, float]:
    """Each sparse record's best weight to a record outside its candidate component."""
    if not len(pairs):
        return {}
    left, right = pairs["record_key_l"], pairs["record_key_r"]
    apart = (left.map(root_of) != right.map(root_of)).to_numpy()  # NaN (in no component) != anything
    weights = pairs["match_weight"].to_numpy()[apart]
    sides = pd.DataFrame(
        {
            "record": np.concatenate([left.to_numpy()[apart], right.to_numpy()[apart]]),
            "w": np.concatenate([weights, weights]),
        }
    )
    sides = sides[sides["record"].isin(sparse)]
    return {str(k): float(v) for k, v in sides.groupby("record")["w"].max().items()}


def connected_components_at(pairs: pd.DataFrame, threshold_weight: float) -> dict[str, str]:
    """Splink-style clustering (for comparison in tests and docs): record_key -> smallest
    key of its connected component over pairs at or above the threshold."""
    uf = UnionFind()
    strong = pairs[pairs["match_weight"] >= threshold_weight]
    for a, b in zip(strong["record_key_l"].tolist(), strong["record_key_r"].tolist(), strict=True):
        uf.union(a, b)
    return {m: root for root, ms in uf.groups().items() for m in ms}
