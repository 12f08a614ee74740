"""The ledger at scale on PostgreSQL: append rate, verification rate, proof time and the board report's
time per view, at growing ledger sizes in one database.

The ledger is grown to each size, smallest first, by the bulk path: read entries (what a live ledger
gains most of) encoded and hashed by the sequencer's own code and written by COPY, 50,000 per
transaction. Then, at that size, a checkpoint is signed and it measures:

- appends: ``do_create`` from ``--writers`` threads for ``--seconds``, sequenced in the background as
  ``serve`` runs, until every write is in the tree;
- verification: ``verify(check_state=False)`` in one process and in two, beside its limit (hashlib,
  one leaf and one node per entry, over the first 200,000 entries' bytes);
- proofs: ``inclusion_proof`` of a random entry and ``consistency_proof`` from a random size, as
  ``sightline ledger prove`` and ``ledger consistency`` make them (median of 15), beside their limit,
  one indexed read of an entry's leaf hash (median of 60);
- the board report: ``GET /reports/board`` as the demo board member, ``--views`` times (median).

    .venv/bin/python bench/bench_ledger_scale.py --sizes 20000,100000          # what `make bench` runs
    .venv/bin/python bench/bench_ledger_scale.py --sizes 100000,1000000
    .venv/bin/python bench/bench_ledger_scale.py --sizes 100000,1000000,10000000 --views 3

A fresh database ``sightline_bench_ledger_scale`` is made on the server of BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432) and dropped after, unless ``--keep``. ``--into URL``
grows an existing Sightline database instead (with ``--grow-only``, nothing is measured), using the
SIGHTLINE_HOME of the environment for the checkpoint key: how the load run's ten-million-entry
ledger is made (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
QUICK_ARGS = ["--sizes", "20000,100000", "--seconds", "2", "--views", "2"]
PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "sightline_bench_ledger_scale"


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE))
    from sightline.cli import setup_django  # noqa: PLC0415 - the parent chose the database

    setup_django()
    import ledger_scale_worker  # noqa: PLC0415 - needs Django set up

    ledger_scale_worker.run(args.sizes, args.writers, args.seconds, args.views, args.grow_only)


def _admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| entries | bulk build /s | appends/s (writers) | verify /s, 1 process | 2 processes "
        "| limit: hashlib /s | share (1 process) | inclusion proof ms | consistency proof ms "
        "| limit: one indexed read ms "
        "| board report s per view (median, min) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "appends_per_second" not in r:
            lines.append(f"| {r['size']:,} | {r['build_per_second']:,} | | | | | | | | | |")
            continue
        share = f"{r['verify_1_per_second'] / r['hash_limit_per_second']:.0%}"
        board = f"{r['board_median_s']}, {r['board_min_s']}" if "board_median_s" in r else "not measured"
        ok = "" if r["appends_ok"] else " (GAPS OR LOSSES)"
        lines.append(
            f"| {r['size']:,} | {r['build_per_second']:,} | {r['appends_per_second']:,} ({r['writers']}){ok} "
            f"| {r['verify_1_per_second']:,} | {r['verify_2_per_second']:,} | {r['hash_limit_per_second']:,} "
            f"| {share} | {r['inclusion_ms']} | {r['consistency_ms']} | {r['point_read_ms']} | {board} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated ledger sizes")
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the appends run")
    parser.add_argument("--views", type=int, default=3, help="board report views timed (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--into", help="grow this existing Sightline database (postgres://...) instead")
    parser.add_argument("--grow-only", action="store_true", help="only grow the ledger; measure nothing")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in str(args.sizes).split(",") if s]
    if args.child:
        child(args)
        return 0
    env = dict(os.environ, SIGHTLINE_DEMO="1", SIGHTLINE_LOG_LEVEL="ERROR")
    home = None
    if args.into:
        env["DATABASE_URL"] = args.into
    else:
        _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _admin(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        home = tempfile.TemporaryDirectory(prefix="sightline-bench-ledger-scale-")
        env["SIGHTLINE_HOME"] = home.name
    cmd = [sys.executable, __file__, "--child", "--sizes", ",".join(map(str, args.sizes))]
    cmd += ["--writers", str(args.writers), "--seconds", str(args.seconds), "--views", str(args.views)]
    cmd += ["--grow-only"] if args.grow_only else []
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    finally:
        if not args.into and not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if home is not None:
            home.cleanup()
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    load = os.getloadavg()[0]
    print(f"Ledger at scale on PostgreSQL, {os.cpu_count()} cores, load average {load:.1f} at the end")
    print(table(rows))
    if proc.returncode != 0:
        print(f"THE RUN FAILED (exit {proc.returncode}): see above")
        return 1
    return 0 if all(r.get("appends_ok", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
