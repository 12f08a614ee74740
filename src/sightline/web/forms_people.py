"""Forms for finding people and reading their chronology. Matching and ranking are
``sightline.people.selectors``'; these only parse what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from sightline.people.models import Person
from sightline.people.selectors import SearchQuery, normalise_date


class SearchForm(forms.Form):
    name = forms.CharField(
        label="Name or nickname",
        required=False,
        max_length=200,
        help_text="Any part of their name, even if you are not sure of the spelling",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = forms.CharField(
        label="Date of birth",
        required=False,
        max_length=20,
        help_text="For example, 14/03/2010, 2010-03 or 2010",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="A full postcode or the first part, for example S65",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    identifier = forms.CharField(
        label="Identifier",
        required=False,
        max_length=100,
        help_text="An NHS number, pupil number, police reference or an agency's record reference",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Who are you looking for?",
        required=False,
        choices=[("", "Anyone"), (Person.Kind.CHILD, "Children"), (Person.Kind.ADULT, "Adults")],
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            (data.get(f) or "").strip() for f in ("name", "date_of_birth", "postcode", "identifier")
        ):
            self.add_error("name", "Enter a name, date of birth, postcode or identifier")
        return data

    def query(self) -> SearchQuery:
        data = self.cleaned_data
        dob = (data.get("date_of_birth") or "").strip()
        return SearchQuery(
            name=(data.get("name") or "").strip(),
            date_of_birth=normalise_date(dob) if dob else "",
            postcode=(data.get("postcode") or "").strip(),
            identifier=(data.get("identifier") or "").strip(),
            kind=data.get("kind") or "",
        )


class ChronologyFilterForm(forms.Form):
    agency = forms.ChoiceField(label="Agency", required=False, choices=[])
    kind = forms.ChoiceField(label="Kind of entry", required=False, choices=[])

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]] = (),  # type: ignore[assignment]
        kinds: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies"), *agencies]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "All kinds"), *kinds]  # type: ignore[attr-defined]


class PersonEditForm(forms.Form):
    """Correcting a person's details by hand. Checks and normalising are ``people.services``'."""

    kind = forms.ChoiceField(label="Child or adult", choices=Person.Kind.choices, widget=forms.RadioSelect)
    given_name = forms.CharField(label="First name", required=False, max_length=200)
    family_name = forms.CharField(label="Last name", required=False, max_length=200)
    other_names = forms.CharField(
        label="Other names or nicknames", required=False, max_length=500, help_text="Separate with commas"
    )
    date_of_birth = forms.CharField(
        label="Date of birth",
        required=False,
        max_length=10,
        help_text="As YYYY-MM-DD, or YYYY-MM or YYYY if only part is known",
    )
    sex = forms.ChoiceField(
        label="Sex",
        required=False,
        choices=[("", "Not recorded"), ("F", "Female"), ("M", "Male"), ("U", "Unknown")],
    )
    ethnicity = forms.CharField(
        label="Ethnicity (DfE code)",
        required=False,
        max_length=8,
        help_text="For example WBRI. Recorded for reporting; never used in a score or alert.",
    )
    address = forms.CharField(label="Address", required=False, max_length=500)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    reason = forms.CharField(
        label="Why are you changing these details?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are changing these details"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = (
        "kind",
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "sex",
        "ethnicity",
        "address",
        "postcode",
    )

    def changes(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f, "") for f in self.FIELDS}


class MergeForm(forms.Form):
    target = forms.CharField(
        label="Sightline ID of the record to keep",
        max_length=40,
        help_text="This record is merged into that one. You can undo a merge.",
        error_messages={"required": "Enter the Sightline ID of the record to keep"},
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why these records are the same person"},
    )

    def target_id(self) -> str:
        return str(self.cleaned_data["target"]).strip().upper()
