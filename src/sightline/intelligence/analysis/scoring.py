"""Scores for children, adults, places, vehicles and phones.

Concern flows both ways: an adult is of concern because of the children they are found
with, and a child is at risk because of their own indicators and the adults, places and
vehicles around them. The scores are computed in a few rounds. In every round the share
a neighbour's score owes to the node being scored is taken out first, so no node can
raise itself through its own echo (a child missing alone at a bus station does not make
the bus station, and so herself, more concerning).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import weights as W
from .evidence import role_explained, without


def sat(x: np.ndarray | pd.Series | float) -> np.ndarray:
    """1 - e^-x: many weak facts add up, but never without bound."""
    return np.asarray(1.0 - np.exp(-np.asarray(x, dtype=float)))


def norm_child(x: np.ndarray) -> np.ndarray:
    return sat(np.clip(x, 0, None) / 3.0)


def norm_adult(x: np.ndarray) -> np.ndarray:
    return sat(np.clip(x, 0, None) / 2.0)


norm_object = norm_adult

CHILD_ROLES = ("subject", "victim", "associate")
_INDICATOR_KINDS: dict[str, dict[str, float]] = {
    "missing": {"missing": 1.0, "absent": 0.5},
    "sexual_health": {"sexual_health": 1.0},
    "self_referral": {"self_referral": 1.0},
    "police_victim": {k: 1.0 for k in ("police_incident", "intelligence", "arrest", "charge", "bail")},
    "meetings": {"strategy_meeting": 1.0, "return_interview": 1.0},
    "school": {"school_absence": 1.0, "exclusion": 1.0},
    "outreach": {"outreach_contact": 1.0},
    "taxi": {"taxi_complaint": 1.0},
}


@dataclass
class Scores:
    people: pd.DataFrame  # person_id, is_child, professional, own, score, flagged ...
    objects: pd.DataFrame  # obj_id, obj_type, label, score, n_children, n_adults
    indicators: pd.DataFrame  # child person_id x indicator -> recency-weighted count
    factors: pd.DataFrame  # person_id, factor, event_key
    child_adult: pd.DataFrame  # c, a, wc, wo, term (a's score from c), expo (c's from a)
    person_object: pd.DataFrame  # person_id, obj_id, is_child, wc, w, term, expo
    peers: pd.DataFrame  # a, b (both children or both adults), wc
    explained: pd.DataFrame  # a, b: contact b's role explains, uncorroborated (evidence.role_explained)


def child_indicators(
    participants: pd.DataFrame, events: pd.DataFrame, children: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recency-weighted counts of each of a child's own indicators, and their factor codes."""
    own = participants[participants["person_id"].isin(children) & participants["role"].isin(CHILD_ROLES)]
    columns: dict[str, pd.Series] = {}
    for name, kinds in _INDICATOR_KINDS.items():
        weight = own["kind"].map(kinds).fillna(0.0).to_numpy() * own["recency"].to_numpy()
        if name == "police_victim":
            weight = weight * own["role"].isin(("subject", "victim")).to_numpy()
        columns[name] = pd.Series(weight, index=own.index)
    columns["night"] = own["night"].astype(float) * own["recency"]
    columns["vehicle"] = own["has_vehicle"].astype(float) * own["recency"]
    frame = pd.DataFrame(columns)
    frame["person_id"] = own["person_id"].to_numpy()
    counts = frame.groupby("person_id").sum()
    subject_events = own.loc[own["role"].isin(("subject", "victim")), ["person_id", "event_key"]]
    with_factors = subject_events.merge(events[["event_key", "factor_list"]], on="event_key")
    factors = with_factors.explode("factor_list").rename(columns={"factor_list": "factor"})
    factors = factors[factors["factor"].isin(W.FACTOR_WEIGHT.keys())]
    return counts, factors[["person_id", "factor", "event_key"]].reset_index(drop=True)


