"""The account managers' review pages: role changes waiting for a second person, and API tokens.

Views parse input and call ``sightline.access`` services and selectors (``access.role_changes`` for
the second person's decision); the listing of tokens never shows a token itself.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access import selectors
from sightline.access.decorators import cap_required
from sightline.access.forms import RoleDecisionForm
from sightline.access.permissions import Cap, Role
from sightline.access.role_changes import do_decide_role_change
from sightline.access.services import actor_for
from sightline.web.forms import form_view

PAGE_SIZE = 50


@cap_required(Cap.MANAGE_ACCOUNTS)
def role_changes(request: HttpRequest) -> HttpResponse:
    decided = Paginator(selectors.role_change_requests(pending=False), PAGE_SIZE)
    return render(
        request,
        "web/access/role_changes.html",
        {
            "pending": selectors.role_change_requests(),
            "decided": decided.get_page(request.GET.get("page")),
            "me": request.user.get_username(),
        },
    )


@cap_required(Cap.MANAGE_ACCOUNTS)
def role_change(request: HttpRequest, request_id: str) -> HttpResponse:
    change = selectors.role_change_request(request_id)

    def decide(cd: dict[str, Any]) -> Any:
        return do_decide_role_change(
            actor_for(request.user),  # type: ignore[arg-type]
            request_id=change.id,
            approve=cd["decision"] == "approve",
            note=cd.get("note", ""),
        )

    return form_view(
        request,
        RoleDecisionForm(request.POST or None),
        template="web/access/role_change.html",
        call=decide,
        success=lambda _: reverse("web:role_changes"),
        message=lambda done: f"Role change for {done.username} {done.get_status_display().lower()}.",
        context={
            "change": change,
            "to_label": Role(change.to_role).label,
            "from_label": Role(change.from_role).label if change.from_role else "",
            "may_decide": request.user.get_username() not in {change.requested_by, change.username},
        },
    )


@cap_required(Cap.MANAGE_ACCOUNTS)
def api_tokens(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.api_tokens(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (t, selectors.token_status(t), getattr(getattr(t, "use", None), "last_used_at", None)) for t in page
    ]
    return render(request, "web/access/api_tokens.html", {"page": page, "rows": rows})
