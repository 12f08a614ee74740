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
