"""The synthetic town: reproducible, in the extract format to the letter, with truth for every record."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from sightline.synthetic import TownSummary, generate_town

CHILDREN = 300
SEED = 11

PEOPLE_COLUMNS = {
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "sex",
    "ethnicity",
    "address",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "upn",
    "pnc_id",
    "description",
}
EVENT_COLUMNS = {
    "event_id",
    "record_id",
    "kind",
    "occurred_on",
    "ended_on",
    "place",
    "postcode",
    "vehicle",
    "phone",
    "others",
    "factors",
    "summary",
}
KINDS = {
    "referral",
    "assessment",
    "strategy_meeting",
    "missing",
    "absent",
    "return_interview",
    "placement",
    "police_incident",
    "intelligence",
    "arrest",
    "charge",
    "bail",
    "self_referral",
    "health_attendance",
    "sexual_health",
    "school_absence",
    "exclusion",
    "outreach_contact",
    "taxi_complaint",
    "other",
}
ROLES = {"suspect", "associate", "victim", "witness", "parent", "carer", "professional"}
DFE_CODES = {
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
    "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
}  # fmt: skip
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")
REGISTRATION = re.compile(r"^[A-Z?]{2}[0-9?]{2} [A-Z?]{3}$")
PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


# --- independent checks (deliberately not the generator's own helpers) -------------------------------------
def nhs_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{10}", number):
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def upn_ok(upn: str) -> bool:
    if not re.fullmatch(r"[A-Z]\d{12}", upn):
        return False
    total = sum(int(d) * w for d, w in zip(upn[1:], range(2, 14)))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] == upn[0]


def dob_ok(text: str) -> bool:
    if PARTIAL_DATE.fullmatch(text):
        return True
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def when(text: str) -> datetime:
    """A full date or an ISO 8601 date-time, as events.csv allows."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", text), text
    return datetime.fromisoformat(text)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # must be UTF-8
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader)
        rows = []
        for line in reader:
            assert len(line) == len(header), f"{path}: row {reader.line_num} has {len(line)} cells"
            rows.append(dict(zip(header, line)))
    assert text.endswith("\r\n"), f"{path}: RFC 4180 lines end in CRLF"
    return header, rows


# --- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TownSummary]:
    out = tmp_path_factory.mktemp("town")
    return out, generate_town(out, CHILDREN, SEED)


