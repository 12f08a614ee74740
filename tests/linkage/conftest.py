"""Shared fixtures: one small synthetic town, linked once, whose trained model the
hand-built tests reuse (training needs a few hundred people to learn from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sightline.people.linkage import LinkageResult, link_records
from sightline.people.linkage.extracts import records_from_extracts
from sightline.synthetic import generate_town

TOWN_CHILDREN = 600
TOWN_SEED = 11
AS_OF = date(2014, 7, 1)


@dataclass
class Town:
    root: Path
    records: pd.DataFrame
    truth: dict[str, str]
    model_path: Path
    result: LinkageResult


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Town:
    root = tmp_path_factory.mktemp("town")
    generate_town(root, TOWN_CHILDREN, TOWN_SEED)
    records = records_from_extracts(root / "extracts")
    truth_frame = pd.read_csv(root / "truth" / "records.csv", dtype=str)
    truth = dict(
        zip(
            truth_frame["agency"] + ":" + truth_frame["record_id"], truth_frame["true_person_id"], strict=True
        )
    )
    model_path = root / "linkage-model.json"
    result = link_records(records, model_path=model_path, as_of=AS_OF)
    return Town(root, records, truth, model_path, result)


@pytest.fixture(scope="session")
def model_path(town: Town) -> Path:
    return town.model_path