def own_child_score(counts: pd.DataFrame, factors: pd.DataFrame, children: pd.Index) -> pd.Series:
    score = pd.Series(0.0, index=children)
    for name, (weight, saturation) in W.CHILD_INDICATORS.items():
        if name in counts.columns:
            part = weight * sat(counts[name].to_numpy() / saturation)
            score = score.add(pd.Series(part, index=counts.index), fill_value=0.0)
    if len(factors):
        distinct = factors.drop_duplicates(["person_id", "factor"])
        fscore = distinct["factor"].map(W.FACTOR_WEIGHT).groupby(distinct["person_id"].to_numpy()).sum()
        score = score.add(fscore, fill_value=0.0)
    return score.reindex(children).fillna(0.0)


def _aggregate_pairs(pairs: pd.DataFrame, indirect: pd.DataFrame) -> pd.DataFrame:
    direct = pd.DataFrame(
        {
            "a": pairs["a"].to_numpy(),
            "b": pairs["b"].to_numpy(),
            "wc": np.where(pairs["concerning"], pairs["w"], 0.0),
            "wo": np.where(pairs["concerning"], 0.0, pairs["w"]),
            "agency_c": np.where(pairs["concerning"], pairs["agency"], None),
        }
    )
    via = pd.DataFrame(
        {
            "a": indirect["a"].to_numpy(),
            "b": indirect["b"].to_numpy(),
            "wc": np.where(indirect["concerning"], indirect["w"], 0.0),
            "wo": np.where(indirect["concerning"], 0.0, indirect["w"]),
            "agency_c": None,
        }
    )
    both = pd.concat([direct, via], ignore_index=True)
    return both.groupby(["a", "b"], as_index=False, sort=False).agg(
        wc=("wc", "sum"), wo=("wo", "sum"), n_agencies=("agency_c", "nunique")
    )


def _sum_by(keys: np.ndarray, values: np.ndarray, index: pd.Index) -> np.ndarray:
    """Sum values by key, aligned to index (0 where a key has none)."""
    if len(keys) == 0:
        return np.zeros(len(index))
    summed = pd.Series(values).groupby(keys).sum()
    return np.asarray(summed.reindex(index).fillna(0.0).to_numpy(dtype=float))


