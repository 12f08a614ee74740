"""Ofsted's inspection data (ILACS Annex A): the columns of List 8, children in care, that Sightline holds.

Annex A has no list of its own for children who go missing or children at risk of exploitation:
missing and absent episodes and return home interviews are columns of List 8 (children in care).
Sightline is not the council's case-management system, so this is List 8's children (looked after by
the council at any time in the period) with the columns Sightline can fill, named as the Annex A
template and the Standard Safeguarding Dataset's Annex A extract name them; the council's other List 8
columns (legal status, reviews, visits, health) come from its own system and join on ChildUniqueID.
Values use the template's lettered answers (``a) Yes``). Counts are of episodes starting in the period.
"""

from __future__ import annotations

import datetime as dt

from sightline.reports.returns.common import (
    Care,
    Child,
    Period,
    Problem,
    ReturnFile,
    children,
    dmy,
    looked_after,
)
from sightline.reports.returns.ssda903 import SL_DOB, SL_NO_RHI, Episode, episodes

COLUMNS = [
    "ChildUniqueID",
    "Gender",
    "Ethnicity",
    "DateOfBirth",
    "Age",
    "CeasedLookedAfterDate",
    "MostRecentPlacementStartDate",
    "PlacementProvider",
    "PlacementPostcode",
    "EpisodesChildMissingFromPlacement",
    "EpisodesChildAbsentFromPlacement",
    "ChildOfferedReturnInterviewAfterLastMFH",
    "ChildAcceptedReturnInterviewAfterLastMFH",
]
GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded", "I": "d) Neither"}
# The DfE ethnicity codes in the order Annex A letters them; anything else is u) UNKNOWN.
ETHNICITY = [
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
    "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip
RULES = [SL_DOB, SL_NO_RHI]


def gender(sex: str) -> str:
    return GENDER.get(sex.upper(), GENDER["U"])


def ethnicity(code: str) -> str:
    code = code.strip().upper()
    if code in ETHNICITY:
        return f"{chr(ord('a') + ETHNICITY.index(code))}) {code}"
    return "u) UNKNOWN"


def age(dob: dt.date | None, on: dt.date) -> str:
    if dob is None:
        return ""
    return str(on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)))


def _answer(value: bool | None) -> str:
    return "c) Unknown" if value is None else "a) Yes" if value else "b) No"


def _row(child: Child, period: Period, mine: list[Episode], care: list[Care]) -> list[str]:
    ends = [c.end for c in care]
    ceased = max(d for d in ends if d is not None) if all(d is not None for d in ends) else None
    latest = max(care, key=lambda c: c.start)
    counted = [e for e in mine if period.holds(e.start)]
    ended = [e for e in counted if e.category == "M" and e.end is not None]
    last = max(ended, key=lambda e: (e.end, e.start)) if ended else None
    return [
        child.la_id,
        gender(child.sex),
        ethnicity(child.ethnicity),
        dmy(child.dob),
        age(child.dob, period.end),
        dmy(ceased if ceased is not None and ceased <= period.end else None),
        dmy(latest.start),
        latest.provider,
        latest.postcode,
        str(sum(1 for e in counted if e.category == "M")),
        str(sum(1 for e in counted if e.category == "A")),
        _answer(last.offered) if last else "",
        _answer(last.accepted) if last else "",
    ]


def build(period: Period) -> ReturnFile:
    care = looked_after(period)
    eps = episodes(period, care)
    known = children(care)
    by_child: dict[str, list[Episode]] = {}
    for e in eps:
        by_child.setdefault(e.person_id, []).append(e)
    out = ReturnFile("annex-a", list(COLUMNS))
    for pid in sorted(care, key=lambda p: (known[p].la_id, p)):
        child = known[pid]
        mine = by_child.get(pid, [])
        out.rows.append(_row(child, period, mine, care[pid]))
        if child.dob is None:
            out.problems.append(Problem(SL_DOB, pid, care[pid][-1].record))
        for e in mine:
            if e.category == "M" and e.end is not None and period.holds(e.start) and not e.offered:
                out.problems.append(Problem(SL_NO_RHI, pid, e.record, f"returned {e.end}"))
    return out
