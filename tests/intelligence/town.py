"""Small hand-built towns for the analysis tests.

Rows are written as an agency would write them (extract format, ethnicity included) and
turned into the analysis inputs the way the importer and linkage hand them over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

AS_OF = date(2014, 7, 1)


@dataclass
class Town:
    people: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)

    def person(
        self,
        agency: str,
        record_id: str,
        person_id: str,
        *,
        dob: str = "",
        estimated_age: str = "",
        ethnicity: str = "WBRI",
        phone: str = "",
        given: str = "",
        family: str = "",
        description: str = "",
        postcode: str = "",
    ) -> str:
        self.people.append(
            {
                "agency": agency,
                "record_id": record_id,
                "person_id": person_id,
                "given_name": given,
                "family_name": family,
                "date_of_birth": dob,
                "estimated_age": estimated_age,
                "sex": "U",
                "ethnicity": ethnicity,
                "phone": phone,
                "description": description,
                "postcode": postcode,
            }
        )
        return record_id

    def event(
        self,
        agency: str,
        event_id: str,
        record_id: str,
        kind: str,
        when: str,
        *,
        place: str = "",
        postcode: str = "",
        vehicle: str = "",
        phone: str = "",
        others: str = "",
        factors: str = "",
        summary: str = "",
        licence: str = "",
    ) -> None:
        self.events.append(
            {
                "agency": agency,
                "event_id": event_id,
                "record_id": record_id,
                "kind": kind,
                "occurred_on": when,
                "ended_on": "",
                "place": place,
                "postcode": postcode,
                "vehicle": vehicle,
                "phone": phone,
                "others": others,
                "factors": factors,
                "summary": summary,
                "licence": licence,
            }
        )

    def inputs(self, ethnicity: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """records, events, event_people as the Django layer builds them.

        Ethnicity stays in the source rows; it is only passed on when asked, to show
        that analyse() refuses it.
        """
        people = pd.DataFrame(self.people)
        records = people.assign(record_key=people["agency"] + ":" + people["record_id"]).drop(
            columns="record_id"
        )
        if not ethnicity:
            records = records.drop(columns="ethnicity")
        ev = pd.DataFrame(self.events)
        events = ev.assign(
            event_key=ev["agency"] + ":" + ev["event_id"], record_key=ev["agency"] + ":" + ev["record_id"]
        ).drop(columns=["event_id", "record_id", "others"])
        rows = []
        for e in self.events:
            for item in filter(None, e["others"].split(";")):
                rid, role = item.split(":")
                rows.append(
                    {
                        "event_key": f"{e['agency']}:{e['event_id']}",
                        "record_key": f"{e['agency']}:{rid}",
                        "role": role,
                    }
                )
        event_people = pd.DataFrame(rows, columns=["event_key", "record_key", "role"])
        return records, events, event_people


PLANTED_ADULTS = ["adult-1", "adult-2", "adult-3"]
PLANTED_CHILDREN = ["child-1", "child-2", "child-3", "child-4"]
COACH = "coach"
MISSING_ONLY = "missing-only"
SOCIAL_WORKER = "social-worker"


def exploitation_town(n_ordinary: int = 30) -> Town:
    """A planted group (3 adults, 4 children, a car, a kebab shop), a football coach with
    30 children, a child missing three times with no adult around, families, a school."""
    t = Town()
    # The planted group. Adults are known to police, licensing and youth services.
    t.person("police", "PA1", "adult-1", dob="1979-04-02", phone="07700 900123", given="Mo", family="Khan")
    t.person("licensing", "LA1", "adult-1", dob="1979-04-02", given="Mohammed", family="Khan")
    t.person("police", "PA2", "adult-2", estimated_age="30", given="Boss")
    t.person("police", "PA3", "adult-3", dob="1983", given="Dan", family="Reed")
    t.person("youth_service", "YA3", "adult-3", dob="1983-06", given="Danny", family="Reed")
    for i, dob in enumerate(["1999-05-01", "2000-02-14", "2000-09-30", "2001-01-10"], start=1):
        pid = f"child-{i}"
        for agency in ("police", "social_care", "health", "education", "youth_service"):
            t.person(agency, f"{agency[0].upper()}C{i}", pid, dob=dob, given=f"Girl{i}", family="Smith")
    t.person("social_care", "SW", SOCIAL_WORKER, dob="1970-01-01", given="Sam", family="Worker")

    t.event(
        "police",
        "E1",
        "PC1",
        "missing",
        "2014-03-02T23:30:00",
        place="Star Kebab, Main St",
        postcode="S65 2AB",
        vehicle="YX09 ABC",
        others="PA1:associate;PC2:associate",
        summary="Found in car with older males",
    )
    t.event(
        "police",
        "E2",
        "PC2",
        "missing",
        "2014-04-10T01:00:00",
        place="star kebab main street",
        vehicle="YX09ABC",
        others="PA2:associate",
    )
    t.event(
        "police",
        "E3",
        "PA1",
        "intelligence",
        "2014-05-01",
        vehicle="YX09 A?C",
        others="PC3:victim;PC4:victim;PA3:associate",
        summary="Girls seen getting into car",
    )
    t.event("police", "E4", "PC1", "missing", "2014-01-15", place="Main St car park", others="PA2:associate")
    t.event("health", "H1", "HC3", "sexual_health", "2014-02-11", phone="+44 7700 900123")
    t.event(
        "youth_service",
        "Y1",
        "YC4",
        "outreach_contact",
        "2014-06-01T22:15:00",
        place="Star Kebab",
        others="YA3:associate",
    )
    t.event("social_care", "S1", "SC1", "referral", "2014-03-05", factors="11A;10A", others="SW:professional")
    t.event("licensing", "L1", "LA1", "taxi_complaint", "2013-11-01", vehicle="YX09 ABC")

    # A school every child goes to, with ordinary absences.
    for i in range(1, 5):
        t.event("education", f"SA{i}", f"EC{i}", "school_absence", "2014-02-01", place="Wath Academy")

    # A coach seeing many children openly, recorded by three agencies.
    t.person(
        "youth_service",
        "YK",
        COACH,
        dob="1975-03-03",
        given="Gary",
        family="Coach",
        description="football coach",
    )
    t.person("education", "EK", COACH, dob="1975-03-03", given="Gary", family="Coach")
    t.person("police", "PK", COACH, dob="1975-03-03", given="Gary", family="Coach")
    for i in range(1, n_ordinary + 1):
        pid = f"ordinary-{i}"
        t.person("education", f"EO{i}", pid, dob="2000-06-01", given=f"Kid{i}", family="Jones")
        t.person("youth_service", f"YO{i}", pid, dob="2000-06-01", given=f"Kid{i}", family="Jones")
        t.event(
            "education",
            f"EOK{i}",
            f"EO{i}",
            "other",
            "2014-04-05T10:00:00",
            place="Rovers Football Club",
            others="EK:associate",
            summary="Training",
        )
        t.event(
            "youth_service",
            f"YOK{i}",
            f"YO{i}",
            "outreach_contact",
            "2014-05-05T18:00:00",
            place="Rovers FC",
            others="YK:associate",
            summary="Match day",
        )
        t.event("education", f"EOA{i}", f"EO{i}", "school_absence", "2014-03-01", place="Wath Academy")
        if i <= 5:
            t.person("social_care", f"SO{i}", pid, dob="2000-06-01", given=f"Kid{i}", family="Jones")
            t.person(
                "social_care", f"SP{i}", f"parent-{i}", dob="1972-01-01", given=f"Mum{i}", family="Jones"
            )
            t.event("social_care", f"SR{i}", f"SO{i}", "referral", "2014-01-20", others=f"SP{i}:parent")
    t.event(
        "police",
        "EKW",
        "PK",
        "police_incident",
        "2014-05-20T15:00:00",
        place="Rovers Football Club",
        summary="Coach reported a theft from the clubhouse",
    )

    # A child who goes missing alone.
    t.person("police", "PM", MISSING_ONLY, dob="2000-11-11", given="Lone", family="Walker")
    t.person("social_care", "SM", MISSING_ONLY, dob="2000-11-11", given="Lone", family="Walker")
    for j, when in enumerate(["2013-09-01", "2014-01-10", "2014-05-02"], start=1):
        t.event("police", f"EM{j}", "PM", "missing", when, place="Home")
    t.event("social_care", "SMR", "SM", "return_interview", "2014-05-05", others="SW2:professional")
    t.person("social_care", "SW2", SOCIAL_WORKER, dob="1970-01-01", given="Sam", family="Worker")
    return t
