"""`sightline analyse` against the database: stored alerts, stable re-runs, status through the ledger."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from sightline.cli import main
from sightline.intelligence.models import Alert, Network, NetworkMember, Place
from sightline.intelligence.services import AlertStatusError, do_set_alert_status, load_inputs
from sightline.ledger.models import Entry, TreeHead
from sightline.ledger.services import Actor, integrate
from sightline.people.models import SourceRecord
from tests.factories import analyse_town, generated_town, import_town

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_town(tmp_path_factory.mktemp("town"), 80, 11)


def snapshot() -> dict[str, Any]:
    integrate()
    head = TreeHead.objects.get(id=1)
    return {
        "size": head.size,
        "root": bytes(head.root),
        "rows": {
            m._meta.label: m._default_manager.count()
            for m in apps.get_app_config("intelligence").get_models()
        },
    }


@pytest.fixture
def analysed(town: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    import_town(town)
    analyse_town()
    assert "alerts" in capsys.readouterr().out
    return town


@pytest.mark.usefixtures("analysed")
def test_analyse_stores_ranked_alerts_networks_places(tmp_path: Path) -> None:
    alerts = list(Alert.objects.order_by("-score", "id"))
    assert alerts and {a.status for a in alerts} == {"new"}
    kinds = {a.kind for a in alerts}
    assert "child_at_risk" in kinds and "adult_of_concern" in kinds
    assert all(a.record_keys and a.reasons for a in alerts if a.kind == "child_at_risk")
    assert Network.objects.exists() and NetworkMember.objects.exists() and Place.objects.exists()
    place_alert = Alert.objects.filter(kind="place_of_concern").first()
    if place_alert is not None:
        assert Place.objects.filter(pk=place_alert.subject_id).exists()
    # export alerts is the stored ranking
    out = tmp_path / "alerts.csv"
    assert main(["export", "alerts", "--out", str(out)]) == 0
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    assert [r[0] for r in rows] == [a.id for a in alerts]
    scores = [float(r[3]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    # every network member exported belongs to a stored network
    out = tmp_path / "networks.csv"
    assert main(["export", "networks", "--out", str(out)]) == 0
    with out.open(newline="") as fh:
        members = list(csv.DictReader(fh))
    assert {m["network_id"] for m in members} <= set(Network.objects.values_list("pk", flat=True))
    assert {m["member_type"] for m in members} <= {"person", "place", "vehicle", "phone"}
    assert {m["role"] for m in members} <= {"child", "adult", ""}
    # ethnicity never reaches the engine
    inputs = load_inputs()
    for frame in (inputs.records, inputs.events, inputs.event_people):
        assert not [c for c in frame.columns if "ethnic" in c.lower()]


@pytest.mark.usefixtures("analysed")
def test_rerun_over_the_same_data_writes_nothing() -> None:
    before = snapshot()
    assert main(["analyse"]) == 0
    after = snapshot()
    # only the run itself is recorded (created, then finished)
    assert after["size"] - before["size"] == 2
    assert after["rows"]["intelligence.AnalysisRun"] == before["rows"]["intelligence.AnalysisRun"] + 1


@pytest.mark.usefixtures("analysed")
def test_groups_are_named_after_their_most_central_adult_and_place(tmp_path: Path) -> None:
    networks = list(Network.objects.filter(active=True))
    assert networks
    for n in networks:
        members = {m.member_id: m for m in n.members.filter(active=True)}
        assert n.label.startswith("Group around ") and n.label.endswith(f"({n.size} members)")
        assert n.named_person in members
        named = members[n.named_person]
        assert named.label in n.label and named.label not in n.name_without_person
        if n.adults:
            assert named.role == "adult"
    # a group alert carries its group's name; the id stays the id
    groups = {n.id: n for n in networks}
    for alert in Alert.objects.filter(kind="group", active=True):
        assert alert.subject_label == groups[alert.subject_id].label != alert.subject_id
    # the export names each member's group
    out = tmp_path / "networks.csv"
    assert main(["export", "networks", "--out", str(out)]) == 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["network_id"], r["network_name"]) for r in rows} == {(n.id, n.label) for n in networks}
    # the same data, the same names
    names = {n.id: (n.label, n.name_without_person, n.named_person) for n in networks}
    assert main(["analyse"]) == 0
    again = Network.objects.filter(active=True)
    assert {n.id: (n.label, n.name_without_person, n.named_person) for n in again} == names


def _actor(role: str) -> Any:
    return Actor(user=f"a-{role}", agency="police", role=role)


@pytest.mark.usefixtures("analysed")
def test_status_changes_are_ledgered_and_checked() -> None:
    alert = Alert.objects.order_by("-score").first()
    assert alert is not None
    with pytest.raises(PermissionDenied):
        do_set_alert_status(_actor("practitioner"), alert_id=alert.pk, status="under_review")
    with pytest.raises(AlertStatusError, match="needs a reason"):
        do_set_alert_status(_actor("analyst"), alert_id=alert.pk, status="dismissed")
    with pytest.raises(AlertStatusError, match="not an alert status"):
        do_set_alert_status(_actor("analyst"), alert_id=alert.pk, status="closed")
    do_set_alert_status(_actor("analyst"), alert_id=alert.pk, status="under_review", reason="looking")
    do_set_alert_status(
        _actor("cse_coordinator"), alert_id=alert.pk, status="actioned", reason="strategy meeting held"
    )
    with pytest.raises(AlertStatusError, match="cannot become new"):
        do_set_alert_status(_actor("analyst"), alert_id=alert.pk, status="new")
    alert.refresh_from_db()
    assert alert.status == "actioned" and alert.status_by == "a-cse_coordinator" and alert.version == 3
    integrate()
    actions = list(Entry.objects.filter(object_id=alert.pk).order_by("index").values_list("action", "reason"))
    assert actions[-2:] == [("alert_under_review", "looking"), ("alert_actioned", "strategy meeting held")]
    # a later run keeps what people decided
    assert main(["analyse"]) == 0
    alert.refresh_from_db()
    assert alert.status == "actioned"


@pytest.mark.usefixtures("analysed")
def test_dismissed_alert_stays_dismissed_until_something_new_appears(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alert = Alert.objects.filter(kind="child_at_risk").order_by("-score").first()
    assert alert is not None
    do_set_alert_status(
        _actor("analyst"), alert_id=alert.pk, status="dismissed", reason="known, plan in place"
    )
    assert main(["analyse"]) == 0
    alert.refresh_from_db()
    assert alert.status == "dismissed"
    out = tmp_path / "alerts.csv"
    assert main(["export", "alerts", "--out", str(out)]) == 0
    assert alert.pk not in out.read_text()

    # A new extract from the agency that holds the child's record: a new missing episode.
    rec = SourceRecord.objects.get(pk=alert.subject_id)  # not linked: each record is its own person
    agency, rid = rec.agency_id, rec.record_id
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"format": "multi-agency-extract/1", "agency": agency, "extracted_on": "2014-07-07"})
    )
    data = {k: v for k, v in rec.data.items() if k != "_received"}
    with (folder / "people.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data))
        w.writeheader()
        w.writerow(data)
    with (folder / "events.csv").open("w", newline="") as fh:
        w = csv.DictWriter(
            fh, fieldnames=["event_id", "record_id", "kind", "occurred_on", "ended_on", "factors"]
        )
        w.writeheader()
        w.writerow(
            {
                "event_id": "NEW-1",
                "record_id": rid,
                "kind": "missing",
                "occurred_on": "2014-06-20T23:30",
                "ended_on": "2014-06-22",
                "factors": "11A",
            }
        )
    assert main(["import", str(folder)]) == 0
    assert "events 1 new" in capsys.readouterr().out
    assert main(["analyse"]) == 0
    alert.refresh_from_db()
    assert "1 dismissed alerts raised again" in capsys.readouterr().out
    alert.refresh_from_db()
    assert alert.status == "new"
    assert f"event {agency}:NEW-1" in alert.status_reason
