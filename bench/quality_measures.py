"""Measures of a ranked alert list and of linkage against a synthetic town's truth (no Django).

- Who is who comes from `truth/kinds.csv` (a variant town), or from `truth/persons.csv` for the default
  town (victims of the `group` model, runaways as its only decoys).
- `measure` scores one method's ranked children and adults; `reference` is the transparent method to beat:
  the truth as a perfect linkage, and a weighted count of concerning events (`CHILD_WEIGHTS`, `ADULT_ROLES`).
- `hopeless_records` is the evidence ceiling of linkage: records whose people.csv row cannot be told apart,
  judged from what the records hold and who the truth says they are, never from any linker's output.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Key = tuple[str, str]  # (agency, record_id)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def extract_folders(town: Path) -> list[tuple[dict[str, str], Path]]:
    out = []
    for folder in sorted(p for p in (town / "extracts").iterdir() if p.is_dir()):
        out.append((json.loads((folder / "manifest.json").read_text(encoding="utf-8")), folder))
    return out


# --- who is who --------------------------------------------------------------------------------------------
def kinds(town: Path) -> dict[str, dict[str, str]]:
    """true_person_id -> kind, sex, role, label, exploitation, traits, flagged_by_social_care."""
    path = town / "truth" / "kinds.csv"
    if path.exists():
        return {r["true_person_id"]: r for r in rows(path)}
    out = {}
    for p in rows(town / "truth" / "persons.csv"):  # the default town
        role = {"missing_not_exploited": "decoy"}.get(p["role"], p["role"])
        label = {"victim": "group", "offender": "group", "decoy": "runaway"}.get(role, "")
        out[p["true_person_id"]] = {
            "kind": p["kind"],
            "sex": p["sex"],
            "role": role,
            "label": label,
            "exploitation": "sexual" if role in ("victim", "offender") else "",
            "traits": "",
            "flagged_by_social_care": p["flagged_by_social_care"],
        }
    return out


def findable_victims(town: Path, who: dict[str, dict[str, str]]) -> set[str]:
    """Victims whose records hold any trace of an offender: an event naming both, or a phone number
    or full vehicle plate that one of the victim's events or records shares with an offender's.
    Judged from the extracts and the truth's roles, never from a detector's output: a victim with
    no such record can only be found by the indicators of a child at risk, not by exploitation."""
    truth = {(r["agency"], r["record_id"]): r["true_person_id"] for r in rows(town / "truth" / "records.csv")}
    offenders = {p for p, r in who.items() if r["role"] == "offender"}
    named: dict[tuple[str, str], set[str]] = defaultdict(set)  # event -> true people on it
    held: dict[str, set[str]] = defaultdict(set)  # phone or plate -> true people holding it
    for manifest, folder in extract_folders(town):
        agency = manifest["agency"]
        for r in rows(folder / "people.csv"):
            for phone in filter(None, map(_digits, r.get("phone", "").split(";"))):
                held["phone:" + phone].add(truth.get((agency, r["record_id"]), ""))
        for e in rows(folder / "events.csv"):
            people = {truth.get((agency, e["record_id"]), "")}
            people |= {truth.get((agency, o.rsplit(":", 1)[0]), "") for o in e["others"].split(";") if o}
            named[(agency, e["event_id"])] |= people
            things = [f"phone:{d}" for d in map(_digits, e.get("phone", "").split(";")) if d]
            things += [
                "plate:" + v.replace(" ", "").upper()
                for v in e.get("vehicle", "").split(";")
                if v and "?" not in v
            ]
            for thing in things:
                held[thing] |= people
    found = set()
    for group in (*named.values(), *held.values()):
        if group & offenders:
            found |= group
    return {p for p in found if who.get(p, {}).get("role") == "victim"}


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-10:]


# --- ranked lists ------------------------------------------------------------------------------------------
def average_precision(ranked: list[str], relevant: set[str], neutral: Iterable[str] = ()) -> float:
    """Mean of the precision at each relevant item's rank, over every relevant item (those never ranked
    count as 0). Items in `neutral` are taken out of the list first (known victims above hidden ones)."""
    if not relevant:
        return math.nan
    skip = set(neutral) - relevant
    hits, total, rank = 0, 0.0, 0
    for item in ranked:
        if item in skip:
            continue
        rank += 1
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else math.nan


def measure(
    children: list[str],
    adults: list[str],
    who: dict[str, dict[str, str]],
    findable: set[str] | None = None,
) -> dict[str, Any]:
    """Every measure of one method's ranked children and adults (true person ids, best first).
    ``findable``: victims whose records hold a trace of an offender (:func:`findable_victims`)."""
    victims = {p for p, r in who.items() if r["role"] == "victim"}
    hidden = {p for p in victims if who[p]["flagged_by_social_care"] != "1"}
    offenders = {p for p, r in who.items() if r["role"] == "offender"}
    decoys = {p for p, r in who.items() if r["role"] == "decoy" and r["kind"] == "child"}
    decoy_adults = {
        p
        for p, r in who.items()
        if r["kind"] == "adult" and (r["role"] == "decoy" or "abuser" in r["traits"])
    }
    hubs = {p for p, r in who.items() if r["role"] == "benign_hub"}
    v, o = len(victims), len(offenders)
    top_2v, top_2o = children[: 2 * v], adults[: 2 * o]
    boys = {p for p in hidden if who[p]["sex"] == "M"}
    out: dict[str, Any] = {
        "hidden_ap": average_precision(children, hidden, neutral=victims - hidden),
        "hidden_recall_v": recall_at(children, hidden, v),
        "hidden_recall_2v": recall_at(children, hidden, 2 * v),
        "victim_ap": average_precision(children, victims),
        "victim_recall_2v": recall_at(children, victims, 2 * v),
        "boys_recall_2v": recall_at(children, boys, 2 * v),
        "findable_hidden_recall_2v": recall_at(children, hidden & findable, 2 * v)
        if findable is not None
        else math.nan,
        "findable_hidden_share": len(hidden & findable) / len(hidden)
        if findable is not None and hidden
        else math.nan,
        "decoys_top_2v": sum(p in decoys for p in top_2v) / len(top_2v) if top_2v else 0.0,
        "offender_ap": average_precision(adults, offenders),
        "offender_recall_o": recall_at(adults, offenders, o),
        "offender_recall_2o": recall_at(adults, offenders, 2 * o),
        "hubs_top_2o": sum(p in hubs for p in top_2o),
        "decoy_adults_top_2o": sum(p in decoy_adults for p in top_2o),
    }
    groups: dict[str, set[str]] = defaultdict(set)
    for p in victims:
        r = who[p]
        groups[f"model {r['label']}"].add(p)
        groups[f"sex {r['sex']}"].add(p)
        groups[f"exploitation {r['exploitation']}"].add(p)
        if r.get("visibility"):
            groups[f"visibility {r['visibility']}"].add(p)
        groups["placed by another council" if "placed" in r["traits"] else "living with family"].add(p)
    out["victims_by_kind"] = {
        name: {
            "n": len(members),
            "hidden": len(members & hidden),
            "recall_2v": recall_at(children, members, 2 * v),
            "hidden_recall_2v": recall_at(children, members & hidden, 2 * v),
        }
        for name, members in sorted(groups.items())
    }
    out["decoys_top_2v_by_kind"] = dict(
        sorted(Counter(who[p]["label"] for p in top_2v if p in decoys).items())
    )
    out["hubs_top_2o_by_kind"] = dict(sorted(Counter(who[p]["label"] for p in top_2o if p in hubs).items()))
    offender_groups: dict[str, set[str]] = defaultdict(set)
    for p in offenders:
        offender_groups[f"model {who[p]['label']}"].add(p)
        for trait in filter(None, who[p]["traits"].split(";")):
            offender_groups[f"trait {trait}"].add(p)
    out["offenders_by_kind"] = {
        name: {"n": len(members), "recall_2o": recall_at(adults, members, 2 * o)}
        for name, members in sorted(offender_groups.items())
    }
    return out


# --- the reference: perfect linkage and a weighted count of concerning events -------------------------------
# What one event adds to each child on it (subject or named, but not as a professional or parent).
CHILD_WEIGHTS = {
    "missing": 1.0, "absent": 0.5, "sexual_health": 1.0, "self_referral": 2.0, "intelligence": 1.5,
    "arrest": 1.0, "charge": 1.0, "bail": 0.5, "taxi_complaint": 1.5, "police_incident": 0.5,
    "outreach_contact": 0.3, "health_attendance": 0.3, "strategy_meeting": 0.5, "return_interview": 0.3,
    "exclusion": 0.3, "school_absence": 0.1, "assessment": 0.3, "referral": 0.2, "placement": 0.2,
}  # fmt: skip
NIGHT_BONUS = 0.5  # 21:00 to 06:00
WITH_ADULT_BONUS = 1.0  # an adult named as suspect or associate on the child's event
FACTOR_BONUS = {"11A": 2.0, "24A": 2.0, "12A": 1.5, "13A": 1.0, "10A": 0.5}
# What being on an event with a child adds to an adult, by the adult's role; times 1.5 at night.
ADULT_ROLES = {"suspect": 2.0, "associate": 1.0, "subject": 1.0, "victim": 0.5, "witness": 0.2}
ADULT_AS_SUBJECT = {"intelligence": 1.5, "arrest": 1.5, "charge": 1.5, "taxi_complaint": 1.5}
LOOKED_AFTER = {"professional", "parent", "carer"}


def reference(town: Path, who: dict[str, dict[str, str]]) -> tuple[list[str], list[str]]:
    """(children, adults) ranked by a weighted count of concerning events over the truth's people."""
    owner = {(r["agency"], r["record_id"]): r["true_person_id"] for r in rows(town / "truth" / "records.csv")}
    child_score: Counter[str] = Counter()
    adult_score: Counter[str] = Counter()
    for manifest, folder in extract_folders(town):
        agency = manifest["agency"]
        for e in rows(folder / "events.csv"):
            people = [(owner[(agency, e["record_id"])], "subject")]
            for item in filter(None, e["others"].split(";")):
                record, _, role = item.rpartition(":")
                people.append((owner[(agency, record)], role))
            when = e["occurred_on"]
            night = "T" in when and not 6 <= int(when[11:13]) < 21
            factors = set(filter(None, e["factors"].split(";")))
            kids = [p for p, role in people if who[p]["kind"] == "child" and role not in LOOKED_AFTER]
            men = [(p, role) for p, role in people if who[p]["kind"] == "adult" and role in ADULT_ROLES]
            with_adult = any(role in ("suspect", "associate") for _, role in men)
            base = CHILD_WEIGHTS.get(e["kind"], 0.1) + NIGHT_BONUS * night + WITH_ADULT_BONUS * with_adult
            base += sum(FACTOR_BONUS.get(f, 0.0) for f in factors)
            for kid in kids:
                child_score[kid] += base
            for man, role in men:
                if role == "subject" and e["kind"] in ADULT_AS_SUBJECT:
                    adult_score[man] += ADULT_AS_SUBJECT[e["kind"]] * (1.5 if night else 1.0)
                elif kids:
                    adult_score[man] += ADULT_ROLES[role] * (1.5 if night else 1.0)

    def ranked(scores: Counter[str]) -> list[str]:
        return [p for p, s in sorted(scores.items(), key=lambda x: (-x[1], x[0])) if s > 0]

    return ranked(child_score), ranked(adult_score)


