"""Forms for the sign-in and account pages. They parse input only; rules live in services."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from sightline.access.models import Agency
from sightline.access.permissions import Role
from sightline.access.services import BREAK_GLASS_MIN_REASON


class SignInForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="Enter the 6-digit code shown in your authenticator app",
        max_length=12,
        error_messages={"required": "Enter the security code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("The security code must be 6 digits")
        return code


def _radios(label: str, choices: Sequence[tuple[str, str]], required: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": required}
    )


def _notes(rows: int, help_text: str) -> forms.CharField:
    """Optional notes; the service says when they are needed."""
    return forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this record?",
        help_text=(
            f"Write at least {BREAK_GLASS_MIN_REASON} characters: say what you need it for and why it cannot"
            " wait. The independent reviewer will read this."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why you need to see this record"},
    )


class ReviewForm(forms.Form):
    outcome = _radios(
        "Was this access appropriate?",
        [("appropriate", "Yes, it was appropriate"), ("concern", "No, it raises a concern")],
        "Select whether this access was appropriate",
    )
    note = _notes(4, "Required if the access raises a concern")


class PersonIdForm(forms.Form):
    person_id = forms.CharField(
        label="Person identifier",
        max_length=40,
        help_text="For example, P-1A2B3C4D5E6F",
        error_messages={"required": "Enter the person's identifier"},
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )


def agency_choices() -> list[tuple[str, str]]:
    return [("", "Choose an agency"), *Agency.objects.filter(active=True).values_list("id", "name")]


class NewUserForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter a username"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    agency = forms.ChoiceField(label="Agency", error_messages={"required": "Choose an agency"})
    role = _radios("Role", Role.choices, "Select a role")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].choices = agency_choices()  # type: ignore[attr-defined]


class ChangeRoleForm(forms.Form):
    role = _radios("New role", Role.choices, "Select a role")
    reason = forms.CharField(
        label="Why is the role changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the role is changing"},
    )


class RoleDecisionForm(forms.Form):
    decision = _radios(
        "Do you approve this role change?",
        [("approve", "Yes, approve it"), ("refuse", "No, refuse it")],
        "Select whether you approve this role change",
    )
    note = _notes(3, "Required if you refuse it")
