"""Protected concerns about how a case or the service is handled ("speak up"): raising one, the
reviewer's queue (or the raiser's own concerns), and one concern with the reviewer's responses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required, signed_in
from sightline.access.permissions import Cap
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.web.forms import form_view
from sightline.web.forms_accountability import ConcernResponseForm, ProtectedConcernForm
from sightline.web.views.accountability.common import acting


def _concern_page(concern_id: str) -> str:
    return reverse("web:acc_protected", args=[concern_id])


@cap_required(Cap.RAISE_PROTECTED_CONCERN)
def protected_new(request: HttpRequest) -> HttpResponse:
    return form_view(
        request,
        ProtectedConcernForm(request.POST or None),
        template="web/accountability/protected_new.html",
        # the form's fields are the service's arguments
        call=lambda cd: services.do_raise_protected_concern(acting(request), **cd),
        success=lambda concern: _concern_page(concern.id),
        message=lambda concern: (
            f"Your concern {concern.id} has gone to the independent reviewer only. "
            "Nobody can change or remove it."
        ),
    )


@signed_in
def protected_list(request: HttpRequest) -> HttpResponse:
    reviewer = sel.may_review_protected(request.user)
    items = (
        sel.protected_concerns_for_review(request.user)
        if reviewer
        else sel.my_protected_concerns(request.user)
    )
    return render(request, "web/accountability/protected_list.html", {"items": items, "reviewer": reviewer})


@signed_in
def protected_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The concern, for the reviewer (who responds here) or the person who raised it."""
    view = sel.get_protected_concern(request.user, concern_id)
    context = {"view": view, "concern": view.concern}
    if not sel.may_review_protected(request.user):
        if request.method == "POST":
            raise PermissionDenied("Only the independent reviewer responds to protected concerns")
        return render(
            request, "web/accountability/protected_detail.html", {**context, "form": None, "reviewer": False}
        )
    return form_view(
        request,
        ConcernResponseForm(request.POST or None),
        template="web/accountability/protected_detail.html",
        call=lambda cd: services.do_respond_to_protected_concern(
            acting(request), concern_id=view.concern.id, outcome=cd["outcome"], text=cd["text"]
        ),
        success=lambda _response: _concern_page(view.concern.id),
        message="Response recorded.",
        context={**context, "reviewer": True},
    )
