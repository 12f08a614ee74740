"""Turning events into a weighted graph of people, places, vehicles and phones.

Every edge is kept at the level of the single event behind it (with its weight, agency
and date), so that scores can be explained by naming those events and the UI can filter
by time and kind. Aggregation happens later, in scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import weights as W
from .normalise import (
    canonical_places,
    display_plate,
    match_partial_plates,
    match_partial_to_partial,
    normalise_phone,
    normalise_plate,
)

_ROLE_RANK = {role: i for i, role in enumerate(W.ROLE_PRIORITY)}
_LINK_COLUMNS = ["person_id", "obj_id", "event_key", "w", "concerning", "agency", "occurred", "kind"]


@dataclass
class EventGraph:
    """The graph at event level.

    participants: one row per (event, person): role, role weight and the event's context.
    pairs: one row per (event, person a, person b), both orders, with the contact weight.
    links: one row per (person, object, event) for places, vehicles and phones; phones on
        a person's own record appear with a blank event_key.
    objects: obj_id, obj_type (place/vehicle/phone), label, candidates (for partial plates).
    object_edges: partial plate -> full plate it may be, with weight 1/number of candidates.
    """

    participants: pd.DataFrame
    pairs: pd.DataFrame
    links: pd.DataFrame
    objects: pd.DataFrame
    object_edges: pd.DataFrame


def build_participants(
    events: pd.DataFrame, event_people: pd.DataFrame, record_person: pd.Series
) -> pd.DataFrame:
    subjects = pd.DataFrame(
        {"event_key": events["event_key"], "record_key": events["record_key"], "role": "subject"}
    )
    others = pd.DataFrame(
        {
            "event_key": event_people["event_key"].astype(str).to_numpy(),
            "record_key": event_people["record_key"].astype(str).to_numpy(),
            "role": event_people["role"].astype(str).str.strip().str.lower().to_numpy(),
        }
    )
    part = pd.concat([subjects, others], ignore_index=True)
    person = part["record_key"].map(record_person)
    part["person_id"] = person.fillna(part["record_key"]).to_numpy()
    part["rank"] = part["role"].map(_ROLE_RANK).to_numpy()
    part = part.sort_values(["rank", "event_key"], kind="stable").drop_duplicates(["event_key", "person_id"])
    part["role_w"] = part["role"].map(W.ROLE_WEIGHT).to_numpy(dtype=float)
    context = events[
        [
            "event_key",
            "agency",
            "kind",
            "occurred",
            "night",
            "has_vehicle",
            "recency",
            "concern",
            "cse_factor",
        ]
    ]
    part = part.merge(context, on="event_key", how="left")
    return part.drop(columns="rank").reset_index(drop=True)


def build_pairs(participants: pd.DataFrame) -> pd.DataFrame:
    """Person-to-person contact, one row per event and ordered pair."""
    active = participants.loc[
        participants["role_w"] > 0,
        ["event_key", "person_id", "role", "role_w", "agency", "kind", "occurred", "recency", "concern"],
    ]
    left = active.rename(columns={"person_id": "a", "role": "role_a", "role_w": "w_a"})
    right = active[["event_key", "person_id", "role", "role_w"]].rename(
        columns={"person_id": "b", "role": "role_b", "role_w": "w_b"}
    )
    pairs = left.merge(right, on="event_key")
    pairs = pairs[pairs["a"] != pairs["b"]].reset_index(drop=True)
    tie = pairs["w_a"].to_numpy() * pairs["w_b"].to_numpy()
    # One event is one piece of evidence however many it names: an adult seen once with five
    # children in the park is not five contacts. Each pair gets its share of the event.
    others = pairs["event_key"].map(active["event_key"].value_counts()).to_numpy(dtype=float) - 1
    share = 1.0 / np.maximum(others, 1.0)
    pairs["w"] = pairs["concern"].to_numpy() * pairs["recency"].to_numpy() * tie * share
    suspect = (pairs["role_a"] == "suspect") | (pairs["role_b"] == "suspect")
    pairs["concerning"] = ((pairs["concern"] >= W.CONCERN_THRESHOLD) | suspect) & (tie >= 0.3)
    return pairs.drop(columns=["w_a", "w_b", "recency"])


def _explode_list(frame: pd.DataFrame, column: str, seps: str = ";") -> pd.DataFrame:
    values = frame[column].astype(str)
    for sep in seps[1:]:
        values = values.str.replace(sep, seps[0], regex=False)
    out = frame.assign(**{column: values.str.split(seps[0])}).explode(column)
    out[column] = out[column].astype(str).str.strip()
    return out[out[column] != ""]


def build_objects(
    events: pd.DataFrame, participants: pd.DataFrame, records: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Links from people to places, vehicles and phones, the objects, and plate edges."""
    # A carer or parent on a record is there for their role: the foster carer who reports a
    # child missing was not in the car the child was seen getting out of, nor where she was found.
    ctx = participants.loc[
        (participants["role_w"] > 0) & ~participants["role"].isin(W.EXPLAINING_ROLES),
        ["event_key", "person_id", "role", "role_w", "agency", "kind", "occurred", "recency", "concern"],
    ]
    frames: list[pd.DataFrame] = []
    objects: list[pd.DataFrame] = []

    # Places: one per event, named and/or postcoded.
    placed = events.loc[
        (events["place"] != "") | (events["postcode"] != ""), ["event_key", "place", "postcode"]
    ]
    place_ids = canonical_places(zip(placed["place"], placed["postcode"], strict=True))
    if place_ids:
        keys = list(zip(placed["place"], placed["postcode"], strict=True))
        placed = placed.assign(
            obj_id=[place_ids[k][0] if k in place_ids else "" for k in keys],
            label=[place_ids[k][1] if k in place_ids else "" for k in keys],
        )
        placed = placed[placed["obj_id"] != ""]
        frames.append(placed[["event_key", "obj_id"]])
        objects.append(placed[["obj_id", "label"]].drop_duplicates("obj_id").assign(obj_type="place"))

    # Vehicles: a partial plate that fits exactly one full plate is that vehicle; one
    # that fits several stays a node of its own, joined to each with weight 1/n; one
    # that fits no full plate is joined the same way to the partials it fits.
    plated = _explode_list(events.loc[events["vehicle"] != "", ["event_key", "vehicle"]], "vehicle")
    plated["plate"] = plated["vehicle"].map(normalise_plate)
    plated = plated[plated["plate"] != ""]
    matches = match_partial_plates(plated["plate"].unique())
    resolved = {p: m[0] for p, m in matches.items() if len(m) == 1}
    plated["plate"] = plated["plate"].map(lambda p: resolved.get(p, p))
    plated["obj_id"] = "vehicle:" + plated["plate"]
    frames.append(plated[["event_key", "obj_id"]])
    # Partials of a car never seen in full can only be joined to each other.
    candidates = {p: found for p, found in matches.items() if len(found) > 1}
    unseen = [p for p, found in matches.items() if not found]
    candidates.update((p, found) for p, found in match_partial_to_partial(unseen).items() if found)
    plate_edges = [
        (f"vehicle:{p}", f"vehicle:{m}", 1.0 / len(found))
        for p, found in sorted(candidates.items())
        for m in found
    ]
    vehicles = plated[["obj_id", "plate"]].drop_duplicates("obj_id")
    vehicles = vehicles.assign(
        label=vehicles["plate"].map(display_plate),
        obj_type="vehicle",
        candidates=vehicles["plate"].map(lambda p: ["vehicle:" + m for m in candidates.get(p, [])]),
    )
    objects.append(vehicles.drop(columns="plate"))
    object_edges = pd.DataFrame(plate_edges, columns=["source", "target", "w"])

    # Phones in events (called, seen, given to the child) and on people's own records.
    phoned = _explode_list(events.loc[events["phone"] != "", ["event_key", "phone"]], "phone")
    phoned["obj_id"] = "phone:" + phoned["phone"].map(normalise_phone)
    phoned = phoned[phoned["obj_id"] != "phone:"]
    frames.append(phoned[["event_key", "obj_id"]])

    event_objects = pd.concat(frames, ignore_index=True).drop_duplicates()
    links = ctx.merge(event_objects, on="event_key")
    links["w"] = links["concern"].to_numpy() * links["recency"].to_numpy() * links["role_w"].to_numpy()
    # A witness is not "seen there" in the sense that matters: only a real part in the event counts.
    links["concerning"] = ((links["concern"] >= W.CONCERN_THRESHOLD) | (links["role"] == "suspect")) & (
        links["role_w"] >= 0.5
    )
    own = _explode_list(records.loc[records["phone"] != "", ["person_id", "phone", "agency"]], "phone", ";,/")
    own["obj_id"] = "phone:" + own["phone"].map(normalise_phone)
    own = own[own["obj_id"] != "phone:"].drop_duplicates(["person_id", "obj_id", "agency"])
    own = own.assign(event_key="", w=1.0, concerning=False, occurred=pd.NaT, kind="record")
    links = pd.concat([links[_LINK_COLUMNS], own[_LINK_COLUMNS]], ignore_index=True)

    phones = pd.DataFrame({"obj_id": links.loc[links["obj_id"].str.startswith("phone:"), "obj_id"].unique()})
    phones = phones.assign(label=phones["obj_id"].str.slice(6), obj_type="phone")
    objects.append(phones)
    obj = pd.concat(objects, ignore_index=True).drop_duplicates("obj_id")
    if "candidates" not in obj.columns:
        obj["candidates"] = None
    obj["candidates"] = [c if isinstance(c, list) else [] for c in obj["candidates"]]
    return links, obj.reset_index(drop=True), object_edges


