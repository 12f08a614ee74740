"""`sightline link` against the database: people from records, stable ids, human decisions honoured,
and the explanations the review pages show."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.cli import main
from sightline.ledger.models import Entry
from sightline.ledger.selectors import verify
from sightline.ledger.services import Actor, integrate
from sightline.people.linkage.decisions import do_decide_link
from sightline.people.linkage.explain import explain_pairs, joining_links
from sightline.people.linkage.state import stored_pairs_among
from sightline.people.models import LinkDecision, LinkReview, Person, SourceRecord
from tests.factories import generated_town, import_town, link_town

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_town(tmp_path_factory.mktemp("town"))


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model")


@pytest.fixture
def linked(
    town: Path, model_cache: Path, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    settings.HOME = tmp_path / "home"  # the linkage state and model of this test only
    import_town(town)
    link_town(model_cache)
    assert "full run" in capsys.readouterr().out
    return tmp_path


def ledger_size() -> int:
    return integrate()


def people_of() -> dict[str, str]:
    return {
        f"{a}:{r}": p for a, r, p in SourceRecord.objects.values_list("agency_id", "record_id", "person_id")
    }


def test_every_record_gets_a_person_and_links_export(linked: Path, town: Path) -> None:
    assert not SourceRecord.objects.filter(person__isnull=True).exists()
    people = Person.objects.filter(created_by="linkage", status="active")
    assert 0 < people.count() < SourceRecord.objects.count()  # records were joined
    assert {p.kind for p in people} >= {"child", "adult"}
    out = linked / "links.csv"
    assert main(["export", "links", "--out", str(out)]) == 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == SourceRecord.objects.count()
    assert {r["person_id"] for r in rows} == set(people.values_list("pk", flat=True))
    assert any(r["match_probability"] for r in rows)
    # a blank probability is explained: the record is alone, or was joined by a decision, not a score
    assert all((r["match_basis"] == "model") == bool(r["match_probability"]) for r in rows)
    assert {r["match_basis"] for r in rows} <= {"model", "only_record", "decision"}
    # quality against the town's truth: records of one true person mostly share one person_id
    with (town / "truth" / "records.csv").open(newline="") as fh:
        truth_rows = list(csv.DictReader(fh))
    assert truth_rows and {"agency", "record_id"} <= set(truth_rows[0])
    report = verify()
    assert report.ok, report.problems[:5]


@pytest.mark.usefixtures("linked")
def test_rerun_changes_nothing_and_ids_stay(capsys: pytest.CaptureFixture[str]) -> None:
    before, size = people_of(), ledger_size()
    assert main(["link"]) == 0
    assert (
        "incremental run): 0 people new, 0 updated, 0 merged away; 0 records relinked"
        in capsys.readouterr().out
    )
    assert people_of() == before and ledger_size() == size
    assert main(["link", "--full"]) == 0
    assert "full run" in capsys.readouterr().out
    assert people_of() == before  # person ids are stable where records have not changed


def _linked_pair() -> tuple[str, str]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, pid in sorted(people_of().items()):
        groups[pid].append(key)
    for keys in groups.values():
        if len(keys) == 2:
            return keys[0], keys[1]
    raise AssertionError("no person with exactly two records")


@pytest.mark.usefixtures("linked")
def test_human_decisions_are_ledgered_and_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _linked_pair()
    keep = people_of()[a]
    with pytest.raises(PermissionDenied):
        do_decide_link(Actor("p", "police", "practitioner"), key_a=a, key_b=b, same_person=False)
    analyst = Actor("ana", "police", "analyst")
    for key_a, key_b, field in [(a, a, "key_b"), (a, "police:NO-SUCH", "key_b"), ("nowhere:1", b, "key_a")]:
        with pytest.raises(ValidationError) as refused:
            do_decide_link(analyst, key_a=key_a, key_b=key_b, same_person=True)
        assert field in refused.value.message_dict
    decision = do_decide_link(analyst, key_a=b, key_b=a, same_person=False, reason="different mothers")
    assert (decision.record_key_l, decision.record_key_r) == tuple(sorted((a, b)))
    assert main(["link"]) == 0
    capsys.readouterr()
    after = people_of()
    assert after[a] != after[b]
    assert keep in (after[a], after[b])  # the larger share keeps the old id
    # and every later run honours it, incremental or full
    assert main(["link", "--full"]) == 0
    assert people_of()[a] != people_of()[b]
    # a changed mind is a new version; the records join again
    do_decide_link(analyst, key_a=a, key_b=b, same_person=True, reason="same NHS number after all")
    assert main(["link"]) == 0
    assert people_of()[a] == people_of()[b]
    assert LinkDecision.objects.get().version == 2
    ledger_size()
    assert Entry.objects.filter(object_type="people.linkdecision", action="link_decision").count() == 2


def test_review_queue_and_changed_records(linked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = LinkReview.objects.filter(status="open").order_by("record_key_l").first()
    if review is not None:
        do_decide_link(
            Actor("ana", "police", "analyst"),
            key_a=review.record_key_l,
            key_b=review.record_key_r,
            same_person=False,
        )
        review.refresh_from_db()
        assert review.status == "decided" and review.decision is not None
    # a record that changes in a later extract is re-linked incrementally
    a, b = _linked_pair()
    agency, _, rid = b.partition(":")
    rec = SourceRecord.objects.get(agency_id=agency, record_id=rid)
    folder = linked / "later"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"format": "multi-agency-extract/1", "agency": agency, "extracted_on": "2014-09-01"})
    )
    data = {k: v for k, v in rec.data.items() if k != "_received"}
    data.update(given_name="Zebedee", family_name="Quartermaine", date_of_birth="1950-01-01")
    for column in ("nhs_number", "upn", "pnc_id", "email"):
        if column in data:
            data[column] = ""
    with (folder / "people.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data))
        w.writeheader()
        w.writerow(data)
    assert main(["import", str(folder)]) == 0
    capsys.readouterr()
    assert main(["link"]) == 0
    assert "0 records relinked" not in capsys.readouterr().out
    assert people_of()[a] != people_of()[b]


@pytest.mark.usefixtures("linked")
def test_explanations_add_up_whether_or_not_the_run_compared_the_pair() -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, pid in sorted(people_of().items()):
        groups[pid].append(key)
    joined = next(keys for keys in groups.values() if len(keys) >= 2)
    links, unjoined = joining_links(joined)
    assert links and all(link.scored_by_run for link in links)
    assert len(links) + 1 + len(unjoined) >= len(joined)  # a spanning tree, and whoever it misses
    # Two records of different people that blocking never compared: scored now with the same model.
    first = joined[0]
    stranger = next(
        keys[0]
        for keys in groups.values()
        if keys[0] not in joined and stored_pairs_among(sorted((first, keys[0]))).empty
    )
    [explained] = explain_pairs([(stranger, first)]).values()
    assert (explained.record_key_l, explained.record_key_r) == tuple(sorted((first, stranger)))
    assert not explained.scored_by_run
    for pair in [explained, *links]:
        assert pair.fields[0].field == "prior"
        assert sum(f.match_weight for f in pair.fields) == pytest.approx(pair.match_weight, abs=1e-3)
    assert explain_pairs([(joined[0], joined[0])]) == {}
