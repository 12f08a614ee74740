"""Error pages: GOV.UK pages for people, problem+json (RFC 9457) under /api/.

Here, at the edge, because both the web and the API answer errors and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import urlencode

from sightline.api.core import problem
from sightline.core.errors import NotFound


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return problem(request, 403, str(exception or "") or "Forbidden")
    context: dict[str, Any] = {"reason": str(exception or "")}
    person_id = getattr(exception, "person_id", "")
    if person_id and getattr(exception, "can_break_glass", False):
        url = reverse("web:break_glass", kwargs={"person_id": person_id})
        context["break_glass_url"] = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return render(request, "403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return problem(request, 404, "There is nothing at this address")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem(request, 500, "Something went wrong on the server. It has been logged.")
    # No request context: the failure may have been in a context processor or the session.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


class NotFoundMiddleware:
    """Services and selectors raise the domain's ``NotFound``; a page answers it as a 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return not_found(request, Http404(str(exception)))
        return None
