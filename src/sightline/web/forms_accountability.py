"""Forms for the accountability pages. They parse what was typed; every rule (what needs evidence, a
reason or a second person) is in ``sightline.accountability.services``, whose ValidationErrors go back
onto these fields through ``web.forms.apply_service_errors``."""

from __future__ import annotations

from typing import Any

from django import forms

from sightline.access.models import Agency
from sightline.accountability.models import (
    EngagementEvent,
    Evidence,
    ProtectedConcern,
    ProtectedConcernResponse,
)
from sightline.accountability.selectors import all_indicators
from sightline.accountability.services import MAX_EVIDENCE_BYTES
from sightline.web.forms import GovukDateField

REASON_HINT = "Needed if you move the target date. It is shown on the board report."


def _text(label: str, *, required: bool = False, rows: int = 0, **kwargs: Any) -> forms.CharField:
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, required=required, **kwargs)


def _year(label: str, required: str, **kwargs: Any) -> forms.IntegerField:
    """A four-digit year from 1990 to 2100, with GOV.UK-style error messages."""
    return forms.IntegerField(
        label=label,
        min_value=1990,
        max_value=2100,
        error_messages={
            "required": required,
            "invalid": "Enter the year as 4 digits, for example 2014",
            "min_value": "Enter a year from 1990",
            "max_value": "Enter a year up to 2100",
        },
        **kwargs,
    )


def _quantity(
    label: str, max_digits: int, decimal_places: int, required: str, invalid: str
) -> forms.DecimalField:
    """A number of at least 0."""
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=max_digits,
        decimal_places=decimal_places,
        error_messages={
            "required": required,
            "invalid": invalid,
        },
    )


def _team_text(label: str, required: str) -> forms.CharField:
    return _text(
        label,
        required=True,
        max_length=200,
        help_text="For example CSE team",
        error_messages={"required": required},
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def agency_choices(blank: str = "") -> list[tuple[str, str]]:
    choices = [(a.id, a.name) for a in Agency.objects.filter(active=True).order_by("name")]
    return [("", blank), *choices] if blank else choices


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.key, i.name) for i in all_indicators()]


class PlanImportForm(forms.Form):
    reason = _text(
        "Reason for moving any target dates (optional)",
        rows=3,
        help_text="Only needed when you import a changed version of a plan that moves target dates.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_file"] = forms.FileField(
            label="Plan file", required=True, error_messages={"required": "Choose a YAML or CSV plan file"}
        )
        self.order_fields(["plan_file", "reason"])


class RecommendationForm(forms.Form):
    ref = forms.CharField(
        label="Reference",
        max_length=20,
        help_text="For example R16",
        error_messages={"required": "Enter a reference"},
    )
    title = _text(
        "Recommendation",
        required=True,
        max_length=300,
        error_messages={"required": "Enter the recommendation"},
    )
    text = _text("More detail (optional)", rows=4)
    target_date = GovukDateField(label="Target date", error_messages={"required": "Enter the target date"})
    indicator_keys = forms.MultipleChoiceField(
        label="Indicators that show progress (optional)", required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = _text("Reason for moving the target date", rows=3, help_text=REASON_HINT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "indicator_keys", indicator_choices())
        if editing:
            del self.fields["ref"]
        else:
            del self.fields["reason"]
            del self.fields["version"]


class ActionForm(forms.Form):
    description = _text(
        "What must be done", required=True, rows=3, error_messages={"required": "Enter what must be done"}
    )
    owner_agency = forms.ChoiceField(
        label="Owning agency", error_messages={"required": "Select the owning agency"}
    )
    owner_name = _text("Person or post responsible (optional)", max_length=200)
    owner_user = _text(
        "Their Sightline username (optional)",
        max_length=150,
        help_text="Overdue actions then show on their home page",
    )
    target_date = GovukDateField(label="Target date", error_messages={"required": "Enter the target date"})
    reason = _text("Reason for moving the target date", rows=3, help_text=REASON_HINT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "owner_agency", agency_choices("Choose an agency"))
        if not editing:
            del self.fields["reason"]
            del self.fields["version"]


class NoteForm(forms.Form):
    note = _text("Note (optional)", rows=3)


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is the action complete?",
        widget=forms.RadioSelect,
        choices=[("sign_off", "Yes, sign it off"), ("return", "No, send it back as in progress")],
        error_messages={"required": "Select whether to sign off the action"},
    )
    note = _text("Note", rows=4, help_text="Needed if you send it back: say what is missing")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of evidence?",
        widget=forms.RadioSelect,
        choices=Evidence.Kind.choices,
        error_messages={"required": "Select the kind of evidence"},
    )
    title = _text(
        "Title", max_length=200, help_text="For a document, the file name is used if you leave this blank"
    )
    ledger_index = forms.IntegerField(
        label="Ledger entry number (for a ledger entry)",
        required=False,
        min_value=0,
        error_messages={"invalid": "Enter the ledger entry number as digits, for example 1042"},
    )
    note = _text("Note", rows=4, help_text="Needed for a note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"] = forms.FileField(label="Document (for a document)", required=False)
        self.order_fields(["kind", "document", "ledger_index", "title", "note"])

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        kind = cd.get("kind")
        if kind == Evidence.Kind.DOCUMENT:
            doc = cd.get("document")
            if not doc:
                self.add_error("document", "Choose the document to upload")
            elif doc.size > MAX_EVIDENCE_BYTES:
                self.add_error(
                    "document", f"The document must be smaller than {MAX_EVIDENCE_BYTES // (1 << 20)} MB"
                )
        elif (
            kind == Evidence.Kind.LEDGER_ENTRY
            and cd.get("ledger_index") is None
            and "ledger_index" not in self.errors
        ):
            self.add_error("ledger_index", "Enter the ledger entry number")
        elif kind == Evidence.Kind.NOTE:
            if not (cd.get("note") or "").strip():
                self.add_error("note", "Enter the note")
            if not (cd.get("title") or "").strip():
                self.add_error("title", "Enter a title for the note")
        return cd