@pytest.fixture(scope="module")
def extracts(town: tuple[Path, TownSummary]) -> dict[str, tuple[dict[str, str], list[dict], list[dict]]]:
    out, _ = town
    loaded = {}
    for folder in sorted((out / "extracts").iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        _, people = read_csv(folder / "people.csv")
        _, events = read_csv(folder / "events.csv")
        loaded[manifest["agency"]] = (manifest, people, events)
    return loaded


@pytest.fixture(scope="module")
def truth(town: tuple[Path, TownSummary]) -> dict[str, list[dict[str, str]]]:
    out, _ = town
    return {name: read_csv(out / "truth" / f"{name}.csv")[1] for name in ("records", "persons", "networks")}


@pytest.fixture(scope="module")
def owner(truth: dict[str, list[dict[str, str]]]) -> dict[tuple[str, str], str]:
    return {(r["agency"], r["record_id"]): r["true_person_id"] for r in truth["records"]}


@pytest.fixture(scope="module")
def persons(truth: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    return {p["true_person_id"]: p for p in truth["persons"]}


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- reproducibility ---------------------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes(town: tuple[Path, TownSummary], tmp_path: Path) -> None:
    first, _ = town
    generate_town(tmp_path / "again", CHILDREN, SEED)
    assert files_of(tmp_path / "again") == files_of(first)


def test_different_seed_gives_a_different_town(town: tuple[Path, TownSummary], tmp_path: Path) -> None:
    first, _ = town
    generate_town(tmp_path / "other", CHILDREN, SEED + 1)
    a, b = files_of(first), files_of(tmp_path / "other")
    assert a.keys() == b.keys()
    assert a["truth/persons.csv"] != b["truth/persons.csv"]
    assert all(a[k] != b[k] for k in a if k.endswith("people.csv"))


def test_progress_goes_to_the_callback_and_nothing_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_town(tmp_path / "t", 60, 3, lambda stage, done, total: calls.append((stage, done, total)))
    assert capsys.readouterr() == ("", "")
    stages = [c[0] for c in calls]
    assert {"households", "events", "writing"} <= set(stages)
    assert all(0 <= done <= total for _, done, total in calls)
    assert calls[-1][1] == calls[-1][2]


def test_refuses_a_tiny_town_or_a_used_folder(town: tuple[Path, TownSummary], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_town(tmp_path / "t", 5, 1)
    with pytest.raises(FileExistsError):
        generate_town(town[0], CHILDREN, SEED)


# --- the extract format ------------------------------------------------------------------------------------
def test_one_extract_per_agency_with_a_manifest(town: tuple[Path, TownSummary], extracts: dict) -> None:
    out, summary = town
    assert {"police", "social_care", "health", "education", "youth_service", "licensing"} <= set(extracts)
    for agency, (manifest, people, events) in extracts.items():
        assert manifest["format"] == "multi-agency-extract/1"
        assert manifest["agency"] == agency
        assert (out / "extracts" / f"{agency}-{manifest['extracted_on']}").is_dir()
        start, end = date.fromisoformat(manifest["period_start"]), date.fromisoformat(manifest["period_end"])
        assert start < end <= date.fromisoformat(manifest["extracted_on"])
        assert len(people) == summary.records[agency] > 0
        assert len(events) == summary.events[agency]


def test_people_files_follow_the_format(town: tuple[Path, TownSummary]) -> None:
    out, _ = town
    for folder in (out / "extracts").iterdir():
        header, rows = read_csv(folder / "people.csv")
        assert set(header) >= PEOPLE_COLUMNS
        assert len(set(header)) == len(header)
        ids = [r["record_id"] for r in rows]
        assert all(ids) and len(set(ids)) == len(ids)
        for r in rows:
            where = f"{folder.name} {r['record_id']}"
            assert r["date_of_birth"] == "" or dob_ok(r["date_of_birth"]), where
            age = r["estimated_age"]
            assert age == "" or (age.isdigit() and int(age) < 100), where
            assert not (r["estimated_age"] and r["date_of_birth"]), where
            assert r["sex"] in {"", "F", "M", "U"}, where
            assert r["ethnicity"] == "" or r["ethnicity"] in DFE_CODES, where
            assert r["postcode"] == "" or POSTCODE.fullmatch(r["postcode"]), where
            assert r["nhs_number"] == "" or nhs_ok(r["nhs_number"]), where
            assert r["upn"] == "" or upn_ok(r["upn"]), where
            assert r["phone"] == "" or re.fullmatch(r"07\d{3} ?\d{3} ?\d{3}", r["phone"]), where
            assert r["pnc_id"] == "" or re.fullmatch(r"\d{2}/\d{6,7}[A-Z]", r["pnc_id"]), where
            assert r["given_name"] or r["family_name"], where


def test_event_files_follow_the_format(extracts: dict) -> None:
    for agency, (manifest, people, events) in extracts.items():
        ids = {r["record_id"] for r in people}
        start = datetime.fromisoformat(manifest["period_start"])
        end = datetime.fromisoformat(manifest["period_end"]).replace(hour=23, minute=59)
        event_ids = [e["event_id"] for e in events]
        assert all(event_ids) and len(set(event_ids)) == len(event_ids)
        for e in events:
            where = f"{agency} {e['event_id']}"
            assert e["record_id"] in ids, where
            assert e["kind"] in KINDS, where
            occurred = when(e["occurred_on"])
            assert start <= occurred <= end, where
            if e["ended_on"]:
                ended = when(e["ended_on"])
                if "T" not in e["ended_on"]:  # a date alone: compare whole days
                    occurred = occurred.replace(hour=0, minute=0)
                assert occurred <= ended <= end, where
            assert e["postcode"] == "" or POSTCODE.fullmatch(e["postcode"]), where
            for reg in filter(None, e["vehicle"].split(";")):
                assert REGISTRATION.fullmatch(reg), where
            for other in filter(None, e["others"].split(";")):
                record, _, role = other.rpartition(":")
                assert record in ids and role in ROLES, where
                assert record != e["record_id"], where
            for factor in filter(None, e["factors"].split(";")):
                assert re.fullmatch(r"\d{1,2}[A-Z]", factor), where


def test_agency_habits(extracts: dict) -> None:
    police_people, police_events = extracts["police"][1], extracts["police"][2]
    # Police: nickname-only suspects with an estimated age and no date of birth, partial registrations, times.
    assert any(p["estimated_age"] and not p["date_of_birth"] and not p["family_name"] for p in police_people)
    assert any("?" in e["vehicle"] for e in police_events)
    assert any(p["pnc_id"] for p in police_people)
    assert all("T" in e["occurred_on"] for e in police_events)
    # Health: NHS numbers on nearly everyone; education: UPNs on every pupil and the school they attend.
    health = extracts["health"][1]
    assert sum(1 for p in health if p["nhs_number"]) > 0.8 * len(health)
    pupils = [p for p in extracts["education"][1] if p["upn"]]
    assert len(pupils) >= 0.95 * CHILDREN and all(p["school"] for p in pupils)
    # Youth workers: first names only, mostly.
    youth = extracts["youth_service"][1]
    assert sum(1 for p in youth if not p["family_name"]) > 0.6 * len(youth)
    # Licensing: taxi drivers with licensed vehicles, and complaints.
    assert any(e["kind"] == "taxi_complaint" for e in extracts["licensing"][2])
    # Social care: CIN factors, including child sexual exploitation.
    factors = {f for e in extracts["social_care"][2] for f in e["factors"].split(";") if f}
    assert {"10A", "11A"} <= factors


# --- ground truth ------------------------------------------------------------------------------------------
def test_truth_covers_every_record(extracts: dict, truth: dict, persons: dict) -> None:
    extract_records = {(agency, p["record_id"]) for agency, (_, rows, _) in extracts.items() for p in rows}
    truth_records = [(r["agency"], r["record_id"]) for r in truth["records"]]
    assert len(truth_records) == len(set(truth_records)) == len(extract_records)
    assert set(truth_records) == extract_records
    assert {r["true_person_id"] for r in truth["records"]} <= set(persons)
    for p in persons.values():
        assert p["kind"] in {"child", "adult"}
        roles = {"victim", "missing_not_exploited", "ordinary"} if p["kind"] == "child" else {
            "offender", "benign_hub", "parent", "ordinary"}  # fmt: skip
        assert p["role"] in roles
        assert p["flagged_by_social_care"] in {"0", "1"}
        assert date.fromisoformat(p["date_of_birth"])
        assert p["ethnicity"] in DFE_CODES - {"REFU", "NOBT"}
        assert bool(p["network_id"]) == (p["role"] in {"victim", "offender"})


def test_truth_networks_and_summary(
    town: tuple[Path, TownSummary], truth: dict, persons: dict, extracts: dict
) -> None:
    out, summary = town
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in truth["networks"]:
        assert row["member_type"] in {"person", "place", "vehicle", "phone"}
        members[row["network_id"]][row["member_type"]].add(row["member_id"])
        if row["member_type"] == "person":
            person = persons[row["member_id"]]
            assert person["network_id"] == row["network_id"]
            assert row["role"] == ("child" if person["kind"] == "child" else "adult")
        else:
            assert row["role"] == ""
    victims = [p for p in persons.values() if p["role"] == "victim"]
    offenders = [p for p in persons.values() if p["role"] == "offender"]
    assert 0.01 * CHILDREN <= len(victims) <= 0.02 * CHILDREN or len(victims) == 4
    sizes = [sum(1 for m in net["person"] if persons[m]["role"] == "offender") for net in members.values()]
    assert min(sizes) <= 2 and all(1 <= s <= 8 for s in sizes)  # tiny groups are there to be found
    vehicles_seen = {v for _, _, events in extracts.values() for e in events for v in e["vehicle"].split(";")}
    assert any(v in vehicles_seen for net in members.values() for v in net["vehicle"])

    data = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert data["parameters"]["seed"] == SEED and data["parameters"]["children"] == CHILDREN
    counts = data["counts"]
    assert counts["children"] == CHILDREN == summary.children
    assert counts["victims"] == len(victims) and counts["offenders"] == len(offenders)
    assert counts["networks"] == len(members) == summary.networks
    assert counts["hidden_victims"] == sum(1 for v in victims if v["flagged_by_social_care"] == "0")
    assert counts["records"] == summary.records and counts["events"] == summary.events


# --- the hard cases the product must cope with -------------------------------------------------------------
def test_twins_are_distinct_people_with_shared_surname_address_and_birthday(
    extracts: dict, owner: dict, persons: dict
) -> None:
    education = extracts["education"][1]
    by_home: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for p in education:
        pid = owner[("education", p["record_id"])]
        truth = persons[pid]
        if truth["kind"] == "child":
            by_home[(truth["family_name"], truth["date_of_birth"], p["postcode"])].add(pid)
    twins = [pids for pids in by_home.values() if len(pids) == 2]
    assert twins
    for pair in twins:
        a, b = (persons[pid] for pid in pair)
        assert a["given_name"] != b["given_name"]


def test_namesakes_are_different_people(persons: dict) -> None:
    by_name: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for p in persons.values():
        by_name[(p["given_name"], p["family_name"])].append(p)
    namesakes = [ps for ps in by_name.values() if len({p["date_of_birth"] for p in ps}) > 1]
    assert len([ps for ps in namesakes if all(p["kind"] == "child" for p in ps)]) >= 3
    assert any(any(p["role"] == "offender" for p in ps) for ps in namesakes)


def test_duplicates_inside_one_agency(truth: dict) -> None:
    per_agency = Counter((r["agency"], r["true_person_id"]) for r in truth["records"])
    duplicated = {agency for (agency, _), n in per_agency.items() if n > 1}
    assert {"police", "youth_service"} <= duplicated


def test_noise_in_names_and_dates(extracts: dict, owner: dict, persons: dict) -> None:
    seen: Counter[str] = Counter()
    for agency, (_, people, _) in extracts.items():
        for r in people:
            truth = persons[owner[(agency, r["record_id"])]]
            dob = r["date_of_birth"]
            if len(dob) == 10 and dob != truth["date_of_birth"]:
                y, m, d = dob.split("-")
                assert f"{y}-{d}-{m}" == truth["date_of_birth"]  # the only date error is day/month swapped
                seen["transposed"] += 1
            if dob and len(dob) < 10:
                assert truth["date_of_birth"].startswith(dob)
                seen["partial"] += 1
            if r["given_name"] == truth["family_name"] and r["family_name"] == truth["given_name"]:
                seen["swapped"] += 1
            recorded = r["family_name"].lower()
            if recorded and recorded not in (truth["family_name"].lower(), truth["given_name"].lower()):
                seen["misspelt_family"] += 1
    assert seen["partial"] and seen["swapped"] and seen["misspelt_family"]
    assert seen["transposed"] or CHILDREN < 1000


def test_only_some_victims_are_flagged_and_flags_match_social_care(
    extracts: dict, owner: dict, persons: dict
) -> None:
    victims = [p for p in persons.values() if p["role"] == "victim"]
    flagged = [v for v in victims if v["flagged_by_social_care"] == "1"]
    assert 0 < len(flagged) < len(victims)
    events = extracts["social_care"][2]
    with_11a = {owner[("social_care", e["record_id"])] for e in events if "11A" in e["factors"].split(";")}
    assert {v["true_person_id"] for v in flagged} <= with_11a
    hidden = {v["true_person_id"] for v in victims} - {v["true_person_id"] for v in flagged}
    assert not hidden & with_11a


def test_missing_but_not_exploited_children(extracts: dict, owner: dict, persons: dict) -> None:
    missing: Counter[str] = Counter()
    near_offender: set[str] = set()
    for agency, (_, _, events) in extracts.items():
        for e in events:
            people = [owner[(agency, e["record_id"])]]
            people += [owner[(agency, o.rpartition(":")[0])] for o in e["others"].split(";") if o]
            if agency == "police" and e["kind"] == "missing":
                missing[people[0]] += 1
            if any(persons[p]["role"] == "offender" for p in people):
                near_offender.update(people)
    runaways = [p for p in persons.values() if p["role"] == "missing_not_exploited"]
    assert runaways
    assert all(missing[p["true_person_id"]] >= 2 for p in runaways)
    assert not {p["true_person_id"] for p in runaways} & near_offender


def test_benign_hubs_meet_many_children_openly(extracts: dict, owner: dict, persons: dict) -> None:
    children_met: dict[str, set[str]] = defaultdict(set)
    roles: Counter[str] = Counter()
    for agency, (_, _, events) in extracts.items():
        for e in events:
            subject = owner[(agency, e["record_id"])]
            for other in filter(None, e["others"].split(";")):
                record, _, role = other.rpartition(":")
                pid = owner[(agency, record)]
                if persons[pid]["role"] == "benign_hub":
                    roles[role] += 1
                    if persons[subject]["kind"] == "child":
                        children_met[pid].add(subject)
    hubs = [p for p in persons.values() if p["role"] == "benign_hub"]
    assert len(hubs) >= 5
    assert max(len(kids) for kids in children_met.values()) >= 15
    assert set(roles) <= {"professional", "associate", "witness"}
