"""What the accountability pages share: who may see them, the acting user, and the form pages
(a form about one action, a plain form page, and a page changing one stored record)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.accountability import selectors as sel
from sightline.accountability.models import Action
from sightline.ledger.services import Actor
from sightline.web.forms import form_view

VIEW = (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS, Cap.SIGN_OFF)
MANAGE = Cap.MANAGE_RECOMMENDATIONS


def acting(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def may(request: HttpRequest, cap: Cap) -> bool:
    return can(str(getattr(request.user, "role", "")), cap)


def version(cd: Mapping[str, Any]) -> int | None:
    """The version the form was showing, so that a change made meanwhile is not overwritten."""
    value = cd.get("version")
    return int(value) if value is not None else None


def action_form(
    request: HttpRequest,
    action: Action,
    form: Form,
    *,
    heading: str,
    submit: str,
    call: Callable[[dict[str, Any]], Any],
    message: str | Callable[[Any], str],
    intro: str = "",
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A form about one action (complete, sign off, reopen, withdraw evidence), shown with its live
    evidence; back to the action when done."""
    return form_view(
        request,
        form,
        template="web/accountability/action_step.html",
        call=call,
        success=lambda _result: reverse("web:acc_action", args=[action.id]),
        message=message,
        aliases=aliases,
        context={
            "action": action,
            "rec": action.recommendation,
            "heading": heading,
            "submit": submit,
            "intro": intro,
            "evidence": [e for e in sel.evidence_for(action) if not e.withdrawn],
        },
    )


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    heading: str,
    back: str,
    call: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], str],
    message: str | Callable[[Any], str],
    caption: str = "",
    intro: str = "",
    template: str = "web/accountability/form_page.html",
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A form on its own page, with a heading, a caption and a way back."""
    return form_view(
        request,
        form,
        template=template,
        call=call,
        success=success,
        message=message,
        context={"heading": heading, "back": back, "caption": caption, "intro": intro, **(context or {})},
    )


def picked(cd: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {f: cd[f] for f in fields}


@dataclass(frozen=True)
class Editing:
    """How one kind of record is changed: its form, the fields shown and saved, and its page. The noun
    names the heading, the message and the template (``<noun>_form.html``)."""

    form: Callable[..., Form]
    noun: str
    page: str
    fields: tuple[str, ...]


def change_page(
    request: HttpRequest,
    editing: Editing,
    record: Any,
    *,
    save: Callable[..., Any],
    context: Mapping[str, Any],
    initial: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A form changing one record: it starts from what is stored, the change carries the reason and the
    version shown (so a change made meanwhile is not overwritten), and the page goes back to the record."""
    back = reverse(editing.page, args=[record.id])
    given = initial or {}
    stored = {**{f: getattr(record, f) for f in editing.fields if f not in given}, **given}
    return form_page(
        request,
        editing.form(request.POST or None, initial={**stored, "version": record.version}, editing=True),
        template=f"web/accountability/{editing.noun}_form.html",
        heading=f"Change {editing.noun} {record.ref}",
        back=back,
        context=context,
        call=lambda cd: save(
            acting(request),
            **picked(cd, editing.fields),
            reason=cd.get("reason", ""),
            expected_version=version(cd),
        ),
        success=lambda _saved: back,
        message=f"{editing.noun.capitalize()} {record.ref} saved.",
    )
