"""Statutory returns: build a return for a period, validate it, write it, and report what to fix.

``build(kind, period)`` gives the return's rows and its problems, each naming the child's record and the
rule broken (code and message); ``write`` saves the rows as CSV and ledgers the export; ``write_report``
saves the problems. docs/returns.md.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sightline.ledger.services import SYSTEM, Actor, record_action
from sightline.people.models import Person
from sightline.reports.exports import safe_cells
from sightline.reports.returns import annex_a, cin, ssda903
from sightline.reports.returns.common import Period, Problem, ReturnFile, Rule

__all__ = [
    "KINDS",
    "REPORT_COLUMNS",
    "RULES",
    "TITLES",
    "Period",
    "Problem",
    "ReturnFile",
    "Rule",
    "build",
    "names",
    "write",
    "write_report",
]

KINDS: dict[str, Callable[..., ReturnFile]] = {
    "cin": cin.build,
    "ssda903": ssda903.build,
    "annex-a": annex_a.build,
}
TITLES = {
    "cin": "Children in need census: factors at the end of assessment",
    "ssda903": "Looked-after children return (SSDA903): missing episodes",
    "annex-a": "Ofsted Annex A, List 8: children in care (missing and return interviews)",
}
RULES: dict[str, list[Rule]] = {"cin": cin.RULES, "ssda903": ssda903.RULES, "annex-a": annex_a.RULES}
REPORT_COLUMNS = ["code", "severity", "rule_source", "message", "person_id", "name", "record", "detail"]


def build(kind: str, period: Period, *, interviews: bool = False) -> ReturnFile:
    if kind not in KINDS:
        raise ValueError(f"no return {kind!r}: choose one of {', '.join(KINDS)}")
    if kind == "ssda903":
        return ssda903.build(period, interviews=interviews)
    return KINDS[kind](period)


def names(problems: Iterable[Problem]) -> dict[str, str]:
    """The name of each child the problems are about. No check: callers decide who may see them."""
    ids = {p.person_id for p in problems if p.person_id}
    return {p.pk: str(p) for p in Person.objects.filter(pk__in=ids)}


def _csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(safe_cells(row))
            n += 1
    return n


def write(made: ReturnFile, period: Period, out: str | Path, *, actor: Actor = SYSTEM) -> int:
    """Write the return's rows as CSV and ledger the export: rows, the file's SHA-256 and what
    validation found."""
    rows = _csv(out, made.columns, made.rows)
    record_action(
        actor,
        "export",
        "reports.return",
        made.name,
        data={
            "export": f"return {made.name}",
            "period": [period.start.isoformat(), period.end.isoformat()],
            "file": Path(out).name,
            "rows": rows,
            "sha256": hashlib.sha256(Path(out).read_bytes()).hexdigest(),
            "problems": len(made.problems),
            "errors": made.errors,
        },
    )
    return rows


def report_rows(made: ReturnFile) -> list[list[str]]:
    named = names(made.problems)
    return [
        [
            p.rule.code,
            p.rule.severity,
            p.rule.source,
            p.rule.message,
            p.person_id,
            named.get(p.person_id, ""),
            p.record,
            p.detail,
        ]
        for p in made.problems
    ]


def write_report(made: ReturnFile, out: str | Path) -> int:
    return _csv(out, REPORT_COLUMNS, report_rows(made))
