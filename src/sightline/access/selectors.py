"""Reads for access: break-glass grants and their review queue, activity, accounts and API tokens.

Whether a user may open a person's record (need to know) is decided in the people layer,
``sightline.people.need_to_know``, which reads the grants through :func:`active_break_glass`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.utils import timezone

from sightline.access.models import Agency, ApiToken, ApiTokenUse, BreakGlass, RoleChangeRequest, User
from sightline.access.services import hash_token
from sightline.core.errors import NotFound
from sightline.ledger.models import Entry

# --- break-glass ---------------------------------------------------------------------------------


def open_grants(user: User) -> QuerySet[BreakGlass]:
    """The user's break-glass grants that have not yet expired."""
    return BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now())


def active_break_glass(user: User, person_id: str) -> BreakGlass | None:
    """The user's open grant on this person that lasts longest, if any."""
    return open_grants(user).filter(person_id=person_id).order_by("-expires_at").first()


def break_glass_queue(*, reviewed: bool = False) -> QuerySet[BreakGlass]:
    """Grants awaiting review (oldest first), or those already reviewed (newest first)."""
    qs = BreakGlass.objects.select_related("user", "reviewed_by")
    if reviewed:
        return qs.filter(reviewed_at__isnull=False).order_by("-reviewed_at")
    return qs.filter(reviewed_at__isnull=True).order_by("granted_at")


def break_glass_grant(grant_id: str) -> BreakGlass:
    grant = BreakGlass.objects.select_related("user", "reviewed_by").filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("No such break-glass grant")
    return grant


# --- activity ------------------------------------------------------------------------------------


def my_activity(user: User) -> QuerySet[Entry]:
    """Every ledger entry where the user is the actor, reads included, newest first."""
    return Entry.objects.filter(actor_user=user.username).order_by("-index")


# --- accounts and tokens -------------------------------------------------------------------------


def api_token(token: str) -> ApiToken | None:
    """The unrevoked token row (with its owner and last use) for a bearer token whose owner is still
    active, expired or not; None for anything else."""
    if not token or not token.startswith("sl_"):
        return None
    row = ApiToken.objects.select_related("owner", "use").filter(token_hash=hash_token(token)).first()
    if row is None or row.revoked_at is not None or not row.owner.is_active:
        return None
    return row


def token_expired(row: ApiToken, now: dt.datetime | None = None) -> bool:
    return row.expires_at <= (now or timezone.now())


def user_for_token(token: str) -> User | None:
    """The active owner of an unrevoked, unexpired API token, or None."""
    row = api_token(token)
    return None if row is None or token_expired(row) else row.owner


def token_last_used(row: ApiToken) -> dt.datetime | None:
    use = ApiTokenUse.objects.filter(token=row).first()
    return use.last_used_at if use else None


def agencies() -> QuerySet[Agency]:
    """Every registered agency by code, with how many accounts each has."""
    return Agency.objects.annotate(accounts=Count("users")).order_by("pk")


def users(*, include_inactive: bool = True) -> QuerySet[User]:
    qs = User.objects.select_related("agency").order_by("username")
    return qs if include_inactive else qs.filter(is_active=True)


def display_names(usernames: set[str] | list[str]) -> dict[str, str]:
    """username -> the person's name, in one query: pages name staff; ledgers and exports keep usernames."""
    found = User.objects.filter(username__in=set(usernames)).only("username", "first_name", "last_name")
    return {u.username: u.display_name for u in found}


def user_by_username(username: str) -> User:
    user = User.objects.select_related("agency").filter(username=username).first()
    if user is None:
        raise NotFound("No such account")
    return user


def api_tokens() -> QuerySet[ApiToken]:
    """Every token, newest first, with its owner and last use (for the administrator's listing)."""
    return ApiToken.objects.select_related("owner", "use").order_by("-created_at")


def token_status(row: ApiToken, now: dt.datetime | None = None) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if token_expired(row, now) else "active"


# --- role changes waiting for a second account manager ----------------------------------------------


def role_change_requests(*, pending: bool = True) -> QuerySet[RoleChangeRequest]:
    qs = RoleChangeRequest.objects.select_related("user")
    if pending:
        return qs.filter(status=RoleChangeRequest.Status.PENDING).order_by("requested_at")
    return qs.exclude(status=RoleChangeRequest.Status.PENDING).order_by("-decided_at")


def role_change_request(request_id: str) -> RoleChangeRequest:
    found = RoleChangeRequest.objects.select_related("user").filter(pk=request_id).first()
    if found is None:
        raise NotFound("No such role change")
    return found


def awaiting_approval(user: User) -> bool:
    """A new account whose role no second account manager has approved (it cannot sign in)."""
    requests = RoleChangeRequest.objects.filter(user=user, from_role="")
    return requests.exists() and not requests.filter(status=RoleChangeRequest.Status.APPROVED).exists()
