"""`truth/kinds.csv`: what every person of a variant town is, so that measures can be taken by kind.

One row per person (docs/synthetic-town.md, "Variants"): `role` is `victim`, `offender`, `decoy`,
`benign_hub`, `parent` or `ordinary`; `label` the network's model (victims and offenders), the decoy's
kind or the hub's kind; `exploitation` `sexual` or `criminal`; `visibility` a victim's (high, medium,
low); `related_id` the person a decoy's story turns on (a partner, an older friend, an abuser); `traits`
the record traps and habits that apply, `;`-separated.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from .exploitation import MODELS
from .model import Person, Town
from .population import E, age_on

KIND_COLUMNS = (
    "true_person_id",
    "kind",
    "sex",
    "age",
    "role",
    "label",
    "exploitation",
    "visibility",
    "network_id",
    "placed_from",
    "related_id",
    "traits",
    "flagged_by_social_care",
)


def kind_row(p: Person) -> list[str]:
    role = p.role
    if role == "missing_not_exploited":
        role = "decoy"
    traits = list(p.traits)
    if p.in_care:
        traits.append("in_care")
    if p.taxi_driver and p.role == "offender":
        traits.append("taxi_licence")
    net = p.network
    return [
        p.pid,
        p.kind,
        p.sex,
        str(age_on(p.dob, E)),
        role,
        p.label or p.hub_type,
        MODELS[net.model].exploitation if net is not None else "",
        p.visibility,
        net.nid if net is not None else "",
        p.placed_from,
        p.related.pid if p.related is not None else "",
        ";".join(sorted(set(traits))),
        "1" if p.flagged else "0",
    ]


def write_kinds(path: Path, town: Town) -> dict[str, Any]:
    """Write kinds.csv; return its counts for summary.json."""
    rows = [kind_row(p) for p in sorted(town.children + town.adults, key=lambda p: p.pid)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KIND_COLUMNS)
        writer.writerows(rows)
    col = {name: i for i, name in enumerate(KIND_COLUMNS)}
    by: dict[str, Counter[str]] = {}
    for r in rows:
        role, label = r[col["role"]], r[col["label"]]
        if role in ("victim", "offender", "decoy", "benign_hub"):
            by.setdefault(f"{role}s_by_label", Counter())[label] += 1
        if role == "victim":
            by.setdefault("victims_by_sex", Counter())[r[col["sex"]]] += 1
            by.setdefault("victims_by_exploitation", Counter())[r[col["exploitation"]]] += 1
        for trait in filter(None, r[col["traits"]].split(";")):
            by.setdefault(f"{r[col['kind']]}_traits", Counter())[trait] += 1
    return {key: dict(sorted(counter.items())) for key, counter in sorted(by.items())}
