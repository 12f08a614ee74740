"""The import benchmark's child process: one database, chosen by bench_import.py, which starts Django
before importing this module."""

from __future__ import annotations

import time
from pathlib import Path

import limits
from django.core.management import call_command
from django.db import connection

from sightline.access.services import ensure_standard_agencies
from sightline.extracts.services import do_import_extract
from sightline.ledger.services import integrate


def run(town: Path) -> dict[str, float]:
    """Import every extract of ``town`` twice (the second time nothing changes), timing the first."""
    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()
    people = events = 0
    folders = sorted(p for p in (town / "extracts").iterdir() if p.is_dir())
    started = time.perf_counter()
    for folder in folders:
        result = do_import_extract(folder)
        assert result.status == "imported", result.problems[:5]
        people += result.records_created
        events += result.events_created
    size = integrate()
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        assert do_import_extract(folder).status == "unchanged"
    out = {
        "people": people, "events": events, "seconds": seconds, "ledger_entries": size,
        "people_per_second": people / seconds, "rows_per_second": (people + events) / seconds,
        "reimport_seconds": time.perf_counter() - again,
    }  # fmt: skip
    if connection.vendor == "postgresql":
        # The limit: the same rows by COPY into plain text tables, on the same server, now.
        connection.ensure_connection()
        copied = limits.copy_rows(connection.connection, folders)
        if copied["rows"] != people + events:
            raise SystemExit(f"COPY took {copied['rows']} rows, the import {people + events}")
        out["copy_rows_per_second"] = copied["per_second"]
    return out
