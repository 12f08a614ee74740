"""Who events name, through ``people_event_mention``: written with every event (import, later extract,
a lone write), rebuilt with the ledger, and read by the chronology instead of a scan of every event's
JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sightline.cases.selectors import chronology_for, episodes_for
from sightline.cli import main
from sightline.ledger.services import SYSTEM, do_update, rebuild
from sightline.people.events import named_events, rebuild_mentions
from sightline.people.models import EventMention, SourceEvent, SourceRecord
from tests import factories
from tests.extracts.helpers import EVENTS, write_extract
from tests.factories import child, event, record

pytestmark = pytest.mark.django_db


def held() -> set[tuple[str, str, str, str]]:
    """Every mention, with the agency's event id in place of the row's id."""
    event_ids = dict(SourceEvent.objects.values_list("pk", "event_id"))
    rows = EventMention.objects.values_list("agency_id", "record_id", "event_pk", "role")
    return {(agency, rid, event_ids[pk], role) for agency, rid, pk, role in rows}


def named(record_id: str) -> list[tuple[str, str]]:
    rec = SourceRecord.objects.get(agency_id="police", record_id=record_id)
    return [(n.event.event_id, n.role) for n in named_events([rec])]


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    factories.agencies()
    assert main(["import", str(write_extract(tmp_path))]) == 0, capsys.readouterr().err


def test_an_import_writes_who_its_events_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(tmp_path, capsys)
    assert held() == {
        ("police", "POL-2", "E1", "associate"),
        ("police", "POL-2", "E2", "suspect"),
        ("police", "POL-1", "E2", "witness"),
    }
    assert named("POL-1") == [("E1", "subject"), ("E2", "witness")]
    assert named("POL-2") == [("E1", "associate"), ("E2", "suspect")]
    assert named("POL-3") == [("E2", "subject")]


def test_a_later_extract_replaces_an_events_mentions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(tmp_path, capsys)
    events = [dict(e) for e in EVENTS]
    events[1]["others"] = "POL-1:victim"
    later = write_extract(
        tmp_path, "police-2014-10-01", events=events, manifest_extra={"extracted_on": "2014-10-01"}
    )
    assert main(["import", str(later)]) == 0, capsys.readouterr().err
    assert SourceEvent.objects.get(event_id="E2").version == 2
    assert held() == {("police", "POL-2", "E1", "associate"), ("police", "POL-1", "E2", "victim")}
    assert named("POL-2") == [("E1", "associate")]
    assert named("POL-1") == [("E1", "subject"), ("E2", "victim")]


def test_a_ledger_rebuild_rebuilds_the_mentions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(tmp_path, capsys)
    written = held()
    EventMention.objects.all().delete()
    EventMention.objects.create(agency_id="police", record_id="POL-3", event_pk="E-STRAY", role="suspect")
    assert named("POL-2") == []
    rebuild()
    assert held() == written
    assert named("POL-2") == [("E1", "associate"), ("E2", "suspect")]
    assert rebuild_mentions() == 2 and held() == written


@pytest.mark.parametrize("alone", [False, True], ids=["in a transaction", "its own transaction"])
def test_a_lone_write_of_an_event_keeps_its_mentions(alone: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if alone:  # do_create's own-transaction path (on PostgreSQL: one statement, then the hooks)
        monkeypatch.setattr(transaction, "get_autocommit", lambda *_a, **_k: True)
    amy, mo = child(given_name="Amy"), child(given_name="Mo")
    rec, other = record(amy, "police", "POL-A"), record(mo, "police", "POL-B")
    ev = event(rec, "missing", dt.date(2014, 3, 1), "M1", others="POL-B:associate; POL-B:Witness;bad")
    assert held() == {("police", "POL-B", "M1", "associate"), ("police", "POL-B", "M1", "witness")}
    assert [(n.event.pk, n.role) for n in named_events([other])] == [(ev.pk, "associate")]
    monkeypatch.undo()
    ev.data = {**ev.data, "others": "POL-A:witness"}  # names the record it is filed under
    do_update(ev, actor=SYSTEM, reason="others changed")
    assert held() == {("police", "POL-A", "M1", "witness")}
    assert named_events([other]) == []
    assert [(n.event.pk, n.role) for n in named_events([rec])] == [(ev.pk, "subject")]


def test_the_same_record_id_in_another_agency_is_not_named() -> None:
    amy = child(given_name="Amy")
    police, care = record(amy, "police", "X-1"), record(amy, "social_care", "CS-1")
    mo = child(given_name="Mo")
    event(record(mo, "social_care", "CS-2"), "referral", dt.date(2014, 1, 2), "S1", others="X-1:victim")
    assert named_events([police]) == [] and named_events([care]) == []


def _event_reads(sql: list[str]) -> list[str]:
    return [q for q in sql if '"people_sourceevent"' in q or "people_event_mention" in q]


def test_a_childs_events_are_found_without_a_scan_of_event_data() -> None:
    olivia, mick = child(given_name="Olivia"), child(given_name="Mick")
    nom1, nom9 = record(olivia, "police", "NOM-1"), record(mick, "police", "NOM-9")
    event(nom9, "police_incident", dt.date(2014, 3, 1), "OCC-1", others="NOM-1:victim")
    event(nom9, "missing", dt.date(2014, 3, 9), "OCC-2", others="NOM-1:associate;NOM-12:victim")
    event(nom1, "missing", dt.date(2014, 4, 1), "OCC-3")
    with CaptureQueriesContext(connection) as queries:
        lines = chronology_for(olivia.id)
        episodes = episodes_for(olivia.id)
    assert {e.reference.partition(":")[2]: e.named_as for e in lines if e.source == "extract"} == {
        "OCC-1": "victim",
        "OCC-2": "associate",
        "OCC-3": "",
    }
    assert episodes.imported_missing_events == 2
    reads = _event_reads([q["sql"] for q in queries.captured_queries])
    assert any("people_event_mention" in q for q in reads)
    assert not [q for q in reads if "LIKE" in q.upper()], reads
