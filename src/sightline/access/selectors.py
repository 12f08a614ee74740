"""Reads for access: break-glass grants and their review queue, activity, accounts and API tokens.

Whether a user may open a person's record (need to know) is decided in the people layer,
``sightline.people.need_to_know``, which reads the grants through :func:`active_break_glass`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from sightline.access.models import ApiToken, BreakGlass, User
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


def user_for_token(token: str) -> User | None:
    """The active owner of an unrevoked API token, or None."""
    if not token or not token.startswith("sl_"):
        return None
    row = ApiToken.objects.select_related("owner").filter(token_hash=hash_token(token)).first()
    if row is None or row.revoked_at is not None or not row.owner.is_active:
        return None
    return row.owner


def users(*, include_inactive: bool = True) -> QuerySet[User]:
    qs = User.objects.select_related("agency").order_by("username")
    return qs if include_inactive else qs.filter(is_active=True)


def user_by_username(username: str) -> User:
    user = User.objects.select_related("agency").filter(username=username).first()
    if user is None:
        raise NotFound("No such account")
    return user


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("owner")
