"""An adult's own number on a child's record (docs/analysis.md, "A stranger's number on a child's
record"): a number found on a child's phone or given as her contact that belongs to an adult of
another family is contact of concern, whatever kind of record holds it. A parent's or a carer's
number is not."""

from __future__ import annotations

from sightline.intelligence.analysis import AnalysisResult, analyse

from .town import AS_OF, Town

NUMBER = "07554 829017"


def _run(t: Town) -> AnalysisResult:
    records, events, event_people = t.inputs()
    return analyse(records, events, event_people, as_of=AS_OF)


def _adults(res: AnalysisResult) -> list[str]:
    return [a.subject_id for a in res.alerts_of("adult_of_concern")]


def _town(*, family: str = "Smith", postcode: str = "S63 8YF", carer: bool = False) -> Town:
    """A man known only by his police record and his number; two girls' schools and social care
    record his number on their own records, without naming him."""
    t = Town()
    t.person(
        "police", "LEE", "lee", dob="1970-04-06", given="Lee", family=family, postcode=postcode, phone=NUMBER
    )
    t.person("education", "G1", "girl-1", dob="2000-03-01", given="Jess", family="Jones", postcode="S61 3UQ")
    t.person("social_care", "G2", "girl-2", dob="2001-06-01", given="Amy", family="Jones", postcode="S61 3UQ")
    t.event(
        "education", "E1", "G1", "other", "2013-12-27T11:00:00", phone="07554829017",
        summary="Phone confiscated in class: messages from an adult arranging to meet",
    )  # fmt: skip
    t.event(
        "social_care", "E2", "G2", "other", "2013-12-12T15:00:00", phone="07554 829 017",
        summary="Phone checked: calls and texts with an unknown adult number",
    )  # fmt: skip
    if carer:
        t.person("social_care", "LEE2", "lee", dob="1970-04-06", given="Lee", family=family)
        for girl, when in (("G1", "2013-01-10"), ("G2", "2013-02-10")):
            agency = "education" if girl == "G1" else "social_care"
            t.person(agency, f"C-{girl}", "lee", dob="1970-04-06", given="Lee", family=family)
            t.event(agency, f"P-{girl}", girl, "placement", when, others=f"C-{girl}:carer")
    return t


def test_a_strangers_number_on_two_girls_records_makes_him_an_adult_of_concern() -> None:
    res = _run(_town())
    assert "lee" in _adults(res)
    alert = next(a for a in res.alerts_of("adult_of_concern") if a.subject_id == "lee")
    assert "07554829017" in alert.reasons


def test_a_parents_number_is_not_a_strangers() -> None:
    """The girls' father: the same family name."""
    assert "lee" not in _adults(_run(_town(family="Jones")))


def test_a_stepfathers_number_at_the_same_postcode_is_not_a_strangers() -> None:
    assert "lee" not in _adults(_run(_town(postcode="S61 3UQ")))


def test_a_foster_carers_number_is_explained_by_his_role() -> None:
    """Named as the girls' carer on their placement records: his number on their records is his role."""
    assert "lee" not in _adults(_run(_town(carer=True)))
