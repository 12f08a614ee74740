"""Each role sees only what docs/access.md says: the documented matrix is the code's, and every page and
endpoint enforces it for every role."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from sightline.access.permissions import CASE_DATA_CAPS, MATRIX, NO_CASE_DATA_ROLES, Cap, Role, can
from sightline.people.need_to_know import person_access, require_person_access, visible_people
from sightline.people.services import do_break_glass

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = list(Role.values)

# Where each role belongs in the tests: an agency it would plausibly work in.
AGENCY = {
    Role.PRACTITIONER: "social_care",
    Role.DSL: "education",
    Role.CSE_COORDINATOR: "mash",
    Role.ANALYST: "police",
    Role.MANAGER: "social_care",
    Role.BOARD_MEMBER: "mash",
    Role.INDEPENDENT_REVIEWER: "independent_review",
    Role.SYSADMIN: "sightline_ops",
}


def documented_matrix() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- matrix:start -->", 1)[1].split("<!-- matrix:end -->", 1)[0]
    rows = [r for r in table.strip().splitlines() if r.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    labels = {Role(r).label: r for r in ROLES} | {"DSL": Role.DSL, "Board member": Role.BOARD_MEMBER}
    roles = [labels[h] for h in header[2:]]
    out: dict[str, set[str]] = {r: set() for r in roles}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        code = re.fullmatch(r"`(\w+)`", cells[1])
        assert code, f"docs/access.md: no capability code in row {row!r}"
        for role, cell in zip(roles, cells[2:]):
            assert cell in {"yes", "\u2013"}, f"docs/access.md: {cell!r} in row {code.group(1)}"
            if cell == "yes":
                out[role].add(code.group(1))
    return out


def test_docs_table_is_the_matrix() -> None:
    documented = documented_matrix()
    assert set(documented) == set(MATRIX)
    for role, caps in MATRIX.items():
        assert documented[role] == {str(c) for c in caps}, f"docs/access.md disagrees for {role}"


def test_docs_list_every_capability() -> None:
    text = DOC.read_text(encoding="utf-8")
    for cap in Cap:
        assert f"`{cap.value}`" in text


def test_board_members_and_sysadmin_hold_no_case_data_capability() -> None:
    for role in NO_CASE_DATA_ROLES:
        assert not (MATRIX[role] & CASE_DATA_CAPS), role


# --- pages and endpoints, for every role -----------------------------------------------------------

# (path, capabilities of which the role needs one; () = any signed-in account)
PAGES: list[tuple[str, tuple[str, ...]]] = [
    ("/", ()),
    ("/account/activity", ()),
    ("/review/break-glass", (Cap.REVIEW_BREAK_GLASS,)),
    ("/review/access", (Cap.VIEW_LEDGER,)),
    ("/review/access/{person}", (Cap.VIEW_LEDGER,)),
    ("/accounts", (Cap.MANAGE_ACCOUNTS,)),
    ("/accounts/new", (Cap.MANAGE_ACCOUNTS,)),
    ("/accounts/{username}", (Cap.MANAGE_ACCOUNTS,)),
    ("/people/{person}/break-glass", (Cap.BREAK_GLASS,)),
    ("/api/access/me", ()),
    ("/api/access/me/activity", ()),
    ("/api/access/break-glass", (Cap.REVIEW_BREAK_GLASS,)),
    ("/api/access/people/{person}/access-log", (Cap.VIEW_LEDGER,)),
    ("/api/access/people/{person}/access", ()),
]


@pytest.fixture
def signed_in(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> Callable[[str], tuple[Client, Any]]:
    def _as(role: str) -> tuple[Client, Any]:
        user = make_user(role, AGENCY[Role(role)], username=f"as-{role}")
        login(client, user)
        return client, user

    return _as


@pytest.mark.parametrize("role", ROLES)
def test_each_page_and_endpoint_obeys_the_matrix(
    role: str, signed_in: Callable[[str], tuple[Client, Any]], person: Callable[..., Any]
) -> None:
    client, user = signed_in(role)
    child = person("police")  # known to the police only
    for template, caps in PAGES:
        path = template.format(person=child.id, username=user.username)
        allowed = not caps or any(can(role, c) for c in caps)
        response = client.get(path)
        if allowed:
            # A role that can already see the child is sent straight to the record, not asked for a reason.
            assert response.status_code in {200, 302}, f"{role} should reach {path}: {response.status_code}"
            if response.status_code == 302:
                assert path.endswith("/break-glass") and can(role, Cap.VIEW_ALL_PEOPLE)
        else:
            assert response.status_code == 403, f"{role} must not reach {path}: {response.status_code}"
            if path.startswith("/api/"):
                assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_navigation_shows_only_what_the_role_can_use(
    role: str, signed_in: Callable[[str], tuple[Client, Any]]
) -> None:
    client, _ = signed_in(role)
    html = client.get("/").content.decode()
    nav = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    assert ('href="/accounts"' in nav) == can(role, Cap.MANAGE_ACCOUNTS)
    assert ('href="/review/break-glass"' in nav) == can(role, Cap.REVIEW_BREAK_GLASS)
    assert ('href="/review/access"' in nav) == can(role, Cap.VIEW_LEDGER)
    account = html.split('aria-label="Your account"', 1)[1].split("</nav>", 1)[0]
    assert "Sign out" in account and "Sign out" not in nav
    # sections, so that it fits one row at 1280 pixels (tests/browser/test_fonts_and_menu.py measures it)
    assert nav.count('<li class="govuk-service-navigation__item') <= 7
    footer = html.split('class="govuk-footer"', 1)[1]
    assert 'href="/account/activity"' in footer and 'href="/speak-up"' in footer
    # The home page lists exactly the role's capabilities.
    for cap in Cap:
        assert (f"<li>{cap.label}</li>" in html.replace("&#x27;", "'")) == can(role, cap), cap


@pytest.mark.parametrize("role", ROLES)
def test_who_can_open_a_childs_record(
    role: str, make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    """Need to know, role by role: own-agency roles see children their agency knows; multi-agency roles
    see everyone; board members, the reviewer and the sysadmin see no one."""
    user = make_user(role, AGENCY[Role(role)])
    known = person(AGENCY[Role(role)])
    unknown = person("licensing")
    expected_known = can(role, Cap.VIEW_ALL_PEOPLE) or can(role, Cap.VIEW_OWN_AGENCY_PEOPLE)
    assert person_access(user, known.id).allowed == expected_known
    assert person_access(user, unknown.id).allowed == can(role, Cap.VIEW_ALL_PEOPLE)


@pytest.mark.parametrize("role", sorted(NO_CASE_DATA_ROLES))
def test_sysadmin_and_board_can_read_no_case_data(
    role: str,
    make_user: Callable[..., Any],
    person: Callable[..., Any],
    client: Client,
    login: Callable[..., Any],
) -> None:
    user = make_user(role, AGENCY[Role(role)])
    child = person(AGENCY[Role(role)], "police", "social_care", "health")  # known to their own agency too
    with pytest.raises(PermissionDenied):
        require_person_access(user, child.id, "test")
    with pytest.raises(PermissionDenied):
        do_break_glass(user, person_id=child.id, reason="a long enough reason to open the record")
    assert not visible_people(user).exists()
    login(client, user)
    assert client.get(f"/people/{child.id}/break-glass").status_code == 403
    assert client.get(f"/api/access/people/{child.id}/access").json()["allowed"] is False
