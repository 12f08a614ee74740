"""View guards: signed in with the second factor where the role needs one, and holding a capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sightline.access.permissions import can
from sightline.access.services import second_factor_required

V = TypeVar("V", bound=Callable[..., HttpResponse])


def fully_signed_in(request: HttpRequest) -> bool:
    """Authenticated, active, and past the second factor if the account must use one."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(request, "_sightline_fully_signed_in", None)
    if cached is None:
        verified = getattr(user, "is_verified", lambda: False)()
        cached = bool(verified) or not second_factor_required(user)
        request._sightline_fully_signed_in = cached  # type: ignore[attr-defined]
    return bool(cached)


def signed_in(view: V) -> V:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not fully_signed_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def cap_required(*caps: str) -> Callable[[V], V]:
    """Signed in, and the role holds at least one of ``caps``; otherwise 403."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not fully_signed_in(request):
                return redirect_to_login(request.get_full_path())
            role = request.user.role  # type: ignore[union-attr]
            if not any(can(role, c) for c in caps):
                raise PermissionDenied("Your role does not allow this")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
