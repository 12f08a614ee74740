"""The looked-after children return (SSDA903): its Missing table.

The children are those looked after by this council at any time in the period (``common.looked_after``);
their episodes are the missing and absent episodes recorded in case work and, where case work has no
episode starting the same day, those in the council's own extract (``missing``/``absent`` events).
Columns are the published ones: CHILD, DOB, MISSING (M or A), MIS_START, MIS_END (DD/MM/YYYY; an
episode still open at the end of the period has no end). ``interviews=True`` adds two columns that are
not part of the DfE's table, RHI_OFFERED and RHI_ACCEPTED (Y, N or blank for not known), for local use.

The rules are the DfE's on the Missing table that Sightline's data can break, by their codes and
messages, and Sightline's own on return home interviews (statutory guidance: offered after every
missing episode, within 72 hours of the return). docs/returns.md lists what is and is not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sightline.cases.models import MissingEpisode, ReturnInterview
from sightline.people.models import SourceEvent
from sightline.reports.returns.common import (
    Care,
    Child,
    Period,
    Problem,
    ReturnFile,
    Rule,
    children,
    dmy,
    local_day,
    looked_after,
    returns_agency,
)

COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
INTERVIEW_COLUMNS = ["RHI_OFFERED", "RHI_ACCEPTED"]
RHI_HOURS = 72
# An interview in an agency's extract belongs to the episode it follows within this many days.
RHI_AFTER_DAYS = 30

R574 = Rule(
    "574",
    "A new missing/away from placement without authorisation period cannot start when the previous "
    "missing/away from placement without authorisation period is still open. Missing/away from placement "
    "without authorisation periods should also not overlap.",
)
R575 = Rule(
    "575",
    "If the placement from which the child goes missing/away from placement without authorisation ends, "
    "the missing/away from placement without authorisation period in the missing module must also have an "
    "end date.",
)
R577 = Rule(
    "577",
    "Child ceased to be looked after but there is a missing/away from placement without authorisation period "
    "without an end date.",
)
R578 = Rule(
    "578", "The date that the child started to be missing is after the child ceased to be looked after."
)
R581 = Rule("581", "Child is missing but has not yet started to be looked after.")
R586 = Rule("586", "Dates of missing periods are before child\u2019s date of birth.")
SL_DOB = Rule(
    "SL-903-1", "The child's date of birth is not known in full, so DOB is blank.", True, "Sightline"
)
SL_CHILD = Rule(
    "SL-903-2",
    "The child has no record in the council's children's social care extract, so CHILD is their "
    "Sightline id.",
    True,
    "Sightline",
)
SL_NO_RHI = Rule(
    "SL-RHI-1", "No return home interview offer is recorded after this missing episode.", True, "Sightline"
)
SL_LATE_RHI = Rule(
    "SL-RHI-2",
    "The return home interview was offered more than 72 hours after the child returned.",
    True,
    "Sightline",
)
RULES = [R574, R575, R577, R578, R581, R586, SL_DOB, SL_CHILD, SL_NO_RHI, SL_LATE_RHI]


@dataclass(frozen=True)
class Episode:
    person_id: str
    category: str  # M or A
    start: dt.date
    end: dt.date | None
    record: str
    offered: bool | None  # None: not known
    accepted: bool | None
    offered_late: bool = False


def _case_work(person_ids: Iterable[str]) -> list[Episode]:
    out = []
    rows = MissingEpisode.objects.filter(person_id__in=list(person_ids)).prefetch_related("return_interviews")
    for ep in rows:
        interviews = list(ep.return_interviews.all())
        responses = {i.response for i in interviews}
        accepted: bool | None = None
        if ReturnInterview.Response.ACCEPTED in responses:
            accepted = True
        elif ReturnInterview.Response.DECLINED in responses:
            accepted = False
        first = min((i.offered_at for i in interviews), default=None)
        late = bool(first and ep.ended_at and first - ep.ended_at > dt.timedelta(hours=RHI_HOURS))
        start = local_day(ep.started_at)
        assert start is not None
        out.append(
            Episode(
                ep.person_id,
                ep.category,
                start,
                local_day(ep.ended_at),
                f"missing episode {ep.id}",
                bool(interviews),
                accepted,
                late,
            )
        )
    return out


def _extract(person_ids: Iterable[str]) -> list[Episode]:
    events = (
        SourceEvent.objects.filter(
            agency_id=returns_agency(),
            kind__in=("missing", "absent", "return_interview"),
            record__person_id__in=list(person_ids),
        )
        .order_by("occurred_on", "event_id")
        .values_list("record__person_id", "kind", "occurred_on", "ended_on", "event_id", "record__record_id")
    )
    interviews: dict[str, list[dt.date]] = {}
    found = []
    for pid, kind, start, end, eid, rid in events:
        if kind == "return_interview":
            interviews.setdefault(str(pid), []).append(start)
        else:
            ref = f"{returns_agency()}:{rid} event {eid}"
            found.append((str(pid), "M" if kind == "missing" else "A", start, end, ref))
    out = []
    for pid, category, start, end, ref in found:
        back = end or start
        held = any(back <= day <= back + dt.timedelta(days=RHI_AFTER_DAYS) for day in interviews.get(pid, []))
        # An interview in the extract was held, so it was offered and accepted; without one, not known.
        out.append(Episode(pid, category, start, end, ref, True if held else None, True if held else None))
    return out


def episodes(period: Period, care: dict[str, list[Care]]) -> list[Episode]:
    """Every episode of the looked-after children that is open at any time in the period."""
    recorded = _case_work(care)
    seen = {(e.person_id, e.start, e.category) for e in recorded}
    extra = [e for e in _extract(care) if (e.person_id, e.start, e.category) not in seen]
    return sorted(
        (e for e in recorded + extra if period.overlaps(e.start, e.end)),
        key=lambda e: (e.person_id, e.start, e.end or dt.date.max, e.record),
    )


def _yn(value: bool | None) -> str:
    return "" if value is None else "Y" if value else "N"


def check(child: Child, eps: list[Episode], spans: list[Care], period: Period) -> list[Problem]:
    found: list[Problem] = []
    first = spans[0].start
    ends = [s.end for s in spans]
    ceased = max(d for d in ends if d is not None) if all(d is not None for d in ends) else None
    previous: Episode | None = None
    for e in eps:
        if previous is not None and (previous.end is None or e.start <= previous.end):
            found.append(
                Problem(R574, child.person_id, e.record, f"starts {e.start}, overlapping {previous.record}")
            )
        previous = e
        if e.start < first:
            found.append(
                Problem(R581, child.person_id, e.record, f"starts {e.start}, looked after from {first}")
            )
        elif ceased is not None and e.start > ceased:
            found.append(Problem(R578, child.person_id, e.record, f"starts {e.start}, ceased {ceased}"))
        if e.end is None:
            during = [s for s in spans if s.start <= e.start and (s.end is None or s.end >= e.start)]
            if ceased is not None and period.holds(ceased):
                found.append(Problem(R577, child.person_id, e.record, f"ceased to be looked after {ceased}"))
            elif during and during[-1].end is not None:
                found.append(
                    Problem(R575, child.person_id, e.record, f"{during[-1].record} ended {during[-1].end}")
                )
        if child.dob is not None and e.start < child.dob:
            found.append(Problem(R586, child.person_id, e.record, f"starts {e.start}, born {child.dob}"))
        if e.category == "M" and e.end is not None and period.holds(e.end):
            if not e.offered:
                found.append(Problem(SL_NO_RHI, child.person_id, e.record, f"returned {e.end}"))
            elif e.offered_late:
                found.append(Problem(SL_LATE_RHI, child.person_id, e.record))
    return found


def build(period: Period, *, interviews: bool = False) -> ReturnFile:
    care = looked_after(period)
    eps = episodes(period, care)
    known = children({e.person_id for e in eps})
    out = ReturnFile("ssda903", COLUMNS + (INTERVIEW_COLUMNS if interviews else []))
    by_child: dict[str, list[Episode]] = {}
    for e in eps:
        by_child.setdefault(e.person_id, []).append(e)
    for pid in sorted(by_child, key=lambda p: (known[p].la_id, p)):
        child, mine = known[pid], by_child[pid]
        for e in mine:
            end = e.end if e.end is not None and e.end <= period.end else None
            row = [child.la_id, dmy(child.dob), e.category, dmy(e.start), dmy(end)]
            out.rows.append(row + ([_yn(e.offered), _yn(e.accepted)] if interviews else []))
        if child.dob is None:
            out.problems.append(Problem(SL_DOB, pid, mine[0].record))
        if not child.has_la_id:
            out.problems.append(Problem(SL_CHILD, pid, mine[0].record))
        out.problems += check(child, mine, care[pid], period)
    return out
