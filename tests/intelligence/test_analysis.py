from __future__ import annotations

import json
import random
from datetime import date

import pandas as pd
import pytest

from sightline.intelligence.analysis import AnalysisInputError, AnalysisResult, alert_key, analyse

from .town import (
    AS_OF,
    COACH,
    MISSING_ONLY,
    PLANTED_ADULTS,
    PLANTED_CHILDREN,
    SOCIAL_WORKER,
    Town,
    exploitation_town,
)


@pytest.fixture(scope="module")
def town() -> Town:
    return exploitation_town()


@pytest.fixture(scope="module")
def result(town: Town) -> AnalysisResult:
    records, events, event_people = town.inputs()
    return analyse(records, events, event_people, as_of=AS_OF, flagged={"child-1"})


def ranked(result: AnalysisResult, kind: str) -> list[str]:
    return [a.subject_id for a in result.alerts_of(kind)]


def test_planted_children_rank_first_and_above_the_child_missing_alone(result: AnalysisResult) -> None:
    children = ranked(result, "child_at_risk")
    assert set(children[:4]) == set(PLANTED_CHILDREN)
    if MISSING_ONLY in children:
        assert children.index(MISSING_ONLY) > 3
    scores = result.scores.set_index("subject_id")["score"]
    assert scores[MISSING_ONLY] < min(scores[c] for c in PLANTED_CHILDREN)
    # Missing three times is still worth a look: it scores above an ordinary child.
    assert scores[MISSING_ONLY] > scores["ordinary-1"]


def test_planted_adults_are_the_adults_of_concern_and_the_coach_is_not(result: AnalysisResult) -> None:
    adults = ranked(result, "adult_of_concern")
    assert set(adults[:3]) == set(PLANTED_ADULTS)
    assert COACH not in adults
    assert SOCIAL_WORKER not in adults
    scores = result.scores.set_index("subject_id")["score"]
    assert scores[COACH] < min(scores[a] for a in PLANTED_ADULTS) / 4


def test_coach_stays_out_of_the_top_alerts_even_with_more_children() -> None:
    big = exploitation_town(n_ordinary=120)
    records, events, event_people = big.inputs()
    res = analyse(records, events, event_people, as_of=AS_OF)
    top = [a.subject_id for a in res.alerts[:15]]
    assert COACH not in top
    assert not any(s.startswith("ordinary-") for s in top)


def test_ordinary_contact_does_not_hide_contact_of_concern() -> None:
    """A shopkeeper seen openly with many children is still scored in full for the night he
    was found with a missing child; his ordinary contact adds only a little."""
    t = Town()
    t.person("police", "SK", "shopkeeper", dob="1970-01-01")
    t.person("police", "LONE", "lone-adult", dob="1970-01-01")
    for who in ("shopkeeper", "lone-adult"):
        t.person("police", f"C-{who}", f"child-{who}", dob="2000-01-01")
        rid = "SK" if who == "shopkeeper" else "LONE"
        t.event("police", f"M-{who}", f"C-{who}", "missing", "2014-05-01T23:00:00", others=f"{rid}:associate")
    for i in range(60):
        t.person("police", f"K{i}", f"kid-{i}", dob="2001-01-01")
        t.event("police", f"S{i}", f"K{i}", "police_incident", "2014-03-01T15:00:00",
                place="Corner Shop", others="SK:witness")  # fmt: skip
        t.event(
            "police",
            f"O{i}",
            f"K{i}",
            "other",
            "2014-04-01T15:00:00",
            place="Corner Shop",
            others="SK:associate",
        )
    records, events, event_people = t.inputs()
    scores = analyse(records, events, event_people, as_of=AS_OF).scores.set_index("subject_id")["score"]
    assert scores["lone-adult"] <= scores["shopkeeper"] <= scores["lone-adult"] + 0.5
    assert scores["child-shopkeeper"] == pytest.approx(scores["child-lone-adult"], abs=0.3)


def test_unflagged_child_is_alerted_with_a_checkable_reason(result: AnalysisResult) -> None:
    alert = next(a for a in result.alerts if a.subject_id == "child-4")
    assert alert.kind == "child_at_risk"
    assert "no agency has flagged" in alert.reasons
    # The reason names the records behind it, and the evidence lists them.
    assert "police:E3" in alert.reasons and "youth_service:Y1" in alert.reasons
    assert {"police:E3", "youth_service:Y1"} <= set(alert.event_keys)
    assert "youth_service:YC4" in alert.record_keys
    flagged = next(a for a in result.alerts if a.subject_id == "child-1")
    assert "already flagged" in flagged.reasons


