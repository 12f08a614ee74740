"""Form pieces shared by every page: the GOV.UK date input as a Django field.

Pages render any form field with ``{% govuk_field form.x %}`` (``web/templatetags/govuk.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms


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
