"""The inbox and the email setting. Access to each child is checked again as the inbox is read
(``notifications.selectors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sightline.access.decorators import cap_required
from sightline.notifications import selectors, services
from sightline.notifications.models import EmailChoice
from sightline.web.forms import form_view
from sightline.web.navigation import person_url


class EmailForm(forms.Form):
    email = forms.ChoiceField(
        label="How do you want to hear by email?",
        choices=EmailChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to hear by email"},
    )


@cap_required(*selectors.INBOX_CAPS)
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    page, items = selectors.inbox(user, page=request.GET.get("page", 1))
    rows = [(item, person_url(item.person_id) if item.person_id else "") for item in items]
    return render(
        request,
        "web/notifications/inbox.html",
        {
            "page": page,
            "rows": rows,
            "email_choice": EmailChoice(services.email_choice(user)).label,
            "unseen": selectors.unseen_count(user),
        },
    )


@require_POST
@cap_required(*selectors.INBOX_CAPS)
def mark_all_seen(request: HttpRequest) -> HttpResponse:
    done = services.do_mark_all_seen(request.user)  # type: ignore[arg-type]
    messages.success(request, f"{done} notification{'' if done == 1 else 's'} marked as seen.")
    return redirect("web:notifications")


@cap_required(*selectors.INBOX_CAPS)
def email_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = EmailForm(request.POST or None, initial={"email": services.email_choice(user)})
    return form_view(
        request,
        form,
        template="web/notifications/settings.html",
        call=lambda data: services.do_set_email_preference(user, email=data["email"]),
        success=lambda _row: "/notifications",
        message="Your email setting is saved",
        context={"has_address": bool(user.email), "address": user.email},
    )
