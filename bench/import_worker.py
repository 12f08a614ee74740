"""The import benchmark's child process: one database, chosen by bench_import.py, which starts Django
before importing this module."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management import call_command

from sightline.access.services import ensure_standard_agencies
from sightline.extracts.services import do_import_extract
from sightline.ledger.services import integrate


def run(town: Path) -> dict[str, float]:
    """Import every extract of ``town`` twice (the second time nothing changes), timing the first."""
    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()
    people = events = 0
    started = time.perf_counter()
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        result = do_import_extract(folder)
        assert result.status == "imported", result.problems[:5]
        people += result.records_created
        events += result.events_created
    size = integrate()
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        assert do_import_extract(folder).status == "unchanged"
    return {
        "people": people, "events": events, "seconds": seconds, "ledger_entries": size,
        "people_per_second": people / seconds, "rows_per_second": (people + events) / seconds,
        "reimport_seconds": time.perf_counter() - again,
    }  # fmt: skip
