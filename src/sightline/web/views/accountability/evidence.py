"""Evidence for an action: adding a document, a ledger entry or a note; downloading a document (checked
against its SHA-256); and withdrawing evidence added in error."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import signed_in
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, Evidence
from sightline.ledger.services import Actor
from sightline.web.forms import ReasonForm, form_view
from sightline.web.forms_accountability import EvidenceForm
from sightline.web.views.accountability.common import acting, action_form

SAFE_INLINE = {"application/pdf", "image/png", "image/jpeg", "text/plain"}


def _add(actor: Actor, action: Action, cd: dict[str, Any]) -> Evidence:
    if cd["kind"] == Evidence.Kind.DOCUMENT:
        doc = cd["document"]
        return services.do_add_document(
            actor,
            action_id=action.id,
            stream=doc.chunks(),
            file_name=doc.name,
            title=cd.get("title", ""),
            content_type=getattr(doc, "content_type", "") or "",
            note=cd.get("note", ""),
        )
    if cd["kind"] == Evidence.Kind.LEDGER_ENTRY:
        return services.do_add_ledger_link(
            actor,
            action_id=action.id,
            ledger_index=cd["ledger_index"],
            title=cd.get("title", ""),
            note=cd.get("note", ""),
        )
    return services.do_add_note(
        actor, action_id=action.id, title=cd.get("title", ""), note=cd.get("note", "")
    )


def _added(evidence: Evidence) -> str:
    extra = f" (SHA-256 {evidence.sha256[:12]}…)" if evidence.sha256 else ""
    return f"Evidence added: {evidence.title}{extra}."


@signed_in
def evidence_new(request: HttpRequest, action_id: str) -> HttpResponse:
    action = sel.viewable_action(request.user, action_id)
    if not services.may_progress(acting(request), action):
        raise PermissionDenied(
            "Only the action's owner or someone who manages recommendations may add evidence"
        )
    return form_view(
        request,
        EvidenceForm(request.POST or None, request.FILES or None),
        template="web/accountability/evidence_new.html",
        call=lambda cd: _add(acting(request), action, cd),
        success=lambda _evidence: reverse("web:acc_action", args=[action.id]),
        message=_added,
        context={"action": action, "rec": action.recommendation},
    )


@signed_in
def evidence_download(request: HttpRequest, evidence_id: str) -> HttpResponse:
    document = sel.evidence_document(request.user, evidence_id)
    evidence = document.evidence
    if document.data is None:
        return render(
            request,
            "web/accountability/evidence_problem.html",
            {"problem": document.problem, "evidence": evidence},
            status=409,
        )
    kind = evidence.content_type if evidence.content_type in SAFE_INLINE else "application/octet-stream"
    response = HttpResponse(document.data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{evidence.file_name.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
def evidence_withdraw(request: HttpRequest, evidence_id: str) -> HttpResponse:
    evidence = sel.get_evidence(evidence_id)
    action = sel.viewable_action(request.user, evidence.action_id)
    if not services.may_progress(acting(request), action):
        raise PermissionDenied("Only the action's owner or someone who manages recommendations may do this")
    return action_form(
        request,
        action,
        ReasonForm(request.POST or None),
        heading=f"Withdraw evidence: {evidence.title}",
        submit="Withdraw the evidence",
        call=lambda cd: services.do_withdraw_evidence(
            acting(request), evidence_id=evidence.id, reason=cd["reason"]
        ),
        message=f"Evidence withdrawn: {evidence.title}. It stays on record.",
    )