# --- linkage -----------------------------------------------------------------------------------------------
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


def hopeless_records(town: Path) -> tuple[dict[Key, str], set[Key]]:
    """(true person of each record, the records that people.csv cannot tell apart).

    A record is bare if it holds no family name, alias, address, postcode, phone, email or identifier, and
    at most a partial date of birth or an estimated age: a name, perhaps a sex and an age. A bare record is
    indistinguishable if no other record of its person carries its name (as a given name or an alias) and
    the name is not the person's own, or if another person in the town goes by that name too (their own
    given name, or the given name or alias on any of their records) and has a compatible sex and a birth
    year within 3 years. A true pair holding such a record has nothing in people.csv that tells it apart
    from pairs with other people. A record with no name at all (a man known only by description) is
    always indistinguishable.
    """
    truth = {(r["agency"], r["record_id"]): r["true_person_id"] for r in rows(town / "truth" / "records.csv")}
    persons = {r["true_person_id"]: r for r in rows(town / "truth" / "persons.csv")}
    records: dict[Key, dict[str, str]] = {}
    seen: dict[Key, int] = {}  # the year an estimated age refers to: the extract's
    for manifest, folder in extract_folders(town):
        for r in rows(folder / "people.csv"):
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

    def indistinguishable(key: Key) -> bool:
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

    return truth, {key for key in records if indistinguishable(key)}


