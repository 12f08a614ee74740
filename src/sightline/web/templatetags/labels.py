"""Plain words for codes in templates, from the one label table (``sightline.core.labels``)."""

from __future__ import annotations

from django import template

from sightline.access.permissions import Role
from sightline.access.selectors import display_names
from sightline.core import labels
from sightline.intelligence.models import Alert
from sightline.people.linkage.group_kinds import KIND_LABELS

register = template.Library()

# GOV.UK tag colours by alert status.
ALERT_TAGS: dict[str, str] = {
    Alert.Status.NEW: "govuk-tag--red",
    Alert.Status.UNDER_REVIEW: "govuk-tag--yellow",
    Alert.Status.ACTIONED: "govuk-tag--green",
    Alert.Status.DISMISSED: "govuk-tag--grey",
}


@register.filter
def alert_tag(status: str) -> str:
    return ALERT_TAGS.get(status, "")


# How firmly a child alert's records point at exploitation (intelligence/analysis/evidence.py).
CONFIDENCE = {
    "strong": (
        "Strong evidence",
        "govuk-tag--purple",
        "records from two or more agencies tie the child to adults of concern",
    ),
    "moderate": (
        "Moderate evidence",
        "govuk-tag--blue",
        "two or more records, or two adults, tie the child to adults of concern",
    ),
    "limited": ("Limited evidence", "govuk-tag--grey", "one record ties the child to an adult of concern"),
}


@register.inclusion_tag("web/intelligence/_confidence.html")
def confidence(level: str, explain: bool = False) -> dict[str, object]:
    """A child alert's confidence as a tag, with what it means when ``explain``."""
    label, tag, meaning = CONFIDENCE.get(level, ("", "", ""))
    return {"label": label, "tag": tag, "meaning": meaning if explain else ""}


@register.filter
def sex_label(code: str) -> str:
    return labels.sex_label(code)


@register.filter
def place_label(text: str) -> str:
    return labels.place_label(text)


@register.filter
def with_article(label: str) -> str:
    """``{{ role_label|with_article }}``: "a CSE coordinator", "an independent reviewer"."""
    return labels.with_article(label)


@register.filter
def link_group_label(kind: str) -> str:
    """What a review group's pairs have in common, for the queue."""
    return KIND_LABELS.get(kind, "Pairs one decision can settle")


@register.filter
def kind_label(kind: str) -> str:
    return labels.kind_label(kind)


@register.filter
def code_words(code: str) -> str:
    return labels.code_label(code)


@register.filter
def role_label(role: str) -> str:
    """A role's name ("CSE coordinator"); the system's own actor keeps its code."""
    return str(Role(role).label) if role in Role.values else role


@register.filter
def name_of(names: dict[str, str], username: str) -> str:
    """``{{ view.names|name_of:member.username }}``: the person's name, or the username if unknown."""
    return names.get(username, username)


@register.filter
def names_of(names: dict[str, str], usernames: list[str]) -> str:
    """``{{ view.names|names_of:decision.agreed_by }}``: their names, joined with commas."""
    return ", ".join(names.get(u, u) for u in usernames)


@register.filter
def birth_date(value: str) -> str:
    """A date of birth as held (``2012-03-23``, ``2012-03`` or ``2012``) in words, with the age when
    the day is known: "23 March 2012 (age 14)"."""
    return labels.birth_date(value)


@register.filter
def staff(user: object) -> str:
    """``{{ concern.raised_by|staff }}``: a member of staff by name, given their account or username.
    Pages name people; ledgers and exports keep usernames."""
    if user is None or user == "":
        return ""
    name = getattr(user, "display_name", None)
    if isinstance(name, str):
        return name
    username = str(user)
    return display_names([username]).get(username, username)
