"""A child known to several agencies, named in police records filed under the men who exploit her,
analysed: the data the tests of her whole record share (chronology, counts, alerts and network).

Olivia has a police record (NOM-1) and a social care record (CS-1). Mick (NOM-9) is the suspect
police file most occurrences under, with Olivia among their ``others``. Zara's record NOM-12 begins
with Olivia's id, so a loose text match would wrongly take her records for Olivia's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sightline.intelligence.services import do_analyse
from sightline.people.models import Person, SourceEvent
from tests.factories import adult, child, event, record

BORN = "2000-06-26"


@dataclass
class Story:
    olivia: Person
    zara: Person
    mick: Person
    events: dict[str, SourceEvent]

    # What the analysis counts for Olivia, and which events name her.
    police_as_subject_or_victim = 3  # OCC-1, OCC-2 (filed under Mick), OCC-4 (her own)
    missing_events = 3  # OCC-5 (hers), OCC-6 (Zara's report names her), CSE-1 (social care)
    naming_her = frozenset({"OCC-1", "OCC-2", "OCC-4", "OCC-5", "OCC-6", "OCC-7", "CSE-1"})


def olivia_story() -> Story:
    """The story, imported and analysed."""
    olivia = child("Olivia", family_name="Jackson", date_of_birth=BORN, sex="F")
    zara = child("Zara", family_name="Jaff", date_of_birth="2001-02-03")
    mick = adult("Mick", family_name="Williams", date_of_birth="1979-05-05")
    nom1 = record(olivia, "police", "NOM-1", given_name="Olivia", family_name="Jackson", date_of_birth=BORN)
    cs1 = record(
        olivia, "social_care", "CS-1", given_name="Olivia", family_name="Jackson", date_of_birth=BORN
    )
    nom12 = record(
        zara, "police", "NOM-12", given_name="Zara", family_name="Jaff", date_of_birth="2001-02-03"
    )
    nom9 = record(
        mick, "police", "NOM-9", given_name="Mick", family_name="Williams", date_of_birth="1979-05-05"
    )
    d = dt.date
    made = {
        "OCC-1": event(nom9, "police_incident", d(2014, 3, 1), "OCC-1", others="NOM-1:victim",
                       place="flat 1 hawthorn house", vehicle="YC55 MHT", summary="Girl in the car"),
        "OCC-2": event(nom9, "intelligence", d(2014, 3, 9), "OCC-2", others="NOM-1:victim;NOM-12:victim",
                       vehicle="YC55 MHT"),
        "OCC-3": event(nom9, "police_incident", d(2014, 4, 3), "OCC-3", others="NOM-12:victim"),
        "OCC-4": event(nom1, "police_incident", d(2014, 5, 20), "OCC-4", others="NOM-9:suspect",
                       vehicle="YC55 MHT"),
        "OCC-5": event(nom1, "missing", d(2014, 4, 30), "OCC-5", ended_on="2014-05-02"),
        "OCC-6": event(nom12, "missing", d(2014, 5, 17), "OCC-6", others="NOM-1:associate;NOM-9:suspect"),
        "OCC-7": event(nom9, "police_incident", d(2014, 2, 1), "OCC-7", others="NOM-1:witness"),
        "CSE-1": event(cs1, "missing", d(2014, 4, 30), "CSE-1", summary="Missing from home"),
    }  # fmt: skip
    do_analyse()
    return Story(olivia, zara, mick, made)
