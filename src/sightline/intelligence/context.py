"""Collective linkage: a sparse child record ("Jess, about 14" from a youth worker) that linkage could
not place is proposed for review beside the child seen with the same adults, places, vehicles or
phones, when their names and ages allow it.

A record's own fields cannot tell one Jess from another; the company she keeps can. After each
analysis, for every child known only from sparse records (no family name or no date of birth), the
children who share at least MIN_SHARED of its neighbours in the event graph are candidates. A
neighbour shared by more than HUB children (a school, a busy shop, a foster carer) says nothing
about who a child is and is not counted. Candidates must have a compatible given name (the same,
a nickname of it, or a near spelling) and, where both are known, births within AGE_SPREAD years.
Only the best candidates (the most shared neighbours, at most three) are proposed. Ethnicity is
never read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable

import jellyfish
import pandas as pd

from sightline.people.linkage.names import canonical_forms

MIN_SHARED = 2
HUB = 25
AGE_SPREAD = 2.5
ALIKE = 0.88
MAX_CANDIDATES = 3


def _given(value: object) -> str:
    words = re.findall(r"[a-z]+", str(value or "").lower())
    return words[0] if words else ""


def _birth_year(dob: object, age: object, as_of: dt.date) -> float | None:
    text = str(dob or "")
    if re.match(r"^\d{4}", text):
        return float(text[:4])
    found = re.search(r"\d+(\.\d+)?", str(age or ""))
    return as_of.year - float(found.group()) if found else None


def _names_alike(a: set[str], b: set[str]) -> bool:
    for x in a:
        forms = set(canonical_forms(x)) | {x}
        for y in b:
            if x == y or forms & (set(canonical_forms(y)) | {y}):
                return True
            if x[:1] == y[:1] and jellyfish.jaro_winkler_similarity(x, y) >= ALIKE:
                return True
    return False


def _neighbours(edge_events: pd.DataFrame, children: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    if edge_events.empty:
        return out
    ends = edge_events[["source", "target"]].drop_duplicates()
    for a, b in zip(ends["source"], ends["target"], strict=True):
        if a in children:
            out[a].add(b)
        if b in children:
            out[b].add(a)
    return out


def context_pairs(
    records: pd.DataFrame, nodes: pd.DataFrame, edge_events: pd.DataFrame, as_of: dt.date
) -> list[tuple[str, str, int]]:
    """(record key of the sparse child, record key of the candidate, neighbours shared), the two
    keys in sorted order. `records` is the analysis input (record_key, person_id, given_name,
    family_name, date_of_birth, estimated_age); `nodes` and `edge_events` the analysis graph."""
    people = nodes[(nodes["type"] == "person") & (nodes["role"] == "child")]
    children = set(people["id"])
    if not children:
        return []
    mine = records[records["person_id"].isin(children)]
    names: dict[str, set[str]] = defaultdict(set)
    years: dict[str, list[float]] = defaultdict(list)
    keys: dict[str, list[str]] = defaultdict(list)
    sparse: dict[str, bool] = {}
    for row in mine.itertuples(index=False):
        pid, key = str(row.person_id), str(row.record_key)
        keys[pid].append(key)
        given = _given(getattr(row, "given_name", ""))
        if given:
            names[pid].add(given)
        year = _birth_year(getattr(row, "date_of_birth", ""), getattr(row, "estimated_age", ""), as_of)
        if year is not None:
            years[pid].append(year)
        full = bool(str(getattr(row, "family_name", "") or "").strip()) and bool(
            str(getattr(row, "date_of_birth", "") or "").strip()
        )
        sparse[pid] = sparse.get(pid, True) and not full
    around = _neighbours(edge_events, children)
    holders: dict[str, set[str]] = defaultdict(set)
    for child, near in around.items():
        for n in near:
            holders[n].add(child)
    telling = {n for n, kids in holders.items() if len(kids) <= HUB}
    out: list[tuple[str, str, int]] = []
    for child in sorted(c for c, is_sparse in sparse.items() if is_sparse and names.get(c)):
        shared: dict[str, int] = defaultdict(int)
        for n in around.get(child, set()) & telling:
            for other in holders[n]:
                if other != child:
                    shared[other] += 1
        fits = [
            (count, other)
            for other, count in shared.items()
            if count >= MIN_SHARED
            and _names_alike(names[child], names.get(other, set()))
            and _ages_fit(years.get(child, []), years.get(other, []))
        ]
        if not fits:
            continue
        best = max(count for count, _ in fits)
        for count, other in sorted(f for f in fits if f[0] == best)[:MAX_CANDIDATES]:
            a, b = sorted((min(keys[child]), min(keys[other])))
            out.append((a, b, count))
    return out


def _ages_fit(a: Iterable[float], b: Iterable[float]) -> bool:
    a, b = list(a), list(b)
    if not a or not b:
        return True
    return abs(sum(a) / len(a) - sum(b) / len(b)) <= AGE_SPREAD
