"""What each figure is measured against: the same work done as plainly as the machine allows, in the same
run. These machines are noisy (the same benchmark varies twofold from day to day), so a figure is
reported beside its limit and as a share of it.

- appends: one-row ``INSERT`` and ``COMMIT`` from as many threads as there are writers, each on its own
  connection, into a scratch copy of the table the writers fill (same columns and indexes, no ledger);
- verification: ``hashlib`` SHA-256 of one leaf and one node per entry, in one process, over the
  entries' own bytes already in memory;
- import: PostgreSQL ``COPY`` of the extracts' CSV rows into plain tables of text columns.

Nothing here imports Django: callers pass a psycopg connection or its parameters.
"""

from __future__ import annotations

import csv
import hashlib
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg


def raw_inserts(
    connect: dict[str, Any], like_table: str, row: dict[str, Any], threads: int, seconds: float
) -> dict[str, Any]:
    """One-row INSERT + COMMIT (autocommit) from ``threads`` threads for ``seconds``: rows/s."""
    scratch = f"bench_limit_{like_table}"
    with psycopg.connect(**connect, autocommit=True) as admin:
        admin.execute(f"DROP TABLE IF EXISTS {scratch}")
        admin.execute(f"CREATE TABLE {scratch} (LIKE {like_table} INCLUDING ALL)")
    columns = list(row)
    sql = f"INSERT INTO {scratch} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    gate = threading.Barrier(threads + 1)
    counts = [0] * threads
    deadline = [0.0]

    def writer(n: int) -> None:
        with psycopg.connect(**connect, autocommit=True) as conn:
            cur = conn.cursor()
            values = list(row.values())
            gate.wait()
            i = 0
            while time.monotonic() < deadline[0]:
                values[0] = f"{row[columns[0]]}-{n}-{i}"  # the first column is the key
                cur.execute(sql, values)
                i += 1
            counts[n] = i

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    started = time.monotonic()
    deadline[0] = started + seconds
    gate.wait()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    with psycopg.connect(**connect, autocommit=True) as admin:
        stored = admin.execute(f"SELECT count(*) FROM {scratch}").fetchone()
        admin.execute(f"DROP TABLE {scratch}")
    total = sum(counts)
    if stored is None or stored[0] != total:
        raise SystemExit(f"raw inserts: {total} committed but {stored} stored")
    return {"writes": total, "seconds": round(elapsed, 2), "per_second": round(total / elapsed)}


def hash_rate(entries: Sequence[bytes]) -> dict[str, Any]:
    """SHA-256 of one leaf (0x00 || entry) and one node (0x01 || left || right) per entry, in one
    process: the least that any verifier of an RFC 9162 log recomputes."""
    sha = hashlib.sha256
    started = time.perf_counter()
    prev = b"\x00" * 32
    for data in entries:
        leaf = sha(b"\x00" + data).digest()
        prev = sha(b"\x01" + prev + leaf).digest()
    elapsed = time.perf_counter() - started
    return {
        "entries": len(entries),
        "seconds": round(elapsed, 3),
        "per_second": round(len(entries) / elapsed),
    }


def read_entries(conn: psycopg.Connection[Any], limit: int) -> list[bytes]:
    """The first ``limit`` entries' canonical bytes, in index order (untimed: the limit is CPU)."""
    with conn.cursor(binary=True) as cur:
        cur.execute('SELECT canonical FROM ledger_entry WHERE "index" < %s ORDER BY "index"', [limit])
        return [bytes(r[0]) for r in cur]


def copy_rows(conn: psycopg.Connection[Any], folders: Iterable[Path]) -> dict[str, Any]:
    """COPY every people.csv and events.csv of ``folders`` into fresh tables of text columns, in one
    transaction: the rate at which this server takes the same rows with no checking and no ledger."""
    files = [f for folder in folders for f in (folder / "people.csv", folder / "events.csv") if f.exists()]
    rows = 0
    people = 0
    with conn.cursor() as cur:
        for n, path in enumerate(files):
            with path.open(encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh))
            table = f"bench_copy_{n}"
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TABLE {table} ({', '.join(f'c{i} text' for i in range(len(header)))})")
        conn.commit()
        started = time.perf_counter()
        for n, path in enumerate(files):
            sql = f"COPY bench_copy_{n} FROM STDIN (FORMAT csv, HEADER true)"
            with cur.copy(sql) as copy, path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
            got = cur.rowcount
            rows += got
            if path.name == "people.csv":
                people += got
        conn.commit()
        elapsed = time.perf_counter() - started
        for n in range(len(files)):
            cur.execute(f"DROP TABLE bench_copy_{n}")
        conn.commit()
    return {
        "rows": rows,
        "people": people,
        "seconds": round(elapsed, 3),
        "per_second": round(rows / elapsed),
        "people_per_second": round(people / elapsed),
    }


def share(figure: float, limit: float) -> str:
    """``figure`` as a share of ``limit``: whole per cent, or one decimal below 10%."""
    if not limit:
        return "n/a"
    return f"{figure / limit:.0%}" if figure >= limit / 10 else f"{figure / limit:.1%}"
