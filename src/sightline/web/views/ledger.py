"""The independent reviewer's ledger pages: browse entries with filters, read an entry's exact bytes and
its inclusion proof, verify the whole ledger now, list the signed checkpoints, and export an evidence
pack. Every page needs ``Cap.VIEW_LEDGER`` and every look is itself ledgered.
"""

from __future__ import annotations

import base64
import json
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.access.services import actor_for
from sightline.ledger import merkle
from sightline.ledger.runs import latest_run, run_verification
from sightline.ledger.selectors import inclusion_proof, tree_size
from sightline.ledger.services import Actor, public_key, record_action
from sightline.reports import evidence
from sightline.reports import selectors as sel
from sightline.web.forms import GovukDateField

PAGE_SIZE = 50
LEDGER_TYPE = "ledger.ledger"
ENTRY_TYPE = "ledger.entry"
CHECKPOINT_TYPE = "ledger.checkpoint"


def _me(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


class EntryFilterForm(forms.Form):
    actor = forms.CharField(label="Who (username)", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False)
    object_type = forms.ChoiceField(label="Kind of record", required=False)
    object_id = forms.CharField(label="Record id", required=False, max_length=128)
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "Any action")] + [
            (a, a) for a in sel.distinct_values("action")
        ]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [("", "Any kind")] + [
            (t, t) for t in sel.distinct_values("object_type")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date")
        return data


@cap_required(Cap.VIEW_LEDGER)
def entries(request: HttpRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None)
    filters = sel.EntryFilter()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        filters = sel.EntryFilter(
            actor=cd.get("actor") or "",
            action=cd.get("action") or "",
            object_type=cd.get("object_type") or "",
            object_id=cd.get("object_id") or "",
            since=cd.get("since"),
            until=cd.get("until"),
        )
    qs = sel.ledger_entries(filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_action(_me(request), "browse_ledger", LEDGER_TYPE, "entries", data=filters.as_data())
    return render(
        request,
        "web/ledger/entries.html",
        {"form": form, "page": page, "filtered": bool(filters.as_data()), "size": tree_size()},
    )


def _get_entry(index: int) -> Any:
    entry = sel.get_entry(index)
    if entry is None:
        raise Http404("No such ledger entry")
    return entry


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@cap_required(Cap.VIEW_LEDGER)
def entry(request: HttpRequest, index: int) -> HttpResponse:
    e = _get_entry(index)
    raw = bytes(e.canonical)
    record_action(_me(request), "read_ledger_entry", ENTRY_TYPE, str(index))
    cp = sel.latest_checkpoint()
    against = "checkpoint" if cp is not None and cp.size > index else "head"
    proof = inclusion_proof(index, cp.size if cp is not None and against == "checkpoint" else None)
    signed_root = _b64(bytes(cp.root)) if against == "checkpoint" and cp is not None else ""
    proof_ok = merkle.is_valid_inclusion(
        merkle.leaf_hash(raw),
        index,
        proof["treeSize"],
        [base64.b64decode(p) for p in proof["proof"]],
        base64.b64decode(signed_root or proof["root"]),
    )
    try:
        pretty = json.dumps(json.loads(raw), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        pretty = raw.decode("utf-8", "replace")
    return render(
        request,
        "web/ledger/entry.html",
        {
            "entry": e,
            "raw_text": raw.decode("utf-8", "replace"),
            "pretty": pretty,
            "leaf_hash": _b64(bytes(e.leaf_hash)),
            "computed_leaf": _b64(merkle.leaf_hash(raw)),
            "leaf_matches": merkle.leaf_hash(raw) == bytes(e.leaf_hash),
            "proof": proof,
            "proof_json": json.dumps(proof, indent=2),
            "proof_ok": proof_ok,
            "checkpoint": cp if against == "checkpoint" else None,
            "prev_index": index - 1 if index > 0 else None,
            "next_index": index + 1 if index + 1 < tree_size() else None,
        },
    )


@cap_required(Cap.VIEW_LEDGER)
def entry_raw(request: HttpRequest, index: int) -> HttpResponse:
    e = _get_entry(index)
    record_action(_me(request), "download_ledger_entry", ENTRY_TYPE, str(index))
    response = HttpResponse(bytes(e.canonical), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ledger-entry-{index:012d}.json"'
    return response


@cap_required(Cap.VIEW_LEDGER)
def verify_ledger(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        # The reviewer asked for it: a full check, recorded as the latest run for other pages.
        _run, report = run_verification(full=True)
        record_action(
            _me(request),
            "verify_ledger",
            LEDGER_TYPE,
            "verify",
            data={
                "ok": report.ok,
                "size": report.size,
                "root": _b64(report.root),
                "problems": len(report.problems),
            },
        )
    else:
        record_action(_me(request), "read_verify_page", LEDGER_TYPE, "verify")
    return render(
        request,
        "web/ledger/verify.html",
        {"report": report, "root_b64": _b64(report.root) if report else "", "latest": latest_run()},
    )


@cap_required(Cap.VIEW_LEDGER)
def checkpoints(request: HttpRequest) -> HttpResponse:
    record_action(_me(request), "read_checkpoints", LEDGER_TYPE, "checkpoints")
    return render(
        request,
        "web/ledger/checkpoints.html",
        {"checkpoints": sel.checkpoints(), "public_key": public_key(), "size": tree_size()},
    )


@cap_required(Cap.VIEW_LEDGER)
def checkpoint_note(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    cp = sel.get_checkpoint(checkpoint_id)
    if cp is None:
        raise Http404("No such checkpoint")
    record_action(_me(request), "download_checkpoint", CHECKPOINT_TYPE, str(checkpoint_id))
    response = HttpResponse(cp.note.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkpoint-{cp.size:012d}-{cp.id}.txt"'
    return response


class EvidencePackForm(forms.Form):
    CHOICES = [("person", "Every entry about a child or other person"), ("indexes", "Chosen ledger entries")]
    subject = forms.ChoiceField(label="What should the pack hold?", choices=CHOICES, widget=forms.RadioSelect)
    person_id = forms.CharField(
        label="Person id",
        required=False,
        max_length=40,
        help_text="For example P-1A2B3C4D5E6F, as shown on the person's record",
    )
    indexes = forms.CharField(
        label="Ledger entries",
        required=False,
        max_length=2000,
        help_text="Entry numbers and ranges, for example 12, 15-20, 31",
    )
    checkpoint = forms.ChoiceField(label="Prove against", required=False)
    reason = forms.CharField(
        label="Why is the pack needed?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["checkpoint"]).choices = [
            ("", "The latest checkpoint (a new one is signed if needed)")
        ] + [
            (
                str(v.checkpoint.id),
                f"Checkpoint {v.checkpoint.id}: tree size {v.checkpoint.size}, signed "
                f"{v.checkpoint.created_at:%-d %b %Y %H:%M}",
            )
            for v in sel.checkpoints()
            if v.valid
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject = data.get("subject")
        if subject == "person" and not (data.get("person_id") or "").strip():
            self.add_error("person_id", "Enter the person's id")
        if subject == "indexes":
            text = data.get("indexes") or ""
            if not text.strip():
                self.add_error("indexes", "Enter the ledger entries to include")
            else:
                try:
                    data["index_list"] = evidence.parse_indexes(text)
                except evidence.EvidencePackError as exc:
                    self.add_error("indexes", str(exc).capitalize())
        return data


@cap_required(Cap.VIEW_LEDGER)
def evidence_pack(request: HttpRequest) -> HttpResponse:
    initial = (
        {"subject": "person", "person_id": request.GET.get("person", "")} if request.GET.get("person") else {}
    )
    form = EvidencePackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            pack = evidence.build_evidence_pack(
                actor=_me(request),
                person_id=cd["person_id"] if cd["subject"] == "person" else "",
                indexes=cd.get("index_list", []) if cd["subject"] == "indexes" else (),
                checkpoint_id=int(cd["checkpoint"]) if cd.get("checkpoint") else None,
                reason=cd["reason"],
            )
        except evidence.EvidencePackError as exc:
            field = "person_id" if cd["subject"] == "person" and "person" in str(exc) else None
            form.add_error(field, str(exc)[:1].upper() + str(exc)[1:])
        else:
            response = HttpResponse(pack.data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
            return response
    record_action(_me(request), "read_evidence_pack_page", LEDGER_TYPE, "evidence-pack")
    return render(
        request, "web/ledger/evidence_pack.html", {"form": form, "back": reverse("web:ledger_entries")}
    )
