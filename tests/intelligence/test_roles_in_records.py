"""What a person's role on a record says: a carer reporting a child missing, a 17-year-old
suspect, a child recorded as the victim (docs/analysis.md, "Where the list ends")."""

from __future__ import annotations

from sightline.intelligence.analysis import AnalysisResult, analyse

from .town import AS_OF, Town


def _run(t: Town) -> AnalysisResult:
    records, events, event_people = t.inputs()
    return analyse(records, events, event_people, as_of=AS_OF)


def _ids(res: AnalysisResult, kind: str) -> list[str]:
    return [a.subject_id for a in res.alerts_of(kind)]


def test_a_carer_reporting_children_missing_is_not_in_the_car_they_were_seen_getting_out_of() -> None:
    """The partial plate on a missing report is the exploiters' car; the foster carer on the
    report is there because she reported it, so she is not linked to the car or the place."""
    t = Town()
    t.person("police", "FC", "carer", dob="1969-04-07")
    t.person("police", "GAZ", "gaz", dob="1985-01-01")
    for i in range(4):
        t.person("police", f"C{i}", f"placed-{i}", dob="1999-05-01")
        for j in range(2):
            t.event(
                "police", f"M{i}-{j}", f"C{i}", "missing", f"2014-0{j + 2}-1{i}T23:30:00",
                place="Rotherham Interchange", postcode="S60 1QA", vehicle="Y?60 TZF",
                others="FC:carer",
            )  # fmt: skip
    t.event(
        "police", "INT", "GAZ", "intelligence", "2014-01-16T02:21:00", vehicle="YE60 TZF", others="C0:victim"
    )
    res = _run(t)
    edges = res.edge_events
    carer_edges = edges[(edges["source"] == "carer") | (edges["target"] == "carer")]
    others = set(carer_edges["source"]) | set(carer_edges["target"])
    assert not any(str(o).startswith(("vehicle:", "place:")) for o in others)
    # The children are still tied to the car, and through it to the man.
    child_edges = edges[(edges["source"] == "placed-1") | (edges["target"] == "placed-1")]
    assert any(str(o).startswith("vehicle:") for o in set(child_edges["source"]) | set(child_edges["target"]))
    assert "carer" not in _ids(res, "adult_of_concern")


def _peer_town(also_a_victim: bool) -> Town:
    t = Town()
    t.person("police", "OLD", "older-boy", dob="1997-01-15")  # 17 on the day of the analysis
    for i in range(3):
        t.person("police", f"G{i}", f"girl-{i}", dob="2000-09-01")
        t.event(
            "police", f"S{i}", f"G{i}", "self_referral", f"2014-0{i + 2}-02T22:00:00", others="OLD:suspect"
        )
    t.event("police", "INT", "OLD", "intelligence", "2014-05-01", others="G0:victim;G1:victim")
    if also_a_victim:
        t.person("police", "MAN", "man", dob="1980-01-01")
        t.event("police", "V", "MAN", "intelligence", "2014-05-20", others="OLD:victim")
    return t


def test_a_seventeen_year_old_recorded_as_the_suspect_is_ranked_with_the_adults() -> None:
    """Peer-on-peer exploitation: a 17-year-old named as the suspect by the girls he exploits
    ties them to someone of concern, and is ranked with the adults, saying he is a child too."""
    res = _run(_peer_town(also_a_victim=False))
    assert "older-boy" in _ids(res, "adult_of_concern")
    assert "older-boy" not in _ids(res, "child_at_risk")
    alert = next(a for a in res.alerts_of("adult_of_concern") if a.subject_id == "older-boy")
    assert alert.reasons.startswith("Young person aged 17")
    assert "A child too" in alert.reasons
    assert {"girl-0", "girl-1", "girl-2"} <= set(_ids(res, "child_at_risk"))


def test_a_seventeen_year_old_also_recorded_as_a_victim_stays_a_child() -> None:
    res = _run(_peer_town(also_a_victim=True))
    assert "older-boy" not in _ids(res, "adult_of_concern")


def test_a_child_recorded_as_the_victim_beside_a_man_of_concern_is_listed() -> None:
    """Police incidents about another child, naming this child as a victim with the men there:
    the record itself says what happened to the child."""

    def town(role: str) -> Town:
        t = Town()
        t.person("police", "MAN", "man", dob="1975-01-01")
        t.person("police", "BOY", "boy", dob="2001-03-01")
        for i in range(3):
            t.person("police", f"K{i}", f"kid-{i}", dob="2000-01-01")
            t.event(
                "police", f"P{i}", f"K{i}", "police_incident", f"2014-0{i + 2}-08T23:40:00",
                place="12 Mill Lane", others=f"MAN:associate;BOY:{role}",
            )  # fmt: skip
            t.event(
                "police", f"X{i}", f"K{i}", "missing", f"2014-0{i + 2}-20T23:40:00", others="MAN:associate"
            )
        return t

    assert "boy" in _ids(_run(town("victim")), "child_at_risk")
    assert "boy" not in _ids(_run(town("witness")), "child_at_risk")


