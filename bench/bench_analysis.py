"""How well network analysis finds the planted victims, offenders and groups, and how fast.

Generates a synthetic town (or reuses one), feeds analyse() the extracts with the ground
truth as a perfect linkage, and compares its ranked alerts with the truth and with two
baselines: "flagged by social care" and "two or more missing episodes".

    .venv/bin/python bench/bench_analysis.py --children 5000
    .venv/bin/python bench/bench_analysis.py --children 50000 --town var/bench/town-50k --reuse
    .venv/bin/python bench/bench_analysis.py --compare-groups   # Leiden CPM vs modularity

K for children is 2 x the number of true victims; K for adults is 2 x the number of
offenders. A hidden victim is one social care has not flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from sightline.intelligence.analysis import AnalysisResult, analyse
from sightline.intelligence.analysis.groups import Method, detect_groups, detection_edges
from sightline.intelligence.analysis.normalise import normalise_place, normalise_plate, place_key
from sightline.synthetic import generate_town


def load_inputs(town: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, date]:
    """records, events, event_people as the database layer would hand them over, with the
    truth as linkage. Ethnicity is left behind, as the real caller does."""
    truth = pd.read_csv(town / "truth" / "records.csv", dtype=str, keep_default_na=False)
    truth_key = truth["agency"] + ":" + truth["record_id"]
    person_of = pd.Series(truth["true_person_id"].to_numpy(), index=truth_key.to_numpy())
    records, events, others = [], [], []
    as_of = date.min
    for folder in sorted((town / "extracts").iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        agency = manifest["agency"]
        as_of = max(as_of, date.fromisoformat(manifest["extracted_on"]))
        people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
        people = people.drop(columns=[c for c in people.columns if "ethnic" in c.lower()])
        people.insert(0, "record_key", agency + ":" + people.pop("record_id"))
        people["agency"] = agency
        records.append(people)
        ev = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
        ev.insert(0, "event_key", agency + ":" + ev.pop("event_id"))
        ev["record_key"] = agency + ":" + ev["record_id"]
        ev["agency"] = agency
        exploded = ev[["event_key", "others"]].assign(item=ev["others"].str.split(";")).explode("item")
        exploded = exploded[exploded["item"].fillna("") != ""]
        parts = exploded["item"].str.rsplit(":", n=1)
        others.append(
            pd.DataFrame(
                {
                    "event_key": exploded["event_key"].to_numpy(),
                    "record_key": (agency + ":" + parts.str[0]).to_numpy(),
                    "role": parts.str[1].to_numpy(),
                }
            )
        )
        events.append(ev.drop(columns=["record_id", "others"]))
    rec = pd.concat(records, ignore_index=True)
    rec["person_id"] = rec["record_key"].map(person_of).fillna(rec["record_key"])
    return rec, pd.concat(events, ignore_index=True), pd.concat(others, ignore_index=True), as_of


def flagged_from_data(records: pd.DataFrame, events: pd.DataFrame) -> set[str]:
    """People social care has recorded with factor 11A: what the real caller passes."""
    sc = events[(events["agency"] == "social_care") & events["factors"].str.contains("11A", na=False)]
    return set(records.set_index("record_key")["person_id"].reindex(sc["record_key"]).dropna())


def recall(ranked: list[str], wanted: set[str], k: int) -> float:
    return len(set(ranked[:k]) & wanted) / len(wanted) if wanted else float("nan")


def baselines(
    records: pd.DataFrame,
    events: pd.DataFrame,
    event_people: pd.DataFrame,
    flagged: set[str],
    children: set[str],
) -> dict[str, tuple[list[str], list[str]]]:
    """(children ranked, adults ranked) for each baseline."""
    person = records.set_index("record_key")["person_id"]
    ev_person = events.assign(person_id=events["record_key"].map(person))
    missing = ev_person[ev_person["kind"] == "missing"].groupby("person_id").size()
    missing = missing[missing.index.isin(children)]
    two_plus = missing[missing >= 2].sort_values(ascending=False, kind="stable")
    ep = event_people.assign(person_id=event_people["record_key"].map(person))
    with_subject = ep.merge(ev_person[["event_key", "person_id"]], on="event_key", suffixes=("", "_subject"))
    adults = with_subject[
        ~with_subject["person_id"].isin(children) & with_subject["person_id_subject"].isin(children)
    ]

    def adults_with(kids: set[str]) -> list[str]:
        hits = adults[adults["person_id_subject"].isin(kids)]
        return list(
            hits.groupby("person_id")["person_id_subject"].nunique().sort_values(ascending=False).index
        )

    flagged_children = sorted(flagged & children)
    return {
        "flagged by social care": (flagged_children, adults_with(set(flagged_children))),
        "two or more missing episodes": (list(two_plus.index), adults_with(set(two_plus.index))),
    }


def group_recovery(membership: pd.Series, nets: pd.DataFrame, present: set[str]) -> dict[str, float]:
    """Adjusted Rand over planted members, and the share of planted networks found.

    A planted network is found when one detected group holds at least half of its people
    (in the data) and at least half of that group's people are from the network.
    """
    membership = pd.Series(pd.factorize(membership)[0], index=membership.index)
    planted = nets[(nets["member_type"] == "person") & nets["member_id"].isin(present)]
    planted = planted.drop_duplicates("member_id")
    members = planted["member_id"].to_numpy()
    detected = membership.reindex(members)
    # Members outside any detected group are each on their own.
    fill = -np.arange(1, detected.isna().sum() + 1)
    detected = detected.astype(float).to_numpy()
    detected[np.isnan(detected)] = fill
    truth_codes = pd.factorize(planted["network_id"])[0]
    det_codes = pd.factorize(detected)[0]
    ari = ig.compare_communities(truth_codes.tolist(), det_codes.tolist(), method="ari")
    sizes = membership[~membership.index.str.contains(":")].value_counts()
    found = 0
    for _nid, grp in planted.assign(det=detected).groupby("network_id"):
        counts = grp["det"].value_counts()
        best, overlap = counts.index[0], int(counts.iloc[0])
        group_size = int(sizes.get(best, 1)) if best >= 0 else 1
        if overlap >= len(grp) / 2 and overlap >= group_size / 2:
            found += 1
    n_nets = planted["network_id"].nunique()
    return {
        "ari": float(ari),
        "networks_found": found / n_nets if n_nets else float("nan"),
        "networks": n_nets,
    }


def object_recall(result: AnalysisResult, nets: pd.DataFrame) -> tuple[str, str]:
    """Planted vehicles and places among the top 2 x planted vehicle and place alerts.

    A partial-plate alert counts for the planted car it could be; a place counts when
    its canonical name is the planted place's.
    """
    plates = {normalise_plate(v) for v in nets.loc[nets["member_type"] == "vehicle", "member_id"]}
    top = [a.subject_id.split(":", 1)[1] for a in result.alerts_of("vehicle_of_concern")[: 2 * len(plates)]]

    def fits(partial: str, plate: str) -> bool:
        return len(partial) == len(plate) and all(a in ("?", b) for a, b in zip(partial, plate, strict=True))

    found_v = sum(1 for p in plates if any(fits(t, p) for t in top))
    names = {
        place_key(normalise_place(n)).replace(" ", "-")
        for n in nets.loc[nets["member_type"] == "place", "member_id"]
    }
    top_p = {
        a.subject_id.split(":", 1)[1].split("@")[0]
        for a in result.alerts_of("place_of_concern")[: 2 * len(names)]
    }
    found_p = len(names & top_p)
    return f"{found_v}/{len(plates)}", f"{found_p}/{len(names)}"


def report(
    result: AnalysisResult,
    records: pd.DataFrame,
    events: pd.DataFrame,
    event_people: pd.DataFrame,
    truth: Path,
    flagged: set[str],
    seconds: float,
) -> None:
    persons = pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False)
    nets = pd.read_csv(truth / "networks.csv", dtype=str, keep_default_na=False)
    present = set(records["person_id"])
    victims = persons[persons["role"] == "victim"]
    hidden = set(victims.loc[victims["flagged_by_social_care"] != "1", "true_person_id"])
    victim_ids = set(victims["true_person_id"])
    offenders = set(persons.loc[persons["role"] == "offender", "true_person_id"])
    hubs = set(persons.loc[persons["role"] == "benign_hub", "true_person_id"])
    k_child, k_adult = 2 * len(victim_ids), 2 * len(offenders)
    children = set(result.scores.loc[result.scores["role"] == "child", "subject_id"])

    print(f"town: {len(persons)} people, {len(records)} records, {len(events)} events, as of analysis")
    print(
        f"victims {len(victim_ids)} (hidden {len(hidden)}, {len(hidden & present)} of them in a record), "
        f"offenders {len(offenders)} ({len(offenders & present)} in records), benign hubs {len(hubs)}; "
        f"K children {k_child}, K adults {k_adult}"
    )
    rows = []
    child_rank = [a.subject_id for a in result.alerts_of("child_at_risk")]
    adult_rank = [a.subject_id for a in result.alerts_of("adult_of_concern")]
    rows.append(("sightline analyse", child_rank, adult_rank))
    for name, (c, a) in baselines(records, events, event_people, flagged, children).items():
        rows.append((name, c, a))
    print(f"{'method':32} {'hidden-victim':>13} {'all-victim':>10} {'offender':>8} {'hubs in':>7}")
    print(f"{'':32} {'recall@K':>13} {'recall@K':>10} {'recall@K':>8} {'top K':>7}")
    for name, c, a in rows:
        print(
            f"{name:32} {recall(c, hidden, k_child):13.3f} {recall(c, victim_ids, k_child):10.3f} "
            f"{recall(a, offenders, k_adult):8.3f} {len(set(a[:k_adult]) & hubs):7d}"
        )
    print(
        f"hidden-victim recall among those in a record: {recall(child_rank, hidden & present, k_child):.3f}; "
        f"offender recall among those in records: {recall(adult_rank, offenders & present, k_adult):.3f}"
    )
    membership = result.networks.set_index("member_id")["network_id"]
    rec_groups = group_recovery(membership, nets, present)
    print(
        f"groups ({result.networks['network_id'].nunique()} found, {rec_groups['networks']} planted): "
        f"ARI over planted members {rec_groups['ari']:.3f}, planted networks recovered "
        f"{rec_groups['networks_found']:.3f}"
    )
    vehicles, places = object_recall(result, nets)
    print(
        f"planted vehicles in the top 2 x planted vehicle alerts: {vehicles}; planted places, same: {places}"
    )
    kinds = pd.Series([a.kind for a in result.alerts]).value_counts().to_dict()
    print(f"alerts: {kinds}")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    print(f"analysis time {seconds:.1f}s ({stages})")


def compare_groups(result: AnalysisResult, truth: Path, present: set[str]) -> None:
    nets = pd.read_csv(truth / "networks.csv", dtype=str, keep_default_na=False)
    edges = detection_edges(result.edge_events)
    print("community detection on the same graph:")
    trials: list[tuple[Method, float]] = [("modularity", 1.0)]
    trials += [("rb", r) for r in (1.0, 5.0, 20.0)]
    trials += [("cpm", r) for r in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4)]
    for method, res in trials:
        start = time.perf_counter()
        membership = detect_groups(edges, method=method, resolution=res)
        took = time.perf_counter() - start
        scores = group_recovery(membership, nets, present)
        print(
            f"  {method:10} resolution {res:6}: ARI {scores['ari']:.3f}, planted networks recovered "
            f"{scores['networks_found']:.3f}, groups {membership.nunique()}, {took:.1f}s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--town", type=Path, help="town folder (default var/bench/town-<children>-<seed>)")
    parser.add_argument("--reuse", action="store_true", help="reuse the town folder if it exists")
    parser.add_argument("--compare-groups", action="store_true", help="compare Leiden CPM, RB and modularity")
    args = parser.parse_args(argv)
    town = args.town or Path("var/bench") / f"town-{args.children}-{args.seed}"
    if not (args.reuse and (town / "truth" / "records.csv").exists()):
        start = time.perf_counter()
        generate_town(town, children=args.children, seed=args.seed)
        print(f"generated {town} in {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    records, events, event_people, as_of = load_inputs(town)
    flagged = flagged_from_data(records, events)
    print(f"loaded in {time.perf_counter() - start:.1f}s; as of {as_of}")

    def progress(stage: str, done: float) -> None:
        print(f"  [{done:4.0%}] {stage}", file=sys.stderr)

    start, cpu = time.perf_counter(), time.process_time()
    result = analyse(records, events, event_people, as_of=as_of, flagged=flagged, progress=progress)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    report(result, records, events, event_people, town / "truth", flagged, seconds)
    # The machine is shared: CPU time says what the analysis costs when it has a core to itself.
    print(f"analysis CPU time {cpu:.1f}s; load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.compare_groups:
        compare_groups(result, town / "truth", set(records["person_id"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
