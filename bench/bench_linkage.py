"""Linkage quality and speed on a synthetic town.

    .venv/bin/python bench/bench_linkage.py [CHILDREN] [--seed S] [--town DIR]
        [--backend duckdb|spark] [--retrain]

CPU seconds are reported beside wall seconds because the machine is shared: DuckDB
runs on two threads, so on an idle machine wall time is about the CPU time or less.

Generates the town (or reuses DIR), links every person record, and prints pairwise
precision, recall and F1 against truth/records.csv, with the seconds each step took.
The trained model is kept beside the town (linkage-model.json) and reused unless
--retrain; the first run's time therefore includes training, reported separately.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from sightline.people.linkage import link_records
from sightline.people.linkage.clustering import connected_components_at
from sightline.people.linkage.evaluate import pairwise_scores
from sightline.people.linkage.extracts import records_from_extracts
from sightline.synthetic import generate_town


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("children", nargs="?", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--town", type=Path, default=None, help="town folder (generated if empty)")
    parser.add_argument("--backend", default="duckdb")
    parser.add_argument("--retrain", action="store_true", help="ignore a stored model")
    args = parser.parse_args(argv)
    logging.getLogger("splink").setLevel(logging.ERROR)

    town = args.town or Path(tempfile.gettempdir()) / f"sightline-bench-town-{args.children}-{args.seed}"
    timings: dict[str, float] = {}
    if not (town / "truth" / "records.csv").is_file():
        t = time.perf_counter()
        generate_town(town, args.children, args.seed)
        timings["generate"] = time.perf_counter() - t
    t = time.perf_counter()
    records = records_from_extracts(town / "extracts")
    truth_frame = pd.read_csv(town / "truth" / "records.csv", dtype=str)
    truth = dict(
        zip(
            truth_frame["agency"] + ":" + truth_frame["record_id"], truth_frame["true_person_id"], strict=True
        )
    )
    timings["read"] = time.perf_counter() - t

    model_path = town / "linkage-model.json"
    if args.retrain and model_path.exists():
        model_path.unlink()
    trained_here = not model_path.exists()

    def progress(stage: str, _fraction: float) -> None:
        print(f"  {time.perf_counter() - start:7.1f}s  {stage}", file=sys.stderr)

    start, cpu_start = time.perf_counter(), time.process_time()
    result = link_records(records, model_path=model_path, backend=args.backend, progress=progress)
    link_seconds, link_cpu = time.perf_counter() - start, time.process_time() - cpu_start

    ours = pairwise_scores(result.clusters, truth)
    cc = connected_components_at(result.pairs, 3.3)
    baseline = pairwise_scores({k: cc.get(k, k) for k in result.clusters}, truth)
    s = result.stats
    model_note = "trained this run" if trained_here else f"loaded from {model_path}"
    print(f"town: {town}; {len(records)} person records, {len(set(truth.values()))} true people")
    print(f"backend: {args.backend}; model {model_note}")
    print(
        f"linkage    precision {ours.precision:.4f}  recall {ours.recall:.4f}  F1 {ours.f1:.4f}"
        f"  ({ours.predicted_pairs} predicted pairs, {ours.true_pairs} true)"
    )
    print(
        f"baseline   connected components at p>=0.9: precision {baseline.precision:.4f}"
        f"  recall {baseline.recall:.4f}  F1 {baseline.f1:.4f}"
    )
    print(
        f"people found {int(s['clusters'])}; review queue {int(s['review_pairs'])} pairs;"
        f" {int(s['attached_sparse_records'])} sparse records attached"
    )
    print(
        "seconds (wall): "
        + "".join(f"{k} {v:.1f}, " for k, v in timings.items())
        + f"prepare {s['seconds_prepare']:.1f}, model {s['seconds_model']:.1f}"
        + (" (training)" if trained_here else "")
        + f", score {s['seconds_score']:.1f}, cluster {s['seconds_cluster']:.1f}"
        + f"; link total {link_seconds:.1f} wall, {link_cpu:.1f} CPU in this process"
        + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
