"""Error pages: GOV.UK pages for people, problem+json (RFC 9457) under /api/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import urlencode


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        from sightline.api.core import problem

        return problem(request, 403, str(exception or "") or "Forbidden")
    context: dict[str, Any] = {"reason": str(exception or "")}
    person_id = getattr(exception, "person_id", "")
    if person_id and getattr(exception, "can_break_glass", False):
        url = reverse("web:break_glass", kwargs={"person_id": person_id})
        context["break_glass_url"] = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return render(request, "403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        from sightline.api.core import problem

        return problem(request, 404, "There is nothing at this address")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        from sightline.api.core import problem

        return problem(request, 500, "Something went wrong on the server. It has been logged.")
    # No request context: the failure may have been in a context processor or the session.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
