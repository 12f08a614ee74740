"""Ledger benchmark: appends/s with concurrent writers, and entries/s verified, on SQLite and PostgreSQL.

Each writer does realistic single-object writes: ``do_create`` of a person, each in its own
transaction, as a web request would. The clock stops when every write has been sequenced into the
tree, and the run checks that the indexes are gapless with nothing lost. On PostgreSQL each case
runs twice: sequenced "by writers" (each writer integrates after its commit unless another is
already integrating, as command-line jobs do) and in the "background" (writers only queue; one
integrator thread sequences, as ``serve`` runs). Verification is timed
with ``selectors.verify(check_state=False)`` (entries, chain, columns, root, checkpoints) and in
full (also every current-state row). Each figure is followed by its limit, measured in the same run
(bench/limits.py): on PostgreSQL, raw one-row INSERT + COMMIT from as many threads as writers; for
verification, hashlib SHA-256 of one leaf and one node per entry in one process. A third table gives
each figure as a share of its limit.

Every database is created for the run and dropped afterwards: SQLite in a temporary folder, and
on PostgreSQL a fresh database on the server named by SIGHTLINE_BENCH_PG or DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres).

    python bench/bench_ledger.py                       # full run (figures in docs/performance.md)
    python bench/bench_ledger.py --seconds 1 --verify-entries 20000 --writers 1,8
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import limits
import psycopg

from sightline.cli import setup_django

HERE = Path(__file__).resolve().parent
# What bench/run_all.py passes for a quick run.
QUICK_ARGS = ["--seconds", "1", "--writers", "1,8", "--verify-entries", "5000"]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


# --- the child: one database, chosen by the parent before Django starts --------------------------------


def child(args: argparse.Namespace) -> None:
    setup_django()
    import ledger_worker  # noqa: PLC0415 - Django starts in this process only now, on the database chosen for it

    ledger_worker.run(args.writers, args.seconds, args.mode, args.verify_entries)


# --- the parent: make the databases, run a child per database, print the table --------------------


def _pg_admin_url() -> str:
    return os.environ.get("SIGHTLINE_BENCH_PG") or os.environ.get("DATABASE_URL") or DEFAULT_PG


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def _run_child(db: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="sightline-bench-ledger-") as home:
        env = dict(os.environ, SIGHTLINE_HOME=home, SIGHTLINE_LOG_LEVEL="ERROR")
        env.pop("DATABASE_URL", None)
        dbname = None
        admin = None
        if db == "postgres":
            try:
                admin = psycopg.connect(_with_db(_pg_admin_url(), "postgres"), autocommit=True)
            except psycopg.OperationalError as exc:
                print(f"PostgreSQL skipped: cannot connect ({exc})".strip(), file=sys.stderr)
                return []
            dbname = f"sightline_bench_{os.getpid()}"
            admin.execute(f"DROP DATABASE IF EXISTS {dbname}")
            admin.execute(f"CREATE DATABASE {dbname}")
            env["DATABASE_URL"] = _with_db(_pg_admin_url(), dbname)
        try:
            cmd = [
                sys.executable,
                __file__,
                "--child",
                "--writers",
                ",".join(map(str, args.writers)),
                "--seconds",
                str(args.seconds),
                "--mode",
                ",".join(args.mode),
                "--verify-entries",
                str(args.verify_entries),
            ]
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
            rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
            if proc.returncode != 0:
                rows.append({"kind": "failed", "db": db, "exit": proc.returncode})
            return rows
        finally:
            if admin is not None:
                admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
                admin.close()


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average {load:.1f}"


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| database | writers | mode | sequenced | writes | seconds | appends/s | gapless, none lost |",
        "|---|---:|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        if r["kind"] == "appends":
            lines.append(
                f"| {r['db']} | {r['writers']} | {r['mode']} | {r['sequencing']} | {r['writes']:,} "
                f"| {r['seconds']} | "
                f"{r['per_second']:,} | {'yes' if r['all_sequenced'] else 'NO'} |"
            )
    lines += [
        "",
        "| database | verification | processes | entries | rows | seconds | entries/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["kind"] == "verify":
            lines.append(
                f"| {r['db']} | {r['what']} | {r['workers']} | {r['entries']:,} | {r['rows']:,} | "
                f"{r['seconds']} | {r['per_second']:,} |"
            )
    lines += _limits_table(rows)
    failed = [r for r in rows if r["kind"] == "failed"]
    lines += [f"\nTHE {r['db']} RUN FAILED (exit {r['exit']}): see above" for r in failed]
    return "\n".join(lines)


def _limits_table(rows: list[dict[str, Any]]) -> list[str]:
    """Each figure beside its limit measured in the same run (docs/performance.md, "Limits")."""
    out = ["", "| figure | appends or entries/s | its limit | limit/s | share |", "|---|---:|---|---:|---:|"]
    for lim in (r for r in rows if r["kind"] == "limit_appends"):
        for r in rows:
            if r["kind"] == "appends" and r["db"] == "postgresql" and r["writers"] == lim["writers"]:
                out.append(
                    f"| appends, {r['writers']} writers ({r['mode']}, {r['sequencing']}) | "
                    f"{r['per_second']:,} | one-row INSERT + COMMIT from {lim['writers']} threads | "
                    f"{lim['per_second']:,} | {limits.share(r['per_second'], lim['per_second'])} |"
                )
    for lim in (r for r in rows if r["kind"] == "limit_verify"):
        for r in rows:
            if r["kind"] == "verify" and r["db"] == lim["db"] and r["what"] == "entries only":
                out.append(
                    f"| {r['db']} verification, {r['workers']} process(es) | {r['per_second']:,} | "
                    f"hashlib leaf + node per entry, 1 process | {lim['per_second']:,} | "
                    f"{limits.share(r['per_second'], lim['per_second'])} |"
                )
    return out if len(out) > 3 else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--writers", default="1,8,32", help="comma-separated writer counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each writer count runs")
    parser.add_argument(
        "--mode",
        default="both",
        help="threads (one process, as `serve` runs), processes (one connection each), or both",
    )
    parser.add_argument("--verify-entries", type=int, default=200_000, help="ledger size to verify (0: skip)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.writers = [int(w) for w in str(args.writers).split(",") if w]
    args.mode = ["processes", "threads"] if args.mode == "both" else str(args.mode).split(",")
    if args.child:
        child(args)
        return 0
    sys.path.insert(0, str(HERE.parent / "src"))
    rows: list[dict[str, Any]] = []
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db not in {"sqlite", "postgres"}:
            parser.error(f"--db: unknown database {db!r}")
        rows += _run_child(db, args)
    print(f"Ledger benchmark on {_machine()}")
    print(_table(rows))
    ok = all(r.get("all_sequenced", True) and r["kind"] != "failed" for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
