"""Linkage quality with health and education encoded (docs/pprl.md), against the same town all plain.

Three runs of bench/quality_run.py on one town (same variant, seed and size), each in its own process:
all plain; health and education encoded by themselves, the hub given the agreement's secret for the
link run (plain records encoded in memory to meet them); and the same without the secret (encoded
records link only among themselves). Reports pairwise F1 and hidden-victim recall both ways, the
encoding rate and link time, against the targets: F1 within 0.01, hidden-victim recall within 0.02,
20,000 records a second, link time at most twice plain.

    .venv/bin/python bench/bench_pprl_quality.py --children 5000      # part of `make bench-quality`
    .venv/bin/python bench/bench_pprl_quality.py --report             # what is there, running nothing
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENCODED = "education,health"
MODES = {
    "plain": [],
    "encoded+secret": ["--encode", ENCODED],
    "encoded": ["--encode", ENCODED, "--no-hub-secret"],
}


def figures(run: dict[str, Any]) -> dict[str, float]:
    s = run["methods"]["sightline"]
    return {
        "link_f1_all": run["link"]["all"]["f1"],
        "link_f1_resolvable": run["link"]["resolvable"]["f1"],
        "hidden_recall_v": s["hidden_recall_v"],
        "hidden_recall_2v": s["hidden_recall_2v"],
        "link_seconds": run["timings"]["link"],
        "encode_rate": run.get("encoding", {}).get("records_per_second", float("nan")),
    }


def report(runs: dict[str, dict[str, Any]]) -> None:
    plain = figures(runs["plain"]) if "plain" in runs else None
    heads = ("F1 all", 7), ("F1 res.", 7), ("hidden@V", 8), ("hidden@2V", 9), ("link s", 7), ("enc rec/s", 9)
    print(f"{'mode':<16} " + " ".join(f"{h:>{w}}" for h, w in heads))
    for mode, run in runs.items():
        f = figures(run)
        print(
            f"{mode:<16} {f['link_f1_all']:>7.4f} {f['link_f1_resolvable']:>7.4f}"
            f" {f['hidden_recall_v']:>8.3f} {f['hidden_recall_2v']:>9.3f}"
            f" {f['link_seconds']:>7.1f} {f['encode_rate']:>9,.0f}"
        )
    if plain is None:
        return
    for mode in ("encoded+secret", "encoded"):
        if mode not in runs:
            continue
        f = figures(runs[mode])
        checks = [
            ("F1 within 0.01", plain["link_f1_all"] - f["link_f1_all"] <= 0.01),
            ("hidden recall@2V within 0.02", abs(plain["hidden_recall_2v"] - f["hidden_recall_2v"]) <= 0.02),
            ("encoding >= 20,000 records/s", f["encode_rate"] >= 20000),
            ("link time <= 2x plain", f["link_seconds"] <= 2 * plain["link_seconds"]),
        ]
        print(f"{mode}: " + "; ".join(f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in checks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "pprl-quality")
    parser.add_argument("--fresh", action="store_true", help="run every mode again")
    parser.add_argument("--report", action="store_true", help="report what has been run; run nothing")
    args = parser.parse_args(argv)
    runs: dict[str, dict[str, Any]] = {}
    for mode, extra in MODES.items():
        out = args.out / str(args.children) / f"{mode}-s{args.seed}.json"
        if not args.report and (args.fresh or not out.exists()):
            command = [sys.executable, str(HERE / "quality_run.py"), "--variant", "default"]
            command += ["--seed", str(args.seed), "--children", str(args.children), "--out", str(out), *extra]
            command += ["--review-decisions", "0"]  # the review bench is bench_quality's
            print(f"running {mode} ({args.children:,} children, seed {args.seed})", file=sys.stderr)
            subprocess.run(command, check=True)
        if out.exists():
            runs[mode] = json.loads(out.read_text(encoding="utf-8"))
    report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
