"""A town moved in time (``ends_on``): the same people and events as the default town of that seed, every
date later by the same whole number of weeks, and byte-identical for the same seed and end date."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from sightline.synthetic import PERIOD_END, generate_town, shift_to_end_on

CHILDREN = 120
SEED = 4
ENDS_ON = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Shadows the suite-wide Django settings fixture: the generator is pure Python."""


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("moved")
    generate_town(base / "then", CHILDREN, SEED)
    generate_town(base / "now", CHILDREN, SEED, ends_on=ENDS_ON)
    return base / "then", base / "now"


def test_shift_is_whole_weeks_ending_on_or_just_before_the_day() -> None:
    assert shift_to_end_on(None) == 0
    for day in (ENDS_ON, date(2026, 12, 2), date(2030, 2, 28), PERIOD_END, date(2014, 7, 6)):
        shift = shift_to_end_on(day)
        end = PERIOD_END + timedelta(days=shift)
        assert shift % 7 == 0 and end <= day < end + timedelta(days=7)
        assert end.weekday() == PERIOD_END.weekday()


def test_same_seed_and_end_give_the_same_bytes(pair: tuple[Path, Path], tmp_path: Path) -> None:
    _then, now = pair
    generate_town(tmp_path / "again", CHILDREN, SEED, ends_on=ENDS_ON)
    assert files_of(tmp_path / "again") == files_of(now)


def test_every_date_moves_by_the_same_weeks_and_nothing_else_changes(pair: tuple[Path, Path]) -> None:
    then, now = pair
    shift = timedelta(days=shift_to_end_on(ENDS_ON))
    summary = json.loads((now / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["shifted_by_days"] == shift.days
    assert date.fromisoformat(summary["parameters"]["period_end"]) == PERIOD_END + shift
    old_folders = sorted(p.name for p in (then / "extracts").iterdir())
    new_folders = sorted(p.name for p in (now / "extracts").iterdir())
    assert len(old_folders) == len(new_folders) == 7
    for old_name, new_name in zip(old_folders, new_folders, strict=True):
        old_day = date.fromisoformat(old_name[-10:])
        assert new_name == f"{old_name[:-11]}-{(old_day + shift).isoformat()}"
        old_events, new_events = (
            read(then / "extracts" / old_name / "events.csv"),
            read(now / "extracts" / new_name / "events.csv"),
        )
        assert len(old_events) == len(new_events) > 0
        for a, b in zip(old_events, new_events, strict=True):
            for column in ("occurred_on", "ended_on"):
                if not a[column]:
                    assert not b[column]
                    continue
                assert date.fromisoformat(b[column][:10]) - date.fromisoformat(a[column][:10]) == shift
                assert a[column][10:] == b[column][10:]  # the time of day is kept
            assert {k: v for k, v in a.items() if k not in ("occurred_on", "ended_on")} == {
                k: v for k, v in b.items() if k not in ("occurred_on", "ended_on")
            }
    assert read(then / "truth" / "records.csv") == read(now / "truth" / "records.csv")
    assert (then / "truth" / "networks.csv").read_bytes() == (now / "truth" / "networks.csv").read_bytes()


def test_births_move_with_the_town_and_keep_their_kind_of_noise(pair: tuple[Path, Path]) -> None:
    then, now = pair
    shift = timedelta(days=shift_to_end_on(ENDS_ON))
    old_truth = {p["true_person_id"]: p for p in read(then / "truth" / "persons.csv")}
    new_truth = {p["true_person_id"]: p for p in read(now / "truth" / "persons.csv")}
    for pid, person in old_truth.items():
        moved = date.fromisoformat(person["date_of_birth"]) + shift
        assert new_truth[pid]["date_of_birth"] == moved.isoformat()
    owner = {(r["agency"], r["record_id"]): r["true_person_id"] for r in read(now / "truth" / "records.csv")}
    kinds = {"full": 0, "partial": 0, "transposed": 0}
    for folder in sorted((now / "extracts").iterdir()):
        agency = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["agency"]
        for row in read(folder / "people.csv"):
            written = row["date_of_birth"]
            if not written:
                continue
            true = new_truth[owner[(agency, row["record_id"])]]["date_of_birth"]
            if re.fullmatch(r"\d{4}(-\d{2})?", written):
                assert true.startswith(written)
                kinds["partial"] += 1
            elif written == true:
                kinds["full"] += 1
            else:  # day and month transposed, from the moved date
                y, m, d = true.split("-")
                assert written == f"{y}-{d}-{m}", (written, true)
                kinds["transposed"] += 1
    assert kinds["full"] > 0 and kinds["partial"] > 0