def test_adult_alert_names_children_and_agencies(result: AnalysisResult) -> None:
    alert = next(a for a in result.alerts if a.subject_id == "adult-3")
    assert "linked to 4 children" in alert.reasons
    assert "youth_service" in alert.reasons and "police" in alert.reasons
    assert "police:E3" in alert.event_keys
    assert "police:PA3" in alert.record_keys and "youth_service:YA3" in alert.record_keys


def test_place_and_vehicle_of_concern(result: AnalysisResult) -> None:
    places = ranked(result, "place_of_concern")
    vehicles = ranked(result, "vehicle_of_concern")
    # Three spellings of the kebab shop are one place; the partial plate is the full one.
    assert places[0] == "place:star-kebab-main-street"
    assert vehicles[0] == "vehicle:YX09ABC"
    assert "vehicle:YX09A?C" not in set(result.vehicles["vehicle_id"])
    # The school and the football club are not of concern.
    assert not any("academy" in p or "rovers" in p for p in places)
    place = result.places.set_index("place_id")
    assert place.loc["place:star-kebab-main-street", "label"] == "Star Kebab, Main St, S65 2AB"


def test_ambiguous_partial_plate_is_weighted_down() -> None:
    t = Town()
    t.person("police", "A", "adult", dob="1980-01-01")
    t.person("police", "B", "other-adult", dob="1980-01-01")
    t.person("police", "C", "child", dob="2000-01-01")
    t.person("police", "D", "child-2", dob="2000-01-01")
    t.event("police", "E1", "A", "arrest", "2014-01-01", vehicle="YX09 ABC")
    t.event("police", "E2", "B", "arrest", "2014-01-01", vehicle="YX09 ABD")
    t.event("police", "E3", "C", "missing", "2014-02-01", vehicle="YX09 AB?")
    t.event("police", "E4", "D", "missing", "2014-02-01", vehicle="YX09 A?C")
    records, events, event_people = t.inputs()
    res = analyse(records, events, event_people, as_of=AS_OF)
    vehicles = res.vehicles.set_index("vehicle_id")
    # "YX09 AB?" could be either car: it stays a vehicle of its own, joined to both.
    assert vehicles.loc["vehicle:YX09AB?", "candidates"] == ["vehicle:YX09ABC", "vehicle:YX09ABD"]
    plate_edges = res.edge_events[res.edge_events["type"] == "plate"]
    assert set(plate_edges["target"]) == {"vehicle:YX09ABC", "vehicle:YX09ABD"}
    assert plate_edges["weight"].tolist() == [0.5, 0.5]
    # "YX09 A?C" fits only one car, so it is that car.
    assert "vehicle:YX09A?C" not in vehicles.index
    scores = res.scores.set_index("subject_id")["score"]
    # The adult whose car certainly carried a missing child is of more concern than
    # each adult whose car may have.
    assert scores["adult"] > scores["other-adult"] > 0


def test_group_recovered_with_its_car_and_place(result: AnalysisResult) -> None:
    nets = result.networks
    assert list(nets.columns) == ["network_id", "member_type", "member_id", "role"]
    group_of = nets.set_index("member_id")["network_id"]
    planted = {group_of[p] for p in PLANTED_ADULTS + PLANTED_CHILDREN}
    assert len(planted) == 1
    (nid,) = planted
    members = nets[nets["network_id"] == nid]
    assert set(members.loc[members["member_type"] == "person", "member_id"]) == set(
        PLANTED_ADULTS + PLANTED_CHILDREN
    )
    assert "vehicle:YX09ABC" in set(members["member_id"])
    assert "place:star-kebab-main-street" in set(members["member_id"])
    roles = members.set_index("member_id")["role"]
    assert roles["adult-1"] == "adult" and roles["child-1"] == "child" and roles["vehicle:YX09ABC"] == ""
    group = next(a for a in result.alerts if a.kind == "group")
    assert group.subject_id == nid
    assert set(group.record_keys) >= {"police:PA1", "police:PC1"}