def test_a_mans_own_number_in_a_childs_record_points_but_not_on_her_own_record() -> None:
    """She gave an adult's mobile as her contact at the walk-in centre: his own number, on his own
    record, in an event of hers. The same number only on her own record (as a parent's often is)
    does not point."""

    def town(in_event: bool) -> Town:
        t = Town()
        t.person("police", "SUNNY", "sunny", dob="1977-01-01", phone="07795 604520")
        for i in range(3):
            t.person("police", f"K{i}", f"kid-{i}", dob="2000-01-01")
            _missing_with(t, f"K{i}", "SUNNY", 1)
        t.person("health", "H", "girl", dob="2000-04-01", phone="" if in_event else "07795604520")
        t.person("police", "P", "girl", dob="2000-04-01")
        for i in range(3):
            t.event("police", f"GM{i}", "P", "missing", f"2014-0{i + 2}-11T23:10:00")
        t.event(
            "health", "ATT", "H", "health_attendance", "2014-03-12",
            phone="07795604520" if in_event else "",
        )  # fmt: skip
        return t

    assert "girl" in _ids(_run(town(in_event=True)), "child_at_risk")
    assert "girl" not in _ids(_run(town(in_event=False)), "child_at_risk")


def _missing_with(t: Town, child: str, adult: str, n: int) -> None:
    for i in range(n):
        t.event(
            "police",
            f"M-{child}-{i}",
            child,
            "missing",
            f"2014-0{i + 1}-10T23:00:00",
            others=f"{adult}:associate",
        )


def test_intelligence_naming_the_child_as_the_victim_of_its_subject_needs_no_score_of_his() -> None:
    """When linkage splits a man's records, each part scores little; intelligence about him that
    names the child as his victim still points, whatever his score."""
    t = Town()
    t.person("police", "MAN", "man", dob="1990-01-01")
    t.person("police", "GIRL", "girl", dob="2000-02-01")
    for i in range(4):
        t.event("police", f"GM{i}", "GIRL", "missing", f"2014-0{i + 2}-11T23:10:00")
    t.event("police", "INT", "MAN", "intelligence", "2014-05-02", others="GIRL:victim")
    res = _run(t)
    assert res.scores.set_index("subject_id")["score"]["man"] < 1.0
    assert "girl" in _ids(res, "child_at_risk")


def _school_run_town(*, licence: str, summary: str, night: bool) -> Town:
    """A driver named with six children in police incidents, his car in each: by day outside their
    school, or at night when each was missing."""
    t = Town()
    t.person("licensing", "LIC", "driver", dob="1970-02-02")
    t.person("police", "DRV", "driver", dob="1970-02-02")
    t.event(
        "licensing", "REN", "LIC", "other", "2013-09-01", vehicle="YX61 KTP", licence=licence, summary=summary
    )
    for i in range(6):
        t.person("police", f"K{i}", f"kid-{i}", dob="2000-01-01")
        for j in range(2):
            t.event("police", f"GM{i}-{j}", f"K{i}", "missing", f"2014-0{j + 2}-1{i}T23:10:00")
        kind, when = (
            ("missing", f"2014-04-1{i}T23:30:00") if night else ("police_incident", f"2014-04-1{i}T15:20:00")
        )
        t.event(
            "police", f"S{i}", f"K{i}", kind, when, place="Wingfield Academy", vehicle="YX61 KTP",
            others="DRV:associate",
        )  # fmt: skip
    return t


def test_a_school_contract_licence_explains_the_school_run_but_not_nights_with_missing_children() -> None:
    """The same driver and children: without a licence, or by night when they were missing, he is
    alerted; with a school contract (in the licence column, or only in the licensing notes) his
    daytime contact with the school's pupils is ordinary."""
    coded = dict(licence="private_hire_driver;school_contract", summary="Licence renewed")
    noted = dict(licence="", summary="Private hire licence renewed (A1 Cars); school contract")
    plain = dict(licence="private_hire_driver", summary="Licence renewed")
    assert "driver" in _ids(_run(_school_run_town(**plain, night=False)), "adult_of_concern")
    for held in (coded, noted):
        assert "driver" not in _ids(_run(_school_run_town(**held, night=False)), "adult_of_concern")
        assert "driver" in _ids(_run(_school_run_town(**held, night=True)), "adult_of_concern")


def _park_town(jacob_is_the_subject: bool) -> Town:
    """Four 14-year-olds who go missing, met by youth workers at night with Jacob, whose one
    record (the youth service's) gives no age: the subject of their contacts, or beside them."""
    t = Town()
    t.person("youth_service", "JAC", "jacob")  # no date of birth, no estimated age
    friends = [f"F{i}" for i in range(4)]
    for i, f in enumerate(friends):
        t.person("youth_service", f, f"friend-{i}", dob="2000-03-01")
        for j in range(2):
            t.event("youth_service", f"M{i}-{j}", f, "missing", f"2014-0{j + 2}-1{i}T23:00:00")
    for k in range(3):
        subject, others = ("JAC", friends) if jacob_is_the_subject else (friends[0], ["JAC", *friends[1:]])
        t.event(
            "youth_service", f"O{k}", subject, "outreach_contact", f"2014-0{k + 4}-05T23:30:00",
            place="Clifton Park", others=";".join(f"{o}:associate" for o in others),
        )  # fmt: skip
    return t