def indirect_pairs(links: pd.DataFrame, object_edges: pd.DataFrame) -> pd.DataFrame:
    """Contact through a shared vehicle or phone (a, b, via, w, concerning), both orders.

    A child seen in a car and an adult linked to the same car have been in contact even
    where no single event names both. Places are left out: too many people share them.
    An ambiguous partial plate counts towards each full plate it may be, divided by the
    number of candidates.
    """
    mediated = links[~links["obj_id"].str.startswith("place:")]
    per = (
        mediated.assign(wc=np.where(mediated["concerning"], mediated["w"], 0.0))
        .groupby(["person_id", "obj_id"], as_index=False)
        .agg(w=("w", "sum"), wc=("wc", "sum"))
    )
    if len(object_edges):
        spread = per.merge(object_edges, left_on="obj_id", right_on="source", suffixes=("", "_edge"))
        spread = spread.assign(
            obj_id=spread["target"], w=spread["w"] * spread["w_edge"], wc=spread["wc"] * spread["w_edge"]
        )[["person_id", "obj_id", "w", "wc"]]
        per = (
            pd.concat([per, spread], ignore_index=True).groupby(["person_id", "obj_id"], as_index=False).sum()
        )
    size = per.groupby("obj_id")["person_id"].transform("size")
    per = per[(size > 1) & (size <= W.MEDIATOR_MAX_PEOPLE)]
    pairs = per.merge(per, on="obj_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["person_id_a"] != pairs["person_id_b"]]
    out = pd.DataFrame(
        {
            "a": pairs["person_id_a"].to_numpy(),
            "b": pairs["person_id_b"].to_numpy(),
            "via": pairs["obj_id"].to_numpy(),
            "w": W.INDIRECT_FACTOR * np.minimum(pairs["w_a"].to_numpy(), pairs["w_b"].to_numpy()),
            "concerning": (pairs["wc_a"].to_numpy() > 0) | (pairs["wc_b"].to_numpy() > 0),
        }
    )
    return out.reset_index(drop=True)


def strangers_numbers(
    indirect: pd.DataFrame, links: pd.DataFrame, children: set[str], households: pd.DataFrame
) -> pd.DataFrame:
    """``indirect`` with contact through an adult's own number on a child's record made of
    concern: a number found on a child's phone, given as her contact or in her messages, that
    the adult's own record holds, when the adult shares no family name or postcode with the
    child (``households``: person_id, token). Practice treats an unexplained adult's number in
    a child's life as a warning sign whatever the record's kind. A parent, carer or professional
    named as such beside the child is discounted later, as any contact a role explains."""
    phones = links[links["obj_id"].str.startswith("phone:")]
    owned = phones.loc[phones["kind"] == "record", ["person_id", "obj_id"]].drop_duplicates()
    seen = phones.loc[phones["event_key"].astype(str) != "", ["person_id", "obj_id"]].drop_duplicates()
    rows = indirect.reset_index(drop=True).assign(row=lambda f: np.arange(len(f)))
    a_child = rows["a"].isin(children).to_numpy()
    b_child = rows["b"].isin(children).to_numpy()
    cand = rows[(a_child != b_child) & rows["via"].str.startswith("phone:").to_numpy()]
    cand = cand.assign(
        child=np.where(cand["a"].isin(children), cand["a"], cand["b"]),
        adult=np.where(cand["a"].isin(children), cand["b"], cand["a"]),
    )
    cand = cand.merge(seen, left_on=["child", "via"], right_on=["person_id", "obj_id"])
    cand = cand.merge(owned, left_on=["adult", "via"], right_on=["person_id", "obj_id"])
    kin = cand[["row", "child", "adult"]].merge(households, left_on="child", right_on="person_id")
    kin = kin.merge(households, left_on=["adult", "token"], right_on=["person_id", "token"])
    hit = np.zeros(len(rows), dtype=bool)
    hit[np.setdiff1d(cand["row"].to_numpy(), kin["row"].to_numpy())] = True
    return rows.drop(columns="row").assign(
        concerning=rows["concerning"].to_numpy() | hit,
        w=np.where(hit, np.maximum(rows["w"].to_numpy(), W.STRANGERS_NUMBER), rows["w"].to_numpy()),
    )


def households(records: pd.DataFrame) -> pd.DataFrame:
    """person_id, token: each family name and postcode a person's records hold."""
    parts = []
    for column, tag in (("family_name", "f:"), ("postcode", "p:")):
        if column in records.columns:
            value = records[column].fillna("").astype(str).str.upper().str.replace(" ", "", regex=False)
            parts.append(pd.DataFrame({"person_id": records["person_id"].to_numpy(), "token": tag + value}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["person_id", "token"])
    return out[~out["token"].isin(["f:", "p:"])].drop_duplicates().reset_index(drop=True)
