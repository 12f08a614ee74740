"""The linkage audit by group, as national statistics offices publish it when no truth is known:
the match rate of children's records by sex, age band, ethnicity and agency. Children of one sex or
ethnicity should be joined across agencies about as often as all children; a group joined markedly less
often may be under-linked (its names, dates or addresses recorded in ways the model handles worse) and
is flagged. Age bands and agencies differ by nature (a school holds every child), so they are shown,
not flagged. Ethnicity is an audit dimension only; linkage never reads it (docs/linkage.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sightline.access.models import Agency
from sightline.core import labels
from sightline.people.models import Person, SourceRecord
from sightline.people.nhs import age_from

FLAG_POINTS = 5.0  # a group this many percentage points below everyone is flagged
MIN_RECORDS = 20  # smaller groups are shown, never flagged: their rates swing by chance
FLAGGED_DIMENSIONS = ("Sex", "Ethnicity")


@dataclass(frozen=True)
class GroupRate:
    dimension: str
    group: str
    records: int
    joined: int  # records whose person holds another record
    cross_agency: int  # records whose person holds another agency's record

    @property
    def joined_percent(self) -> float:
        return 100.0 * self.joined / self.records if self.records else 0.0

    @property
    def cross_percent(self) -> float:
        return 100.0 * self.cross_agency / self.records if self.records else 0.0


@dataclass(frozen=True)
class LinkageAudit:
    overall: GroupRate
    groups: list[GroupRate]

    def flagged(self, rate: GroupRate) -> bool:
        return (
            rate.dimension in FLAGGED_DIMENSIONS
            and rate.records >= MIN_RECORDS
            and rate.cross_percent < self.overall.cross_percent - FLAG_POINTS
        )


def _age_band(dob: str, today: dt.date) -> str:
    years = age_from(dob, "", today)
    if years is None or years < 0:
        return "Not known"
    for top, band in ((13, "Under 13"), (18, "13 to 17"), (25, "18 to 24")):
        if years < top:
            return band
    return "25 and over"


def linkage_audit(today: dt.date | None = None) -> LinkageAudit:
    """Match rates of children's agency records, overall and by group (aggregates: no one is named)."""
    today = today or dt.date.today()
    agency_names = dict(Agency.objects.values_list("pk", "name"))
    records = list(SourceRecord.objects.values_list("agency_id", "person_id"))
    agencies_of: dict[str, set[str]] = defaultdict(set)
    count_of: dict[str, int] = defaultdict(int)
    for agency, person in records:
        if person:
            agencies_of[person].add(agency)
            count_of[person] += 1
    people = {
        pk: (sex, dob, ethnicity)
        for pk, sex, dob, ethnicity in Person.objects.filter(
            pk__in=list(count_of), kind=Person.Kind.CHILD
        ).values_list("id", "sex", "date_of_birth", "ethnicity")
    }
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for agency, person in records:
        if person not in people:
            continue
        sex, dob, ethnicity = people[person]
        joined = count_of.get(person or "", 0) > 1
        cross = len(agencies_of.get(person or "", ())) > 1
        for key in (
            ("All records", "All records"),
            ("Sex", labels.sex_label(sex) if sex else "Not known"),
            ("Age band", _age_band(dob, today)),
            ("Ethnicity", ethnicity or "Not recorded"),
            ("Agency", agency_names.get(agency, agency)),
        ):
            cell = tally[key]
            cell[0] += 1
            cell[1] += joined
            cell[2] += cross
    rates = [GroupRate(dim, group, *cell) for (dim, group), cell in tally.items()]
    overall = next((r for r in rates if r.dimension == "All records"), GroupRate("All records", "", 0, 0, 0))
    order = {"Sex": 0, "Age band": 1, "Ethnicity": 2, "Agency": 3}
    groups = sorted((r for r in rates if r.dimension in order), key=lambda r: (order[r.dimension], r.group))
    return LinkageAudit(overall, groups)
