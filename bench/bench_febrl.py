"""Linkage on foreign data: the FEBRL 1-3 deduplication sets as extracts (bench/febrl.py), imported and
linked by `sightline` in a scratch home, with pairwise precision, recall and F1 against the truth.
Target F1 >= 0.99 on each.

    .venv/bin/python bench/bench_febrl.py          # part of `make bench-quality`
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from febrl import AGENCY, SETS, febrl_extract

HERE = Path(__file__).resolve().parent
CLI = "import sys; from sightline.cli import main; sys.exit(main(sys.argv[1:]))"
TARGET_F1 = 0.99


def _cli(env: dict[str, str], *argv: str) -> None:
    subprocess.run([sys.executable, "-c", CLI, *argv], env=env, check=True, capture_output=True, text=True)


def measure(name: str, scratch: Path) -> tuple[float, float, float, float]:
    """(precision, recall, F1, seconds to import and link) for one data set."""
    home = scratch / name
    env = dict(os.environ, SIGHTLINE_HOME=str(home))
    env.pop("DATABASE_URL", None)
    folder, true = febrl_extract(name, scratch / "extracts")
    _cli(env, "init")
    _cli(env, "agency", "add", AGENCY, "--name", "FEBRL test data")
    start = time.perf_counter()
    _cli(env, "import", str(folder), "--no-progress")
    _cli(env, "link", "--no-progress")
    seconds = time.perf_counter() - start
    _cli(env, "export", "links", "--out", str(home / "links.csv"))
    groups: dict[str, list[str]] = {}
    with (home / "links.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["person_id"], []).append(row["record_id"])
    found = {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}
    hit = len(found & true)
    precision, recall = hit / max(len(found), 1), hit / len(true)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9), seconds


def main() -> int:
    print(f"{'set':8} {'records':>8} {'precision':>10} {'recall':>8} {'F1':>7} {'target':>7} met seconds")
    with tempfile.TemporaryDirectory() as tmp:
        for name in SETS:
            p, r, f1, s = measure(name, Path(tmp))
            records = 1000 if name == "FEBRL1" else 5000
            met = "yes" if f1 >= TARGET_F1 else "no"
            print(
                f"{name:8} {records:>8} {p:>10.4f} {r:>8.4f} {f1:>7.4f} {TARGET_F1:>7.2f} {met:>4} {s:>6.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
