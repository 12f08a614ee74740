"""What outreach tells need to know: the team an outreach is assigned to is involved with the child
(so its workers can open the record of the child they are to reach, and no other), and the outreach
rows belong to the child's access history (so the reviewer, and an evidence pack about the child,
see every assignment, attempt and decision)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sightline.outreach.models import Assignment, Attempt, Decision
from sightline.people import need_to_know

# The path from each outreach row to the child it is about.
PERSON_OF: dict[type[Any], str] = {
    Assignment: "person_id",
    Attempt: "assignment__person_id",
    Decision: "assignment__person_id",
}


def _assigned_to(agency: str) -> QuerySet[Any]:
    # One level of manual merge, as case work does: a child merged away is reached through the survivor.
    return need_to_know.with_survivors(Assignment.objects.filter(agency_id=agency).values("person_id"))


def person_objects(person_id: str) -> list[tuple[str, str]]:
    """(ledger type, id) of every outreach row about the person."""
    return need_to_know.objects_about(PERSON_OF, person_id)


def register_access_hooks() -> None:
    need_to_know.register_involvement(
        "outreach.assignment",
        _assigned_to,
        by_person=need_to_know.survivors_by_person(Assignment.objects.all(), "agency_id", "person_id"),
    )
    need_to_know.register_person_objects("outreach", person_objects)