def test_a_young_person_of_unknown_age_met_with_friends_is_not_an_adult_of_concern() -> None:
    """Youth work's contacts are with young people: Jacob, the subject of them, is scored as a
    child, so his friends are not children in contact with an adult of concern."""
    res = _run(_park_town(jacob_is_the_subject=True))
    assert "jacob" not in _ids(res, "adult_of_concern")
    assert "jacob" in set(res.scores.loc[res.scores["role"] == "child", "subject_id"])
    assert not {"friend-0", "friend-1", "friend-2", "friend-3"} & set(_ids(res, "child_at_risk"))


def test_a_man_known_only_as_an_associate_in_those_contacts_stays_an_adult() -> None:
    """The same contacts with Jacob beside the children, never their subject: nothing says he is
    young (an adult known only by description is recorded so), and he is scored as an adult."""
    res = _run(_park_town(jacob_is_the_subject=False))
    assert "jacob" in _ids(res, "adult_of_concern")
    assert {"friend-1", "friend-2", "friend-3"} <= set(_ids(res, "child_at_risk"))


def _clinic_town(partner_dob: str) -> Town:
    """A 15-year-old girl who attends the sexual health clinic, once with a man recorded nowhere
    else: one record of him, so a score of his own under the line for an adult of concern."""
    t = Town()
    t.person("health", "GIRL", "girl", dob="1999-02-01")
    t.person("health", "MAN", "man", dob=partner_dob)
    for j in range(3):
        t.event("health", f"SH{j}", "GIRL", "sexual_health", f"2014-0{j + 2}-03")
    t.event("health", "SHX", "GIRL", "sexual_health", "2014-05-03", others="MAN:associate")
    return t


def test_a_man_years_older_at_a_childs_sexual_health_appointment_points_whatever_his_score() -> None:
    res = _run(_clinic_town(partner_dob="1988-06-01"))
    assert "man" not in _ids(res, "adult_of_concern")
    alert = next(a for a in res.alerts_of("child_at_risk") if a.subject_id == "girl")
    assert "sexual health attendance" in alert.reasons and "man" in alert.reasons


def test_a_partner_near_her_own_age_at_the_clinic_is_not_that_evidence() -> None:
    res = _run(_clinic_town(partner_dob="1996-01-01"))  # 18 and 15
    assert "girl" in {s for s in res.scores["subject_id"]}
    assert "girl" not in _ids(res, "child_at_risk")


def test_a_victim_of_unknown_age_is_listed_and_the_alert_says_her_age_is_not_recorded() -> None:
    t = Town()
    t.person("police", "GIRL", "girl")  # no date of birth, no estimated age
    t.person("police", "MAN", "man", dob="1980-01-01")
    for j in range(3):
        t.event("police", f"M{j}", "GIRL", "missing", f"2014-0{j + 2}-10T23:00:00")
    t.event("police", "INT", "MAN", "intelligence", "2014-05-01", others="GIRL:victim")
    res = _run(t)
    alert = next(a for a in res.alerts_of("child_at_risk") if a.subject_id == "girl")
    assert alert.reasons.startswith("Young person, age not recorded; no agency has flagged")


def _friend_town(friend_role: str, accused: bool = False) -> Town:
    """A friend who turned 18 last week (born 1996-06-25, analysis of 2014-07-01), out at night
    with three younger friends and found with them when they went missing, all in the past year."""
    t = Town()
    t.person("police", "F", "friend", dob="1996-06-25")
    for i in range(3):
        t.person("police", f"K{i}", f"kid-{i}", dob="1999-01-01")
        for j in range(2):
            t.event(
                "police", f"M{i}{j}", f"K{i}", "missing", f"2013-1{j}-0{i + 1}T23:30:00",
                others=f"F:{friend_role}",
            )  # fmt: skip
    if accused:
        t.event("police", "INT", "F", "intelligence", "2014-01-05", others="K0:victim")
    return t


def test_a_friend_who_has_just_turned_18_is_no_adult_of_concern_for_what_happened_at_17() -> None:
    res = _run(_friend_town("associate"))
    assert "friend" not in _ids(res, "adult_of_concern")
    assert not {"kid-0", "kid-1", "kid-2"} & set(_ids(res, "child_at_risk"))


def test_a_young_adult_accused_at_17_is_still_an_adult_of_concern() -> None:
    """Peer-on-peer exploitation: the suspect on the records, or the subject of intelligence naming a
    victim, keeps what happened before his 18th birthday."""
    assert "friend" in _ids(_run(_friend_town("suspect")), "adult_of_concern")
    assert "friend" in _ids(_run(_friend_town("associate", accused=True)), "adult_of_concern")
