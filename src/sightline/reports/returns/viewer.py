"""The analyst's view of a return's problems: only for roles that may see every child's record, and
the children it names ledgered as a list read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sightline.access.models import Agency
from sightline.access.permissions import Cap
from sightline.cases.selectors.access_hooks import ledger_list, require_viewer_cap
from sightline.reports.returns import Period, ReturnFile, build, names

# The page lists children from the whole council's data: a role must be able to open any of them.
VIEWER_CAPS = (Cap.VIEW_ALL_PEOPLE,)


@dataclass(frozen=True)
class ProblemLine:
    code: str
    severity: str
    source: str
    message: str
    person_id: str
    name: str
    record: str
    detail: str


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
SOURCE_REF = re.compile(r"^([a-z_]+):")


def _readable_date(m: re.Match[str]) -> str:
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).strftime("%-d %b %Y")
    except ValueError:
        return m[0]


def _for_people(text: str, agencies: dict[str, str]) -> str:
    """A return's record reference and detail as a person reads them: the agency by its name, not its
    code, and dates as "10 Sep 2026". The return file itself keeps the codes."""
    text = ISO_DATE.sub(_readable_date, text)
    return SOURCE_REF.sub(lambda m: f"{agencies[m[1]]}: " if m[1] in agencies else m[0], text)


def census_year(today: dt.date) -> Period:
    """The census year (1 April to 31 March) that ``today`` falls in."""
    start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return Period(start, dt.date(start.year + 1, 3, 31))


def return_problems(user: Any, kind: str, period: Period) -> tuple[ReturnFile, list[ProblemLine]]:
    require_viewer_cap(user, *VIEWER_CAPS)
    made = build(kind, period)
    named = names(made.problems)
    ledger_list(user, f"validation of the {kind} return", named)
    agencies = dict(Agency.objects.values_list("id", "name"))
    lines = [
        ProblemLine(
            p.rule.code,
            p.rule.severity,
            p.rule.source,
            p.rule.message,
            p.person_id,
            named.get(p.person_id, ""),
            _for_people(p.record, agencies),
            _for_people(p.detail, agencies),
        )
        for p in made.problems
    ]
    return made, lines
