"""Where a person outside the viewer's access can be opened with break-glass, for roles that may."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from sightline.access.permissions import Cap, can
from sightline.web.navigation import person_url


def break_glass_url(user: Any, person_id: str) -> str:
    if not can(user.role, Cap.BREAK_GLASS):
        return ""
    url = reverse("web:break_glass", kwargs={"person_id": person_id})
    return f"{url}?{urlencode({'next': person_url(person_id)})}"
