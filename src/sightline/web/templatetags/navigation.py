"""``{% load navigation %}``: ``user|can:"merge_people"`` for links a role may follow (sub-navigations)."""

from __future__ import annotations

from typing import Any

from django import template

from sightline.access.permissions import can as role_can

register = template.Library()


@register.filter
def can(user: Any, cap: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and role_can(getattr(user, "role", ""), cap)
