"""The attacks of docs/pprl.md on the town's encodings: they work on unhardened filters and fail on
hardened ones. Re-identification is counted beyond chance (attacks.Score): in this town one person
in twenty is a Smith, so a blind guess of 'smith' is right that often and shows nothing."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from sightline.pprl import normalise as norm
from sightline.pprl.bloom import Encoder, Params
from sightline.pprl.extract import Extract, references
from sightline.pprl.records import PEOPLE_COLUMNS
from sightline.pprl.rows import RowEncoder

from .attacks import Target, Units, frequency_attack, pattern_mining_attack, score
from .conftest import SECRET

FIELDS = {"given": "given_name", "family": "family_name"}


def _encoded(
    extracts: list[tuple[Path, Extract]], params: Params
) -> list[tuple[dict[str, str], dict[str, str]]]:
    rows = RowEncoder(Encoder.create(SECRET, params))
    out = []
    for _, extract in extracts:
        refs = references(extract)
        encoded = rows.people([(r, refs[r["record_id"]]) for r in extract.people])
        out += [(r, dict(zip(PEOPLE_COLUMNS, e))) for r, e in zip(extract.people, encoded)]
    return out


def _register(town: Path, params: Params, field: str) -> Units:
    """The attacker's population register (the town's true persons) as the scheme would encode it:
    the scheme is public, only the secret is not."""
    units: Units = {False: Counter(), True: Counter()}
    spread = range(-params.dob_year_spread, params.dob_year_spread + 1)
    with (town / "truth" / "persons.csv").open(encoding="utf-8") as handle:
        for p in csv.DictReader(handle):
            given, family = norm.name(p["given_name"]), norm.name(p["family_name"])
            value = f"{given}|{family}" if field == "fullname" else norm.name(p[FIELDS[field]])
            dob = norm.birth_date(p["date_of_birth"])
            if not (given and family) and field == "fullname" and params.salted_by_year:
                continue
            if not params.salted_by_year or dob is None:
                units[False][(value, "")] += 1
                continue
            years = [str(dob.year + d) for d in spread]
            if field == "fullname":
                salts = years
            else:
                salts = RowEncoder.name_salts(dob, years, by_day=field == "family")
            units[True].update((value, s) for s in salts)
    return units


def _target(rows: list[tuple[dict[str, str], dict[str, str]]], field: str, params: Params) -> Target:
    def truth(r: dict[str, str]) -> str:
        if field == "fullname":
            return f"{norm.name(r['given_name'])}|{norm.name(r['family_name'])}"
        return norm.name(r[FIELDS[field]])

    encodings = [[e for e in o[f"{field}_bf"].split(";") if e] for _, o in rows]
    # The attacker sees which records are salted: the manifest says whether names are, and the
    # unsalted ones carry no birth years.
    salted = [params.salted_by_year and bool(o["birth_years"]) for _, o in rows]
    return Target(encodings, salted, [truth(r) for r, _ in rows])


def _attack(town: Path, extracts: list[tuple[Path, Extract]], params: Params) -> dict[str, dict[str, float]]:
    rows = _encoded(extracts, params)
    results = {}
    for field in ("given", "family", "fullname"):
        target, register = _target(rows, field, params), _register(town, params, field)
        guesses = {
            "frequency": frequency_attack(target, register),
            "pattern mining": pattern_mining_attack(target, register, params.k),
        }
        parts = {"given": 0, "family": 1} if field == "fullname" else {field: None}
        for attack, guess in guesses.items():
            for part_name, part in parts.items():
                s = score(target, guess, part)
                results[f"{attack} on {field}_bf ({part_name})"] = {
                    "rate": s.rate, "beyond": s.beyond_chance, "top": s.top_rate,
                }  # fmt: skip
    return results


@pytest.mark.slow
@pytest.mark.parametrize("hardening", ["fold", "balance"])
def test_hardened_encodings_resist_both_attacks(
    town: Path, extracts: list[tuple[Path, Extract]], hardening: str
) -> None:
    results = _attack(town, extracts, Params(salt="agreement", hardening=hardening))
    for name, r in results.items():
        assert r["beyond"] < 0.01, f"{name}: {r['beyond']:.2%} of records re-identified beyond chance"
        assert r["top"] < 0.1, f"{name}: {r['top']:.0%} of the 20 most frequent names re-identified"


@pytest.mark.slow
def test_without_hardening_the_same_attacks_work(town: Path, extracts: list[tuple[Path, Extract]]) -> None:
    results = _attack(town, extracts, Params(salt="agreement", hardening="off"))
    family = results["frequency on family_bf (family)"]
    given = results["pattern mining on given_bf (given)"]
    assert family["beyond"] > 0.10 and family["top"] > 0.10, family
    assert given["beyond"] > 0.05, given
