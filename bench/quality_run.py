"""One point of the quality grid: a town of one variant and seed, through generate, import, link and
analyse (the commands' own services, SQLite with Splink on DuckDB), scored against its truth.

    .venv/bin/python bench/quality_run.py --variant taxi-town --seed 2 --children 20000 --out run.json

Writes the figures as JSON (see bench_quality.py, which runs the grid). `--variant default` is the
standard town, with no variant.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quality_measures import (  # noqa: E402
    findable_victims,
    hopeless_records,
    kinds,
    linkage_audit,
    measure,
    pairwise,
    reference,
    rows,
)

SECRET = b"the bench agreement's secret, shared by the encoding agencies and given to the link run"


def encode_agencies(town: Path, agencies: list[str]) -> tuple[list[Path], dict[str, float]]:
    """The town's extracts with `agencies` encoded by themselves under one agreement (docs/pprl.md)."""
    from sightline.pprl.bloom import Params
    from sightline.pprl.extract import encode_extract

    folders, records, seconds = [], 0, 0.0
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        if folder.name.split("-")[0] not in agencies:
            folders.append(folder)
            continue
        out = town / "encoded" / folder.name
        t = time.process_time()
        summary = encode_extract(folder, SECRET, out, Params(salt="bench-agreement"))
        seconds += time.process_time() - t
        records += summary.people
        folders.append(out)
    rate = records / seconds if seconds else 0.0
    return folders, {"records": records, "cpu_seconds": seconds, "records_per_second": rate}


