"""Variant towns: every shipped variant generates, the truth holds each phenomenon in the proportion asked
for, ethnicity stays independent of every role, and the default town has not moved by a byte."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from sightline.synthetic import generate_town, load_variant, with_settings
from sightline.synthetic.commands import register
from sightline.synthetic.names import ETHNICITIES
from sightline.synthetic.variants import DECOYS, HUB_KINDS, MODELS, Variant, from_mapping, names

# Every phenomenon at a rate high enough to measure in a town of 6,000 children.
MEASURED = {
    "name": "measured",
    "victims": {
        "share": 0.04,
        "boys": 0.3,
        "criminal_boys": 0.8,
        "placed": 0.1,
        "flagged": 0.4,
        "low_visibility": 0.3,
    },
    "models": {
        "group": 2,
        "boyfriend": 1,
        "party_house": 1,
        "taxi": 1,
        "phone": 1,
        "peer": 1,
        "county_lines": 1,
    },
    "offenders": {"aliases": 0.4, "shared_phones": 0.3, "shared_vehicles": 0.3, "described_only": 0.15},
    "children": {
        "placed": 0.01,
        "runaways": 0.02,
        "same_age_partners": 0.03,
        "friendship_groups": 0.04,
        "many_placements": 0.008,
        "abused_at_home": 0.01,
    },
    "hubs": dict.fromkeys(HUB_KINDS, 1.5),
    "records": {"twins": 0.01, "street_namesakes": 0.003, "fathers_and_sons": 0.2, "duplicates": 1.5},
}
CHILDREN = 6000
# Of the whole default town at 200 children, seed 5: as before variants existed, with licensing's
# `licence` column since 2026-12-04.
DEFAULT_TOWN_SHA256 = "7df1a4adf2d5f51893387dba73317eec0c579ed09195fbc908cb8d5c78fa6589"


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Shadows the suite-wide Django settings fixture: the generator is pure Python."""


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Variant, dict[str, dict[str, str]], dict]:
    out = tmp_path_factory.mktemp("measured")
    variant = from_mapping(MEASURED)
    generate_town(out, CHILDREN, 3, variant=variant)
    kinds = {r["true_person_id"]: r for r in read(out / "truth" / "kinds.csv")}
    persons = {r["true_person_id"]: r for r in read(out / "truth" / "persons.csv")}
    for pid, row in kinds.items():
        for column in ("ethnicity", "given_name", "family_name"):
            row[column] = persons[pid][column]
    return variant, kinds, json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))


# --- every shipped variant ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names())
def test_each_variant_generates_a_town_with_truth_for_everyone(name: str, tmp_path: Path) -> None:
    summary = generate_town(tmp_path, 400, 1, variant=load_variant(name))
    assert summary.variant == name and summary.victims >= 4
    kinds = {r["true_person_id"]: r for r in read(tmp_path / "truth" / "kinds.csv")}
    persons = read(tmp_path / "truth" / "persons.csv")
    assert set(kinds) == {p["true_person_id"] for p in persons}
    owners = {
        (r["agency"], r["record_id"]): r["true_person_id"] for r in read(tmp_path / "truth" / "records.csv")
    }
    for folder in (tmp_path / "extracts").iterdir():
        agency = json.loads((folder / "manifest.json").read_text())["agency"]
        ids = {r["record_id"] for r in read(folder / "people.csv")}
        assert ids == {rid for a, rid in owners if a == agency}
        for e in read(folder / "events.csv"):
            assert e["record_id"] in ids
            assert all(o.rpartition(":")[0] in ids for o in e["others"].split(";") if o)
    roles = Counter(r["role"] for r in kinds.values())
    assert roles["victim"] == summary.victims and roles["offender"] == summary.offenders
    variant = load_variant(name)
    models = {r["label"] for r in kinds.values() if r["role"] == "victim"}
    assert models <= set(variant.model_shares()) and len(models) >= 2  # several phenomena mixed
    assert all(
        r["label"] in DECOYS or r["label"] == "older_friend" for r in kinds.values() if r["role"] == "decoy"
    )


def test_same_seed_and_variant_give_the_same_bytes(tmp_path: Path) -> None:
    variant = load_variant("noisy-records")
    generate_town(tmp_path / "a", 300, 7, variant=variant)
    generate_town(tmp_path / "b", 300, 7, variant=load_variant("noisy-records"))
    generate_town(tmp_path / "c", 300, 7, variant=load_variant("phone-led"))
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_the_default_town_is_unchanged_byte_for_byte(tmp_path: Path) -> None:
    """Tests and the demo rely on the default town: a change to it must be deliberate (update the digest)."""
    generate_town(tmp_path, 200, 5)
    assert not (tmp_path / "truth" / "kinds.csv").exists()
    assert digest(tmp_path) == DEFAULT_TOWN_SHA256


