"""Ledger benchmark: appends/s with concurrent writers, and entries/s verified, on SQLite and PostgreSQL.

Each writer does realistic single-object writes: ``do_create`` of a person, each in its own
transaction, as a web request would. The clock stops when every write has been sequenced into the
tree, and the run checks that the indexes are gapless with nothing lost. On PostgreSQL each case
runs twice: sequenced "by writers" (each writer integrates after its commit unless another is
already integrating, as command-line jobs do) and in the "background" (writers only queue; one
integrator thread sequences, as ``serve`` runs). Verification is timed
with ``selectors.verify(check_state=False)`` (entries, chain, columns, root, checkpoints) and in
full (also every current-state row).

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
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
# What bench/run_all.py passes for a quick run.
QUICK_ARGS = ["--seconds", "1", "--writers", "1,8", "--verify-entries", "5000"]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


# --- the child: one database, set up before Django starts ---------------------------------------


def _person(n: int) -> Any:
    from sightline.people.models import Person

    return Person(
        kind="child",
        given_name=f"Amelia{n % 997}",
        family_name=f"Okafor-{n % 389}",
        other_names="Millie",
        date_of_birth=f"20{10 + n % 8:02d}-0{1 + n % 9}-1{n % 10}",
        sex="F" if n % 2 else "M",
        ethnicity="W1",
        address=f"{n % 200} Station Road, Northby",
        postcode=f"NB{n % 9} {n % 10}QX",
    )


def _writer(deadline: float, seed: int) -> int:
    from django.db import connections

    from sightline.ledger.services import Actor, do_create

    actor = Actor(user=f"practitioner{seed}", agency="social_care", role="practitioner")
    n = 0
    try:
        while time.monotonic() < deadline:
            do_create(_person(seed * 1_000_000 + n), actor=actor)
            n += 1
    finally:
        connections.close_all()
    return n


def _process_writer(barrier: Any, start_at: Any, seconds: float, seed: int, out: Any) -> None:
    barrier.wait()
    out.put(_writer(start_at.value + seconds, seed))


def _appends(writers: int, seconds: float, mode: str, sequencing: str) -> dict[str, Any]:
    import multiprocessing
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from sightline.ledger.selectors import tree_size
    from sightline.ledger.services import Integrator, integrate
    from sightline.ledger.services.sequencer import background_sequencing

    integrate()
    before = tree_size()
    connections.close_all()  # never share a connection with forked writers
    background = sequencing == "background"
    integrator = None
    if background:
        # As `serve` runs: writers only queue (forked writers inherit the flag), and one integrator
        # thread, started after the fork, sequences.
        background_sequencing.set()
    started = time.monotonic()
    if mode == "processes":
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(writers + 1)
        start_at = ctx.Value("d", 0.0)
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_process_writer, args=(barrier, start_at, seconds, i, out))
            for i in range(writers)
        ]
        for p in procs:
            p.start()
        if background:
            integrator = Integrator()
            integrator.start()
        start_at.value = time.monotonic()
        barrier.wait()
        started = start_at.value
        total = sum(out.get() for _ in procs)
        for p in procs:
            p.join()
            if p.exitcode != 0:
                raise SystemExit(f"a writer process failed with exit code {p.exitcode}")
    else:
        gate = threading.Barrier(writers + 1)
        deadline_box: list[float] = []

        def run(seed: int) -> int:
            gate.wait()
            return _writer(deadline_box[0], seed)

        if background:
            integrator = Integrator()
            integrator.start()
        with ThreadPoolExecutor(writers) as pool:
            futures = [pool.submit(run, i) for i in range(writers)]
            started = time.monotonic()
            deadline_box.append(started + seconds)
            gate.wait()
            total = sum(f.result() for f in futures)
    if integrator is not None:
        integrator.stop()  # sequences what is still queued, then lets writers integrate again
    size = integrate()  # the clock runs until every write is sequenced
    elapsed = time.monotonic() - started
    gapless = _gapless(size)
    return {
        "writers": writers,
        "mode": mode,
        "sequencing": sequencing,
        "writes": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed),
        "all_sequenced": size - before == total and gapless,
    }


def _gapless(size: int) -> bool:
    from django.db.models import Count, Max, Min

    from sightline.ledger.models import Entry, PendingEntry

    agg = Entry.objects.aggregate(n=Count("index"), lo=Min("index"), hi=Max("index"))
    return agg["n"] == size and agg["lo"] == 0 and agg["hi"] == size - 1 and not PendingEntry.objects.exists()


def _grow_ledger(target: int) -> None:
    from sightline.ledger.selectors import tree_size
    from sightline.ledger.services import Actor, do_bulk_create, integrate

    actor = Actor(user="importer", agency="social_care", role="system")
    n = tree_size()
    while n < target:
        batch = min(5000, target - n)
        do_bulk_create([_person(i) for i in range(n, n + batch)], actor=actor, action="import")
        n = integrate()
        print(f"  ledger at {n:,} entries", file=sys.stderr, flush=True)


def _verify(entries: int) -> list[dict[str, Any]]:
    from sightline.ledger.selectors import verify
    from sightline.ledger.services import do_checkpoint

    _grow_ledger(entries)
    do_checkpoint()
    verify(check_state=False)  # warm the caches once, as any later run would find them
    out = []
    workers = min(os.cpu_count() or 1, 4)
    for label, check_state in (("entries only", False), ("full (with current state)", True)):
        for n in sorted({1, workers}):
            t = time.perf_counter()
            report = verify(check_state=check_state, workers=n)
            elapsed = time.perf_counter() - t
            if not report.ok:
                found = "; ".join(report.problems[:5])
                raise SystemExit(f"verification found problems in a clean ledger: {found}")
            out.append(
                {
                    "what": label,
                    "workers": n,
                    "entries": report.entries_checked,
                    "rows": report.rows_checked,
                    "seconds": round(elapsed, 2),
                    "per_second": round(report.entries_checked / elapsed),
                }
            )
    return out


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sightline.access.services import ensure_standard_agencies

    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()
    vendor = connection.vendor
    sequencing = ["by writers", "background"] if vendor == "postgresql" else ["by writers"]
    for writers in args.writers:
        for mode in args.mode:
            for how in sequencing:
                row = _appends(writers, args.seconds, mode, how)
                print(json.dumps({"kind": "appends", "db": vendor, **row}), flush=True)
    if args.verify_entries:
        for row in _verify(args.verify_entries):
            print(json.dumps({"kind": "verify", "db": vendor, **row}), flush=True)


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
            import psycopg

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
    failed = [r for r in rows if r["kind"] == "failed"]
    lines += [f"\nTHE {r['db']} RUN FAILED (exit {r['exit']}): see above" for r in failed]
    return "\n".join(lines)


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
