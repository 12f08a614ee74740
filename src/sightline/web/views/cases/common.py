"""What every case-work page needs: who is acting, whether their role may do something, the child
after the need-to-know check, and links back to the child's record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sightline.access.permissions import can
from sightline.access.services import actor_for
from sightline.ledger.services import Actor
from sightline.people import selectors as people
from sightline.people.models import Person


def actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def user_can(request: HttpRequest, cap: str) -> bool:
    user: Any = request.user
    return can(user.role, cap)


def person_url(person_id: str, anchor: str = "") -> str:
    url = reverse("web:person", kwargs={"person_id": person_id})
    return f"{url}#{anchor}" if anchor else url


def child(request: HttpRequest, person_id: str, purpose: str) -> Person:
    """The child who now stands for ``person_id``, after the need-to-know check (ledgered)."""
    root = people.resolve_person_id(person_id)
    return people.get_person(request.user, root, purpose=purpose).person
