"""Names for groups that a reader can tell apart: "Group around Wazza Townend and Village Chippy
Bawtry Road (29 members)".

A group is named after its most central adult (or, when it has none, its most central person) and
its most central place (or vehicle). Central means the most weight of concerning links inside the
group, then of all links inside it; ties go to the smaller id, so the same data always gives the
same name. A name that mentions a person also comes without them (``name_without_person``), for
viewers who may not open that person's record.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .result import NAME_COLUMNS

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?(?: ?[0-9][A-Z]{2})?$")
_OUTSIDE = {"adult": "an adult", "child": "a child"}


def place_title(label: str) -> str:
    """A place as people write it: "village chippy bawtry road, S63 2RH" -> "Village Chippy Bawtry
    Road, S63 2RH". Postcodes and words already in capitals are kept as they are."""
    shown, sep, tail = label.rpartition(", ")
    if not sep or not _POSTCODE.match(tail):
        shown, tail = label, ""
    words = [w if w.isupper() or w[:1].isdigit() else w[:1].upper() + w[1:] for w in shown.split()]
    text = " ".join(words)
    return f"{text}, {tail}" if text and tail else text or tail


def _object_text(node: str, label: str) -> str:
    kind = node.partition(":")[0]
    if kind == "vehicle":
        return f"vehicle {label}"
    shown, sep, tail = place_title(label).rpartition(", ")
    # The postcode makes a name long and adds little: the place's own page shows it.
    return shown if sep and shown and _POSTCODE.match(tail) else place_title(label)


def _centrality(members: pd.DataFrame, edge_events: pd.DataFrame) -> pd.DataFrame:
    """(concerning weight, all weight) per member over the links inside its own group."""
    group_of = pd.Series(members["network_id"].to_numpy(), index=members["member_id"].to_numpy())
    ev = edge_events
    src = group_of.reindex(ev["source"]).to_numpy()
    inside = pd.notna(src) & (src == group_of.reindex(ev["target"]).to_numpy())
    ev = ev[inside]
    weight = ev["weight"].to_numpy(dtype=float)
    concerning = np.where(ev["concerning"].to_numpy(dtype=bool), weight, 0.0)
    ends = pd.DataFrame(
        {
            "node": np.concatenate([ev["source"].to_numpy(), ev["target"].to_numpy()]),
            "concerning": np.concatenate([concerning, concerning]),
            "weight": np.concatenate([weight, weight]),
        }
    )
    sums = ends.groupby("node")[["concerning", "weight"]].sum()
    out = members.set_index("member_id").join(sums).fillna({"concerning": 0.0, "weight": 0.0})
    return out.reset_index()


def _most_central(rows: pd.DataFrame) -> str | None:
    if rows.empty:
        return None
    ranked = rows.sort_values(
        ["named", "concerning", "weight", "member_id"], ascending=[False, False, False, True]
    )
    return str(ranked["member_id"].iloc[0])


def group_names(
    networks: pd.DataFrame,
    edge_events: pd.DataFrame,
    labels: dict[str, str],
    object_labels: dict[str, str],
) -> pd.DataFrame:
    """One row per group (``NAME_COLUMNS``) from the ``networks`` member rows (network_id,
    member_type, member_id, role) and the graph's edge events."""
    if networks.empty:
        return pd.DataFrame(columns=NAME_COLUMNS)
    central = _centrality(networks, edge_events)
    central["named"] = [
        bool(labels.get(m)) if t == "person" else True
        for m, t in zip(central["member_id"], central["member_type"], strict=True)
    ]
    rows = []
    for nid, members in central.groupby("network_id", sort=True):
        people = members[members["member_type"] == "person"]
        person = _most_central(people[people["role"] == "adult"]) or _most_central(people)
        places = members[members["member_type"] == "place"]
        obj = _most_central(places) or _most_central(members[members["member_type"] == "vehicle"])
        size = f"({len(members)} member{'s' if len(members) != 1 else ''})"
        thing = _object_text(obj, object_labels.get(obj, obj)) if obj else ""
        role = str(people.set_index("member_id")["role"].get(person, "")) if person else ""
        who = labels.get(person, person) if person else ""
        if who and thing:
            name = f"Group around {who} and {thing} {size}"
        else:
            name = f"Group around {who or thing} {size}" if who or thing else f"Group {size}"
        if thing:
            without = f"Group around {thing} {size}"
        else:
            without = f"Group around {_OUTSIDE.get(role, 'a person')} outside your access {size}"
        rows.append((str(nid), name, without if person else name, person or ""))
    return pd.DataFrame(rows, columns=NAME_COLUMNS)
