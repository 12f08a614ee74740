"""The quality benchmark's run (see bench_quality.py, which starts Django in a fresh SIGHTLINE_HOME
before importing this module): generate, import, link and analyse, then compare with the truth."""

from __future__ import annotations

import csv
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from bench_analysis import baselines, recall
from django.core.management import call_command

from sightline.access.services import ensure_standard_agencies
from sightline.extracts.services import do_import_extract
from sightline.intelligence.services import do_analyse, load_inputs
from sightline.people.linkage.evaluate import pairwise_scores
from sightline.people.linkage.run import do_link
from sightline.people.models import SourceRecord
from sightline.synthetic import generate_town

# What makes a record more than a name, an age and a sex: every people.csv column but these.
_NOT_DETAIL = {
    "record_id",
    "given_name",
    "date_of_birth",
    "estimated_age",
    "sex",
    "ethnicity",
    "description",
    "school",
}


def hopeless_records(town: Path) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """(true person of each record, the records that people.csv cannot tell apart).

    A record is bare if it holds no family name, alias, address, postcode, phone, email or
    identifier, and at most a partial date of birth or an estimated age: a name, perhaps a sex and
    an age. A bare record is indistinguishable if no other record of its person carries its name
    (as a given name or an alias) and the name is not the person's own, or if another person in
    the town goes by that name too (their own given name, or the given name or alias on any of their
    records) and has a compatible sex and a birth year within 3 years. A true pair holding such a
    record has nothing in people.csv that tells it apart from pairs with other people.
    """
    truth = {
        (r["agency"], r["record_id"]): r["true_person_id"] for r in _rows(town / "truth" / "records.csv")
    }
    persons = {r["true_person_id"]: r for r in _rows(town / "truth" / "persons.csv")}
    records: dict[tuple[str, str], dict[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}  # the year an estimated age refers to: the extract's
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for r in _rows(folder / "people.csv"):
            key = (manifest["agency"], r["record_id"])
            records[key], seen[key] = r, int(manifest["extracted_on"][:4])

    def names(r: dict[str, str]) -> set[str]:
        out = {r.get("given_name", "").strip().lower()}
        out |= {n.strip().lower() for n in r.get("other_names", "").split(";")}
        return out - {""}

    carriers: dict[str, dict[str, int]] = {}  # name -> person -> how many records carry it
    for pid, p in persons.items():
        carriers.setdefault(p["given_name"].lower(), {})[pid] = 1
    for key, r in records.items():
        for name in names(r):
            held = carriers.setdefault(name, {})
            held[truth[key]] = held.get(truth[key], 0) + 1

    def year_of(pid: str) -> int | None:
        dob = persons[pid]["date_of_birth"]
        return int(dob[:4]) if dob else None

    def indistinguishable(key: tuple[str, str]) -> bool:
        r = records[key]
        if (
            any(v.strip() for c, v in r.items() if c not in _NOT_DETAIL and v)
            or len(r.get("date_of_birth", "")) >= 10
        ):
            return False
        pid = truth[key]
        name, sex = r.get("given_name", "").strip().lower(), r.get("sex", "")
        held = carriers.get(name, {})
        own = persons[pid]["given_name"].lower() == name
        if not own and held.get(pid, 0) < 2:  # only this record carries the name
            return True
        age = r.get("estimated_age", "").strip()
        year = (
            seen[key] - int(age) if age else int(r["date_of_birth"][:4]) if r.get("date_of_birth") else None
        )
        for other in held:
            if other == pid:
                continue
            other_year = year_of(other)
            if (sex in ("", "U") or persons[other]["sex"] == sex) and (
                year is None or other_year is None or abs(other_year - year) <= 3
            ):
                return True
        return False

    hopeless = {key for key in records if indistinguishable(key)}
    return truth, hopeless


def evidence_ceiling(town: Path) -> tuple[int, int]:
    """(true pairs, true pairs no linker can find on evidence): see :func:`hopeless_records`."""
    truth, hopeless = hopeless_records(town)
    members: dict[str, list[tuple[str, str]]] = {}
    for key, pid in truth.items():
        members.setdefault(pid, []).append(key)
    total = lost = 0
    for keys in members.values():
        for a, b in itertools.combinations(keys, 2):
            total += 1
            lost += a in hopeless or b in hopeless
    return total, lost


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(children: int, seed: int, home: Path) -> int:
    """Print the quality and timing tables for a town of ``children`` made from ``seed`` in ``home``."""
    timings: dict[str, float] = {}
    call_command("migrate", interactive=False, verbosity=0)
    ensure_standard_agencies()

    t = time.perf_counter()
    town = home / "town"
    summary = generate_town(town, children, seed)
    timings["generate-town"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = 0
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        result = do_import_extract(folder)
        if result.problems:
            print("\n".join(str(p) for p in result.problems[:20]), file=sys.stderr)
            return 1
        rows += result.rows
    timings["import"] = time.perf_counter() - t

    t = time.perf_counter()
    link_summary, _ = do_link()
    timings["link"] = time.perf_counter() - t

    t = time.perf_counter()
    analyse_summary, analysis = do_analyse()
    timings["analyse"] = time.perf_counter() - t

    # --- linkage against the truth ----------------------------------------------------------------
    truth = pd.read_csv(town / "truth" / "records.csv", dtype=str, keep_default_na=False)
    true_of = dict(zip(truth["agency"] + ":" + truth["record_id"], truth["true_person_id"], strict=True))
    person_of = {
        f"{a}:{r}": p for a, r, p in SourceRecord.objects.values_list("agency_id", "record_id", "person_id")
    }
    pw = pairwise_scores(person_of, true_of)

    # --- alerts against the truth -----------------------------------------------------------------
    # Each Sightline person stands for the true person most of its records belong to.
    votes: dict[str, Counter[str]] = {}
    for key, pid in person_of.items():
        votes.setdefault(pid, Counter())[true_of.get(key, "")] += 1
    truth_of_person = {pid: c.most_common(1)[0][0] for pid, c in votes.items()}

    def as_truth(ranked: list[str]) -> list[str]:
        out, seen = [], set()
        for pid in ranked:
            tid = truth_of_person.get(pid, "")
            if tid and tid not in seen:
                seen.add(tid)
                out.append(tid)
        return out

    persons = pd.read_csv(town / "truth" / "persons.csv", dtype=str, keep_default_na=False)
    victims = persons[persons["role"] == "victim"]
    victim_ids = set(victims["true_person_id"])
    hidden = set(victims.loc[victims["flagged_by_social_care"] != "1", "true_person_id"])
    offenders = set(persons.loc[persons["role"] == "offender", "true_person_id"])
    hubs = set(persons.loc[persons["role"] == "benign_hub", "true_person_id"])
    k_child, k_adult = 2 * len(victim_ids), 2 * len(offenders)

    inputs = load_inputs()
    children = set(analysis.scores.loc[analysis.scores["role"] == "child", "subject_id"])
    ranked = [
        ("sightline analyse",
         [a.subject_id for a in analysis.alerts_of("child_at_risk")],
         [a.subject_id for a in analysis.alerts_of("adult_of_concern")]),
    ]  # fmt: skip
    for name, (c, a) in baselines(
        inputs.records, inputs.events, inputs.event_people, set(inputs.flagged), children
    ).items():
        ranked.append((name, c, a))

    print(f"# Quality: town of {summary.children:,} children (seed {seed}), SQLite + DuckDB, {home}")
    print()
    print(
        f"{summary.children:,} children, {summary.adults:,} adults; {sum(summary.records.values()):,} person "
        f"records and {sum(summary.events.values()):,} events in {len(summary.extracts)} extracts; "
        f"{len(victim_ids)} victims ({len(hidden)} hidden), {len(offenders)} offenders, "
        f"{len(hubs)} benign hubs; "
        f"K children {k_child}, K adults {k_adult}"
    )
    print()
    print(
        f"Linkage: {link_summary.records:,} records into {link_summary.people:,} people; pairwise precision "
        f"{pw.precision:.4f}, recall {pw.recall:.4f}, F1 {pw.f1:.4f}; review queue {link_summary.review_open}"
    )
    total, lost = evidence_ceiling(town)
    ceiling = 1 - lost / total if total else 1.0
    print(
        f"Evidence ceiling: {lost:,} of {total:,} true pairs hold a bare record that people.csv cannot tell "
        f"apart (first name and age or sex only, shared with others of that description): recall at most "
        f"{ceiling:.4f}, so F1 at most {2 * ceiling / (1 + ceiling):.4f} even with precision 1"
    )
    print()
    print(
        "| method | hidden-victim recall@K | all-victim recall@K | offender recall@K | benign hubs in top K |"
    )
    print("|---|---|---|---|---|")
    for name, c, a in ranked:
        c_t, a_t = as_truth(c), as_truth(a)
        print(
            f"| {name} | {recall(c_t, hidden, k_child):.3f} | {recall(c_t, victim_ids, k_child):.3f} | "
            f"{recall(a_t, offenders, k_adult):.3f} | {len(set(a_t[:k_adult]) & hubs)} |"
        )
    print()
    print(f"Alerts: {analyse_summary.alerts} ({analyse_summary.networks} networks)")
    print()
    print("| step | seconds |")
    print("|---|---|")
    for step, seconds in timings.items():
        extra = f" ({rows / seconds:,.0f} rows/s)" if step == "import" else ""
        print(f"| {step} | {seconds:.1f}{extra} |")
    print(f"| link + analyse | {timings['link'] + timings['analyse']:.1f} |")
    return 0
