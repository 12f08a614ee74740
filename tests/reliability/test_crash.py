"""The crash suite (``make crash``): SIGKILL ``sightline serve`` while HTTP writers create people through
it, and ``sightline import`` part way through an extract, trial after trial on one database. After
every kill no acknowledged write is lost, each import is whole or absent, and the ledger verifies.

``SIGHTLINE_CRASH_TRIALS`` sets the number of trials (``make crash`` runs 20; the ordinary suite 2)
and ``SIGHTLINE_CRASH_REPORT`` a file for the figures (docs/reliability.md)."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import Entry
from sightline.ledger.selectors import verify
from sightline.ledger.services import integrate
from sightline.people.models import Extract, Person, SourceEvent, SourceRecord
from tests import factories

from .conftest import Server, Writers, sightline, wait_for

TRIALS = int(os.environ.get("SIGHTLINE_CRASH_TRIALS", "2"))
ROWS = 2000  # people, and as many events, per extract: long enough to be killed part way


def write_extract(root: Path, trial: int) -> Path:
    folder = root / f"police-crash-{trial:02d}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "format": "multi-agency-extract/1",
                "agency": "police",
                "extracted_on": f"2014-07-{trial % 28 + 1:02d}",
            }
        )
    )
    with (folder / "people.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "given_name", "family_name", "date_of_birth"])
        w.writerows([f"T{trial}-{i}", f"Crash{i}", f"Trial{trial}", "2001-02-03"] for i in range(ROWS))
    with (folder / "events.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "record_id", "kind", "occurred_on"])
        w.writerows([f"T{trial}-E{i}", f"T{trial}-{i}", "missing", "2013-05-02"] for i in range(ROWS))
    return folder


def check(folder: Path, trial: int, acknowledged: list[str], finished: bool) -> dict[str, Any]:
    """What survived the kill: every acknowledged write, and the import whole or not at all."""
    integrate()  # what a killed server left queued is sequenced by the next process, as here
    created = set(
        Entry.objects.filter(
            action="create", object_type="people.person", object_id__in=acknowledged
        ).values_list("object_id", flat=True)
    )
    rows = set(Person.objects.filter(id__in=acknowledged).values_list("id", flat=True))
    lost = len(set(acknowledged) - (created & rows))
    extract = Extract.objects.filter(source_name=folder.name).first()
    records = SourceRecord.objects.filter(record_id__startswith=f"T{trial}-").count()
    events = SourceEvent.objects.filter(event_id__startswith=f"T{trial}-E").count()
    if extract is None:
        assert (records, events) == (0, 0), f"trial {trial}: a killed import left {records} records"
        assert not finished, f"trial {trial}: the import reported success but nothing is there"
    else:
        assert (records, events) == (ROWS, ROWS) == (extract.record_count, extract.event_count)
    started = time.perf_counter()
    report = verify()
    assert report.ok, report.problems
    return {
        "trial": trial + 1,
        "acknowledged": len(acknowledged),
        "lost": lost,
        "import": "imported" if extract is not None else "absent",
        "import_killed": not finished,
        "ledger_entries": report.size,
        "verify_seconds": round(time.perf_counter() - started, 2),
    }


@pytest.mark.slow
@pytest.mark.usefixtures("committed")
def test_sigkill_of_serve_and_import_under_concurrent_writers_loses_nothing(
    make_user: Callable[..., Any], tmp_path: Path
) -> None:
    ensure_standard_agencies()
    user = make_user("cse_coordinator", "mash", username="crash-writer")
    token = factories.api_token(user, "crash suite")
    rng = random.Random(int(os.environ.get("SIGHTLINE_CRASH_SEED", "20140826")))
    figures = []
    for trial in range(TRIALS):
        folder = write_extract(tmp_path / "extracts", trial)
        server = Server(tmp_path / "home")
        writers = Writers(server.base, token, threads=3, tag=f"c{trial}-")
        assert wait_for(lambda w=writers: len(w.acknowledged) >= 5, 60), writers.errors[:3]  # type: ignore[misc]
        importer = sightline(
            tmp_path / "home", "import", str(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(0.5, 12.0))  # before, during or after the import's transaction
        victims = [server.proc, importer]
        rng.shuffle(victims)
        for victim in victims:
            if victim.poll() is None:
                victim.send_signal(signal.SIGKILL)
            time.sleep(rng.uniform(0, 0.3))
        importer.wait(30)
        server.proc.wait(30)
        acknowledged = writers.stop()
        assert not [e for e in writers.errors if not e.startswith("5")], writers.errors[:3]
        finished = importer.returncode == 0
        connection.close()  # the killed server may have left SQLite's journal to roll back
        figures.append(check(folder, trial, acknowledged, finished))
    report = os.environ.get("SIGHTLINE_CRASH_REPORT")
    if report:
        Path(report).write_text(json.dumps({"database": connection.vendor, "trials": figures}, indent=2))
    print(summary(figures))
    assert sum(f["lost"] for f in figures) == 0, figures


def summary(figures: list[dict[str, Any]]) -> str:
    acks = sum(f["acknowledged"] for f in figures)
    killed = sum(1 for f in figures if f["import_killed"])
    whole = sum(1 for f in figures if f["import"] == "imported")
    return (
        f"{len(figures)} trials on {connection.vendor}: serve killed {len(figures)} times, import killed "
        f"{killed} times ({whole} imports whole, {len(figures) - whole} absent, none partial); "
        f"{acks} acknowledged writes, {sum(f['lost'] for f in figures)} lost; ledger verified every time "
        f"({figures[-1]['ledger_entries'] if figures else 0} entries at the end)"
    )