def test_alert_keys_and_scores_are_stable_across_runs_and_row_order(
    town: Town, result: AnalysisResult
) -> None:
    records, events, event_people = town.inputs()
    shuffled = analyse(
        records.sample(frac=1, random_state=1),
        events.sample(frac=1, random_state=2),
        event_people.sample(frac=1, random_state=3),
        as_of=AS_OF,
        flagged={"child-1"},
    )
    assert [(a.alert_key, a.kind, a.subject_id) for a in shuffled.alerts] == [
        (a.alert_key, a.kind, a.subject_id) for a in result.alerts
    ]
    assert [a.score for a in shuffled.alerts] == pytest.approx([a.score for a in result.alerts])
    assert result.alerts[1].alert_key == alert_key(result.alerts[1].kind, result.alerts[1].subject_id)
    assert alert_key("child_at_risk", "p1") != alert_key("adult_of_concern", "p1")


def test_flagged_changes_wording_not_scores(town: Town, result: AnalysisResult) -> None:
    records, events, event_people = town.inputs()
    unflagged = analyse(records, events, event_people, as_of=AS_OF)
    pd.testing.assert_frame_equal(unflagged.scores, result.scores)
    alert = next(a for a in unflagged.alerts if a.subject_id == "child-1")
    assert "already flagged" not in alert.reasons


def test_shuffling_every_ethnicity_leaves_every_score_unchanged(town: Town, result: AnalysisResult) -> None:
    rng = random.Random(5)
    codes = [p["ethnicity"] for p in town.people] + ["APKN", "MWBC", "BAFR", "WIRI", "NOBT"] * 10
    for trial in range(3):
        other = Town(people=[dict(p) for p in town.people], events=[dict(e) for e in town.events])
        for p in other.people:
            p["ethnicity"] = rng.choice(codes)
        assert [p["ethnicity"] for p in other.people] != [p["ethnicity"] for p in town.people], trial
        records, events, event_people = other.inputs()
        res = analyse(records, events, event_people, as_of=AS_OF, flagged={"child-1"})
        pd.testing.assert_frame_equal(res.scores, result.scores)
        assert [(a.alert_key, a.score, a.reasons) for a in res.alerts] == [
            (a.alert_key, a.score, a.reasons) for a in result.alerts
        ]


@pytest.mark.parametrize("column", ["ethnicity", "Ethnicity_code", "ethnic_group"])
def test_ethnicity_column_is_refused(town: Town, column: str) -> None:
    records, events, event_people = town.inputs(ethnicity=True)
    records = records.rename(columns={"ethnicity": column})
    with pytest.raises(AnalysisInputError, match="never an input"):
        analyse(records, events, event_people, as_of=AS_OF)
    with pytest.raises(AnalysisInputError, match="never an input"):
        analyse(
            records.drop(columns=column),
            events.assign(**{column: "WBRI"}),
            event_people,
            as_of=AS_OF,
        )


def test_bad_input_names_table_row_and_field(town: Town) -> None:
    records, events, event_people = town.inputs()
    bad = events.copy()
    bad.loc[bad.index[2], "occurred_on"] = "last Tuesday"
    with pytest.raises(AnalysisInputError, match=r"events:3:occurred_on: 'last Tuesday'"):
        analyse(records, bad, event_people, as_of=AS_OF)
    roles = event_people.copy()
    roles.loc[roles.index[0], "role"] = "boyfriend"
    with pytest.raises(AnalysisInputError, match=r"event_people:1:role: 'boyfriend'"):
        analyse(records, events, roles, as_of=AS_OF)
    with pytest.raises(AnalysisInputError, match=r"records: missing column\(s\) person_id"):
        analyse(records.drop(columns="person_id"), events, event_people, as_of=AS_OF)