# --- proportions -------------------------------------------------------------------------------------------
def test_victims_by_model_sex_and_placement(measured: tuple) -> None:
    variant, kinds, _ = measured
    victims = [r for r in kinds.values() if r["role"] == "victim"]
    wanted = round(CHILDREN * variant.victims)
    assert wanted - 5 <= len(victims) <= wanted
    by_model = Counter(r["label"] for r in victims)
    for model, share in variant.model_shares().items():
        assert abs(by_model[model] - share * wanted) <= max(2, 0.1 * share * wanted), model
    sexual = [r for r in victims if r["exploitation"] == "sexual"]
    criminal = [r for r in victims if r["exploitation"] == "criminal"]
    assert {r["label"] for r in criminal} == {"county_lines"}
    assert abs(sum(r["sex"] == "M" for r in sexual) / len(sexual) - variant.boys) < 0.05
    assert abs(sum(r["sex"] == "M" for r in criminal) / len(criminal) - variant.criminal_boys) < 0.1
    low = sum(r["visibility"] == "low" for r in victims)
    assert abs(low - variant.low_visibility * len(victims)) < 4 * math.sqrt(len(victims) * 0.3 * 0.7)
    placed = [r for r in victims if "placed" in r["traits"].split(";")]
    assert abs(len(placed) - variant.placed_victims * wanted) <= 3
    assert all(r["placed_from"] and "in_care" in r["traits"] for r in placed)


def test_decoys_hubs_and_record_traps(measured: tuple) -> None:
    variant, kinds, summary = measured
    children = [r for r in kinds.values() if r["kind"] == "child"]
    assert len(children) == CHILDREN
    decoys = Counter(r["label"] for r in children if r["role"] == "decoy")
    rates = {
        "runaway": variant.runaways,
        "same_age_partner": variant.same_age_partners,
        "friendship_group": variant.friendship_groups,
        "many_placements": variant.many_placements,
        "abused_at_home": variant.abused_at_home,
    }
    for label, rate in rates.items():
        assert abs(decoys[label] - rate * CHILDREN) <= max(3, 0.1 * rate * CHILDREN), label
    placed = sum("placed" in r["traits"].split(";") for r in children)
    assert placed == round(CHILDREN * variant.placed_children)
    hubs = Counter(r["label"] for r in kinds.values() if r["role"] == "benign_hub")
    assert set(hubs) == set(HUB_KINDS)
    assert sum(hubs.values()) == round(CHILDREN * sum(variant.hubs.values()) / 1000)
    traits = Counter(t for r in children for t in r["traits"].split(";") if t)
    assert round(0.8 * CHILDREN * variant.twins) * 2 <= traits["twin"] <= round(CHILDREN * variant.twins) * 2
    assert traits["street_namesake"] >= 2 * round(0.8 * CHILDREN * variant.street_namesakes)
    sons = [r for r in children if "father_son" in r["traits"].split(";")]
    assert 0 < len(sons) < CHILDREN * variant.fathers_and_sons
    fathers = {
        (r["given_name"], r["family_name"])
        for r in kinds.values()
        if r["kind"] == "adult" and "father_son" in r["traits"].split(";")
    }
    assert all((r["given_name"], r["family_name"]) in fathers for r in sons)
    assert summary["variant"]["settings"]["records.duplicates"] == 1.5


def test_offenders_habits_in_proportion(measured: tuple) -> None:
    variant, kinds, _ = measured
    offenders = [r for r in kinds.values() if r["role"] == "offender"]
    assert all(r["label"] in MODELS and r["network_id"] for r in offenders)
    traits = Counter(t for r in offenders for t in r["traits"].split(";") if t)
    n = len(offenders)

    def near(count: int, p: float) -> bool:
        return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p)) + 2

    assert near(traits["aliases"], variant.aliases * (1 - variant.described_only))
    assert traits["described_only"] > 0 and traits["shared_phone"] > 0 and traits["shared_vehicle"] > 0
    peers = [r for r in offenders if r["label"] == "peer"]
    assert peers and all(18 <= int(r["age"]) <= 22 for r in peers)
    assert any("taxi_licence" in r["traits"] for r in offenders if r["label"] == "taxi")


def chi_square(table: dict[str, Counter[str]]) -> float:
    rows, cols = list(table), sorted({c for row in table.values() for c in row})
    total = sum(sum(row.values()) for row in table.values())
    stat = 0.0
    for r in rows:
        for c in cols:
            expected = sum(table[r].values()) * sum(table[x][c] for x in rows) / total
            stat += (table[r][c] - expected) ** 2 / expected if expected else 0.0
    return stat


