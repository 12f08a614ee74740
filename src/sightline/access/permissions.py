"""The permission matrix: the one place that says which role may do what.

``docs/access.md`` documents this table; ``tests/access`` checks every row of it. Services call
:func:`require_cap` (or ask :func:`has_cap`), pages use ``access.decorators.cap_required``; none of them
decide access on their own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models

from sightline.ledger.services import SYSTEM, Actor


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    DSL = "dsl", "Designated safeguarding lead"
    CSE_COORDINATOR = "cse_coordinator", "CSE coordinator"
    ANALYST = "analyst", "Analyst"
    MANAGER = "manager", "Manager"
    BOARD_MEMBER = "board_member", "Safeguarding board member"
    INDEPENDENT_REVIEWER = "independent_reviewer", "Independent reviewer"
    SYSADMIN = "sysadmin", "System administrator"


class Cap(models.TextChoices):
    """Capabilities. Person-level data access is further limited by need to know (selectors)."""

    VIEW_OWN_AGENCY_PEOPLE = "view_own_agency_people", "See records of people known to my agency"
    VIEW_ALL_PEOPLE = "view_all_people", "See every person's record (multi-agency role)"
    BREAK_GLASS = "break_glass", "Open a record outside my access, with a reason"
    RAISE_CONCERN = "raise_concern", "Raise a concern about a child"
    TRIAGE = "triage", "Triage concerns"
    SCREEN = "screen", "Complete and override screenings"
    MANAGE_CASE = "manage_case", "Record plans, episodes, placements, return interviews"
    INVESTIGATE = "investigate", "Record police investigations"
    MERGE_PEOPLE = "merge_people", "Merge and unmerge people; decide link reviews"
    IMPORT = "import", "Import agency extracts"
    VIEW_INTELLIGENCE = "view_intelligence", "See alerts and the network view"
    MANAGE_ALERTS = "manage_alerts", "Change alert status"
    ASSIGN_OUTREACH = "assign_outreach", "Assign outreach from an alert to a worker or team"
    RECORD_OUTREACH = "record_outreach", "Record outreach attempts, the child's wishes and decisions"
    SEE_OVERDUE = "see_overdue", "See overdue triage and actions across the team"
    VIEW_AGGREGATE = "view_aggregate", "See aggregate figures and board reports"
    MANAGE_RECOMMENDATIONS = "manage_recommendations", "Edit recommendations and actions"
    SIGN_OFF = "sign_off", "Sign off completed actions"
    VIEW_LEDGER = "view_ledger", "Browse and verify the whole ledger and every access"
    REVIEW_BREAK_GLASS = "review_break_glass", "Review break-glass use and protected concerns"
    MANAGE_ACCOUNTS = "manage_accounts", "Create accounts and change roles"
    RAISE_PROTECTED_CONCERN = "raise_protected_concern", "Raise a protected concern about handling"


_CASE = {Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.BREAK_GLASS, Cap.RAISE_CONCERN, Cap.RAISE_PROTECTED_CONCERN}

MATRIX: dict[str, frozenset[str]] = {
    Role.PRACTITIONER: frozenset(_CASE | {Cap.MANAGE_CASE, Cap.RECORD_OUTREACH}),
    Role.DSL: frozenset(_CASE | {Cap.MANAGE_CASE, Cap.SEE_OVERDUE}),
    Role.CSE_COORDINATOR: frozenset(
        _CASE
        | {
            Cap.VIEW_ALL_PEOPLE,
            Cap.TRIAGE,
            Cap.SCREEN,
            Cap.MANAGE_CASE,
            Cap.MERGE_PEOPLE,
            Cap.IMPORT,
            Cap.VIEW_INTELLIGENCE,
            Cap.MANAGE_ALERTS,
            Cap.ASSIGN_OUTREACH,
            Cap.RECORD_OUTREACH,
            Cap.SEE_OVERDUE,
            Cap.VIEW_AGGREGATE,
            Cap.MANAGE_RECOMMENDATIONS,
        }
    ),
    Role.ANALYST: frozenset(
        _CASE
        | {
            Cap.VIEW_ALL_PEOPLE,
            Cap.VIEW_INTELLIGENCE,
            Cap.MANAGE_ALERTS,
            Cap.MERGE_PEOPLE,
            Cap.IMPORT,
            Cap.INVESTIGATE,
            Cap.VIEW_AGGREGATE,
        }
    ),
    Role.MANAGER: frozenset(
        _CASE
        | {
            Cap.MANAGE_CASE,
            Cap.RECORD_OUTREACH,
            Cap.SCREEN,
            Cap.SEE_OVERDUE,
            Cap.VIEW_AGGREGATE,
            Cap.MANAGE_RECOMMENDATIONS,
            Cap.SIGN_OFF,
            Cap.TRIAGE,
            Cap.INVESTIGATE,
        }
    ),
    Role.BOARD_MEMBER: frozenset({Cap.VIEW_AGGREGATE, Cap.SIGN_OFF, Cap.RAISE_PROTECTED_CONCERN}),
    Role.INDEPENDENT_REVIEWER: frozenset(
        {Cap.VIEW_LEDGER, Cap.REVIEW_BREAK_GLASS, Cap.VIEW_AGGREGATE, Cap.RAISE_PROTECTED_CONCERN}
    ),
    Role.SYSADMIN: frozenset({Cap.MANAGE_ACCOUNTS, Cap.RAISE_PROTECTED_CONCERN}),
}

# Roles that may see personal data must use a second factor.
PERSONAL_DATA_CAPS = frozenset(
    {Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE, Cap.VIEW_LEDGER, Cap.VIEW_INTELLIGENCE}
)
# Account management can mint accounts that see personal data, so it needs a second factor too.
SECOND_FACTOR_CAPS = PERSONAL_DATA_CAPS | {Cap.MANAGE_ACCOUNTS}

# Capabilities that reach case data (people, concerns, screenings, intelligence). Board members and
# the system administrator must never hold any of them; tests/access checks this.
CASE_DATA_CAPS = frozenset(
    {
        Cap.VIEW_OWN_AGENCY_PEOPLE,
        Cap.VIEW_ALL_PEOPLE,
        Cap.BREAK_GLASS,
        Cap.TRIAGE,
        Cap.SCREEN,
        Cap.MANAGE_CASE,
        Cap.INVESTIGATE,
        Cap.MERGE_PEOPLE,
        Cap.IMPORT,
        Cap.VIEW_INTELLIGENCE,
        Cap.MANAGE_ALERTS,
        Cap.RAISE_CONCERN,
        Cap.ASSIGN_OUTREACH,
        Cap.RECORD_OUTREACH,
    }
)

NO_CASE_DATA_ROLES = frozenset({Role.BOARD_MEMBER, Role.SYSADMIN})


def can(role: str, cap: str) -> bool:
    return cap in MATRIX.get(role, frozenset())


def has_cap(actor: Actor, cap: str) -> bool:
    """Whether the actor may do ``cap``; the system actor (command line, jobs) may do anything."""
    return actor.role == SYSTEM.role or can(actor.role, cap)


def require_cap(actor: Actor, cap: str) -> None:
    """Refuse with PermissionDenied unless the actor's role holds ``cap``."""
    if not has_cap(actor, cap):
        role = Role(actor.role).label if actor.role in Role.values else actor.role
        raise PermissionDenied(f"the {role} role may not {Cap(cap).label.lower()}")


def capabilities(role: str) -> list[Cap]:
    """The role's capabilities in the order ``Cap`` declares them (for pages and docs)."""
    held = MATRIX.get(role, frozenset())
    return [c for c in Cap if c in held]


def needs_second_factor(role: str) -> bool:
    return bool(MATRIX.get(role, frozenset()) & SECOND_FACTOR_CAPS)


def sees_personal_data(role: str) -> bool:
    return bool(MATRIX.get(role, frozenset()) & PERSONAL_DATA_CAPS)
