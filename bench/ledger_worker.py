"""The ledger benchmark's child process: one database, chosen by bench_ledger.py, which starts Django
before importing this module."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import limits
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Max, Min

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import Entry, PendingEntry
from sightline.ledger.selectors import tree_size, verify
from sightline.ledger.services import Actor, Integrator, do_bulk_create, do_checkpoint, do_create, integrate
from sightline.ledger.services.sequencer import background_sequencing
from sightline.people.models import Person


def _person(n: int) -> Any:
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
    agg = Entry.objects.aggregate(n=Count("index"), lo=Min("index"), hi=Max("index"))
    return agg["n"] == size and agg["lo"] == 0 and agg["hi"] == size - 1 and not PendingEntry.objects.exists()


def _grow_ledger(target: int) -> None:
    actor = Actor(user="importer", agency="social_care", role="system")
    n = tree_size()
    while n < target:
        batch = min(5000, target - n)
        do_bulk_create([_person(i) for i in range(n, n + batch)], actor=actor, action="import")
        n = integrate()
        print(f"  ledger at {n:,} entries", file=sys.stderr, flush=True)


def _verify(entries: int) -> list[dict[str, Any]]:
    _grow_ledger(entries)
    do_checkpoint()
    workers = min(os.cpu_count() or 1, 4)
    # Warm the caches and start the workers' fork server once, as any later run would find them
    # (a command-line run pays about a second for that server).
    verify(check_state=False, workers=workers)
    out = []
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


def _raw_insert_limit(writers: int, seconds: float) -> dict[str, Any]:
    """PostgreSQL: one-row INSERT + COMMIT of a person row from ``writers`` threads, no ledger."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM people_person LIMIT 1")
        names = [c.name for c in cur.description]
        template = dict(zip(names, cur.fetchone()))
    row = {"id": template.pop("id"), **template}
    connections.close_all()
    return {"writers": writers, **limits.raw_inserts(params, "people_person", row, writers, seconds)}


def _hash_limit(entries: int) -> dict[str, Any]:
    """hashlib over the same entries' bytes, one process (at most a million: the rate is per entry)."""
    with connection.cursor() as cur:
        cur.execute(
            'SELECT canonical FROM ledger_entry WHERE "index" < %s ORDER BY "index"',
            [min(entries, 1_000_000)],
        )
        data = [bytes(r[0]) for r in cur.fetchall()]
    return limits.hash_rate(data)


def run(writers: list[int], seconds: float, modes: list[str], verify_entries: int) -> None:
    """Append with each writer count and mode, then verify, printing one JSON line per result. On
    PostgreSQL each writer count is followed by its limit (raw INSERT + COMMIT from as many threads),
    and verification by its limit (hashlib over the same entries)."""
    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()
    vendor = connection.vendor
    sequencing = ["by writers", "background"] if vendor == "postgresql" else ["by writers"]
    for count in writers:
        for mode in modes:
            for how in sequencing:
                row = _appends(count, seconds, mode, how)
                print(json.dumps({"kind": "appends", "db": vendor, **row}), flush=True)
        if vendor == "postgresql":
            limit = _raw_insert_limit(count, seconds)
            print(json.dumps({"kind": "limit_appends", "db": vendor, **limit}), flush=True)
    if verify_entries:
        rows = _verify(verify_entries)
        for row in rows:
            print(json.dumps({"kind": "verify", "db": vendor, **row}), flush=True)
        limit = _hash_limit(max(r["entries"] for r in rows))
        print(json.dumps({"kind": "limit_verify", "db": vendor, **limit}), flush=True)
