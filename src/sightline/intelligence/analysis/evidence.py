"""Which children's records point at exploitation, not only at risk, and how firmly.

A child with many missing episodes, or out at night with friends, is at risk; what points at
sexual or criminal exploitation is an adult of concern in a record that says so: found with
the child when missing, named in intelligence, at the sexual health clinic with them, a suspect
with them, or reached through a phone or vehicle such a record holds. The child list ends where
these records end (docs/analysis.md, "Where the list ends").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import weights as W

COLUMNS = ["c", "a", "event_key", "agency", "how"]


def role_explained(
    pairs: pd.DataFrame,
    participants: pd.DataFrame,
    events: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    object_edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pairs (a, b) whose contact b's role explains (b was a's carer, parent or a professional in
    some record of both, or b holds a school-contract licence) and no record corroborates: b a
    suspect with a, or a corroborating kind (for the licence, night or a missing episode too)."""
    roles = participants[["event_key", "person_id", "role"]]
    explaining = roles[roles["role"].isin(W.EXPLAINING_ROLES)]
    both = roles.merge(explaining, on="event_key", suffixes=("_a", "_b"))
    both = both[both["person_id_a"] != both["person_id_b"]]
    explained = both[["person_id_a", "person_id_b"]].drop_duplicates()
    explained.columns = pd.Index(["a", "b"])
    corroborated = pairs[(pairs["role_b"] == "suspect") | pairs["kind"].isin(W.CORROBORATING_KINDS)]
    out = _uncorroborated(explained, corroborated)
    if events is None or "school_contract" not in events.columns or not events["school_contract"].any():
        return out
    by_licence = _licence_explained(pairs, participants, events, links, object_edges)
    return pd.concat([out, by_licence], ignore_index=True).drop_duplicates().reset_index(drop=True)


def _licence_explained(
    pairs: pd.DataFrame,
    participants: pd.DataFrame,
    events: pd.DataFrame,
    links: pd.DataFrame | None,
    object_edges: pd.DataFrame | None,
) -> pd.DataFrame:
    """(a, b) for b who holds a school-contract licence, met in a record naming both or through b's
    car or phone, unless a suspect role, a corroborating kind, night or a missing episode says more."""
    subjects = participants[participants["role"] == "subject"]
    licensed = set(
        subjects.loc[
            subjects["event_key"].isin(events.loc[events["school_contract"], "event_key"]), "person_id"
        ]
    )
    night = events.set_index("event_key")["night"]
    direct = pairs[pairs["b"].isin(licensed)]
    met, corroborated = [direct[["a", "b"]]], [direct.loc[_says_more(direct, night), ["a", "b"]]]
    if links is not None and len(links):
        # His car or phone, as in indirect contact: everyone shares a place.
        mediated = links[~links["obj_id"].str.startswith("place:")]
        theirs = mediated.loc[mediated["person_id"].isin(licensed), ["person_id", "obj_id"]].drop_duplicates()
        seen = mediated[~mediated["person_id"].isin(licensed) & (mediated["event_key"].astype(str) != "")]
        if object_edges is not None and len(object_edges):
            # A partial plate on a missing report may be his car.
            maybe = seen.merge(object_edges[["source", "target"]], left_on="obj_id", right_on="source")
            seen = pd.concat([seen, maybe.assign(obj_id=maybe["target"])[seen.columns]], ignore_index=True)
        via = seen.merge(theirs, on="obj_id", suffixes=("", "_b"))
        via = via.assign(a=via["person_id"], b=via["person_id_b"], role_b="")
        met.append(via[["a", "b"]])
        corroborated.append(via.loc[_says_more(via, night), ["a", "b"]])
    return _uncorroborated(pd.concat(met).drop_duplicates(), pd.concat(corroborated))


def _says_more(rows: pd.DataFrame, night: pd.Series) -> np.ndarray:
    at_night = rows["event_key"].map(night).fillna(False).to_numpy(dtype=bool)
    kind = rows["kind"].isin(W.LICENCE_CORROBORATING_KINDS).to_numpy()
    return np.asarray((rows["role_b"] == "suspect").to_numpy() | kind | at_night, dtype=bool)


def _uncorroborated(explained: pd.DataFrame, corroborated: pd.DataFrame) -> pd.DataFrame:
    out = explained.merge(corroborated[["a", "b"]].drop_duplicates(), how="left", indicator=True)
    return out.loc[out["_merge"] == "left_only", ["a", "b"]].reset_index(drop=True)


def without(frame: pd.DataFrame, pairs: pd.DataFrame, a: str = "a", b: str = "b") -> np.ndarray:
    """A mask of frame's rows whose (a, b) is not among pairs'."""
    if pairs.empty or frame.empty:
        return np.ones(len(frame), dtype=bool)
    keys = pd.MultiIndex.from_frame(pairs[["a", "b"]])
    return ~pd.MultiIndex.from_arrays([frame[a].to_numpy(), frame[b].to_numpy()]).isin(keys)