def test_ethnicity_is_independent_of_every_role(measured: tuple) -> None:
    """Among children and among adults from outside the households (whose ethnicity follows the town's
    mix), the share of each community does not depend on role: chi-square over White British, Pakistani
    and everyone else, below the 0.1% critical value."""

    def band(code: str) -> str:
        return code if code in ("WBRI", "APKN") else "other"

    _, kinds, _ = measured
    child_roles: dict[str, Counter[str]] = {}
    for r in kinds.values():
        if r["kind"] == "child":
            child_roles.setdefault(r["role"], Counter())[band(r["ethnicity"])] += 1
    assert chi_square(child_roles) < 13.82  # 2 degrees of freedom (victim, decoy, ordinary x 3)
    town = {band(c): 0.0 for c in ETHNICITIES}
    for code, (weight, *_) in ETHNICITIES.items():
        town[band(code)] += weight
    adults = [r for r in kinds.values() if r["role"] in ("offender", "benign_hub")]
    counts = Counter(band(r["ethnicity"]) for r in adults)
    total = sum(town.values())
    fit = sum((counts[b] - len(adults) * w / total) ** 2 / (len(adults) * w / total) for b, w in town.items())
    assert fit < 13.82  # goodness of fit to the town's mix, 2 degrees of freedom


# --- reading variants --------------------------------------------------------------------------------------
def test_variant_files_and_settings(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("name: mine\nmodels: {taxi: 1}\nchildren: {runaways: 0.02}\n")
    mine = load_variant(tmp_path / "mine.yaml")
    assert mine.name == "mine" and mine.model_shares() == {"taxi": 1.0} and mine.runaways == 0.02
    tuned = with_settings(mine, ["models.peer=1", "records.duplicates=2"])
    assert tuned.model_shares() == {"taxi": 0.5, "peer": 0.5} and tuned.duplicates == 2.0
    for bad, message in (
        ({"victims": {"shares": 0.1}}, "unknown setting"),
        ({"models": {"grooming": 1}}, "unknown models kind"),
        ({"children": {"runaways": 1.5}}, "out of range"),
        ({"models": {"group": 0}}, "no model"),
    ):
        with pytest.raises(ValueError, match=message):
            from_mapping(bad)
    with pytest.raises(ValueError, match="no variant"):
        load_variant("nowhere-town")
    with pytest.raises(ValueError, match="KEY=VALUE"):
        with_settings(Variant(), ["models.taxi"])


def test_generate_town_command_takes_a_variant_and_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "generate-town",
            str(tmp_path / "t"),
            "--children",
            "200",
            "--variant",
            "taxi-town",
            "--set",
            "models.county_lines=1",
            "--no-progress",
        ]
    )
    assert args.func(args) == 0
    assert "(variant taxi-town)" in capsys.readouterr().out
    settings = json.loads((tmp_path / "t" / "truth" / "summary.json").read_text())["variant"]["settings"]
    assert settings["models.county_lines"] == 1.0 and settings["models.taxi"] == 0.55
    bad = parser.parse_args(["generate-town", str(tmp_path / "u"), "--variant", "nowhere"])
    assert bad.func(bad) == 2
    assert "no variant" in capsys.readouterr().err


def test_a_parents_number_on_a_childs_hospital_attendance(tmp_path: Path) -> None:
    """``records.parent_numbers``: a hospital attendance gives a parent's mobile as the contact, the
    parent not named on it; the default town has none, so it stays byte for byte."""
    generate_town(
        tmp_path, 600, 2, variant=with_settings(load_variant("baseline"), ["records.parent_numbers=1"])
    )
    truth = {
        (r["agency"], r["record_id"]): r["true_person_id"] for r in read(tmp_path / "truth" / "records.csv")
    }
    persons = {r["true_person_id"]: r for r in read(tmp_path / "truth" / "persons.csv")}
    ordinary = {
        r["true_person_id"] for r in read(tmp_path / "truth" / "kinds.csv") if r["role"] == "ordinary"
    }
    owner: dict[str, str] = {}
    postcodes: dict[str, set[str]] = {}
    for folder in (tmp_path / "extracts").iterdir():
        agency = folder.name.rsplit("-", 3)[0]
        for r in read(folder / "people.csv"):
            pid = truth[(agency, r["record_id"])]
            if r["phone"]:
                owner[re.sub(r"\D", "", r["phone"])] = pid
            postcodes.setdefault(pid, set()).add(r["postcode"])
    health = next((tmp_path / "extracts").glob("health-*"))
    given = [
        e
        for e in read(health / "events.csv")
        if e["kind"] == "health_attendance" and e["phone"] and truth[("health", e["record_id"])] in ordinary
    ]
    # Some parents' own records hold no number: those attendances cannot be checked.
    known = [e for e in given if re.sub(r"\D", "", e["phone"]) in owner]
    assert len(known) >= 10
    for e in known:
        child, parent = truth[("health", e["record_id"])], owner[re.sub(r"\D", "", e["phone"])]
        assert persons[parent]["kind"] == "adult" and persons[child]["kind"] == "child"
        same_family = persons[parent]["family_name"] == persons[child]["family_name"]
        assert same_family or (postcodes[parent] & postcodes[child]) - {""}
