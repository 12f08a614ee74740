"""What sharing tells need to know: a section 47 team member's agency is involved with the child (so
its members can open the record), and sharing rows belong to the child's access history."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sightline.people import need_to_know
from sightline.people.models import Person
from sightline.sharing.models import JointDecision, Member, SharingDecision, Task, Workspace

PERSON_OF: dict[type[Any], str] = {
    SharingDecision: "person_id",
    Workspace: "person_id",
    Member: "workspace__person_id",
    Task: "workspace__person_id",
    JointDecision: "workspace__person_id",
}


def _members_of(agency: str) -> QuerySet[Any]:
    ids = Member.objects.filter(agency_id=agency, active=True).values("workspace__person_id")
    merged = Person.objects.filter(pk__in=ids, status=Person.Status.MERGED).values("merged_into")
    return Person.objects.filter(Q(pk__in=ids) | Q(pk__in=merged)).values("pk")


def person_objects(person_id: str) -> list[tuple[str, str]]:
    return [
        (model.ledger_type(), pk)
        for model, path in PERSON_OF.items()
        for pk in model.objects.filter(**{path: person_id}).values_list("pk", flat=True)
    ]


def register_access_hooks() -> None:
    need_to_know.register_involvement("sharing.s47member", _members_of)
    need_to_know.register_person_objects("sharing", person_objects)