def evidence_ties(
    pairs: pd.DataFrame, links: pd.DataFrame, children: set[str], age: pd.Series | None = None
) -> pd.DataFrame:
    """Ties from a child (c) to an adult (a) in an event that points at exploitation, one row per
    event: the event, its agency and how (the event's kind, or ``phone``/``vehicle`` when shared).
    ``age``: by person, for the ties that need no score of the adult's."""
    direct = pairs[
        pairs["concerning"].to_numpy(dtype=bool)
        & pairs["a"].isin(children).to_numpy()
        & ~pairs["b"].isin(children).to_numpy()
        & (
            (pairs["role_b"] == "suspect")
            | (pairs["role_a"] == "victim")
            | pairs["kind"].isin(W.POINTED_KINDS)
        ).to_numpy()
    ]
    # The record itself names the child as the victim of this adult, or the adult came to the
    # child's sexual health appointment and is years older than a same-age partner would be: no
    # score of theirs is needed.
    firm = (direct["role_a"] == "victim") & direct["role_b"].isin(("suspect", "subject"))
    if age is not None:
        gap = direct["b"].map(age).to_numpy(dtype=float) - direct["a"].map(age).to_numpy(dtype=float)
        firm |= (direct["kind"] == "sexual_health").to_numpy() & (gap >= W.PARTNER_AGE_GAP)
    rows = [direct.rename(columns={"a": "c", "b": "a", "kind": "how"})[COLUMNS].assign(firm=firm.to_numpy())]
    mediated = links[~links["obj_id"].str.startswith("place:")]
    size = mediated.groupby("obj_id")["person_id"].transform("nunique")
    mediated = mediated[(size > 1) & (size <= W.MEDIATOR_MAX_PEOPLE)]
    pointed = mediated["kind"].isin(W.POINTED_KINDS).to_numpy()
    is_child = mediated["person_id"].isin(children).to_numpy()
    # An adult's own number in a child's record (given as her contact, on messages arranging a
    # pick-up) points too; a number on the child's own record (often a parent's) does not.
    own_number = (mediated["kind"] == "record").to_numpy() & ~is_child
    in_event = (mediated["event_key"].astype(str) != "").to_numpy()
    cols = ["person_id", "obj_id", "event_key", "agency"]
    kids, grown = mediated[is_child], mediated[~is_child]
    # Either side's record may be the one that points: the man's car in the child's missing
    # episode, or the child's number in intelligence about the man.
    for pointing, other, child_points in (
        (mediated[is_child & pointed], grown, True),
        (mediated[~is_child & pointed], kids, False),
        (mediated[is_child & in_event], mediated[own_number], True),
    ):
        both = (
            pointing[cols]
            .drop_duplicates()
            .merge(other[["person_id", "obj_id"]].drop_duplicates(), on="obj_id", suffixes=("_p", "_o"))
        )
        child, adult = ("person_id_p", "person_id_o") if child_points else ("person_id_o", "person_id_p")
        rows.append(
            pd.DataFrame(
                {
                    "c": both[child].to_numpy(),
                    "a": both[adult].to_numpy(),
                    "event_key": both["event_key"].to_numpy(),
                    "agency": both["agency"].to_numpy(),
                    "how": both["obj_id"].str.split(":", n=1).str[0].to_numpy(),
                    "firm": False,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out[out["event_key"].astype(str) != ""].drop_duplicates(["c", "a", "event_key"])


HOW = {
    "missing": "missing episode",
    "intelligence": "intelligence",
    "sexual_health": "sexual health attendance",
    "self_referral": "self-referral",
    "taxi_complaint": "taxi complaint",
    "arrest": "arrest",
    "charge": "charge",
    "bail": "bail",
    "outreach_contact": "youth work contact",
    "phone": "shared phone number",
    "vehicle": "shared vehicle",
}


def of_concern(ties: pd.DataFrame, score: pd.Series) -> pd.DataFrame:
    """The ties whose adult is of concern (at least MIN_EVIDENCE_ADULT_SCORE)."""
    enough = ties["a"].map(score).fillna(0.0).to_numpy() >= W.MIN_EVIDENCE_ADULT_SCORE
    return ties[enough | ties["firm"].to_numpy(dtype=bool)]


def child_evidence(ties: pd.DataFrame) -> pd.DataFrame:
    """Per child with ties to adults of concern (see of_concern): events, agencies, adults and
    a confidence. strong: two or more such events recorded by two or more agencies; moderate:
    two or more events, or two adults; limited: one event."""
    if ties.empty:
        return pd.DataFrame(columns=["events", "agencies", "adults", "confidence"])
    per = ties.groupby("c").agg(
        events=("event_key", "nunique"), agencies=("agency", "nunique"), adults=("a", "nunique")
    )
    per["confidence"] = np.select(
        [
            (per["events"] >= 2) & (per["agencies"] >= 2),
            (per["events"] >= 2) | (per["adults"] >= 2),
        ],
        ["strong", "moderate"],
        "limited",
    )
    return per


def sentence(confidence: str, rows: Sequence[tuple[Any, ...]], name: dict[str, str]) -> str:
    """The reason saying which records point at exploitation: rows are (adult, event, agency, how)."""
    events = {str(r[1]) for r in rows}
    agencies = {str(r[2]) for r in rows}
    adults = list(dict.fromkeys(str(r[0]) for r in rows))
    hows = list(
        dict.fromkeys(
            HOW.get(str(r[3]), str(r[3]).replace("_", " ") + " naming them as a suspect") for r in rows
        )
    )
    whom = ", ".join(name.get(a, a) for a in adults[:3]) + (
        f" and {len(adults) - 3} more" if len(adults) > 3 else ""
    )
    n, k = len(events), len(agencies)
    return (
        f"Evidence of exploitation ({confidence}): {n} record{'s' if n != 1 else ''} from "
        f"{k} agenc{'ies' if k != 1 else 'y'} {'tie' if n != 1 else 'ties'} this child to {whom}"
        f" ({', '.join(hows)})"
    )