class IndicatorForm(forms.Form):
    target = forms.FloatField(
        label="Target",
        required=False,
        error_messages={"invalid": "Enter the target as a number, for example 90"},
    )
    direction = forms.ChoiceField(
        label="Which way is better?",
        widget=forms.RadioSelect,
        choices=[("higher", "Higher is better"), ("lower", "Lower is better")],
        error_messages={"required": "Select which way is better"},
    )
    reason = _text(
        "Reason for the change",
        required=True,
        rows=3,
        error_messages={"required": "Enter the reason for the change"},
    )


class FundingForm(forms.Form):
    name = _team_text("Funding line", "Enter the funding line")
    agency = forms.ChoiceField(label="Agency (optional)", required=False)
    financial_year = _year(
        "Financial year starting",
        "Enter the year the financial year starts",
        help_text="For 2014/15, enter 2014",
    )
    amount = _quantity(
        "Amount in pounds", 14, 2, "Enter the amount", "Enter the amount as a number, for example 2350000"
    )
    note = _text("Source or note (optional)", rows=2)
    reason = _text("Reason (if you are changing an amount)", rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency", agency_choices("Shared between agencies"))


class StaffingForm(forms.Form):
    agency = forms.ChoiceField(label="Agency", error_messages={"required": "Select the agency"})
    team = _team_text("Team", "Enter the team")
    year = _year("Year", "Enter the year")
    staff = _quantity(
        "Staff (full-time equivalent)",
        8,
        1,
        "Enter the number of staff",
        "Enter the number of staff, for example 62",
    )
    note = _text("Source or note (optional)", rows=2)
    reason = _text("Reason (if you are changing a number)", rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency", agency_choices("Choose an agency"))


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class EngagementForm(forms.Form):
    title = _text("Event", required=True, max_length=200, error_messages={"required": "Enter the event"})
    event_on = GovukDateField(label="Date", error_messages={"required": "Enter the date"})
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        choices=EngagementEvent.Status.choices,
        error_messages={"required": "Select the status"},
    )
    organised_by = forms.ChoiceField(
        label="Organised by", error_messages={"required": "Select the organising agency"}
    )
    location = _text("Where (optional)", max_length=300)
    communities = _text(
        "Communities reached or to reach",
        rows=3,
        help_text="One per line, or separated by commas",
    )
    attendees = forms.IntegerField(
        label="Number of people who came (if held)",
        required=False,
        min_value=0,
        error_messages={"invalid": "Enter the number of people as digits", "min_value": "Enter zero or more"},
    )
    issues_raised = _text("Issues raised (if held)", rows=4)
    notes = _text("Notes (optional)", rows=3)
    reason = _text("Reason (if you cancel it or move the date)", rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "organised_by", agency_choices("Choose an agency"))
        if editing:
            del self.fields["organised_by"]
        else:
            del self.fields["reason"]
            del self.fields["version"]


class FollowUpForm(ActionForm):
    recommendation = forms.ChoiceField(
        label="Recommendation it answers", error_messages={"required": "Select the recommendation"}
    )

    def __init__(
        self, *args: Any, recommendations: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "recommendation", [("", "Choose a recommendation"), *(recommendations or [])])
        self.order_fields(
            ["recommendation", "description", "owner_agency", "owner_name", "owner_user", "target_date"]
        )


class ProtectedConcernForm(forms.Form):
    about = forms.ChoiceField(
        label="What is your concern about?",
        widget=forms.RadioSelect,
        choices=ProtectedConcern.About.choices,
        error_messages={"required": "Select what your concern is about"},
    )
    case_reference = _text(
        "Case, person or concern reference (for a particular case)",
        max_length=100,
        help_text="For example P-1A2B3C or CN-4D5E6F",
    )
    agency_concerned = forms.ChoiceField(
        label="Agency whose handling concerns you (optional)", required=False
    )
    what_happened = _text(
        "What is happening, and why does it concern you?",
        required=True,
        rows=8,
        max_length=20000,
        error_messages={"required": "Enter what is happening and why it concerns you"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency_concerned", agency_choices("Not a particular agency"))


class ConcernResponseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=ProtectedConcernResponse.Outcome.choices,
        error_messages={"required": "Select the outcome"},
    )
    text = _text("Response", required=True, rows=6, error_messages={"required": "Enter your response"})
