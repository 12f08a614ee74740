"""The service navigation, chosen by role through the permission matrix.

Each domain adds its pages from its ``urls_<domain>`` module::

    register_nav("Triage", "web:triage_queue", caps=[Cap.TRIAGE], order=30)

An item shows when the user's role holds any of ``caps`` (no caps: every signed-in user). Items whose
URL name does not resolve (a page not built yet) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from sightline.access.permissions import Cap, can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    caps: tuple[str, ...]
    order: int


_NAV: dict[str, NavItem] = {}


def register_nav(label: str, url_name: str, *, caps: Iterable[str] = (), order: int = 50) -> None:
    _NAV[url_name] = NavItem(label, url_name, tuple(caps), order)


def nav_items(role: str, path: str = "") -> list[dict[str, Any]]:
    out = []
    for item in sorted(_NAV.values(), key=lambda i: (i.order, i.label)):
        if item.caps and not any(can(role, c) for c in item.caps):
            continue
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = path == href or (href != "/" and path.startswith(href))
        out.append({"text": item.label, "href": href, "current": current})
    return out


register_nav("Home", "web:dashboard", order=0)
register_nav("Break-glass reviews", "web:break_glass_queue", caps=[Cap.REVIEW_BREAK_GLASS], order=80)
register_nav("Who saw a record", "web:person_access_search", caps=[Cap.VIEW_LEDGER], order=81)
register_nav("Accounts", "web:users", caps=[Cap.MANAGE_ACCOUNTS], order=90)
register_nav("Your activity", "web:my_activity", order=95)


# The case-work pages name the child record ``web:person`` (kwarg ``person_id``); fall back to home.
PERSON_URL_NAMES = ("web:person", "web:person_detail")


def person_url(person_id: str) -> str:
    for name in PERSON_URL_NAMES:
        try:
            return reverse(name, kwargs={"person_id": person_id})
        except NoReverseMatch:
            continue
    return reverse("web:dashboard")
