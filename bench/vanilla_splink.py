"""Vanilla Splink on a synthetic town's person records: the yardstick for Sightline's linkage time.

What a team would write from Splink's own tutorial, on DuckDB: names lower-cased, full dates of birth
kept, Splink's library comparisons (names, date of birth, postcode, sex), four blocking rules,
λ from a deterministic rule, u by random sampling, m by two EM passes, predictions above 0.9 and
clusters at 0.95. No nicknames, no identifiers, no sparse-record handling: that is Sightline's
work, and its cost is what this figure is set beside.

    .venv/bin/python bench/vanilla_splink.py TOWN_DIR     # prints one JSON line
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from sightline.people.linkage.evaluate import pairwise_scores

FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def records(town: Path) -> pd.DataFrame:
    """Every people.csv row of the town, with the columns the comparisons use."""
    frames = []
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        agency = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["agency"]
        people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": agency + ":" + people["record_id"],
                    "given_name": people["given_name"].str.strip().str.lower(),
                    "family_name": people["family_name"].str.strip().str.lower(),
                    "date_of_birth": people["date_of_birth"].where(
                        people["date_of_birth"].str.match(FULL_DATE), ""
                    ),
                    "postcode": people["postcode"].str.strip().str.upper(),
                    "sex": people["sex"],
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    return df.replace("", None)


def link(df: pd.DataFrame) -> tuple[dict[str, str], dict[str, float]]:
    """Train, predict and cluster; the clusters (record -> cluster) and seconds per step."""
    timings: dict[str, float] = {}
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("family_name", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "family_name"),
        ],
    )
    t = time.perf_counter()
    linker = Linker(df, settings, db_api=DuckDBAPI(), set_up_basic_logging=False)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    timings["train"] = time.perf_counter() - t
    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    timings["predict"] = time.perf_counter() - t
    t = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    frame = clusters.as_pandas_dataframe()
    timings["cluster"] = time.perf_counter() - t
    return dict(zip(frame["unique_id"], frame["cluster_id"].astype(str), strict=True)), timings


def run(town: Path) -> dict[str, Any]:
    t = time.perf_counter()
    df = records(town)
    read = time.perf_counter() - t
    clusters, timings = link(df)
    truth_frame = pd.read_csv(town / "truth" / "records.csv", dtype=str)
    truth = dict(
        zip(
            truth_frame["agency"] + ":" + truth_frame["record_id"], truth_frame["true_person_id"], strict=True
        )
    )
    scores = pairwise_scores(clusters, truth)
    return {
        "records": len(df),
        "seconds_read": round(read, 2),
        **{f"seconds_{k}": round(v, 2) for k, v in timings.items()},
        "seconds": round(sum(timings.values()), 2),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    logging.getLogger("splink").setLevel(logging.ERROR)
    print(json.dumps(run(Path(args[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
