"""API authentication: bearer tokens for systems, the browser session for people.

Both resolve to a Sightline user, so the API applies the same permission matrix, need to know and
ledgered reads as the web pages. A browser session counts only once the second factor is done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from sightline.access.decorators import fully_signed_in
from sightline.access.models import User
from sightline.access.permissions import can
from sightline.access.selectors import user_for_token
from sightline.access.services import actor_for
from sightline.ledger.services import Actor


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sl_...``: a token created with ``sightline token create``."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.sightline_auth = "token"  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked for unsafe methods)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is nothing to protect: skip the CSRF check so that a
        # client with a bad token gets 401, not a CSRF 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None or not fully_signed_in(request):
            return None
        request.sightline_auth = "session"  # type: ignore[attr-defined]
        return request.user  # type: ignore[return-value]


token_auth = TokenAuth()
session_auth = SessionAuth()


def current_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (endpoints run only after authentication)."""
    user: Any = getattr(request, "auth", None) or request.user
    return user


def current_actor(request: HttpRequest) -> Actor:
    return actor_for(current_user(request))


def require(request: HttpRequest, *caps: str) -> User:
    """The request's user if their role holds any of ``caps``; otherwise a 403 problem."""
    user = current_user(request)
    if not any(can(user.role, c) for c in caps):
        raise AuthorizationError(message="Your role does not allow this")
    return user
