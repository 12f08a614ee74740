"""API authentication: bearer tokens for systems, the browser session for people.

Both resolve to a Sightline user, so the API applies the same permission matrix, need to know and
ledgered reads as the web pages. A browser session counts only once the second factor is done. A
token also has an expiry and scopes, checked here for every operation before it runs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from sightline.access.decorators import fully_signed_in
from sightline.access.models import TOKEN_DOMAINS, User
from sightline.access.permissions import can
from sightline.access.selectors import api_token, token_expired
from sightline.access.services import actor_for, note_token_use
from sightline.ledger.services import Actor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_scope_needed(request: HttpRequest) -> tuple[str, str]:
    """(mode, domain) an API request needs: ``read`` for GET/HEAD/OPTIONS, else ``write``, and the
    router it is addressed to (the first segment of the path under the API's root)."""
    root = reverse("api:api-root")
    rest = request.path[len(root) :] if request.path.startswith(root) else ""
    return ("read" if request.method in READ_METHODS else "write"), rest.split("/", 1)[0]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sl_...``: a token created with ``sightline token create``, used before
    it expires and within its scopes (every operation, by its method and router)."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = api_token(token)
        if row is None:
            return None
        if token_expired(row):
            raise AuthenticationError(message=f"This token expired on {row.expires_at:%Y-%m-%d %H:%M} UTC")
        mode, domain = token_scope_needed(request)
        # An operation on a router no scope names (a new domain) is refused until scopes name it.
        if mode not in row.scopes or domain not in row.scopes or domain not in TOKEN_DOMAINS:
            scopes = ", ".join(row.scopes)
            raise AuthorizationError(
                message=f"This token's scopes ({scopes}) do not allow {mode} on {domain}"
            )
        note_token_use(row)
        request.user = row.owner
        request.sightline_auth = "token"  # type: ignore[attr-defined]
        return row.owner


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