def test_age_from_partial_dates_and_estimates() -> None:
    t = Town()
    t.person("police", "A", "month-dob", dob="1997-01")  # 17 on 2014-07-01
    t.person("police", "B", "year-dob", dob="1995")  # 19
    t.person("police", "C", "estimated", estimated_age="16")  # estimated 16 in 2014-06
    t.person("police", "D", "estimated-long-ago", estimated_age="16")  # estimated 16 in 2011
    t.person("health", "E", "month-dob", dob="1997-01-20")  # a full date wins over a partial one
    t.event("police", "E1", "C", "missing", "2014-06-01", others="A:associate;B:associate")
    t.event("police", "E2", "D", "arrest", "2011-06-01")
    records, events, event_people = t.inputs()
    res = analyse(records, events, event_people, as_of=AS_OF)
    role = res.scores.set_index("subject_id")["role"]
    assert role["month-dob"] == "child"
    assert role["year-dob"] == "adult"
    assert role["estimated"] == "child"
    assert role["estimated-long-ago"] == "adult"


def test_a_victim_who_has_just_turned_18_is_not_an_adult_of_concern() -> None:
    t = Town()
    t.person("police", "V", "victim-now-18", dob="1996-03-01")  # 16 at the events, 18 on AS_OF
    t.person("police", "O", "offender-19", dob="1995-01-01")
    for i in range(3):
        t.person("police", f"C{i}", f"child-{i}", dob="2000-01-01")
        t.event(
            "police", f"M{i}", f"C{i}", "missing", f"2012-0{i + 4}-01T23:00:00",
            others="V:associate;O:suspect",
        )  # fmt: skip
    t.event("police", "MV", "V", "missing", "2012-05-05T23:00:00", others="O:suspect")
    t.event("police", "I1", "O", "intelligence", "2012-06-01T23:00:00", others="C0:victim")
    records, events, event_people = t.inputs()
    res = analyse(records, events, event_people, as_of=AS_OF)
    role = res.scores.set_index("subject_id")["role"]
    assert role["victim-now-18"] == "child" and role["offender-19"] == "adult"
    assert "victim-now-18" in ranked(res, "child_at_risk")
    assert "victim-now-18" not in ranked(res, "adult_of_concern")
    assert ranked(res, "adult_of_concern") == ["offender-19"]
    alert = next(a for a in res.alerts if a.subject_id == "victim-now-18")
    assert alert.reasons.startswith("Young adult aged 18 (a child when recorded")


def _shopkeeper_town(missing_with_each: int) -> AnalysisResult:
    """A shopkeeper who meets 40 children openly at his shop, and an adult who meets none, each
    found with ``missing_with_each`` missing children, on separate nights."""
    t = Town()
    t.person("police", "SK", "shopkeeper", dob="1970-01-01")
    t.person("police", "LONE", "lone-adult", dob="1970-01-01")
    for who, rid in (("shopkeeper", "SK"), ("lone-adult", "LONE")):
        for j in range(missing_with_each):
            t.person("police", f"C-{who}-{j}", f"child-{who}-{j}", dob="2000-01-01")
            t.event("police", f"M-{who}-{j}", f"C-{who}-{j}", "missing", f"2014-05-0{j + 1}T23:00:00",
                    others=f"{rid}:associate")  # fmt: skip
    for i in range(40):
        t.person("police", f"K{i}", f"kid-{i}", dob="2001-01-01")
        t.event("police", f"S{i}", f"K{i}", "police_incident", "2014-03-01T15:00:00",
                place="Corner Shop", others="SK:witness")  # fmt: skip
    records, events, event_people = t.inputs()
    return analyse(records, events, event_people, as_of=AS_OF)


def test_a_hub_is_alerted_on_repeated_concern_not_on_one_or_two_records() -> None:
    """Adults whose contact with children is mostly ordinary need a substantial score or concern
    repeated in three separate records; an adult with no ordinary contact is alerted at once."""
    for n in (1, 2):
        adults = ranked(_shopkeeper_town(n), "adult_of_concern")
        assert "lone-adult" in adults and "shopkeeper" not in adults
    adults = ranked(_shopkeeper_town(3), "adult_of_concern")
    assert {"lone-adult", "shopkeeper"} <= set(adults)


def test_professionals_are_discounted() -> None:
    t = Town()
    t.person("social_care", "SW", "worker", dob="1970-01-01")
    for i in range(6):
        t.person("social_care", f"C{i}", f"child-{i}", dob="2000-01-01")
        t.event("social_care", f"M{i}", f"C{i}", "missing", "2014-03-01", others="SW:professional")
        t.event("social_care", f"S{i}", f"C{i}", "strategy_meeting", "2014-03-02", others="SW:professional")
    records, events, event_people = t.inputs()
    res = analyse(records, events, event_people, as_of=AS_OF)
    assert "worker" not in ranked(res, "adult_of_concern")
    assert res.scores.set_index("subject_id")["score"]["worker"] == 0


