"""Import throughput: person rows per second into SQLite and into PostgreSQL.

Generates a synthetic town (or reuses --town), then imports every extract into a fresh database of
each kind, through the same service ``sightline import`` uses: reading, validating every row, the
bulk writes and the ledger (queued entries and their integration into the Merkle tree) all count.

Two passes per database. "people only": the town's extracts with their people.csv as generated
and an empty events.csv, so the clock measures person rows alone (the target is stated in person
rows per second). "whole extracts": people and events together; person rows/s there divides the
person rows by the time for both, and all rows/s counts both. On PostgreSQL each pass is followed
by its limit: ``COPY`` of the same CSV rows into plain tables on the same server (bench/limits.py),
and all rows/s is given as a share of it.

    .venv/bin/python bench/bench_import.py                  # 20,000 children
    .venv/bin/python bench/bench_import.py --children 5000 --only sqlite

PostgreSQL is reached at BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432);
the database ``sightline_bench_import`` is dropped and created for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import limits
import psycopg

from sightline.cli import setup_django
from sightline.synthetic import generate_town

PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "sightline_bench_import"


def worker(town: Path) -> dict[str, float]:
    setup_django()
    import import_worker  # noqa: PLC0415 - Django starts in this process only now, on the database chosen for it

    return import_worker.run(town)


def people_only(town: Path) -> Path:
    """A copy of the town's extracts with every events.csv cut to its header row."""
    out = town / "people-only"
    if (out / "extracts").exists():
        return out
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        target = out / "extracts" / folder.name
        shutil.copytree(folder, target)
        events = target / "events.csv"
        with events.open(encoding="utf-8") as fh:
            header = fh.readline()
        events.write_text(header, encoding="utf-8")
    return out


def _postgres() -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"{PG_SERVER}/{PG_DB}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--town", type=Path, help="reuse (or create) the town in this folder")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0

    town = args.town or Path(tempfile.mkdtemp(prefix="sightline-bench-town-"))
    if not (town / "truth" / "summary.json").exists():
        generate_town(town, args.children, args.seed)
    results = {}
    passes = {"people only": people_only(town), "whole extracts": town}
    for db in ("sqlite", "postgres"):
        if args.only and db != args.only:
            continue
        for name, source in passes.items():
            env = dict(os.environ, SIGHTLINE_HOME=tempfile.mkdtemp(prefix=f"sightline-bench-{db}-"))
            env.pop("DATABASE_URL", None)
            if db == "postgres":
                env["DATABASE_URL"] = _postgres()
            out = subprocess.run(
                [sys.executable, __file__, "--worker", str(source)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            results[(db, name)] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"# Import: town in {town}")
    print(
        "| database | extracts | person rows | events | ledger entries | seconds | person rows/s "
        "| all rows/s | re-import s | limit: COPY rows/s | share of COPY |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (db, name), r in results.items():
        copy_rate = r.get("copy_rows_per_second")
        limit = (
            f"{copy_rate:,.0f} | {limits.share(r['rows_per_second'], copy_rate)}"
            if copy_rate
            else "n/a | n/a"
        )
        print(
            f"| {db} | {name} | {r['people']:,.0f} | {r['events']:,.0f} | {r['ledger_entries']:,.0f} "
            f"| {r['seconds']:.1f} | "
            f"{r['people_per_second']:,.0f} | {r['rows_per_second']:,.0f} | {r['reimport_seconds']:.1f} "
            f"| {limit} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