def score_all(
    people: pd.DataFrame,
    participants: pd.DataFrame,
    events: pd.DataFrame,
    pairs: pd.DataFrame,
    indirect: pd.DataFrame,
    links: pd.DataFrame,
    objects: pd.DataFrame,
    object_edges: pd.DataFrame,
) -> Scores:
    people = people.set_index("person_id")
    share = (participants["role"] == "professional").astype(float).groupby(participants["person_id"]).mean()
    people["professional"] = (
        share.reindex(people.index).fillna(0.0).to_numpy(dtype=float) >= W.PROFESSIONAL_SHARE
    )
    is_child = people["is_child"].to_numpy(dtype=bool)
    children = people.index[is_child]
    adults = people.index[~is_child]

    counts, factors = child_indicators(participants, events, children)
    own = own_child_score(counts, factors, children)

    agg = _aggregate_pairs(pairs, indirect)
    child_set = set(children)
    a_child = agg["a"].isin(child_set).to_numpy()
    b_child = agg["b"].isin(child_set).to_numpy()
    ca = agg[a_child & ~b_child].rename(columns={"a": "c", "b": "a"}).reset_index(drop=True)
    explained = role_explained(pairs, participants, events, links, object_edges)
    # Contact a role explains is ordinary contact (capped, like a coach's), unless corroborated.
    plain = without(ca, explained, "c", "a")
    ca["wo"] = np.where(plain, ca["wo"], ca["wo"] + ca["wc"])
    ca["wc"] = np.where(plain, ca["wc"], 0.0)
    peers = agg[(a_child == b_child) & (agg["wc"].to_numpy() > 0)][["a", "b", "wc"]].reset_index(drop=True)

    # Person-object links, with ambiguous partial plates spread over their candidates.
    po = (
        links.assign(wc=np.where(links["concerning"], links["w"], 0.0))
        .groupby(["person_id", "obj_id"], as_index=False)
        .agg(w=("w", "sum"), wc=("wc", "sum"))
    )
    if len(object_edges):
        spread = po.merge(object_edges, left_on="obj_id", right_on="source")
        spread = pd.DataFrame(
            {
                "person_id": spread["person_id"],
                "obj_id": spread["target"],
                "w": spread["w_x"] * spread["w_y"],
                "wc": spread["wc"] * spread["w_y"],
            }
        )
        po = pd.concat([po, spread], ignore_index=True).groupby(["person_id", "obj_id"], as_index=False).sum()
    po["is_child"] = po["person_id"].isin(child_set).to_numpy()
    obj_index = pd.Index(objects["obj_id"])
    institution = objects.set_index("obj_id")["label"].map(_is_institution)
    obj_discount = np.where(
        (objects["obj_type"] == "place").to_numpy()
        & institution.reindex(obj_index).fillna(False).to_numpy(dtype=bool),
        W.INSTITUTION_DISCOUNT,
        1.0,
    )

    prof = people["professional"].reindex(adults).to_numpy(dtype=bool)
    adult_factor_discount = np.where(prof, W.PROFESSIONAL_DISCOUNT, 1.0)

    # Adults: agencies that recorded concerning contact with any child.
    conc_rows = pairs[pairs["concerning"] & pairs["a"].isin(child_set) & ~pairs["b"].isin(child_set)]
    adult_agencies = conc_rows.groupby("b")["agency"].nunique().reindex(adults).fillna(0).to_numpy()
    agency_factor = 1.0 + W.AGENCY_CORROBORATION * np.clip(adult_agencies - 1, 0, None)

    gc = sat(ca["wc"].to_numpy())
    go = sat(ca["wo"].to_numpy())
    ca_c = ca["c"].to_numpy()
    ca_a = ca["a"].to_numpy()
    ca_adult_pos = adults.get_indexer(ca_a)
    ca_child_pos = children.get_indexer(ca_c)

    po_child = po[po["is_child"]].reset_index(drop=True)
    po_adult = po[~po["is_child"] & po["person_id"].isin(set(adults))].reset_index(drop=True)
    pc_gc = sat(po_child["wc"].to_numpy())
    pc_child_pos = children.get_indexer(po_child["person_id"].to_numpy())
    pc_obj_pos = obj_index.get_indexer(po_child["obj_id"].to_numpy())
    pc_type = objects["obj_type"].to_numpy()[pc_obj_pos] if len(pc_obj_pos) else np.array([], dtype=object)
    # Only a concerning context counts: the school taxi carries children every day.
    pc_strength = pc_gc
    # Adults count only links of concern: a shopkeeper is at his shop every day.
    pa_g = sat(po_adult["wc"].to_numpy())
    pa_adult_pos = adults.get_indexer(po_adult["person_id"].to_numpy())
    pa_obj_pos = obj_index.get_indexer(po_adult["obj_id"].to_numpy())

    own_arr = own.to_numpy()
    peer_cc = peers[peers["a"].isin(child_set)]
    peer_aa = peers[~peers["a"].isin(child_set)]
    peer_expo = W.EXPOSURE_PEER * _sum_by(
        peer_cc["a"].to_numpy(),
        sat(peer_cc["wc"].to_numpy()) * norm_child(own.reindex(peer_cc["b"]).to_numpy()),
        children,
    )

    child = own_arr.copy()
    expo_ca: np.ndarray = np.zeros(len(ca))
    expo_co: np.ndarray = np.zeros(len(po_child))
    adult: np.ndarray = np.zeros(len(adults))
    obj: np.ndarray = np.zeros(len(obj_index))
    term_ca: np.ndarray = np.zeros(len(ca))
    term_co: np.ndarray = np.zeros(len(po_child))
    term_ao: np.ndarray = np.zeros(len(po_adult))
    for _ in range(W.ROUNDS):
        # Adults, from the children they are in contact with (less those children's
        # exposure to this adult), their peers, and the objects they share with children.
        child_less = child[ca_child_pos] - expo_ca
        term_ca = gc * (0.5 + norm_child(child_less)) * agency_factor[ca_adult_pos]
        conc = np.bincount(ca_adult_pos, weights=term_ca, minlength=len(adults))
        ordinary = np.minimum(
            W.ORDINARY_CAP,
            np.bincount(ca_adult_pos, weights=W.ORDINARY_PER_CHILD * go, minlength=len(adults)),
        )
        peer_part = 0.3 * _sum_by(
            peer_aa["a"].to_numpy(),
            sat(peer_aa["wc"].to_numpy())
            * norm_adult(pd.Series(conc, index=adults).reindex(peer_aa["b"]).to_numpy()),
            adults,
        )
        obj_less = obj[pa_obj_pos] - 0.5 * pa_g * norm_adult(adult[pa_adult_pos])
        term_ao = 0.5 * pa_g * norm_object(obj_less)
        obj_part = np.bincount(pa_adult_pos, weights=term_ao, minlength=len(adults))
        adult = (conc + ordinary + peer_part + obj_part) * adult_factor_discount

        # Objects, from children seen there in a concerning context and adults using them.
        child_less_o = child[pc_child_pos] - expo_co
        # Squared: many children at little risk (shoplifting at the corner shop) should not
        # outweigh a few at high risk (the flat a group uses).
        term_co = pc_strength * (W.OBJECT_BASE + norm_child(child_less_o) ** 2)
        adult_less_o = adult[pa_adult_pos] - term_ao
        from_adults = 0.5 * pa_g * norm_adult(adult_less_o)
        obj = (
            np.bincount(pc_obj_pos, weights=term_co, minlength=len(obj_index))
            + np.bincount(pa_obj_pos, weights=from_adults, minlength=len(obj_index))
        ) * obj_discount

        # Children, from their own indicators and everyone and everything around them.
        adult_less = adult[ca_adult_pos] - term_ca * adult_factor_discount[ca_adult_pos]
        expo_ca = (
            W.EXPOSURE_ADULT * gc * (0.3 + norm_adult(adult_less))
            + W.EXPOSURE_ADULT_ORDINARY * go * norm_adult(adult_less)
        ) * adult_factor_discount[ca_adult_pos]
        obj_less_c = obj[pc_obj_pos] - term_co * obj_discount[pc_obj_pos]
        weight_c = np.where(pc_type == "place", W.EXPOSURE_PLACE, W.EXPOSURE_OBJECT)
        expo_co = weight_c * pc_strength * norm_object(obj_less_c)
        child = (
            own_arr
            + np.bincount(ca_child_pos, weights=expo_ca, minlength=len(children))
            + np.bincount(pc_child_pos, weights=expo_co, minlength=len(children))
            + peer_expo
        )

    people["own"] = 0.0
    people.loc[children, "own"] = own_arr
    people["score"] = 0.0
    people.loc[children, "score"] = child
    people.loc[adults, "score"] = adult
    people["n_children"] = 0
    people.loc[adults, "n_children"] = np.bincount(ca_adult_pos[gc > 0], minlength=len(adults))
    people["n_ordinary"] = 0
    people.loc[adults, "n_ordinary"] = np.bincount(ca_adult_pos[gc <= 0], minlength=len(adults))
    people["n_agencies_concern"] = 0
    people.loc[adults, "n_agencies_concern"] = adult_agencies
    ca = ca.assign(term=term_ca, expo=expo_ca)
    po_child = po_child.assign(term=term_co, expo=expo_co, strength=pc_strength)
    po_adult = po_adult.assign(term=term_ao, expo=0.0, strength=pa_g)
    objects = objects.assign(score=obj, institution=obj_discount < 1.0)
    objects["n_children"] = np.bincount(pc_obj_pos[pc_strength > 0], minlength=len(obj_index))
    objects["n_adults"] = np.bincount(pa_obj_pos, minlength=len(obj_index))
    return Scores(
        people=people.reset_index(),
        objects=objects,
        indicators=counts,
        factors=factors,
        child_adult=ca,
        person_object=pd.concat([po_child, po_adult], ignore_index=True),
        peers=peers,
        explained=explained,
    )


def _is_institution(label: str) -> bool:
    words = set(str(label).replace(",", " ").split())
    if "station" in words:
        return bool(words & W.STATION_INSTITUTIONS)
    return bool(words & W.INSTITUTION_WORDS)