def test_recency_weights_old_contact_less() -> None:
    t = Town()
    for who, when in (("recent", "2014-05-01"), ("old", "2008-05-01")):
        t.person("police", f"A-{who}", f"adult-{who}", dob="1980-01-01")
        t.person("police", f"C-{who}", f"child-{who}", dob="2000-01-01")
        t.event("police", f"E-{who}", f"C-{who}", "missing", when, others=f"A-{who}:associate")
    records, events, event_people = t.inputs()
    scores = analyse(records, events, event_people, as_of=AS_OF).scores.set_index("subject_id")["score"]
    assert scores["adult-recent"] > scores["adult-old"] > 0
    assert scores["child-recent"] > scores["child-old"] > 0


def test_corroboration_across_agencies_raises_an_adult() -> None:
    t = Town()
    for who, agencies in (("one", ["police", "police"]), ("two", ["police", "youth_service"])):
        for j, agency in enumerate(agencies):
            t.person(agency, f"A-{who}-{j}", f"adult-{who}", dob="1980-01-01")
            t.person(agency, f"C-{who}-{j}", f"child-{who}-{j}", dob="2000-01-01")
            t.event(
                agency,
                f"E-{who}-{j}",
                f"C-{who}-{j}",
                "missing",
                "2014-05-01",
                others=f"A-{who}-{j}:associate",
            )
    records, events, event_people = t.inputs()
    scores = analyse(records, events, event_people, as_of=AS_OF).scores.set_index("subject_id")["score"]
    assert scores["adult-two"] > scores["adult-one"]


def test_cytoscape_elements_are_json_and_filter(result: AnalysisResult) -> None:
    nid = result.networks.set_index("member_id")["network_id"]["adult-1"]
    elements = result.cytoscape(groups=[nid])
    json.dumps(elements)
    ids = {n["data"]["id"] for n in elements["nodes"]}
    assert {"adult-1", "child-4", "vehicle:YX09ABC"} <= ids
    node = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "child-2")
    assert node["type"] == "person" and node["role"] == "child" and node["group"] == nid
    assert node["record_keys"] and node["first_seen"] <= node["last_seen"]
    edge = elements["edges"][0]["data"]
    assert {"source", "target", "type", "weight", "kinds", "first_seen", "last_seen", "events"} <= set(edge)
    # Filters by time and kind.
    early = result.cytoscape(groups=[nid], until=date(2014, 2, 28))
    assert all(e["data"]["last_seen"] <= "2014-02-28" for e in early["edges"] if e["data"]["last_seen"])
    assert len(early["edges"]) < len(elements["edges"])
    missing = result.cytoscape(kinds=["missing"])
    assert missing["edges"] and all(e["data"]["kinds"] == ["missing"] for e in missing["edges"])


def test_alerts_frame_follows_the_export_contract(result: AnalysisResult) -> None:
    frame = result.alerts_frame()
    assert list(frame.columns) == ["alert_id", "person_id", "kind", "score", "reasons"]
    assert frame["score"].is_monotonic_decreasing
    assert set(frame["kind"]) == {
        "child_at_risk",
        "adult_of_concern",
        "place_of_concern",
        "vehicle_of_concern",
        "group",
    }


def test_progress_is_reported(town: Town) -> None:
    seen: list[tuple[str, float]] = []
    records, events, event_people = town.inputs()
    analyse(
        records, events, event_people, as_of=AS_OF, progress=lambda stage, done: seen.append((stage, done))
    )
    assert seen[0] == ("checking input", 0.0) and seen[-1] == ("done", 1.0)
    assert [d for _, d in seen] == sorted(d for _, d in seen)


def test_empty_town() -> None:
    records = pd.DataFrame({"record_key": ["police:A"], "person_id": ["p"], "date_of_birth": ["2000-01-01"]})
    events = pd.DataFrame(columns=["event_key", "record_key", "kind", "occurred_on"])
    event_people = pd.DataFrame(columns=["event_key", "record_key", "role"])
    res = analyse(records, events, event_people, as_of=AS_OF)
    assert res.alerts == [] and res.networks.empty