def run(
    variant: str,
    seed: int,
    children: int,
    home: Path,
    encode: list[str] | None = None,
    secret: bool = True,
    decisions: int = 100,
) -> dict[str, Any]:
    logging.getLogger("splink").setLevel(logging.ERROR)  # "level not observed": one per comparison level
    os.environ["SIGHTLINE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # SQLite + DuckDB by design
    from sightline.cli import setup_django

    setup_django()
    from django.core.management import call_command

    from sightline.access.services import ensure_standard_agencies
    from sightline.extracts.services import do_import_extract
    from sightline.intelligence.services import do_analyse
    from sightline.people.linkage.run import do_link
    from sightline.people.models import SourceRecord
    from sightline.synthetic import generate_town, load_variant

    timings: dict[str, float] = {}
    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()
    town = home / "town"

    t = time.perf_counter()
    made = generate_town(
        town, children, seed, variant=None if variant == "default" else load_variant(variant)
    )
    timings["generate"] = time.perf_counter() - t
    folders = sorted(p for p in (town / "extracts").iterdir() if p.is_dir())
    encoding: dict[str, Any] = {}
    if encode:
        folders, encoding = encode_agencies(town, encode)
        encoding["agencies"] = encode
        encoding["hub_secret"] = secret
    t = time.perf_counter()
    for folder in folders:
        result = do_import_extract(folder)
        if result.problems:
            raise SystemExit("\n".join(str(p) for p in result.problems[:20]))
    timings["import"] = time.perf_counter() - t
    t = time.perf_counter()
    link_summary, _ = do_link(secret=SECRET if encode and secret else None)
    timings["link"] = time.perf_counter() - t
    timings.update({f"link_{k}": v for k, v in link_summary.seconds.items()})
    t = time.perf_counter()
    _, analysis = do_analyse()
    timings["analyse"] = time.perf_counter() - t

    t = time.perf_counter()
    true_of = {
        f"{r['agency']}:{r['record_id']}": r["true_person_id"] for r in rows(town / "truth" / "records.csv")
    }
    person_of = {
        f"{a}:{r}": p for a, r, p in SourceRecord.objects.values_list("agency_id", "record_id", "person_id")
    }
    _, hopeless = hopeless_records(town)
    resolvable = [k for k in true_of if tuple(k.split(":", 1)) not in hopeless]
    link = {
        "all": pairwise(person_of, true_of),
        "resolvable": pairwise(person_of, true_of, resolvable),
        "records": len(true_of),
        "hopeless_records": len(hopeless),
        "people": link_summary.people,
        "review_open": link_summary.review_open,
        "audit": linkage_audit(
            person_of,
            true_of,
            {r["true_person_id"]: r for r in rows(town / "truth" / "persons.csv")},
            json.loads((town / "truth" / "summary.json").read_text())["parameters"]["period_end"],
        ),
    }

    # Each Sightline person stands for the true person most of its records belong to.
    votes: dict[str, Counter[str]] = {}
    for key, pid in person_of.items():
        votes.setdefault(pid, Counter())[true_of.get(key, "")] += 1
    truth_of_person = {pid: c.most_common(1)[0][0] for pid, c in votes.items()}

    def as_truth(ranked: list[str]) -> list[str]:
        out, seen = [], set()
        for pid in ranked:
            tid = truth_of_person.get(pid, "")
            if tid and tid not in seen:
                seen.add(tid)
                out.append(tid)
        return out

    who = kinds(town)
    findable = findable_victims(town, who)
    sightline = measure(
        as_truth([a.subject_id for a in analysis.alerts_of("child_at_risk")]),
        as_truth([a.subject_id for a in analysis.alerts_of("adult_of_concern")]),
        who,
        findable,
    )
    # Calibration: how many child alerts of each confidence are about true victims.
    confidence: dict[str, dict[str, int]] = {}
    for a in analysis.alerts_of("child_at_risk"):
        cell = confidence.setdefault(a.confidence or "none", {"alerts": 0, "victims": 0})
        cell["alerts"] += 1
        cell["victims"] += int(who.get(truth_of_person.get(a.subject_id, ""), {}).get("role") == "victim")
    ref_children, ref_adults = reference(town, who)
    timings["score"] = time.perf_counter() - t
    review: dict[str, Any] = {}
    if decisions:
        # Last: it changes the database (decisions, a second link run).
        from review_bench import first_decisions

        t = time.perf_counter()
        child_alerts = [a.subject_id for a in analysis.alerts_of("child_at_risk")]
        review = first_decisions(
            true_of, person_of, set(as_truth(child_alerts)), set(child_alerts), n=decisions
        )
        timings["review"] = time.perf_counter() - t
    roles = Counter(r["role"] for r in who.values())
    return {
        "variant": variant,
        "seed": seed,
        "children": children,
        "counts": {
            "victims": roles["victim"],
            "hidden_victims": made.hidden_victims,
            "offenders": roles["offender"],
            "benign_hubs": roles["benign_hub"],
            "decoy_children": sum(1 for r in who.values() if r["role"] == "decoy" and r["kind"] == "child"),
            "records": sum(made.records.values()),
            "events": sum(made.events.values()),
            "alerts_children": len(analysis.alerts_of("child_at_risk")),
            "alerts_adults": len(analysis.alerts_of("adult_of_concern")),
        },
        "link": link,
        "review": review,
        "confidence": confidence,
        "encoding": encoding,
        "methods": {"sightline": sightline, "reference": measure(ref_children, ref_adults, who, findable)},
        "timings": timings,
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variant", default="baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--out", type=Path, required=True, help="where to write the figures (JSON)")
    parser.add_argument("--keep", action="store_true", help="keep the town and database (printed)")
    parser.add_argument(
        "--encode", default="", help="comma-separated agencies whose extracts are encoded (docs/pprl.md)"
    )
    parser.add_argument(
        "--no-hub-secret",
        action="store_true",
        help="link without the agreement's secret: encoded records link only among themselves",
    )
    parser.add_argument(
        "--review-decisions",
        type=int,
        default=100,
        help="decisions a reviewer makes from the queue's top, then links again (0: none)",
    )
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix=f"sightline-quality-{args.variant}-{args.seed}-"))
    try:
        encode = [a for a in args.encode.split(",") if a]
        secret = not args.no_hub_secret
        figures = run(args.variant, args.seed, args.children, home, encode, secret, args.review_decisions)
    finally:
        if args.keep:
            print(f"kept {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(figures, indent=1, allow_nan=True) + "\n", encoding="utf-8")
    tmp.replace(args.out)  # a run is either there whole or not at all: the grid resumes from what is
    return 0


if __name__ == "__main__":
    sys.exit(main())
