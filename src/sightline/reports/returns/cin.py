"""The children in need census: the factors identified at the end of assessment.

Rows are the council's social care ``assessment`` events (``SIGHTLINE_RETURNS_AGENCY``) completed in
the census period, one row per factor, in the columns of the census's Assessments module. In the
extract format an assessment is an event with its factors, which are known at its end: it was
completed (authorised) on ``ended_on`` if the agency sent one (``occurred_on`` is then its start),
otherwise on ``occurred_on``. Codes that are not census codes (screening indicator codes, which
events may also carry) are left out. The rules are the DfE's published checks on assessment factors
and dates, by their codes and messages; docs/returns.md lists which are checked and which are not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q

from sightline.cases.models import Plan
from sightline.intelligence.models import Alert
from sightline.people.models import SourceEvent
from sightline.reports.returns.common import Period, Problem, ReturnFile, Rule, returns_agency

COLUMNS = [
    "LAchildID",
    "CINdetailsID",
    "AssessmentID",
    "AssessmentActualStartDate",
    "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate",
    "AssessmentFactors",
]
# Every factor code the census accepts (CIN census guide, "factors identified at the end of assessment").
FACTORS = frozenset([
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A", "6B",
    "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A",
    "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
])  # fmt: skip
EXPLOITATION = {"11A": "child sexual exploitation", "24A": "child criminal exploitation"}
CENSUS_CODE = re.compile(r"^\d{1,2}[A-Z]?$")

R8696 = Rule("8696", "Assessment end date must fall within the census year")
R8869 = Rule(
    "8869",
    "The assessment factors code \u201c21\u201d cannot be used in conjunction with any other assessment "
    "factors.",
)
R8897 = Rule(
    "8897Q",
    "Parental or child factors at assessment information is missing from a completed assessment",
    True,
)
R8898 = Rule("8898", "The assessment has more than one parental or child factors with the same code")
R8945 = Rule(
    "8945Q",
    "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be "
    "used ('18B' or '18C' should be used instead)",
    True,
)
R8950 = Rule(
    "8950Q",
    "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be "
    "used ('19B' or '19C' should be used instead)",
    True,
)
SL_EXPLOITATION = Rule(
    "SL-CIN-1",
    "Please check: the partnership holds an exploitation concern about this child (an open plan or alert), "
    "but no assessment completed in the period records 11A (child sexual exploitation) or 24A (child "
    "criminal exploitation).",
    True,
    "Sightline",
)
RULES = [R8696, R8869, R8897, R8898, R8945, R8950, SL_EXPLOITATION]


@dataclass(frozen=True)
class Assessment:
    person_id: str
    la_id: str
    cin_details_id: str
    assessment_id: str
    start: dt.date
    end: dt.date  # completed (authorised)
    factors: list[str]  # census codes as recorded, in order, repeats kept

    @property
    def record(self) -> str:
        return f"{returns_agency()}:{self.la_id} assessment {self.assessment_id}"


def census_codes(text: str) -> list[str]:
    codes = [c.strip().upper() for c in str(text or "").split(";") if c.strip()]
    return [c for c in codes if CENSUS_CODE.match(c)]


def assessments(period: Period) -> list[Assessment]:
    rows = (
        SourceEvent.objects.filter(agency_id=returns_agency(), kind="assessment", occurred_on__lte=period.end)
        .filter(Q(ended_on__gte=period.start) | Q(ended_on__isnull=True, occurred_on__gte=period.start))
        .order_by("record__record_id", "occurred_on", "event_id")
        .values_list("record__person_id", "record__record_id", "event_id", "occurred_on", "ended_on", "data")
    )
    return [
        Assessment(
            str(pid or ""),
            rid,
            str((data or {}).get("cin_details_id") or ""),
            eid,
            start,
            end or start,
            census_codes((data or {}).get("factors", "")),
        )
        for pid, rid, eid, start, end, data in rows
    ]


def check(a: Assessment, period: Period) -> list[Problem]:
    found: list[tuple[Rule, str]] = []
    if not period.holds(a.end):
        found.append((R8696, f"completed {a.end}"))
    if "21" in a.factors and len(a.factors) > 1:
        found.append((R8869, "factors " + ";".join(a.factors)))
    unknown = [c for c in a.factors if c not in FACTORS]
    if not a.factors:
        found.append((R8897, "no factor recorded"))
    elif unknown:
        found.append((R8897, "not factor codes: " + ";".join(unknown)))
    repeated = sorted({c for c in a.factors if a.factors.count(c) > 1})
    if repeated:
        found.append((R8898, "repeated " + ";".join(repeated)))
    if "18A" in a.factors:
        found.append((R8945, ""))
    if "19A" in a.factors:
        found.append((R8950, ""))
    return [Problem(rule, a.person_id, a.record, detail) for rule, detail in found]


def _held_concern(person_ids: set[str]) -> set[str]:
    plans = Plan.objects.filter(status=Plan.Status.OPEN, person_id__in=person_ids).values_list(
        "person_id", flat=True
    )
    alerts = Alert.objects.filter(
        kind=Alert.Kind.CHILD_AT_RISK,
        active=True,
        status__in=(Alert.Status.NEW, Alert.Status.UNDER_REVIEW, Alert.Status.ACTIONED),
        subject_id__in=person_ids,
    ).values_list("subject_id", flat=True)
    return {str(p) for p in plans} | {str(p) for p in alerts}


def build(period: Period) -> ReturnFile:
    out = ReturnFile("cin", list(COLUMNS))
    found = assessments(period)
    for a in found:
        base = [
            a.la_id,
            a.cin_details_id,
            a.assessment_id,
            a.start.isoformat(),
            "",
            a.end.isoformat(),
        ]
        out.rows += [[*base, code] for code in a.factors] or [[*base, ""]]
        out.problems += check(a, period)
    completed: dict[str, list[Assessment]] = {}
    for a in found:
        if a.person_id and period.holds(a.end):
            completed.setdefault(a.person_id, []).append(a)
    for pid in sorted(_held_concern(set(completed))):
        if not any(set(EXPLOITATION) & set(a.factors) for a in completed[pid]):
            latest = max(completed[pid], key=lambda a: (a.end, a.assessment_id))
            out.problems.append(Problem(SL_EXPLOITATION, pid, latest.record))
    return out
