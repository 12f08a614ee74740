"""Forms for the case-work pages. They parse and check what was typed (required, real dates, times);
every rule about case work (deadlines, who may do what, what needs a reason) lives in
``sightline.cases.services``, whose ValidationErrors are put back on these fields by
``web.forms.apply_service_errors``.

(A module beside ``web/forms.py`` rather than a ``web/forms/`` package: a package would hide that
module's shared date field.)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from sightline.cases import screening as tool
from sightline.cases.models import (
    InvestigationPerson,
    InvolvementRole,
    MissingEpisode,
    Placement,
    PlanAction,
    ReturnInterview,
    SuspectStatus,
    TriageDecision,
    Urgency,
)
from sightline.people.likely import Details
from sightline.web.forms import GovukDateField

OTHER_ROWS = 3
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_PERSON_ID = re.compile(r"^P-[0-9A-F]{6,}$", re.IGNORECASE)


# --- shared pieces -------------------------------------------------------------------------------


def parse_time(text: str) -> dt.time:
    """``14:30``, ``1430``, ``2.30pm``, ``2pm`` -> a time. Raises ValueError."""
    match = _TIME.match(text.strip().replace(" ", ""))
    if not match:
        raise ValueError(text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    return dt.time(hour, minute)  # ValueError if out of range


class TimeField(forms.CharField):
    """A time of day typed as text (GOV.UK has no time component; this is the usual pattern)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 14:30")
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.time | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_time(text)
        except ValueError:
            label = (self.label or "the time").lower()
            raise forms.ValidationError(f"Enter {label} as a real time, for example 14:30") from None


