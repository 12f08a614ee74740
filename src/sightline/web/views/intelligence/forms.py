"""The analysts' forms: filtering alerts and groups, changing an alert's status, deciding a pair."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from sightline.intelligence.models import Alert
from sightline.intelligence.selectors import OPEN_STATUSES
from sightline.intelligence.services import STATUS_TRANSITIONS
from sightline.web.forms import GovukDateField

MEMBER_TYPES = [("person", "People"), ("place", "Places"), ("vehicle", "Vehicles"), ("phone", "Phones")]


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of alert", required=False, choices=[("", "All kinds"), *Alert.Kind.choices]
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Not dismissed"), ("all", "Any status"), *Alert.Status.choices],
    )

    def statuses(self) -> tuple[str, ...]:
        chosen = self.cleaned_data.get("status", "") if self.is_valid() else ""
        if chosen == "all":
            return ()
        return (chosen,) if chosen else tuple(OPEN_STATUSES)

    def kind_value(self) -> str:
        return str(self.cleaned_data.get("kind", "")) if self.is_valid() else ""


class AlertStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Change the status to", widget=forms.RadioSelect, error_messages={"required": "Select a status"}
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to dismiss an alert. Say what you checked.",
        max_length=5000,
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[Alert.Status(current)]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in Alert.Status if s in allowed
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Alert.Status.DISMISSED and not str(data.get("reason", "")).strip():
            self.add_error("reason", "Enter why you are dismissing the alert")
        return data


class NetworkFilterForm(forms.Form):
    group = forms.ChoiceField(label="Group", required=False)
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)
    kinds = forms.MultipleChoiceField(
        label="Kinds of event", required=False, widget=forms.CheckboxSelectMultiple
    )
    types = forms.MultipleChoiceField(
        label="Show", required=False, widget=forms.CheckboxSelectMultiple, choices=MEMBER_TYPES
    )

    def __init__(self, *args: Any, groups: Sequence[tuple[str, str]], kinds: Sequence[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(groups)  # type: ignore[attr-defined]
        self.fields["kinds"].choices = [  # type: ignore[attr-defined]
            (k, k.replace("_", " ").capitalize()) for k in kinds
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


class LinkDecisionForm(forms.Form):
    same_person = forms.ChoiceField(
        label="Are these records about the same person?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, the same person"), ("no", "No, not the same person")],
        error_messages={"required": "Select whether the records are about the same person"},
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What settled it, for example a confirmed date of birth.",
        max_length=5000,
    )


class LinkGroupDecisionForm(LinkDecisionForm):
    """One decision for the chosen pairs of a review group; every waiting pair is chosen at first."""

    reviews = forms.MultipleChoiceField(
        label="Pairs this decision is for",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pair", "invalid_choice": "That pair is not waiting"},
    )

    def __init__(self, *args: Any, pairs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviews"]
        field.choices = [(pk, pk) for pk in pairs]  # type: ignore[attr-defined]
        field.initial = pairs
        self.fields["same_person"].label = "Are the records of each chosen pair about the same person?"
