"""Groups of review pairs that one look can decide, so the queue can be finished.

Two kinds, the first that applies:

- ``household``: both records have the same family name and address (or full postcode) but are
  plainly different people: given names that are neither alike nor nicknames of one another, or
  births years apart. Siblings, twins (same birth, different initials), a father and son of the
  same name. Usually "not the same".
- ``people``: several pairs join the same two records groups (the run's clusters): one question
  asked through every pair of their records, for example the same two people sent again in a later
  extract. One answer settles them all.

A group has at least two pairs. Its id is a digest of what defines it: a household's family name and
address, or the two clusters' first record keys. Nothing here reads ethnicity.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import jellyfish
import pandas as pd

from .group_kinds import HOUSEHOLD, PEOPLE

# Given names at least this alike (Jaro-Winkler) may be one name misspelt: not "plainly different".
ALIKE = 0.88
# Births at least this many years apart cannot be one person's typing error.
YEARS_APART = 3.0


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _plainly_different(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    ga, gb = _text(a.get("given")), _text(b.get("given"))
    canon_a, canon_b = set(a.get("given_canon") or ()), set(b.get("given_canon") or ())
    alike = canon_a & canon_b or jellyfish.jaro_winkler_similarity(ga, gb) >= ALIKE
    names_differ = bool(ga and gb and ga != gb and not alike)
    ya, yb = a.get("birth_year"), b.get("birth_year")
    exact = not (a.get("birth_is_estimate") or b.get("birth_is_estimate"))
    known = ya is not None and yb is not None and pd.notna(ya) and pd.notna(yb)
    births_apart = bool(exact and known and abs(float(ya or 0) - float(yb or 0)) >= YEARS_APART)
    if a.get("dob") and a.get("dob") == b.get("dob"):
        # Twins, or one person by a nickname the list lacks (Nicola, Nikki): only different initials tell.
        return names_differ and ga[:1] != gb[:1]
    return names_differ or births_apart


def _household(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    family = _text(a.get("family"))
    if not family or family != _text(b.get("family")):
        return ""
    pa, pb = _text(a.get("postcode")), _text(b.get("postcode"))
    place = pa if pa and pa == pb else ""
    if not place:
        aa, ab = _text(a.get("address")), _text(b.get("address"))
        place = aa if aa and aa == ab else ""
    if not place or not _plainly_different(a, b):
        return ""
    return f"{family}\x1f{place}"


def _group_id(kind: str, key: str) -> str:
    return "LG" + hashlib.sha256(f"{kind}\x1f{key}".encode()).hexdigest()[:14]


def group_reviews(review: pd.DataFrame, features: pd.DataFrame, clusters: Mapping[str, str]) -> pd.DataFrame:
    """The review queue with ``group`` and ``group_kind`` columns ("" for a pair in no group).
    `features` is the prepared table (``unique_id`` and the linkage features)."""
    out = review.copy()
    out["group"] = ""
    out["group_kind"] = ""
    if not len(out):
        return out
    wanted = set(out["record_key_l"]) | set(out["record_key_r"])
    rows = features[features["unique_id"].isin(wanted)].set_index("unique_id")
    rec: dict[str, dict[str, Any]] = {str(k): r for k, r in rows.to_dict("index").items()}
    keys: list[tuple[str, str]] = []
    for left, right in zip(out["record_key_l"], out["record_key_r"], strict=True):
        a, b = rec.get(str(left)), rec.get(str(right))
        household = _household(a, b) if a is not None and b is not None else ""
        if household:
            keys.append((HOUSEHOLD, household))
        else:
            ca, cb = sorted((clusters.get(str(left), str(left)), clusters.get(str(right), str(right))))
            # A weak link inside one cluster is its own question, not one of two groups.
            keys.append((PEOPLE, f"{ca}\x1f{cb}") if ca != cb else ("", f"{left}\x1f{right}"))
    members: dict[tuple[str, str], int] = defaultdict(int)
    for k in keys:
        members[k] += 1
    grouped = [bool(k[0]) and members[k] > 1 for k in keys]
    out["group"] = [_group_id(*k) if g else "" for k, g in zip(keys, grouped, strict=True)]
    out["group_kind"] = [k[0] if g else "" for k, g in zip(keys, grouped, strict=True)]
    return out


def change_chances(review: pd.DataFrame, pairs: pd.DataFrame, clusters: Mapping[str, str]) -> list[float]:
    """For each review pair, the chance a human decision changes what linkage did: for a pair kept
    apart, that its two clusters are one person, estimated from every scored pair between them as
    the best probability times the share of those pairs free of a hard conflict (a different date of
    birth or identifier: the clusters' other records disagree); for a pair joined, that it is not."""
    if not len(review):
        return []
    cl = [clusters.get(str(k), str(k)) for k in review["record_key_l"]]
    cr = [clusters.get(str(k), str(k)) for k in review["record_key_r"]]
    wanted = {(a, b) if a < b else (b, a) for a, b in zip(cl, cr, strict=True) if a != b}
    involved = {c for key in wanted for c in key}
    best: dict[tuple[str, str], float] = defaultdict(float)
    scored: dict[tuple[str, str], int] = defaultdict(int)
    conflicts: dict[tuple[str, str], int] = defaultdict(int)
    if wanted and len(pairs):
        left = pairs["record_key_l"].map(clusters).fillna(pairs["record_key_l"])
        right = pairs["record_key_r"].map(clusters).fillna(pairs["record_key_r"])
        near = left.isin(involved) & right.isin(involved) & (left != right)
        hard = pairs.get("hard_conflict", pd.Series(False, index=pairs.index))[near]
        probability = pairs.loc[near, "match_probability"]
        for a, b, p, h in zip(left[near], right[near], probability, hard, strict=True):
            key = (a, b) if a < b else (b, a)
            if key in wanted:
                best[key] = max(best[key], float(p))
                scored[key] += 1
                conflicts[key] += bool(h)
    out = []
    for a, b, p in zip(cl, cr, review["match_probability"], strict=True):
        if a == b:
            out.append(1.0 - float(p))
            continue
        key = (a, b) if a < b else (b, a)
        n = scored.get(key, 0)
        out.append(best[key] * (1 - conflicts[key] / n) if n else float(p))
    return out