def combine(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A local date and time as an aware datetime (the deployment's time zone)."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, time or dt.time(0, 0)))


def _radio(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(widget=forms.RadioSelect, **kwargs)


def _text(label: str, *, required: bool = False, rows: int = 0, **kwargs: Any) -> forms.CharField:
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, required=required, **kwargs)


# --- concerns and triage -------------------------------------------------------------------------


def indicator_choices(kind: str) -> list[tuple[str, str]]:
    indicator_set = tool.default_indicator_set()
    return [(i.code, i.label) for i in indicator_set.indicators if i.kind == kind]


class ChildDetailsForm(forms.Form):
    """The child, when a concern is raised about a child Sightline does not know yet."""

    given_name = _text("First name", max_length=200)
    family_name = _text("Last name", max_length=200)
    other_names = _text(
        "Other names or nicknames", max_length=500, help_text="Separate more than one with commas"
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 27 3 2010"
    )
    estimated_age = forms.IntegerField(
        label="Age, if you do not know their date of birth",
        required=False,
        min_value=0,
        max_value=17,
        error_messages={
            "invalid": "Enter the age as a number, for example 14",
            "min_value": "The age must be 0 or more",
            "max_value": "A child is 17 or younger",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    postcode = _text("Postcode", max_length=10, help_text="Where the child lives, if you know")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("given_name")
            or data.get("family_name")
            or data.get("other_names")
            or data.get("date_of_birth")
            or data.get("estimated_age") is not None
        ):
            self.add_error("given_name", "Enter the child's name, or their date of birth or age")
        return data

    def details(self) -> Details:
        """What was typed, to look for children Sightline may already know."""
        fields = self.person_fields()
        return Details(
            given_name=fields["given_name"],
            family_name=fields["family_name"],
            other_names=fields["other_names"],
            date_of_birth=fields["date_of_birth"],
            estimated_age=fields["estimated_age"],
            postcode=fields["postcode"],
        )

    def person_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        dob = data.get("date_of_birth")
        return {
            "given_name": data.get("given_name", ""),
            "family_name": data.get("family_name", ""),
            "other_names": data.get("other_names", ""),
            "date_of_birth": dob.isoformat() if dob else "",
            "estimated_age": data.get("estimated_age"),
            "postcode": data.get("postcode", ""),
        }


class MatchForm(forms.Form):
    """Which of the children Sightline found is the one the concern is about, or none (and why).
    The template draws the options itself: each shows what the user may see of that child."""

    NEW = "new"

    choice = _radio(
        label="Is the child one of these?",
        choices=[],
        error_messages={
            "required": "Select the child, or say that none of these is them",
            "invalid_choice": "Select one of the children listed, or say that none of these is them",
        },
    )
    not_them_reason = _text(
        "If none of these, why is this a different child?",
        rows=3,
        help_text="For example, a different date of birth, school or family. It is recorded.",
    )
    offered = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, offered: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered_ids = list(offered or [])
        self.fields["choice"].choices = [(pid, pid) for pid in self.offered_ids] + [(self.NEW, "None")]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("choice") == self.NEW and not (data.get("not_them_reason") or "").strip():
            self.add_error("not_them_reason", "Say why this is a different child")
        return data

    def checked(self) -> list[str]:
        """The children the user was shown when they answered."""
        return [pid for pid in str(self.data.get(self.add_prefix("offered"), "")).split(",") if pid]


class ConcernForm(forms.Form):
    what_was_seen = _text(
        "What was seen or happened?",
        required=True,
        rows=6,
        help_text="Say what you saw or were told, by whom, and anything the child said in their own words",
        error_messages={"required": "Enter what was seen or happened"},
    )
    occurred_on = GovukDateField(
        label="When did it happen?",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter when it happened"},
    )
    occurred_time = TimeField(label="Time (optional)", required=False)
    place = _text("Where did it happen? (optional)", max_length=300, help_text="An address or a place name")
    postcode = _text("Postcode of the place (optional)", max_length=10)
    urgency = _radio(
        label="How urgent is it?",
        choices=Urgency.choices,
        error_messages={"required": "Select how urgent it is"},
    )
    vulnerabilities = forms.MultipleChoiceField(
        label="Vulnerabilities",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    moderate = forms.MultipleChoiceField(
        label="Moderate risk indicators", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    significant = forms.MultipleChoiceField(
        label="Significant risk indicators", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vulnerabilities"].choices = indicator_choices("vulnerability")  # type: ignore[attr-defined]
        self.fields["moderate"].choices = indicator_choices("moderate")  # type: ignore[attr-defined]
        self.fields["significant"].choices = indicator_choices("significant")  # type: ignore[attr-defined]
        role_choices = [("", "Choose a role"), *InvolvementRole.choices]
        for i in range(1, OTHER_ROWS + 1):
            self.fields[f"other_{i}_person"] = forms.CharField(
                label=f"Person {i}: name or Sightline ID", required=False, max_length=200
            )
            self.fields[f"other_{i}_role"] = forms.ChoiceField(
                label=f"Person {i}: how they were involved", required=False, choices=role_choices
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        others: list[tuple[str, str]] = []
        for i in range(1, OTHER_ROWS + 1):
            who = (data.get(f"other_{i}_person") or "").strip()
            role = data.get(f"other_{i}_role") or ""
            if who and not role:
                self.add_error(f"other_{i}_role", f"Select how person {i} was involved")
            elif role and not who:
                self.add_error(f"other_{i}_person", f"Enter person {i}'s name or Sightline ID")
            elif who:
                others.append((who, role))
        data["others"] = others
        if data.get("occurred_on") and not self.has_error("occurred_time"):
            data["occurred_at"] = combine(data["occurred_on"], data.get("occurred_time"))
        data["indicators"] = [
            *data.get("vulnerabilities", []),
            *data.get("moderate", []),
            *data.get("significant", []),
        ]
        return data

    def other_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"other_{i}_person"], self[f"other_{i}_role"]) for i in range(1, OTHER_ROWS + 1)]

    @staticmethod
    def is_person_id(text: str) -> bool:
        return bool(_PERSON_ID.match(text.strip()))

    @staticmethod
    def service_aliases() -> dict[str, str]:
        out = {"occurred_at": "occurred_on", "what_was_seen": "what_was_seen"}
        for i in range(OTHER_ROWS):
            out[f"others[{i}].person"] = f"other_{i + 1}_person"
            out[f"others[{i}].role"] = f"other_{i + 1}_role"
        return out


class TriageForm(forms.Form):
    decision = _radio(
        label="What is your decision?",
        choices=TriageDecision.Decision.choices,
        error_messages={"required": "Select a decision"},
    )
    reason = _text(
        "Reason",
        rows=4,
        help_text="Needed for no further action. Say what you weighed up.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- screening -----------------------------------------------------------------------------------

WHEN_LABELS = {
    "vulnerability": ("Now", "In the past"),
    "moderate": ("In the last 6 months", "6 to 12 months ago"),
    "significant": ("Now (current)", "6 to 12 months ago"),
}


class ScreeningForm(forms.Form):
    """Two ticks per indicator (``<code>_current``, ``<code>_earlier``), an optional override of the
    band with a reason, and notes. The score itself is the screening tool's."""

    override_band = _radio(label="Does the band reflect your professional judgement?", required=False)
    override_reason = _text(
        "Why does your judgement differ from the score?",
        rows=4,
        help_text="An override must have a reason. It is recorded with the screening.",
    )
    notes = _text("Notes (optional)", rows=4)
    concern = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_set = tool.default_indicator_set()
        for ind in self.indicator_set.indicators:
            first, second = WHEN_LABELS.get(ind.kind, ("Current", "Earlier"))
            self.fields[f"{ind.code}_current"] = forms.BooleanField(
                required=False, label=f"{ind.label}: {first}"
            )
            self.fields[f"{ind.code}_earlier"] = forms.BooleanField(
                required=False, label=f"{ind.label}: {second}"
            )
        self.fields["override_band"].choices = [  # type: ignore[attr-defined]
            ("", "Yes, keep the band from the score"),
            *((b.key, f"No, the band should be: {b.label}") for b in self.indicator_set.bands),
        ]

    def answers(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        out: dict[str, dict[str, bool]] = {}
        for ind in self.indicator_set.indicators:
            current, earlier = bool(data.get(f"{ind.code}_current")), bool(data.get(f"{ind.code}_earlier"))
            if current or earlier:
                out[ind.code] = {"current": current, "earlier": earlier}
        return out

    def groups(self) -> list[dict[str, Any]]:
        """Indicators by kind, each row with its two checkboxes, for the template's tables."""
        out = []
        for key, rule in self.indicator_set.kinds.items():
            first, second = WHEN_LABELS.get(key, ("Current", "Earlier"))
            rows = [
                {"indicator": ind, "boxes": [self[f"{ind.code}_current"], self[f"{ind.code}_earlier"]]}
                for ind in self.indicator_set.indicators
                if ind.kind == key
            ]
            out.append(
                {
                    "key": key,
                    "label": rule.label,
                    "heading": rule.label[:-1] + "ies" if rule.label.endswith("y") else rule.label + "s",
                    "first": first,
                    "second": second,
                    "points": rule,
                    "rows": rows,
                }
            )
        return out


# --- missing episodes and return interviews ------------------------------------------------------


class EpisodeForm(forms.Form):
    category = _radio(
        label="Was the child missing or absent?",
        choices=MissingEpisode.Category.choices,
        error_messages={"required": "Select whether the child was missing or absent"},
    )
    started_on = GovukDateField(
        label="Date they went missing or absent",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date they went missing or absent"},
    )
    started_time = TimeField(label="Time they went missing or absent", required=False)
    ended_on = GovukDateField(
        label="Date they returned or were found (if they have)",
        required=False,
        past_only=True,
        help_text="Leave this blank if the child is still missing",
    )
    ended_time = TimeField(label="Time they returned or were found", required=False)
    where_found = _text("Where were they found? (optional)", max_length=300)
    notes = _text("Notes (optional)", rows=4)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ended_time") and not data.get("ended_on") and not self.has_error("ended_on"):
            self.add_error("ended_on", "Enter the date they returned or were found")
        data["started_at"] = combine(data.get("started_on"), data.get("started_time"))
        data["ended_at"] = combine(data.get("ended_on"), data.get("ended_time"))
        return data

    ALIASES = {"started_at": "started_on", "ended_at": "ended_on"}


class EpisodeEndForm(forms.Form):
    ended_on = GovukDateField(
        label="Date they returned or were found",
        past_only=True,
        error_messages={"required": "Enter the date they returned or were found"},
    )
    ended_time = TimeField(label="Time they returned or were found", required=False)
    where_found = _text("Where were they found? (optional)", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["ended_at"] = combine(data.get("ended_on"), data.get("ended_time"))
        return data

    ALIASES = {"ended_at": "ended_on"}


def _disclosure(form: forms.Form, rescreen_hours: int | None) -> None:
    """The tick that makes a re-screen due soon (``SIGHTLINE_RESCREEN_HOURS``), saying how soon."""
    field = form.fields["disclosure"]
    field.label = "The child disclosed harm, abuse or exploitation in the interview"
    field.help_text = (
        f"A re-screen then falls due within {rescreen_hours} hours of the interview"
        if rescreen_hours
        else "The child's next screening then takes it into account"
    )


class InterviewOfferForm(forms.Form):
    offered_on = GovukDateField(
        label="Date the return home interview was offered",
        past_only=True,
        error_messages={"required": "Enter the date the interview was offered"},
    )
    offered_time = TimeField(label="Time it was offered", required=False)
    response = _radio(
        label="Did the child accept the interview?",
        choices=ReturnInterview.Response.choices,
        initial=ReturnInterview.Response.PENDING,
        required=False,
    )
    held_on = GovukDateField(
        label="Date the interview took place (if it has)", required=False, past_only=True
    )
    held_time = TimeField(label="Time the interview took place", required=False)
    outcome = _text(
        "Outcome of the interview (optional)", rows=5, help_text="What the child said, and what happens next"
    )
    disclosure = forms.BooleanField(required=False)

    def __init__(self, *args: Any, rescreen_hours: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _disclosure(self, rescreen_hours)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["offered_at"] = combine(data.get("offered_on"), data.get("offered_time"))
        data["held_at"] = combine(data.get("held_on"), data.get("held_time"))
        data["response"] = data.get("response") or ReturnInterview.Response.PENDING
        return data

    ALIASES = {"offered_at": "offered_on", "held_at": "held_on"}


class InterviewResponseForm(forms.Form):
    response = _radio(
        label="Did the child accept the interview?",
        choices=ReturnInterview.Response.choices,
        error_messages={"required": "Select whether the child accepted the interview"},
    )
    held_on = GovukDateField(
        label="Date the interview took place (if it has)", required=False, past_only=True
    )
    held_time = TimeField(label="Time the interview took place", required=False)
    outcome = _text("Outcome of the interview (optional)", rows=5)
    disclosure = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, rescreen_hours: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _disclosure(self, rescreen_hours)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["held_at"] = combine(data.get("held_on"), data.get("held_time"))
        return data

    ALIASES = {"held_at": "held_on"}


# --- plans and placements ------------------------------------------------------------------------


class PlanForm(forms.Form):
    title = _text("Plan title", required=True, max_length=200, error_messages={"required": "Enter a title"})
    summary = _text("What the plan is for (optional)", rows=4)
    review_due_on = GovukDateField(
        label="First review date", error_messages={"required": "Enter the date of the first review"}
    )


class PlanActionForm(forms.Form):
    description = _text(
        "What needs to be done?", required=True, rows=3, error_messages={"required": "Enter the action"}
    )
    owner_agency = forms.ChoiceField(
        label="Which agency owns it?", choices=[], error_messages={"required": "Select the agency"}
    )
    owner_user = _text("Named owner's username (optional)", max_length=150)
    due_on = GovukDateField(label="Due date", error_messages={"required": "Enter the due date"})

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].choices = [("", "Choose an agency"), *agencies]  # type: ignore[attr-defined]


class ActionUpdateForm(forms.Form):
    status = _radio(
        label="What is the action's status?",
        choices=PlanAction.Status.choices,
        error_messages={"required": "Select the status"},
    )
    note = _text("Note (optional)", rows=3)
    reason = _text("Reason", rows=3, help_text="Needed to cancel an action")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanReviewForm(forms.Form):
    summary = _text(
        "Review summary", required=True, rows=5, error_messages={"required": "Enter a summary of the review"}
    )
    next_review_on = GovukDateField(
        label="Next review date", error_messages={"required": "Enter the next review date"}
    )


class PlacementForm(forms.Form):
    placement_type = forms.ChoiceField(
        label="Type of placement",
        choices=[("", "Choose a type"), *Placement.Type.choices],
        error_messages={"required": "Select the type of placement"},
    )
    started_on = GovukDateField(
        label="Start date", past_only=True, error_messages={"required": "Enter the start date"}
    )
    ended_on = GovukDateField(label="End date (if it has ended)", required=False)
    in_area = _radio(
        label="Is the placement inside the council's area?",
        choices=[("yes", "Yes, in area"), ("no", "No, out of area")],
        error_messages={"required": "Select whether the placement is in area"},
    )
    placing_authority = _text(
        "Placing authority",
        required=True,
        max_length=120,
        help_text="The council responsible for the child, including councils placing children here",
        error_messages={"required": "Enter the placing authority"},
    )
    provider = _text("Provider (optional)", max_length=200)
    postcode = _text("Postcode (optional)", max_length=10)


class PlacementEndForm(forms.Form):
    ended_on = GovukDateField(
        label="End date", past_only=True, error_messages={"required": "Enter the end date"}
    )
    end_reason = _text(
        "Why did the placement end?", required=True, rows=3, error_messages={"required": "Enter why it ended"}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- investigations ------------------------------------------------------------------------------


class InvestigationForm(forms.Form):
    operation_name = _text(
        "Operation name",
        required=True,
        max_length=120,
        error_messages={"required": "Enter the operation name"},
    )
    summary = _text("Summary (optional)", rows=4)
    lead_officer = _text("Lead officer (optional)", max_length=150)
    opened_on = GovukDateField(
        label="Date opened", past_only=True, error_messages={"required": "Enter the date opened"}
    )


class LinkPersonForm(forms.Form):
    person = _text(
        "Sightline ID of the person",
        required=True,
        max_length=40,
        help_text="For example, P-1A2B3C4D5E6F. Find it on the person's record.",
        error_messages={"required": "Enter the person's Sightline ID"},
    )
    role = _radio(
        label="Are they a victim or a suspect?",
        choices=InvestigationPerson.Role.choices,
        error_messages={"required": "Select victim or suspect"},
    )


class SuspectStatusForm(forms.Form):
    person = forms.ChoiceField(label="Suspect", choices=[], error_messages={"required": "Select the suspect"})
    status = _radio(
        label="New status",
        choices=SuspectStatus.Status.choices,
        error_messages={"required": "Select the status"},
    )
    effective_on = GovukDateField(
        label="Date of the change",
        past_only=True,
        error_messages={"required": "Enter the date of the change"},
    )
    bail_conditions = _text("Bail conditions (if on bail)", rows=3)
    bail_end_on = GovukDateField(label="Date bail ends (if on bail)", required=False)
    note = _text("Note (optional)", rows=3)

    def __init__(self, *args: Any, suspects: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose a suspect"), *suspects]  # type: ignore[attr-defined]


class SelfReferralForm(forms.Form):
    received_on = GovukDateField(
        label="Date they came forward", past_only=True, error_messages={"required": "Enter the date"}
    )
    channel = forms.ChoiceField(
        label="How did they come forward?",
        required=False,
        choices=[
            ("", "Choose how"),
            ("phone", "By phone"),
            ("in person", "In person"),
            ("online", "Online"),
            ("via school", "Through a school"),
            ("via another agency", "Through another agency"),
        ],
    )
    person = _text(
        "Sightline ID of the person (if known)",
        max_length=40,
        help_text="Leave blank if they are not known yet. They are still counted.",
    )
    summary = _text("Summary (optional)", rows=4)
