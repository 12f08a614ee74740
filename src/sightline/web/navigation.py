"""The service navigation, chosen by role through the permission matrix.

Each domain adds its pages from its ``urls_<domain>`` module::

    register_nav("Triage", "web:triage_queue", caps=[Cap.TRIAGE], order=30)

An item shows when the user's role holds any of ``caps`` (no caps: every signed-in user). Items whose
URL name does not resolve (a page not built yet) are left out. The menu must fit one row at 1280 pixels,
so related pages form one section (``covers``) with a sub-navigation on its pages; "Your activity" and
"Speak up" are in every page's footer, and Notifications and Sign out in the account bar above the menu
(web/base.html).
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
    covers: tuple[str, ...] = ()  # URL names of the section's other pages, reached from its sub-navigation
    unless: tuple[str, ...] = ()  # left out for roles holding any of these (another section covers it)


_NAV: dict[str, NavItem] = {}


def register_nav(
    label: str,
    url_name: str,
    *,
    caps: Iterable[str] = (),
    order: int = 50,
    covers: Iterable[str] = (),
    unless: Iterable[str] = (),
) -> None:
    _NAV[url_name] = NavItem(label, url_name, tuple(caps), order, tuple(covers), tuple(unless))


def _under(path: str, href: str) -> bool:
    return path == href or (href != "/" and path.startswith(href))


def nav_items(role: str, path: str = "") -> list[dict[str, Any]]:
    out = []
    for item in sorted(_NAV.values(), key=lambda i: (i.order, i.label)):
        if item.caps and not any(can(role, c) for c in item.caps):
            continue
        if any(can(role, c) for c in item.unless):
            continue
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        hrefs = [href]
        for name in item.covers:
            try:
                hrefs.append(reverse(name))
            except NoReverseMatch:
                continue
        current = any(_under(path, h) for h in hrefs)
        out.append({"text": item.label, "href": href, "current": current})
    return out


register_nav("Home", "web:dashboard", order=0)
register_nav("Break-glass reviews", "web:break_glass_queue", caps=[Cap.REVIEW_BREAK_GLASS], order=80)
register_nav("Who saw a record", "web:person_access_search", caps=[Cap.VIEW_LEDGER], order=81)
register_nav("Accounts", "web:users", caps=[Cap.MANAGE_ACCOUNTS], order=90)


# The case-work pages name the child record ``web:person`` (kwarg ``person_id``); fall back to home.
PERSON_URL_NAMES = ("web:person", "web:person_detail")


def person_url(person_id: str) -> str:
    for name in PERSON_URL_NAMES:
        try:
            return reverse(name, kwargs={"person_id": person_id})
        except NoReverseMatch:
            continue
    return reverse("web:dashboard")
