"""Encoded records link with the same Splink model (Dice levels on filters, equality on digests):
among themselves within their agreement, to plain records only when the hub is given the
agreement's secret for the run; and the child's record shows their reference and events only."""

from __future__ import annotations

import base64
import csv
import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sightline.cli import main
from sightline.people.linkage.encoded import cluster_agreement, union_clusters
from sightline.people.linkage.joint import cluster_joint
from sightline.people.linkage.types import HumanDecision
from sightline.people.models import LinkReview, SourceEvent, SourceRecord
from sightline.people.pprl.models import EncodedRecord
from sightline.pprl.bloom import Params
from sightline.pprl.extract import encode_extract
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = b"the agreement's secret, held by its agencies only"
ENCODED = ("education", "health")


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factories.generated_town(tmp_path_factory.mktemp("town"), children=60, seed=4)


@pytest.fixture(scope="module")
def mixed(town: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The town's extracts, health and education encoded by themselves under one agreement."""
    out = tmp_path_factory.mktemp("encoded")
    paths = []
    for folder in sorted((town / "extracts").iterdir()):
        if folder.name.split("-")[0] in ENCODED:
            encode_extract(folder, SECRET, out / folder.name, Params(salt="rotherham-cse-2024"))
            paths.append(out / folder.name)
        else:
            paths.append(folder)
    return paths


@pytest.fixture
def imported(mixed: list[Path], settings: Any, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"
    factories.agencies()
    assert main(["import", *map(str, mixed)]) == 0


def truth(town: Path) -> dict[str, str]:
    with (town / "truth" / "records.csv").open(encoding="utf-8") as fh:
        return {f"{r['agency']}:{r['record_id']}": r["true_person_id"] for r in csv.DictReader(fh)}


def people_of() -> dict[str, str]:
    rows = SourceRecord.objects.values_list("agency_id", "record_id", "person_id")
    return {f"{a}:{r}": str(p) for a, r, p in rows}


def pairs(groups: dict[str, str], keys: set[str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for key, group in groups.items():
        if key in keys:
            members[group].append(key)
    return {tuple(sorted(p)) for m in members.values() for p in itertools.combinations(m, 2)}  # type: ignore[misc]


def scores(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(found & true)
    return hits / max(len(found), 1), hits / max(len(true), 1)


def test_union_clusters_joins_runs_where_they_share_a_record() -> None:
    joined = union_clusters([("a", "a"), ("b", "a"), ("c", "c")], [("c", "b"), ("d", "d")])
    assert joined == {"a": "a", "b": "a", "c": "a", "d": "d"}


def _pairs(*rows: tuple[str, str, float, bool]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_key_l", "record_key_r", "match_weight", "hard_conflict"])


def test_an_encoded_record_bridges_two_plain_records_the_plain_run_kept_apart() -> None:
    """Police (p1) and social care (p2) alone are too weak to link; a health record (h, encoded)
    fits both well. As one plain run would with h among its records, the three are one person."""
    plain = _pairs(("p1", "p2", 0.0, False))
    encoded = _pairs(("h", "p1", 9.0, False), ("h", "p2", 9.0, False))
    assert cluster_joint(["h", "p1", "p2"], encoded, plain) == {"h": "h", "p1": "h", "p2": "h"}


def test_an_encoded_record_does_not_join_two_people_the_plain_run_found_in_conflict() -> None:
    """Namesakes with different dates of birth (a hard conflict in the plain run): a sparse encoded
    record that fits both joins neither, where connected components would have made one person."""
    plain = _pairs(("p1", "p2", 2.0, True))
    encoded = _pairs(("h", "p1", 8.0, False), ("h", "p2", 8.0, False))
    clusters = cluster_joint(["h", "p1", "p2"], encoded, plain)
    assert clusters["p1"] != clusters["p2"]
    # An encoded pair in hard conflict (the encoded levels' own) keeps its records apart too.
    encoded = _pairs(("h", "p1", 8.0, True))
    assert cluster_joint(["h", "p1"], encoded, _pairs()) == {"h": "h", "p1": "p1"}


def test_a_plain_person_joins_an_encoded_record_whole_where_its_pairs_hold_it_together() -> None:
    """p1 and p3 are one person by the plain model's pair; h, which fits p1, joins that person, p3
    included (the mean over h's pairs with them is high enough: h-p3 was not scored, and unscored
    pairs are left out of the mean), and p2, a different plain person, is left alone."""
    plain = _pairs(("p1", "p3", 12.0, False), ("p1", "p2", -3.0, False))
    encoded = _pairs(("h", "p1", 9.0, False), ("h", "p2", -1.0, False))
    clusters = cluster_joint(["h", "p1", "p2", "p3"], encoded, plain)
    assert clusters == {"h": "h", "p1": "h", "p3": "h", "p2": "p2"}


def test_human_decisions_hold_in_an_agreements_run() -> None:
    """ "Not the same" keeps apart records the scores would join; "same" joins records they would not;
    a decision about a record outside the run is no one's business here."""
    encoded = _pairs(("e1", "e2", 9.0, False), ("e2", "e3", -1.0, False))
    assert cluster_agreement(["e1", "e2", "e3"], encoded) == {"e1": "e1", "e2": "e1", "e3": "e3"}
    decided = [
        HumanDecision("e1", "e2", False),
        HumanDecision("e2", "e3", True),
        HumanDecision("e1", "p9", True),
    ]
    clusters = cluster_agreement(["e1", "e2", "e3"], encoded, decided)
    assert clusters == {"e1": "e1", "e2": "e2", "e3": "e2"}
    # With the hub's records: "not the same" keeps an encoded record from joining a plain person.
    plain = _pairs(("p1", "p2", 12.0, False))
    encoded = _pairs(("h", "p1", 9.0, False))
    assert cluster_joint(["h", "p1", "p2"], encoded, plain) == {"h": "h", "p1": "h", "p2": "h"}
    apart = cluster_joint(["h", "p1", "p2"], encoded, plain, [HumanDecision("h", "p1", False)])
    assert apart == {"h": "h", "p1": "p1", "p2": "p1"}


def encoded_values(records: list[SourceRecord]) -> list[str]:
    """Every filter, digest and salt of these records as stored, and the digest of them each record
    keeps (``data.encoded``)."""
    out = []
    for record in records:
        held = EncodedRecord.objects.filter(source=record).first()
        if held is not None:
            out += [v for value in held.encoded.values() for v in str(value).split(";") if v]
            out.append(str(record.data["encoded"]))
    return out


def assert_no_encoding_in(text: str, values: list[str]) -> None:
    assert values
    for v in values:
        assert v[:24] not in text, v
        if len(v) >= 16 and not v.isalnum():  # base64 of a filter or digest: its first bytes too
            assert base64.b64encode(base64.b64decode(v)[:12]).decode() not in text, v


@pytest.mark.slow
@pytest.mark.usefixtures("imported")
def test_uncertain_encoded_pairs_are_reviewed_showing_only_what_the_agency_allows(tmp_path: Path) -> None:
    secret = tmp_path / "agreement.secret"
    secret.write_bytes(SECRET)
    assert main(["link", "--no-progress", "--secret-file", str(secret)]) == 0
    encoded = {f"{a}:{r}" for a, r in EncodedRecord.objects.values_list("agency_id", "record_id")}
    queued = [
        r for r in LinkReview.objects.filter(status="open") if {r.record_key_l, r.record_key_r} & encoded
    ]
    both = [r for r in queued if {r.record_key_l, r.record_key_r} <= encoded]
    mixed = [r for r in queued if r not in both]
    assert both and mixed, (
        "the town should leave pairs of encoded records, and of encoded with plain, uncertain"
    )

    analyst = factories.user("analyst", "police")
    client = factories.signed_in(analyst)
    auth = factories.bearer(analyst)
    for review in (both[0], mixed[0]):
        left, right = (_record(k) for k in (review.record_key_l, review.record_key_r))
        page = client.get(f"/intelligence/link-reviews/{review.id}")
        api = client.get(f"/api/intelligence/link-reviews/{review.id}", **auth)
        assert page.status_code == 200 and api.status_code == 200
        html, got = page.content.decode(), api.json()
        assert_no_encoding_in(html, encoded_values([left, right]))
        assert_no_encoding_in(api.content.decode(), encoded_values([left, right]))
        # The agency and its reference, "Encoded" where a name would be.
        enc = left if left.key in encoded else right
        side = "left" if enc is left else "right"
        assert f"{enc.record_id}, row {enc.row_number}" in html and enc.agency.name in html
        assert '<strong class="govuk-tag govuk-tag--grey">Encoded</strong>' in html
        assert got[side]["record_id"] == enc.record_id and got[side]["agency"] == enc.agency_id
        assert got[side]["encoded"] is True and "given_name" in got[side]["encoded_fields"]
        assert "encoded" not in got[side]["data"]
        # The waterfall of the encoded comparisons, as the agreement's run weighed them.
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="sightline-waterfall__svg"' in html
        weights = got["match_weights"]
        assert [w["field"] for w in weights][:4] == ["prior", "given_name", "family_name", "full_name"]
        assert got["scored_by_run"] is True
        assert sum(w["match_weight"] for w in weights) == pytest.approx(review.match_weight, abs=1e-3)
        assert {w[f"value_{side[0]}"] for w in weights[1:]} <= {"Encoded", None}
        assert "Given and family names together (encoded)" in html
    plain_side = _record(next(k for k in (mixed[0].record_key_l, mixed[0].record_key_r) if k not in encoded))
    assert (
        plain_side.data["given_name"]
        in client.get(f"/intelligence/link-reviews/{mixed[0].id}").content.decode()
    )

    # The next run finds them again: none is closed.
    assert main(["link", "--no-progress", "--secret-file", str(secret)]) == 0
    assert LinkReview.objects.filter(pk__in=[r.pk for r in queued], status="open").count() == len(queued)

    # "Not the same" about a pair the run joined: the next run splits it, and the review stays decided.
    joined = next(r for r in queued if _record(r.record_key_l).person_id == _record(r.record_key_r).person_id)
    made = client.post(
        "/api/intelligence/link-decisions",
        {"record_key_l": joined.record_key_l, "record_key_r": joined.record_key_r, "same_person": False},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201
    assert main(["link", "--no-progress", "--secret-file", str(secret)]) == 0
    assert _record(joined.record_key_l).person_id != _record(joined.record_key_r).person_id
    joined.refresh_from_db()
    assert joined.status == "decided"

    # A run without the secret cannot compare encoded with plain records: it leaves their reviews
    # open, and the pairs of encoded records it judged again.
    open_mixed = set(
        LinkReview.objects.filter(pk__in=[r.pk for r in mixed], status="open").values_list("pk", flat=True)
    )
    assert main(["link", "--no-progress"]) == 0
    assert (
        set(LinkReview.objects.filter(pk__in=open_mixed, status="open").values_list("pk", flat=True))
        == open_mixed
    )
    assert _record(joined.record_key_l).person_id != _record(joined.record_key_r).person_id
    joined.refresh_from_db()
    assert joined.status == "decided"


def _record(key: str) -> SourceRecord:
    agency, _, rid = key.partition(":")
    return SourceRecord.objects.select_related("agency").get(agency_id=agency, record_id=rid)


@pytest.mark.slow
@pytest.mark.usefixtures("imported")
def test_encoded_records_link_among_themselves_and_show_only_reference_and_events(town: Path) -> None:
    assert main(["link", "--no-progress"]) == 0
    persons = people_of()
    assert all(p != "None" for p in persons.values())
    encoded = {f"{a}:{r}" for a, r in EncodedRecord.objects.values_list("agency_id", "record_id")}
    assert encoded and all(k.split(":")[0] in ENCODED for k in encoded)
    # Encoded records never share a person with plain ones: the hub cannot compare them.
    for key in encoded:
        assert all(k in encoded for k, p in persons.items() if p == persons[key])
    real = truth(town)
    precision, recall = scores(pairs(persons, encoded), pairs(real, encoded))
    assert pairs(real, encoded), "the town should have people known to both encoded agencies"
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)
    # An incremental run over the same records keeps every record's person.
    assert main(["link", "--no-progress"]) == 0
    assert people_of() == persons

    # The child's record: the agency's reference and its events, never a filter or digest.
    record = SourceRecord.objects.filter(agency_id="health", record_id__in=[k.split(":")[1] for k in encoded],
                                         events__isnull=False).first()  # fmt: skip
    assert record is not None and record.person_id
    client = factories.signed_in(factories.user("practitioner", "health"))
    page = client.get(f"/people/{record.person_id}").content.decode()
    chronology = client.get(f"/people/{record.person_id}/chronology").content.decode()
    linkage = client.get(f"/people/{record.person_id}/linkage")
    assert linkage.status_code == 200
    texts = (page, chronology, linkage.content.decode())
    assert record.record_id in page and "Encoded" in page
    event = SourceEvent.objects.filter(record=record).first()
    assert event is not None and event.occurred_on.strftime("%Y") in chronology
    values = [v for v in EncodedRecord.objects.get(source=record).encoded.values() for v in v.split(";") if v]
    for text in texts:
        assert not any(v[:24] in text for v in values)
        assert not any(base64.b64encode(base64.b64decode(v)[:12]).decode() in text for v in values)


@pytest.mark.slow
@pytest.mark.usefixtures("imported")
def test_with_the_agreements_secret_the_hub_links_plain_records_to_encoded_ones(
    town: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong.secret"
    wrong.write_bytes(b"not the agreement's secret, but long enough")
    assert main(["link", "--no-progress", "--secret-file", str(wrong)]) == 2
    assert "not that of the agreement" in capsys.readouterr().err
    assert not SourceRecord.objects.filter(person__isnull=False).exists()  # nothing written

    secret = tmp_path / "agreement.secret"
    secret.write_bytes(SECRET)
    assert main(["link", "--no-progress", "--secret-file", str(secret)]) == 0
    persons, real = people_of(), truth(town)
    encoded = {f"{a}:{r}" for a, r in EncodedRecord.objects.values_list("agency_id", "record_id")}
    plain = set(persons) - encoded
    cross = {p for p in pairs(real, set(persons)) if (p[0] in encoded) != (p[1] in encoded)}
    found = {p for p in pairs(persons, set(persons)) if (p[0] in encoded) != (p[1] in encoded)}
    precision, recall = scores(found, cross)
    assert cross and plain
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)
