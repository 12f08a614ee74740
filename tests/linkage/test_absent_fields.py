"""Linkage survives foreign data: a field absent from every extract (no postcodes, no dates of birth, no
identifiers) skips the training steps that would compare it, says so in one line, and still links."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest

from sightline.people.linkage import link_records
from sightline.people.linkage.model import model_matches_structure
from tests.linkage.conftest import AS_OF, Town


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


@pytest.mark.parametrize(
    ("absent", "skipped", "min_f1"),
    [
        (("postcode", "address"), "postcode and birth year", 0.85),
        (("date_of_birth", "estimated_age"), "same date of birth", 0.75),
        (("nhs_number", "upn", "pnc_id"), "comparison levels never seen in training", 0.9),
    ],
)
def test_link_without_a_field_in_any_extract(
    town: Town,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    absent: tuple[str, ...],
    skipped: str,
    min_f1: float,
) -> None:
    records = town.records.copy()
    for column in absent:
        records[column] = ""
    with caplog.at_level(logging.WARNING, logger="sightline.people.linkage.model"):
        result = link_records(records, model_path=tmp_path / "model.json", as_of=AS_OF)
    said = [r.getMessage() for r in caplog.records if r.name == "sightline.people.linkage.model"]
    assert len(said) == 1 and said[0].startswith("linkage training could not estimate"), said
    assert skipped in said[0]
    assert model_matches_structure(result.model)  # no comparison lost with a skipped step

    found: dict[str, list[str]] = {}
    for key, cluster in result.clusters.items():
        found.setdefault(cluster, []).append(key)
    truth: dict[str, list[str]] = {}
    for key in records["record_key"]:
        truth.setdefault(town.truth.get(key, key), []).append(key)
    linked, true = _pairs(found), _pairs(truth)
    precision, recall = len(linked & true) / len(linked), len(linked & true) / len(true)
    assert precision >= 0.97, precision
    assert 2 * precision * recall / (precision + recall) >= min_f1, (precision, recall)


def test_no_identifier_and_no_birth_date_still_links(town: Town, tmp_path: Path) -> None:
    """With nothing that proves a match, the share of matching records is assumed, not estimated as 0
    (which would link nothing)."""
    records = town.records.copy()
    for column in ("date_of_birth", "estimated_age", "nhs_number", "upn", "pnc_id"):
        records[column] = ""
    result = link_records(records, model_path=tmp_path / "model.json", as_of=AS_OF)
    assert 0 < result.model["probability_two_random_records_match"] < 0.01
    assert len(set(result.clusters.values())) < 0.9 * len(records)
