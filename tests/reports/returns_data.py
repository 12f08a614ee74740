"""A small golden dataset for the statutory returns, in the census year 1 April 2024 to 31 March 2025.

Each child is made to pass, or to break named rules: the council's social care records and events
(assessments, placements, missing episodes, return interviews) as an extract would bring them, and
case work (placements, missing episodes, return home interviews) as practitioners record it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sightline.cases import services as cases
from sightline.ledger.services import SYSTEM, do_create
from sightline.people.models import Person, SourceEvent, SourceRecord
from sightline.reports.returns import Period
from tests import factories

YEAR = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
HOME = "Sightline Borough Council"


@dataclass
class Golden:
    people: dict[str, Person] = field(default_factory=dict)
    records: dict[str, SourceRecord] = field(default_factory=dict)
    episodes: dict[str, str] = field(default_factory=dict)  # name -> case-work row id
    placements: dict[str, str] = field(default_factory=dict)

    def id(self, name: str) -> str:
        return self.people[name].id


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _child(g: Golden, name: str, dob: str, la_id: str = "", **fields: Any) -> Person:
    person = factories.child(name, family_name="Golden", date_of_birth=dob, **fields)
    g.people[name] = person
    if la_id:
        g.records[name] = factories.record(person, "social_care", la_id, given_name=name)
    return person


def _event(g: Golden, name: str, kind: str, event_id: str, start: str, end: str = "", **data: Any) -> None:
    rec = g.records[name]
    do_create(
        SourceEvent(
            agency_id="social_care",
            event_id=event_id,
            extract=rec.extract,
            row_number=2,
            record=rec,
            kind=kind,
            occurred_on=_day(start),
            ended_on=_day(end) if end else None,
            data={
                "event_id": event_id,
                "record_id": rec.record_id,
                "kind": kind,
                "occurred_on": start,
                **data,
            },
        ),
        actor=SYSTEM,
    )


def assessments(g: Golden) -> None:
    """One child per rule of the census, each with the assessments that break it."""
    _child(g, "Amy", "2010-01-02", "SC-1")
    # Begun before the year and completed in it; a screening code beside the census codes.
    _event(g, "Amy", "assessment", "A1", "2024-03-20", "2024-05-20", factors="11A;10a;V01")
    _event(g, "Amy", "assessment", "A0", "2023-01-01", "2023-02-01", factors="3A")  # before the year
    _child(g, "Bea", "2011-02-03", "SC-2")
    _event(g, "Bea", "assessment", "A2", "2024-06-10", factors="3A")  # one day: completed that day
    _event(g, "Bea", "assessment", "A3", "2024-03-30", factors="2A")  # before the year
    _child(g, "Cal", "2012-03-04", "SC-3")
    _event(g, "Cal", "assessment", "A4", "2025-03-01", "2025-04-10", factors="1A")
    _child(g, "Dee", "2009-04-05", "SC-4")
    _event(g, "Dee", "assessment", "A6", "2024-08-01", "2024-08-05", factors="21;4A")
    _event(g, "Dee", "assessment", "A7", "2024-09-01", "2024-09-02")
    _child(g, "Eve", "2008-05-06", "SC-5")
    _event(g, "Eve", "assessment", "A8", "2024-10-01", "2024-10-02", factors="25Z;3A")
    _event(g, "Eve", "assessment", "A9", "2024-11-01", "2024-11-02", factors="3A;3A")
    _child(g, "Fay", "2010-06-07", "SC-6")
    _event(g, "Fay", "assessment", "A10", "2024-12-01", "2024-12-02", factors="18A;19A")
    gus = _child(g, "Gus", "2010-07-08", "SC-7")
    _event(g, "Gus", "assessment", "A11", "2024-04-02", "2024-04-05", factors="14A")
    cases.do_create_plan(
        SYSTEM, person_id=gus.id, title="Exploitation plan", review_due_on=dt.date(2030, 1, 1)
    )


def _at(text: str) -> dt.datetime:
    return factories.at(*(int(p) for p in text.replace("T", "-").replace(":", "-").split("-")))


def _placement(g: Golden, name: str, start: str, end: str = "", authority: str = HOME) -> str:
    placement = cases.do_start_placement(
        SYSTEM,
        person_id=g.id(name),
        placement_type="foster",
        started_on=_day(start),
        in_area=True,
        placing_authority=authority,
        provider=f"{name}'s carers",
        postcode="S60 1AA",
        ended_on=_day(end) if end else None,
    )
    g.placements[f"{name} {start}"] = placement.id
    return placement.id


def _episode(g: Golden, key: str, name: str, category: str, start: str, end: str = "") -> str:
    episode = cases.do_record_missing_episode(
        SYSTEM,
        person_id=g.id(name),
        category=category,
        started_at=_at(start),
        ended_at=_at(end) if end else None,
    )
    g.episodes[key] = episode.id
    return episode.id


def _interview(episode_id: str, offered: str, response: str, held: str = "") -> None:
    made = cases.do_offer_return_interview(SYSTEM, episode_id=episode_id, offered_at=_at(offered))
    cases.do_record_return_interview_response(
        SYSTEM, interview_id=made.id, response=response, held_at=_at(held) if held else None
    )


def missing(g: Golden) -> None:
    """Looked-after children and their missing episodes, one child per rule of the Missing table."""
    _child(g, "Hal", "2009-03-04", "SC-10", sex="M", ethnicity="WBRI")
    _placement(g, "Hal", "2024-01-01")
    e1 = _episode(g, "Hal 1", "Hal", "M", "2024-05-01T10:00", "2024-05-02T10:00")
    _interview(e1, "2024-05-03T09:00", "accepted", "2024-05-04T11:00")
    _event(g, "Hal", "missing", "M-HAL", "2024-05-01", "2024-05-02")  # the same episode, from the extract
    _episode(g, "Hal 2", "Hal", "A", "2024-06-01T21:00", "2024-06-01T23:00")
    e3 = _episode(g, "Hal 3", "Hal", "M", "2024-07-01T10:00", "2024-07-01T20:00")
    _interview(e3, "2024-07-05T09:00", "declined")
    # Ivy: no social care record, a partial date of birth, care ended with an episode still open.
    _child(g, "Ivy", "2010", sex="F")
    _placement(g, "Ivy", "2024-02-01", "2024-09-30")
    _episode(g, "Ivy 1", "Ivy", "M", "2024-09-20T22:00")
    _episode(g, "Ivy 2", "Ivy", "M", "2024-10-05T22:00", "2024-10-06T08:00")
    # Jon: looked after from the council's extract; missing before it started, interview in the extract.
    _child(g, "Jon", "2008-01-01", "SC-12", sex="M", ethnicity="APKN")
    _event(g, "Jon", "placement", "P-JON", "2024-06-01", place="Oak House", postcode="S65 2AB")
    _event(g, "Jon", "missing", "M-JON", "2024-05-01", "2024-05-02")
    _event(g, "Jon", "return_interview", "R-JON", "2024-05-03")
    # Kit: missing from a placement that has since ended, the episode still open.
    _child(g, "Kit", "2011-02-02", "SC-13", sex="F")
    _placement(g, "Kit", "2024-04-01", "2024-07-31")
    _placement(g, "Kit", "2024-08-01")
    _episode(g, "Kit 1", "Kit", "M", "2024-07-10T23:00")
    # Lea: a date of birth after her episode began.
    _child(g, "Lea", "2024-12-01", "SC-14", sex="F")
    _placement(g, "Lea", "2024-04-01")
    _episode(g, "Lea 1", "Lea", "A", "2024-11-01T20:00", "2024-11-02T08:00")
    # Mo: placed here by another council, whose return he is in.
    _child(g, "Mo", "2009-09-09", "SC-15", sex="M")
    _placement(g, "Mo", "2024-04-01", authority="Elsewhere Council")
    _episode(g, "Mo 1", "Mo", "M", "2024-05-05T20:00", "2024-05-06T08:00")
