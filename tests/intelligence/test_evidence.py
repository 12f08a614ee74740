"""Where the child list ends, how firmly, and contact a role explains (docs/analysis.md)."""

from __future__ import annotations

from sightline.intelligence.analysis import AnalysisResult, analyse

from .town import AS_OF, Town


def _run(t: Town) -> AnalysisResult:
    records, events, event_people = t.inputs()
    return analyse(records, events, event_people, as_of=AS_OF)


def _children(res: AnalysisResult) -> dict[str, str]:
    return {a.subject_id: a.confidence for a in res.alerts_of("child_at_risk")}


def _missing_with(
    t: Town, child: str, adult: str, n: int, agency: str = "police", role: str = "associate"
) -> None:
    for i in range(n):
        t.event(
            agency,
            f"M-{child}-{i}",
            child,
            "missing",
            f"2014-0{i % 5 + 1}-10T23:00:00",
            others=f"{adult}:{role}",
        )


def test_a_runaway_with_no_adult_of_concern_is_at_risk_but_not_alerted() -> None:
    """Going missing again and again scores; only a record tying the child to an adult of concern
    in a telling event puts the child on the exploitation list."""
    t = Town()
    t.person("police", "RUN", "runaway", dob="2000-01-01")
    for i in range(6):
        t.event("police", f"R{i}", "RUN", "missing", f"2014-0{i % 5 + 1}-02T23:30:00")
    t.person("police", "MAN", "man", dob="1980-01-01")
    t.person("police", "VIC", "victim", dob="2000-01-01")
    for i in range(3):
        t.person("police", f"K{i}", f"other-{i}", dob="2000-06-01")
        _missing_with(t, f"K{i}", "MAN", 1)
    _missing_with(t, "VIC", "MAN", 2)
    res = _run(t)
    scores = res.scores.set_index("subject_id")["score"]
    assert scores["runaway"] >= 1.0  # the child is at risk by score ...
    children = _children(res)
    assert "runaway" not in children  # ... but nothing points at exploitation
    assert "victim" in children
    alert = next(a for a in res.alerts_of("child_at_risk") if a.subject_id == "victim")
    assert "Evidence of exploitation" in alert.reasons and "police:M-VIC-0" in alert.reasons


def test_a_group_seen_together_at_night_in_the_park_is_not_an_exploitation_alert() -> None:
    """An older friend out with a group at night: police incidents as associates point at risk,
    not at exploitation; the same man found with one of them when missing does."""
    t = Town()
    t.person("police", "OLD", "older-friend", dob="1995-06-01")
    kids = [f"F{i}" for i in range(5)]
    for k in kids:
        t.person("police", k, f"friend-{k}", dob="1999-09-01")
    for j in range(4):
        others = ";".join([*(f"{k}:associate" for k in kids[1:]), "OLD:associate"])
        t.event("police", f"P{j}", kids[0], "police_incident", f"2014-0{j + 1}-05T23:15:00", others=others)
        t.event("police", f"Q{j}", kids[0], "missing", f"2014-0{j + 1}-06T23:15:00")
    before = _children(_run(t))
    assert not before
    _missing_with(t, kids[0], "OLD", 1)
    after = _children(_run(t))
    assert f"friend-{kids[0]}" in after


def test_confidence_grows_with_records_and_agencies() -> None:
    t = Town()
    t.person("police", "MAN", "man", dob="1980-01-01")
    t.person("health", "MAN-H", "man", dob="1980-01-01")
    for i in range(4):
        t.person("police", f"K{i}", f"kid-{i}", dob="2000-01-01")
        _missing_with(t, f"K{i}", "MAN", 1)
    t.person("police", "ONE", "one", dob="2000-01-01")
    t.person("police", "TWO", "two", dob="2000-01-01")
    t.person("police", "MANY", "many", dob="2000-01-01")
    t.person("health", "MANY-H", "many", dob="2000-01-01")
    _missing_with(t, "ONE", "MAN", 1)
    _missing_with(t, "TWO", "MAN", 2)
    _missing_with(t, "MANY", "MAN", 2)
    t.event("health", "SH1", "MANY-H", "sexual_health", "2014-04-01T11:00:00", others="MAN-H:associate")
    children = _children(_run(t))
    assert children["one"] == "limited"
    assert children["two"] == "moderate"
    assert children["many"] == "strong"


def test_one_incident_with_five_children_counts_less_than_five_incidents() -> None:
    """An adult seen once with five children is one piece of evidence, not five."""
    t = Town()
    t.person("police", "ONCE", "once", dob="1980-01-01")
    t.person("police", "OFTEN", "often", dob="1980-01-01")
    for i in range(5):
        t.person("police", f"A{i}", f"a-{i}", dob="2000-01-01")
        t.person("police", f"B{i}", f"b-{i}", dob="2000-01-01")
        t.event(
            "police", f"B-{i}", f"B{i}", "missing", f"2014-0{i + 1}-03T23:00:00", others="OFTEN:associate"
        )
    t.event(
        "police", "ALL", "A0", "missing", "2014-03-03T23:00:00",
        others=";".join([*(f"A{i}:associate" for i in range(1, 5)), "ONCE:associate"]),
    )  # fmt: skip
    scores = _run(t).scores.set_index("subject_id")["score"]
    assert scores["often"] > 2 * scores["once"] > 0


def test_a_foster_carer_on_missing_reports_is_discounted_until_a_record_corroborates() -> None:
    """The carer's number and car are on the missing reports of the children placed with them:
    the role explains it. Intelligence naming the carer with a child removes the discount."""

    def town(corroborated: bool) -> Town:
        t = Town()
        t.person("social_care", "FC", "carer", dob="1965-01-01")
        t.person("police", "FC-P", "carer", dob="1965-01-01")
        for i in range(4):
            t.person("social_care", f"C{i}", f"placed-{i}", dob="2000-01-01")
            t.person("police", f"CP{i}", f"placed-{i}", dob="2000-01-01")
            t.event("social_care", f"PL{i}", f"C{i}", "placement", "2013-06-01", others="FC:carer")
            for j in range(3):
                t.event(
                    "police", f"M{i}-{j}", f"CP{i}", "missing", f"2014-0{j + 1}-1{i}T23:30:00",
                    vehicle="YA61 ABC", others="FC-P:associate",
                )  # fmt: skip
        if corroborated:
            t.event("police", "INT", "CP0", "intelligence", "2014-04-20", others="FC-P:associate")
        return t

    plain, corroborated = _run(town(False)), _run(town(True))
    carer = plain.scores.set_index("subject_id")["score"]["carer"]
    assert "carer" not in [a.subject_id for a in plain.alerts_of("adult_of_concern")]
    assert not _children(plain)
    assert corroborated.scores.set_index("subject_id")["score"]["carer"] > 3 * carer
    assert "carer" in [a.subject_id for a in corroborated.alerts_of("adult_of_concern")]
