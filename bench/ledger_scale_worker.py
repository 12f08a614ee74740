"""The big-ledger benchmark's child process: one PostgreSQL database, chosen by bench_ledger_scale.py,
which starts Django (in demo mode, so that the board member signs in with 000000) before importing
this module."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from typing import Any

import ledger_worker
import limits
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from sightline.access.services import DEMO_PASSWORD, DEMO_SECOND_FACTOR, create_demo_users
from sightline.accountability.models import Recommendation
from sightline.accountability.services import do_import_sample_plan
from sightline.ledger.selectors import inclusion_proof, tree_size, verify
from sightline.ledger.selectors.proofs import consistency_proof
from sightline.ledger.services import SYSTEM, Actor, do_checkpoint, entry_body, integrate
from sightline.ledger.services.bulk import _write_entries
from sightline.ledger.services.sequencer import lock_in_transaction, read_head, sequence
from sightline.people.models import Person

BATCH = 50_000
READERS = [
    Actor("demo-practitioner", "social_care", "practitioner"),
    Actor("demo-police", "police", "practitioner"),
    Actor("demo-coordinator", "mash", "cse_coordinator"),
    Actor("demo-analyst", "police", "analyst"),
]


def _reads(start: int, count: int) -> list[dict[str, Any]]:
    """Ledger bodies of record reads, the entries that grow a live ledger fastest. Each is one of
    ``entry_body``'s own bodies (one per reader and purpose, made once a batch) with its object
    changed: ``entry_body`` per entry would cost as much as sequencing it."""
    kind = Person.ledger_type()
    purposes = ("view", "chronology", "search")
    made = {
        (a, p): entry_body(
            READERS[a],
            "read",
            kind,
            "",
            None,
            {"basis": "agency", "purpose": purpose, "break_glass": None},
            purpose,
        )
        for a in range(len(READERS))
        for p, purpose in enumerate(purposes)
    }
    return [
        {
            **made[n % len(READERS), n % 3],
            "object": {"id": f"P-{n % 1_000_003:012X}", "type": kind, "version": None},
        }
        for n in range(start, start + count)
    ]


def grow(target: int) -> dict[str, Any]:
    """Append read entries until the ledger holds ``target``: the bulk path (the sequencer's own
    encoding and hashing, entries written by COPY, BATCH per transaction)."""
    integrate()
    size = start = tree_size()
    started = time.perf_counter()
    while size < target:
        bodies = _reads(size, min(BATCH, target - size))
        with transaction.atomic():
            lock_in_transaction()
            head = read_head()
            new, rows = sequence(bodies, head)
            _write_entries(rows, new)
        size = new.size
        if size % 1_000_000 < BATCH:
            print(f"  ledger at {size:,} entries", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    added = size - start
    return {
        "added": added,
        "seconds": round(seconds, 1),
        "per_second": round(added / seconds) if added else 0,
    }


def _median_time(fn: Any, times: int) -> float:
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return round(statistics.median(out), 3)


def _point_read(index: int) -> None:
    with connection.cursor() as cur:
        cur.execute('SELECT leaf_hash FROM ledger_entry WHERE "index" = %s', [index])
        cur.fetchone()


def _median_ms(fn: Any, times: int) -> float:
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return round(statistics.median(out) * 1000, 2)


def proofs(size: int, times: int = 15) -> dict[str, Any]:
    """Proof times in ms, beside their limit: one indexed read of one entry's leaf hash (a proof
    makes a few such reads, whatever the size)."""
    rng = random.Random(size)
    return {
        "inclusion_ms": _median_ms(lambda: inclusion_proof(rng.randrange(size), size), times),
        "consistency_ms": _median_ms(lambda: consistency_proof(rng.randrange(1, size + 1), size), times),
        "point_read_ms": _median_ms(lambda: _point_read(rng.randrange(size)), times * 4),
    }


def verification(size: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for workers in (1, 2):
        t = time.perf_counter()
        report = verify(check_state=False, workers=workers)
        seconds = time.perf_counter() - t
        if not report.ok:
            raise SystemExit("verification found problems: " + "; ".join(report.problems[:5]))
        out[f"verify_{workers}_per_second"] = round(report.entries_checked / seconds)
    with connection.cursor() as cur:
        cur.execute(
            'SELECT canonical FROM ledger_entry WHERE "index" < %s ORDER BY "index"', [min(size, 200_000)]
        )
        sample = [bytes(r[0]) for r in cur.fetchall()]
    out["hash_limit_per_second"] = limits.hash_rate(sample)["per_second"]
    return out


def board_views(views: int) -> dict[str, Any]:
    """Sign in as the demo board member (the password, then 000000) and time GET /reports/board."""
    client = Client()
    page = client.post("/sign-in", {"username": "demo-board", "password": DEMO_PASSWORD})
    if page.status_code == 302 and "security-code" in page["Location"]:
        page = client.post("/sign-in/security-code", {"code": DEMO_SECOND_FACTOR})
    if page.status_code != 302:
        raise SystemExit(f"the board member could not sign in (status {page.status_code})")
    times = []
    for _ in range(views):
        t = time.perf_counter()
        response = client.get("/reports/board")
        times.append(time.perf_counter() - t)
        if response.status_code != 200:
            raise SystemExit(f"/reports/board answered {response.status_code}")
    return {
        "board_views": views,
        "board_median_s": round(statistics.median(times), 3),
        "board_min_s": round(min(times), 3),
    }


def prepare() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    create_demo_users()
    if not Recommendation.objects.exists():
        do_import_sample_plan(SYSTEM, key="rotherham-2014")


def run(sizes: list[int], writers: int, seconds: float, views: int, grow_only: bool) -> None:
    """For each size, smallest first: grow the ledger to it, sign a checkpoint and measure. One JSON
    line per size."""
    prepare()
    for size in sorted(sizes):
        built = grow(size)
        do_checkpoint()
        row: dict[str, Any] = {"size": tree_size(), "build_per_second": built["per_second"]}
        if not grow_only:
            appends = ledger_worker._appends(writers, seconds, "threads", "background")
            row.update(
                writers=writers, appends_per_second=appends["per_second"], appends_ok=appends["all_sequenced"]
            )
            row.update(verification(row["size"]))
            row.update(proofs(row["size"]))
            if views:
                row.update(board_views(views))
        print(json.dumps(row), flush=True)