def evidence_ceiling(town: Path) -> tuple[int, int]:
    """(true pairs, true pairs no linker can find on evidence): see :func:`hopeless_records`."""
    truth, hopeless = hopeless_records(town)
    members: dict[str, list[Key]] = defaultdict(list)
    for key, pid in truth.items():
        members[pid].append(key)
    total = lost = 0
    for keys in members.values():
        for a, b in itertools.combinations(keys, 2):
            total += 1
            lost += a in hopeless or b in hopeless
    return total, lost


def pairwise(
    clusters: dict[str, str], truth: dict[str, str], keep: Iterable[str] | None = None
) -> dict[str, float]:
    """Pairwise precision, recall and F1 of record_key -> cluster against record_key -> true person,
    over the records in `keep` (all records in both by default)."""
    keys = [k for k in clusters if k in truth]
    if keep is not None:
        wanted = set(keep)
        keys = [k for k in keys if k in wanted]

    def pairs(groups: Iterable[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(groups).values())

    predicted = pairs(clusters[k] for k in keys)
    actual = pairs(truth[k] for k in keys)
    both = pairs((clusters[k], truth[k]) for k in keys)
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": actual}


AUDIT_FLAG = 0.05  # a group whose recall trails the whole by more than this is flagged under-linked


def _age_band(dob: str, as_of: str) -> str:
    if not dob:
        return "not known"
    years = int(as_of[:4]) - int(dob[:4]) - ((as_of[5:10]) < dob[5:10])
    return (
        "under 13"
        if years < 13
        else "13 to 17"
        if years < 18
        else "18 to 24"
        if years < 25
        else "25 and over"
    )


def linkage_audit(
    person_of: dict[str, str], true_of: dict[str, str], persons: dict[str, dict[str, str]], as_of: str
) -> dict[str, dict[str, dict[str, float]]]:
    """Pairwise precision and recall by sex, age band, ethnicity and agency, as national statistics
    offices audit linkage: a group is the true people in it (for an agency, its records' people), and
    its pairs are those among their records. Ethnicity is an audit dimension only; the linker never
    sees it. A group whose recall trails the whole by more than AUDIT_FLAG is flagged."""
    overall = pairwise(person_of, true_of)["recall"]
    dimensions: dict[str, dict[str, set[str]]] = {"sex": {}, "age band": {}, "ethnicity": {}, "agency": {}}
    for key, pid in true_of.items():
        p = persons.get(pid, {})
        for dim, group in (
            ("sex", p.get("sex") or "not known"),
            ("age band", _age_band(p.get("date_of_birth", ""), as_of)),
            ("ethnicity", p.get("ethnicity") or "not known"),
        ):
            dimensions[dim].setdefault(group, set()).add(key)
    by_agency: dict[str, set[str]] = {}
    for key, pid in true_of.items():
        by_agency.setdefault(key.split(":", 1)[0], set()).add(pid)
    for agency, pids in by_agency.items():
        dimensions["agency"][agency] = {k for k, pid in true_of.items() if pid in pids}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for dim, groups in dimensions.items():
        out[dim] = {}
        for group, keys in sorted(groups.items()):
            m = pairwise(person_of, true_of, keys)
            if m["true_pairs"]:
                out[dim][group] = {**m, "flagged": float(m["recall"] < overall - AUDIT_FLAG)}
    return out
