"""Form pieces shared by every page: the GOV.UK date input, the reason form, and the one way a
valid form calls a service (:func:`submit_service`, :func:`form_view`).

Pages render any form field with ``{% govuk_field form.x %}`` (``web/templatetags/govuk.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sightline.ledger.services import StaleVersionError

STALE = "Someone else changed this while you were editing. Check the page and try again."


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (GOV.UK date input). Submitted text is kept as typed."""

    template_name = "django/forms/widgets/multiwidget.html"
    parts = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        super().__init__(
            [forms.TextInput(numeric), forms.TextInput(numeric), forms.TextInput(numeric)], attrs
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with GOV.UK error messages."""

    widget = GovukDateWidget

    def __init__(self, *, past_only: bool = False, **kwargs: Any) -> None:
        self.past_only = past_only
        # Parts are optional individually so that compress() can say which part is missing.
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)
        label = (self.label or "the date").lower()
        self.error_messages["required"] = kwargs.get("error_messages", {}).get("required", f"Enter {label}")

    def compress(self, data_list: list[Any]) -> dt.date | None:
        if not data_list or not any(data_list):
            return None
        label = (self.label or "The date").lower()
        names = ("day", "month", "year")
        missing = [n for n, v in zip(names, data_list) if not v]
        if missing:
            raise forms.ValidationError(f"{label.capitalize()} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(v).strip()) for v in data_list)
            if year < 1000:
                raise ValueError
            value = dt.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{label.capitalize()} must be a real date") from None
        if self.past_only and value > dt.date.today():
            raise forms.ValidationError(f"{label.capitalize()} must be today or in the past")
        return value


class ReasonForm(forms.Form):
    """A reason, and optionally a note: closing, withdrawing, dismissing, unmerging and the like."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason"},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str = "Reason", note: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        if not note:
            del self.fields["note"]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


def apply_service_errors(
    form: forms.Form,
    exc: ValidationError,
    aliases: Mapping[str, str] | None = None,
    others: Sequence[forms.Form | None] = (),
) -> None:
    """Put a service's ValidationError on the form's fields: each service field name (or its alias
    here) that the form, or one of ``others`` on the same page, has gets its message; anything else
    goes to the top of the error summary."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, _sentence(message))
        return
    for name, messages in exc.message_dict.items():
        target = aliases.get(name, name)
        owner = next((f for f in (form, *others) if f is not None and target in f.fields), None)
        for message in messages:
            (owner or form).add_error(target if owner is not None else None, _sentence(message))


def submit_service(
    form: forms.Form,
    call: Callable[[], Any],
    aliases: Mapping[str, str] | None = None,
    *,
    stale_message: str,
    others: Sequence[forms.Form | None] = (),
) -> tuple[bool, Any]:
    """Run a service call for a valid form in one transaction. On a ValidationError or a stale
    version, put the problem on the form (or on ``others`` of the page that have the field) and
    report failure; the form is re-shown with what was typed."""
    try:
        with transaction.atomic():
            return True, call()
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases, others)
    except StaleVersionError:
        form.add_error(None, stale_message)
    return False, None


def form_view(
    request: HttpRequest,
    form: forms.Form,
    *,
    template: str,
    call: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], str],
    message: str | Callable[[Any], str] = "",
    context: Mapping[str, Any] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The form page every write uses: show the form; on a valid POST call the service with the
    cleaned data in one transaction, then say what happened and redirect to ``success(result)``.
    Service errors go back onto the form, which is shown again with what was typed."""
    if request.method == "POST" and form.is_valid():
        ok, result = submit_service(form, lambda: call(form.cleaned_data), aliases, stale_message=STALE)
        if ok:
            text = message(result) if callable(message) else message
            if text:
                flash.success(request, text)
            return redirect(success(result))
    return render(request, template, {"form": form, **(context or {})})
