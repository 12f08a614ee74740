"""What sharing tells need to know: a section 47 team member's agency is involved with the child (so
its members can open the record), and sharing rows belong to the child's access history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sightline.people import need_to_know
from sightline.sharing.models import JointDecision, Member, SharingDecision, Task, Workspace

PERSON_OF: dict[type[Any], str] = {
    SharingDecision: "person_id",
    Workspace: "person_id",
    Member: "workspace__person_id",
    Task: "workspace__person_id",
    JointDecision: "workspace__person_id",
}


def _members_of(agency: str) -> QuerySet[Any]:
    return need_to_know.with_survivors(
        Member.objects.filter(agency_id=agency, active=True).values("workspace__person_id")
    )


def person_objects(person_id: str) -> list[tuple[str, str]]:
    return need_to_know.objects_about(PERSON_OF, person_id)


def register_access_hooks() -> None:
    need_to_know.register_involvement(
        "sharing.s47member",
        _members_of,
        by_person=need_to_know.survivors_by_person(
            Member.objects.filter(active=True), "agency_id", "workspace__person_id"
        ),
    )
    need_to_know.register_person_objects("sharing", person_objects)
