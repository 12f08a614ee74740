"""Network analysis and alerts: who is at risk, who is of concern, and why.

Pure Python over pandas, igraph and leidenalg: no Django here. The caller (the
``sightline analyse`` command) reads records, events and linkage from the database,
calls :func:`analyse`, and stores the alerts through the ledger.

Ethnicity is never an input: :func:`analyse` refuses any column that carries it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Set
from datetime import date

import numpy as np
import pandas as pd

from . import weights as W
from .alerts import AlertBuilder, Context, group_alert, group_rows
from .evidence import child_evidence, evidence_ties, of_concern, without
from .graph import (
    build_objects,
    build_pairs,
    build_participants,
    households,
    indirect_pairs,
    strangers_numbers,
)
from .groups import DEFAULT_METHOD, DEFAULT_RESOLUTION, Method, detect_groups, detection_edges, network_id
from .inputs import AnalysisInputError, check_inputs, parse_events, prepare_people
from .naming import group_names, place_title
from .normalise import (
    canonical_places,
    match_partial_plates,
    normalise_phone,
    normalise_place,
    normalise_plate,
)
from .result import ALERT_KINDS, NETWORK_COLUMNS, Alert, AnalysisResult, alert_key
from .scoring import Scores, score_all

__all__ = [
    "ALERT_KINDS",
    "Alert",
    "AnalysisInputError",
    "AnalysisResult",
    "Progress",
    "alert_key",
    "analyse",
    "canonical_places",
    "match_partial_plates",
    "normalise_phone",
    "normalise_place",
    "normalise_plate",
    "place_title",
]

Progress = Callable[[str, float], None]
"""Called as ``progress(stage, fraction_done)`` at each stage, fraction from 0 to 1."""

_STAGES = ["checking input", "building graph", "scoring", "finding groups", "raising alerts", "done"]
_RECORD_COLUMNS = [
    "record_key", "person_id", "agency", "date_of_birth", "estimated_age", "phone", "family_name", "postcode",
]  # fmt: skip


def analyse(
    records: pd.DataFrame,
    events: pd.DataFrame,
    event_people: pd.DataFrame,
    *,
    as_of: date,
    flagged: Set[str] = frozenset(),
    progress: Progress | None = None,
    method: Method = DEFAULT_METHOD,
    resolution: float = DEFAULT_RESOLUTION,
) -> AnalysisResult:
    """Build the network, score everyone and everything in it, find groups, raise alerts.

    records: one row per person record: record_key ("<agency>:<record_id>"), person_id
        (from linkage), and optionally agency, date_of_birth (full or partial),
        estimated_age, sex, phone, given_name, family_name, description. A column
        carrying ethnicity is refused with :class:`AnalysisInputError`.
    events: event_key, record_key (whom the event is about), kind, occurred_on, and
        optionally agency, ended_on, place, postcode, vehicle, phone, factors, summary, licence.
    event_people: event_key, record_key, role (the ``others`` column of events.csv).
    as_of: the date ages and recency are measured at.
    flagged: person_ids already flagged for sexual exploitation by social care; only
        changes the wording of reasons, never a score or who is alerted.
    method, resolution: community detection (see groups.py); the defaults are the ones
        measured best on the synthetic town.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def stage(i: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        if i > 0:
            timings[_STAGES[i - 1]] = now - clock
        clock = now
        if progress is not None:
            progress(_STAGES[i], i / (len(_STAGES) - 1))

    stage(0)
    check_inputs(records, events, event_people)
    ev = parse_events(events, as_of)
    recs = pd.DataFrame({c: records[c] for c in _RECORD_COLUMNS if c in records.columns})
    recs["record_key"] = recs["record_key"].astype(str)
    blank = recs["person_id"].isna() | (recs["person_id"].astype(str).str.strip() == "")
    recs["person_id"] = np.where(blank, recs["record_key"], recs["person_id"].astype(str))
    record_person = pd.Series(recs["person_id"].to_numpy(), index=recs["record_key"].to_numpy())

    stage(1)
    part = build_participants(ev, event_people, record_person)
    unknown = sorted(set(part["record_key"]) - set(record_person.index))
    if unknown:
        # Named in an event but not in the records given: a person of unknown age.
        recs = pd.concat(
            [recs, pd.DataFrame({"record_key": unknown, "person_id": unknown})], ignore_index=True
        )
    rec, people = prepare_people(recs, part[["record_key", "occurred"]], as_of)
    people["flagged"] = people["person_id"].isin(set(flagged))
    people = _children_at_the_time(people, part, as_of)
    people = _young_people_of_unknown_age(people, part)
    people = _young_people_who_exploit(people, part)
    pairs = _peers_at_the_time(build_pairs(part), people, part, as_of)
    links, objects, object_edges = build_objects(ev, part, rec)
    indirect = indirect_pairs(links, object_edges)
    children = set(people.loc[people["is_child"], "person_id"])
    indirect = strangers_numbers(indirect, links, children, households(recs))

    stage(2)
    scores = score_all(people, part, ev, pairs, indirect, links, objects, object_edges)
    ppl = scores.people.set_index("person_id")
    role = np.where(ppl["is_child"], "child", np.where(ppl["age_known"], "adult", ""))
    person_role = pd.Series(role, index=ppl.index)

    stage(3)
    edge_events = _edge_events(pairs, links, object_edges)
    membership = detect_groups(detection_edges(edge_events), method=method, resolution=resolution)
    networks, node_group = _networks(membership, person_role)

    stage(4)
    labels = _labels(records, recs)
    object_labels = dict(zip(objects["obj_id"], objects["label"], strict=True))
    groups = group_names(networks, edge_events, labels, object_labels)
    records_of: dict[str, list[str]] = {}
    for person, key in zip(rec["person_id"].tolist(), rec["record_key"].tolist(), strict=True):
        records_of.setdefault(person, []).append(key)
    alerts = _alerts(
        scores,
        part,
        pairs,
        links,
        records_of,
        labels,
        object_labels,
        frozenset(flagged),
        networks,
        edge_events,
        dict(zip(groups["network_id"], groups["name"], strict=True)),
    )
    nodes = _nodes(ppl, person_role, scores.objects, labels, node_group, records_of, part, links)
    result = AnalysisResult(
        alerts=alerts,
        networks=networks,
        groups=groups,
        places=_objects_of(scores.objects, "place"),
        vehicles=_objects_of(scores.objects, "vehicle"),
        scores=_scores(ppl, person_role, scores.objects),
        nodes=nodes,
        edge_events=edge_events,
        timings=timings,
    )
    stage(5)
    return result


def _children_at_the_time(people: pd.DataFrame, part: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Young adults recorded as victims, or as the subject of children's services, while
    under 18 are scored as the children they were then: a girl exploited at 16 who turned
    18 last month is not an adult of concern to the younger girls found with her."""
    people["child_then"] = False
    young = people.loc[
        ~people["is_child"] & people["age_known"] & (people["age"] < W.YOUNG_ADULT_AGE), ["person_id", "age"]
    ]
    if young.empty:
        return people
    rows = part[
        part["person_id"].isin(set(young["person_id"]))
        & (
            (part["role"] == "victim")
            | ((part["role"] == "subject") & part["kind"].isin(W.CHILDRENS_SERVICES_KINDS))
        )
    ]
    age_now = rows["person_id"].map(young.set_index("person_id")["age"])
    age_then = age_now.to_numpy() - (pd.Timestamp(as_of) - rows["occurred"]).dt.days.to_numpy() / 365.25
    then = set(rows.loc[age_then < W.CHILD_AGE, "person_id"])
    mask = people["person_id"].isin(then).to_numpy()
    people.loc[mask, "is_child"] = True
    people.loc[mask, "child_then"] = True
    return people


def _peers_at_the_time(
    pairs: pd.DataFrame, people: pd.DataFrame, part: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """A young adult's contact with children in a record made before they turned 18 is a
    child's contact with friends, not an adult's: the friend who turned 18 last week was not a
    man in night-time contact with four children. Not for someone any record names as a suspect or
    as the subject of police action (intelligence, arrest, charge, bail): peers exploit too."""
    accused = part.loc[
        (part["role"] == "suspect")
        | ((part["role"] == "subject") & part["kind"].isin(W.POLICE_ACTION_KINDS)),
        "person_id",
    ]
    young = people.loc[
        ~people["is_child"]
        & people["age_known"]
        & (people["age"] < W.YOUNG_ADULT_AGE)
        & (people["age_rank"] <= 1)  # a birth date to the month: an estimate cannot say when they were 18
        & ~people["person_id"].isin(set(accused)),
        ["person_id", "age"],
    ].set_index("person_id")["age"]
    if young.empty:
        return pairs
    children = set(people.loc[people["is_child"], "person_id"])
    years = (pd.Timestamp(as_of) - pairs["occurred"]).dt.days.to_numpy(dtype=float) / 365.25
    for side, other in (("a", "b"), ("b", "a")):
        age_now = pairs[side].map(young).to_numpy(dtype=float)
        then = (age_now - years < W.CHILD_AGE) & pairs[other].isin(children).to_numpy()
        pairs = pairs.assign(concerning=pairs["concerning"].to_numpy() & ~then)
    return pairs


def _young_people_of_unknown_age(people: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """A person whom no record gives an age, recorded as a victim or as the subject of a young
    person's record (children's services, detached youth work), is scored as a child. Taken as an
    adult, "Jacob", met by youth workers with his friends in the park, made each of them a child
    in contact with an adult of concern. Adults known only by description are recorded as
    suspects and associates, which this leaves alone."""
    unknown = set(people.loc[~people["age_known"], "person_id"])
    if not unknown:
        return people
    rows = part[part["person_id"].isin(unknown)]
    young = (rows["role"] == "victim") | (
        (rows["role"] == "subject") & rows["kind"].isin(W.YOUNG_PERSONS_KINDS)
    )
    mask = people["person_id"].isin(set(rows.loc[young, "person_id"])).to_numpy()
    people.loc[mask, "is_child"] = True
    return people


def _young_people_who_exploit(people: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """Children of 16 or 17 recorded as a suspect, or as the subject of intelligence, an arrest
    or a charge that names a victim, and never as a victim themselves, are scored and alerted
    as the exploiters the records say they are (peer-on-peer exploitation): a 17-year-old who
    grooms 13-year-olds is not evidence of their risk only as another child at risk."""
    people["young_exploiter"] = False
    old_enough = people["age_known"] & (people["age"] >= W.YOUNG_EXPLOITER_AGE)
    older = people.loc[people["is_child"] & old_enough & ~people["child_then"], "person_id"]
    rows = part[part["person_id"].isin(set(older))]
    if rows.empty:
        return people
    with_victim = set(part.loc[part["role"] == "victim", "event_key"])
    suspect = rows["role"] == "suspect"
    accused = (
        (rows["role"] == "subject")
        & rows["kind"].isin(W.POLICE_ACTION_KINDS)
        & rows["event_key"].isin(with_victim)
    )
    victims = set(rows.loc[rows["role"] == "victim", "person_id"])
    found = set(rows.loc[suspect | accused, "person_id"]) - victims
    mask = people["person_id"].isin(found).to_numpy()
    people.loc[mask, "is_child"] = False
    people.loc[mask, "young_exploiter"] = True
    return people


def _networks(membership: pd.Series, person_role: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Rows for ``export networks``: groups with at least two people and three members."""
    if membership.empty:
        return pd.DataFrame(columns=NETWORK_COLUMNS), pd.Series(dtype=object)
    frame = pd.DataFrame({"member_id": membership.index.astype(str), "group": membership.to_numpy()})
    frame["member_type"] = (
        frame["member_id"].str.extract(r"^(place|vehicle|phone):", expand=False).fillna("person")
    )
    is_person = frame["member_type"] == "person"
    sizes = frame.groupby("group")["member_id"].transform("size")
    n_people = is_person.groupby(frame["group"]).transform("sum")
    frame = frame[(sizes >= 3) & (n_people >= 2)]
    ids = {g: network_id(list(m)) for g, m in frame.groupby("group")["member_id"]}
    frame = frame.assign(network_id=frame["group"].map(ids))
    frame["role"] = np.where(
        frame["member_type"] == "person", frame["member_id"].map(person_role).fillna(""), ""
    )
    frame = frame.sort_values(["network_id", "member_type", "member_id"])
    node_group = pd.Series(frame["network_id"].to_numpy(), index=frame["member_id"].to_numpy())
    return frame[NETWORK_COLUMNS].reset_index(drop=True), node_group


def _labels(records: pd.DataFrame, recs: pd.DataFrame) -> dict[str, str]:
    """A display name per person from their records, where names were given."""
    if "given_name" not in records.columns and "family_name" not in records.columns:
        return {}
    given = records.get("given_name", pd.Series("", index=records.index)).fillna("").astype(str)
    family = records.get("family_name", pd.Series("", index=records.index)).fillna("").astype(str)
    names = (given.str.strip() + " " + family.str.strip()).str.strip()
    frame = pd.DataFrame(
        {"person_id": recs["person_id"].to_numpy()[: len(records)], "name": names.to_numpy()}
    )
    frame = frame[frame["name"] != ""].drop_duplicates("person_id")
    return dict(zip(frame["person_id"], frame["name"], strict=True))


def _edge_events(pairs: pd.DataFrame, links: pd.DataFrame, object_edges: pd.DataFrame) -> pd.DataFrame:
    pp = pairs[pairs["a"].to_numpy() < pairs["b"].to_numpy()]
    contact = pd.DataFrame(
        {
            "source": pp["a"].to_numpy(),
            "target": pp["b"].to_numpy(),
            "type": "contact",
            "weight": pp["w"].to_numpy(),
            "concerning": pp["concerning"].to_numpy(),
            "event_key": pp["event_key"].to_numpy(),
            "agency": pp["agency"].to_numpy(),
            "kind": pp["kind"].to_numpy(),
            "occurred": pp["occurred"].to_numpy(),
        }
    )
    obj = pd.DataFrame(
        {
            "source": links["person_id"].to_numpy(),
            "target": links["obj_id"].to_numpy(),
            "type": links["obj_id"].str.split(":", n=1).str[0].to_numpy(),
            "weight": links["w"].to_numpy(),
            "concerning": links["concerning"].to_numpy(dtype=bool),
            "event_key": links["event_key"].to_numpy(),
            "agency": links["agency"].to_numpy(),
            "kind": links["kind"].to_numpy(),
            "occurred": links["occurred"].to_numpy(),
        }
    )
    plate = pd.DataFrame(
        {
            "source": object_edges["source"].to_numpy(),
            "target": object_edges["target"].to_numpy(),
            "type": "plate",
            "weight": object_edges["w"].to_numpy(),
            "concerning": False,
            "event_key": "",
            "agency": "",
            "kind": "",
            "occurred": pd.NaT,
        }
    )
    parts = [f for f in (contact, obj, plate) if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else contact


def _alerts(
    scores: Scores,
    part: pd.DataFrame,
    pairs: pd.DataFrame,
    links: pd.DataFrame,
    records_of: dict[str, list[str]],
    labels: dict[str, str],
    object_labels: dict[str, str],
    flagged: frozenset[str],
    networks: pd.DataFrame,
    edge_events: pd.DataFrame,
    group_names: dict[str, str],
) -> list[Alert]:
    ppl = scores.people
    at_risk = ppl[ppl["is_child"] & (ppl["score"] >= W.MIN_CHILD_SCORE)]
    # The list ends where the records stop pointing at exploitation (evidence.py).
    ties = evidence_ties(
        pairs,
        links,
        set(ppl.loc[ppl["is_child"].astype(bool), "person_id"]),
        ppl.set_index("person_id")["age"],
    )
    ties = ties[without(ties, scores.explained, "c", "a")]
    ties = of_concern(ties[ties["c"].isin(set(at_risk["person_id"]))], ppl.set_index("person_id")["score"])
    evidence = child_evidence(ties)
    kids = at_risk[at_risk["person_id"].isin(evidence.index)]
    # A hub (a professional, or an adult who met more children ordinarily than in a context of
    # concern) needs a substantial score or concern repeated over several separate records.
    child_ids = ppl.loc[ppl["is_child"].astype(bool), "person_id"]
    concern = pairs[pairs["concerning"].to_numpy(dtype=bool) & pairs["b"].isin(child_ids).to_numpy()]
    incidents = concern.groupby("a")["event_key"].nunique()
    repeated = ppl["person_id"].map(incidents).fillna(0).to_numpy() >= W.HUB_REPEATED_INCIDENTS
    hub = (ppl["professional"].astype(bool) | (ppl["n_ordinary"] > ppl["n_children"])).to_numpy()
    floor = np.where(hub & ~repeated, W.MIN_HUB_ADULT_SCORE, W.MIN_ADULT_SCORE)
    grown = ppl[~ppl["is_child"] & (ppl["score"] >= floor) & (ppl["n_children"] > 0)]
    objs = scores.objects[
        scores.objects["obj_type"].isin(("place", "vehicle"))
        & (scores.objects["score"] >= W.MIN_OBJECT_SCORE)
        & (scores.objects["n_children"] > 0)
    ]
    builder = AlertBuilder(
        Context(scores, part, pairs, links, records_of, labels, object_labels, flagged),
        persons=set(kids["person_id"]) | set(grown["person_id"]),
        objects=set(objs["obj_id"]),
    )
    tied = group_rows(ties, "c", ["a", "event_key", "agency", "how"])
    alerts: list[Alert] = [
        builder.child(str(c), str(evidence.at[c, "confidence"]), tied.get(c, [])) for c in kids["person_id"]
    ]
    alerts.extend(builder.adult(str(a)) for a in grown["person_id"])
    alerts.extend(builder.obj(str(o)) for o in objs["obj_id"])
    object_scores = scores.objects.set_index("obj_id")["score"]
    # Only groups holding both an adult of concern and a child at risk can be alerted.
    group_of = networks.drop_duplicates("member_id").set_index("member_id")["network_id"]
    alerted_group = pd.concat(
        [group_of.reindex(kids["person_id"]).dropna(), group_of.reindex(grown["person_id"]).dropna()]
    )
    with_kids = set(group_of.reindex(kids["person_id"]).dropna())
    with_adults = set(group_of.reindex(grown["person_id"]).dropna())
    candidates = with_kids & with_adults & set(alerted_group)
    conc = edge_events[edge_events["concerning"].to_numpy(dtype=bool)]
    src_group = group_of.reindex(conc["source"]).to_numpy()
    dst_group = group_of.reindex(conc["target"]).to_numpy()
    same = (src_group == dst_group) & pd.Series(src_group).isin(candidates).to_numpy()
    inside: dict[str, list[str]] = {}
    for nid, key in zip(src_group[same].tolist(), conc["event_key"].to_numpy()[same].tolist(), strict=True):
        inside.setdefault(nid, []).append(key)
    for nid, members in networks[networks["network_id"].isin(candidates)].groupby("network_id"):
        alert = group_alert(
            str(nid), members, builder, object_scores, inside.get(nid, []), group_names.get(str(nid), "")
        )
        if alert is not None:
            alerts.append(alert)
    alerts.sort(key=lambda a: (-a.score, a.kind, a.subject_id))
    return alerts


def _nodes(
    ppl: pd.DataFrame,
    person_role: pd.Series,
    objects: pd.DataFrame,
    labels: dict[str, str],
    node_group: pd.Series,
    records_of: dict[str, list[str]],
    part: pd.DataFrame,
    links: pd.DataFrame,
) -> pd.DataFrame:
    seen_p = part.groupby("person_id")["occurred"].agg(["min", "max"])
    seen_o = links.dropna(subset=["occurred"]).groupby("obj_id")["occurred"].agg(["min", "max"])
    people = pd.DataFrame(
        {
            "id": ppl.index.to_numpy(),
            "type": "person",
            "label": [labels.get(p, p) for p in ppl.index],
            "role": person_role.reindex(ppl.index).to_numpy(),
            "score": ppl["score"].to_numpy(),
            "record_keys": [records_of.get(p, []) for p in ppl.index],
            "first": seen_p["min"].reindex(ppl.index).to_numpy(),
            "last": seen_p["max"].reindex(ppl.index).to_numpy(),
        }
    )
    things = pd.DataFrame(
        {
            "id": objects["obj_id"].to_numpy(),
            "type": objects["obj_type"].to_numpy(),
            "label": objects["label"].to_numpy(),
            "role": "",
            "score": objects["score"].to_numpy(),
            "record_keys": [[] for _ in range(len(objects))],
            "first": seen_o["min"].reindex(objects["obj_id"]).to_numpy(),
            "last": seen_o["max"].reindex(objects["obj_id"]).to_numpy(),
        }
    )
    nodes = pd.concat([people, things], ignore_index=True)
    nodes["group"] = nodes["id"].map(node_group).fillna("")
    for col, out in (("first", "first_seen"), ("last", "last_seen")):
        stamps = pd.to_datetime(nodes[col])
        nodes[out] = stamps.dt.strftime("%Y-%m-%d").astype(object).where(stamps.notna(), None)
    return nodes.drop(columns=["first", "last"])


def _objects_of(objects: pd.DataFrame, kind: str) -> pd.DataFrame:
    chosen = objects[objects["obj_type"] == kind]
    name = f"{kind}_id"
    out = pd.DataFrame(
        {
            name: chosen["obj_id"].to_numpy(),
            "label": chosen["label"].to_numpy(),
            "score": chosen["score"].to_numpy(),
            "n_children": chosen["n_children"].to_numpy(),
        }
    )
    if kind == "vehicle":
        out["candidates"] = chosen["candidates"].to_numpy()
    return out.sort_values(name).reset_index(drop=True)


def _scores(ppl: pd.DataFrame, person_role: pd.Series, objects: pd.DataFrame) -> pd.DataFrame:
    people = pd.DataFrame(
        {
            "subject_id": ppl.index.to_numpy(),
            "subject_type": "person",
            "role": person_role.reindex(ppl.index).to_numpy(),
            "score": ppl["score"].to_numpy(),
        }
    )
    things = pd.DataFrame(
        {
            "subject_id": objects["obj_id"].to_numpy(),
            "subject_type": objects["obj_type"].to_numpy(),
            "role": "",
            "score": objects["score"].to_numpy(),
        }
    )
    return pd.concat([people, things], ignore_index=True).sort_values("subject_id").reset_index(drop=True)
