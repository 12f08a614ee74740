"""Forms for sharing decisions and the section 47 workspace. They parse what was typed; the rules
(a reason when not sharing, who is of the team) are ``sightline.sharing.services``'."""

from __future__ import annotations

from typing import Any

from django import forms

from sightline.access.models import Agency
from sightline.people.models import NhsNumberStatus
from sightline.sharing import selectors
from sightline.sharing.models import Discipline, JointDecision, SharingDecision
from sightline.web.forms import GovukDateField


def _agencies() -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in Agency.objects.filter(active=True).order_by("name")]


class SharingDecisionForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label="Which agencies was it shared with, or asked for by?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agency or agencies"},
    )
    what = forms.CharField(
        label="What was shared, or asked for?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the return interview notes from 3 March",
        error_messages={"required": "Enter what was shared or asked for"},
    )
    outcome = forms.ChoiceField(
        label="Was it shared?",
        widget=forms.RadioSelect,
        choices=SharingDecision.Outcome.choices,
        error_messages={"required": "Select whether it was shared"},
    )
    reason_code = forms.ChoiceField(
        label="If not shared: why not?",
        widget=forms.RadioSelect,
        choices=SharingDecision.Reason.choices,
        required=False,
    )
    reason = forms.CharField(
        label="The reason in your words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed for another reason. Say what you weighed: the duty to share, and the harm",
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the decision"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = _agencies()  # type: ignore[attr-defined]


class OpenWorkspaceForm(forms.Form):
    summary = forms.CharField(
        label="Why is the enquiry being opened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The concern that gives reasonable cause to suspect significant harm",
        error_messages={"required": "Enter why the enquiry is being opened"},
    )


class MemberForm(forms.Form):
    username = forms.ChoiceField(label="Who joins the team?", error_messages={"required": "Select who joins"})
    discipline = forms.ChoiceField(
        label="Their discipline",
        widget=forms.RadioSelect,
        choices=Discipline.choices,
        required=False,
        help_text="Leave unselected to take it from their agency",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].choices = [  # type: ignore[attr-defined]
            ("", "Select a person"),
            *(
                (u.username, f"{u.display_name} ({u.agency.name if u.agency else ''})")
                for u in selectors.team_candidates()
            ),
        ]


class RemoveMemberForm(forms.Form):
    username = forms.ChoiceField(
        label="Who leaves the team?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who leaves"},
    )
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].choices = members  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    description = forms.CharField(
        label="What needs doing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what needs doing"},
    )
    assignee = forms.ChoiceField(
        label="Who will do it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who will do it"},
    )
    due_on = GovukDateField(
        label="Due by",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it is due"},
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = members  # type: ignore[attr-defined]


class JointDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did the team decide?",
        widget=forms.RadioSelect,
        choices=JointDecision.Outcome.choices,
        error_messages={"required": "Select what the team decided"},
    )
    decision = forms.CharField(
        label="The decision and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the decision and why"},
    )
    agreed_by = forms.MultipleChoiceField(
        label="Who agreed?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the members who agreed"},
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the decision"},
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].choices = members  # type: ignore[attr-defined]


class NhsNumberForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number (if known)",
        required=False,
        max_length=20,
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )
    reason_code = forms.ChoiceField(
        label="If there is no NHS number: why not?",
        widget=forms.RadioSelect,
        choices=NhsNumberStatus.Reason.choices,
        required=False,
    )
    note = forms.CharField(
        label="More about why (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for another reason",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("nhs_number") and not data.get("reason_code"):
            self.add_error("nhs_number", "Enter the NHS number, or say why there is none")
        return data
