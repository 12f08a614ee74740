"""Forms for the outreach pages: assigning outreach from an alert, recording an attempt, and the
decision after a decline. They parse what was typed; the rules (who, when, what needs a reason) are
``sightline.outreach.services``', whose errors ``web.forms.apply_service_errors`` puts on these fields."""

from __future__ import annotations

from typing import Any

from django import forms

from sightline.outreach import selectors
from sightline.outreach.models import Consent, Decision, Method, Outcome
from sightline.web.forms import GovukDateField
from sightline.web.forms_cases import TimeField, combine

NO_WORKER = ("", "Anyone in the team")


def _radio(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(widget=forms.RadioSelect, **kwargs)


class AssignForm(forms.Form):
    agency = forms.ChoiceField(
        label="Team",
        help_text="The team that will try to reach the child, for example the youth service",
        error_messages={"required": "Select the team"},
    )
    worker = forms.ChoiceField(
        label="Named worker (optional)",
        required=False,
        help_text="Leave this as anyone in the team if the team will allocate it",
    )
    note = forms.CharField(
        label="What the worker should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where the child is often seen, who they trust, what to avoid",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = selectors.outreach_teams()
        team_choices = [("", "Select a team"), *((t.id, t.name) for t in teams)]
        self.fields["agency"].choices = team_choices  # type: ignore[attr-defined]
        self.fields["worker"].choices = [  # type: ignore[attr-defined]
            NO_WORKER,
            *(
                (u.username, f"{u.display_name} ({u.agency.name if u.agency else ''})")
                for u in selectors.outreach_workers()
            ),
        ]


class AttemptForm(forms.Form):
    occurred_on = GovukDateField(
        label="Date of the attempt",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the attempt"},
    )
    occurred_time = TimeField(
        label="Time of the attempt", error_messages={"required": "Enter the time of the attempt"}
    )
    method = _radio(
        label="How did you try to reach them?",
        choices=Method.choices,
        error_messages={"required": "Select how you tried to reach them"},
    )
    place = forms.CharField(
        label="Where? (optional)", required=False, max_length=300, help_text="For example, the bus station"
    )
    outcome = _radio(
        label="What happened?",
        choices=Outcome.choices,
        error_messages={"required": "Select what happened"},
    )
    consent = _radio(
        label="If you spoke with them: did they consent to working with you?",
        choices=Consent.choices,
        required=False,
    )
    wishes = forms.CharField(
        label="What did the child say they want?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In their own words if you can. This is needed if they declined.",
    )
    referred_to = forms.CharField(
        label="Who did you refer them to? (if referred on)", required=False, max_length=300
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occurred_at"] = combine(data.get("occurred_on"), data.get("occurred_time"))
        return data

    ALIASES = {"occurred_at": "occurred_on"}


class DecisionForm(forms.Form):
    decision = _radio(label="What have you decided?", error_messages={"required": "Select what you decided"})
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what you weighed: the child's wishes, the risk, and who else is in touch with them",
        error_messages={"required": "Enter the reason for the decision"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, declined: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Decision.Choice.choices if declined else [(Decision.Choice.CLOSE, "Close outreach")]
        self.fields["decision"].choices = choices  # type: ignore[attr-defined]
