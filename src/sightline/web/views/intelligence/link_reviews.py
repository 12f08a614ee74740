"""The link review queue, and one pair side by side with its match-weight waterfall and the decision.
What the user may see and what is ledgered is decided by ``sightline.intelligence.selectors``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sightline.access.decorators import signed_in
from sightline.access.services import actor_for
from sightline.intelligence import selectors as intel
from sightline.ledger.services import Actor
from sightline.people.linkage import decisions
from sightline.people.linkage.explain import ENCODED, field_verdicts
from sightline.people.models import LinkDecision, LinkReview, SourceRecord
from sightline.web.forms import STALE, submit_service
from sightline.web.views.intelligence.forms import LinkDecisionForm, LinkGroupDecisionForm
from sightline.web.views.intelligence.waterfall import waterfall

REVIEWS_PER_PAGE = 25
RECORD_FIELDS = (
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("other_names", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("estimated_age", "Estimated age"),
    ("sex", "Sex"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("nhs_number", "NHS number"),
    ("upn", "UPN"),
    ("pnc_id", "PNC id"),
)


@signed_in
def link_reviews(request: HttpRequest) -> HttpResponse:
    """Pairs of records linkage was unsure about, the most uncertain first."""
    status = request.GET.get("status", LinkReview.Status.OPEN)
    if status not in LinkReview.Status.values:
        status = LinkReview.Status.OPEN
    listing = intel.link_review_list(request.user, status=status, collapse_groups=True)
    page = Paginator(listing, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = intel.link_review_counts(request.user)
    tabs = [
        {"value": s.value, "label": s.label, "count": counts[s.value], "current": s.value == status}
        for s in LinkReview.Status
    ]
    return render(
        request,
        "web/intelligence/link_reviews.html",
        {"page": page, "rows": list(page), "tabs": tabs, "status": status, "pairs": counts[status]},
    )


def _value(record: SourceRecord, field: str, encoded: frozenset[str] | None) -> str:
    """A field as the agency sent it; "Encoded" for one an encoded record holds encoded."""
    if encoded is not None and field in encoded:
        return ENCODED
    return str(record.data.get(field) or "").strip()


def _side_by_side(pair: intel.LinkReviewPair, verdicts: dict[str, tuple[str, bool]]) -> list[dict[str, Any]]:
    """Each field of both records. Where the two differ as written, the tag is the model's own
    verdict on the field (the waterfall's level, "Differs" only at its "different" level), so the
    page never calls "Glebe Dr" and "Glebe Drive" different while the waterfall says the same. A
    field held encoded shows "Encoded", tagged with the level its encodings reached."""
    out = []
    for field, label in RECORD_FIELDS:
        a, b = _value(pair.left, field, pair.encoded_l), _value(pair.right, field, pair.encoded_r)
        if not (a or b):
            continue
        if ENCODED in (a, b):
            level, different = verdicts.get(field, ("", False))
            shown = bool(a and b and not different)
            out.append(
                {
                    "label": label,
                    "left": a,
                    "right": b,
                    "same": not different,
                    "verdict": level if shown else "",
                }
            )
            continue
        level, different = verdicts.get(field, ("", a.casefold() != b.casefold()))
        written_alike = a.casefold() == b.casefold()
        out.append(
            {
                "label": label,
                "left": a,
                "right": b,
                "same": written_alike or not different,
                "verdict": "" if written_alike or different or not (a and b) else level,
            }
        )
    return out


def _decide(actor: Actor, pair: intel.LinkReviewPair, *, same: bool, reason: str) -> LinkDecision:
    return decisions.do_decide_link(
        actor, key_a=pair.left.key, key_b=pair.right.key, same_person=same, reason=reason
    )


@signed_in
def link_review(request: HttpRequest, review_id: str) -> HttpResponse:
    """Both records side by side, the match-weight waterfall, and the decision: the same person or
    not. The decision is ledgered and every later ``sightline link`` honours it."""
    pair = intel.link_review(request.user, review_id)
    form = LinkDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        same = form.cleaned_data["same_person"] == "yes"
        actor = actor_for(request.user)  # type: ignore[arg-type]
        reason = form.cleaned_data["reason"]
        ok, _decision = submit_service(
            form, lambda: _decide(actor, pair, same=same, reason=reason), stale_message=STALE
        )
        if ok:
            verdict = "the same person" if same else "not the same person"
            messages.success(
                request,
                f"Recorded: {pair.left.key} and {pair.right.key} are {verdict}. "
                "The next linkage run will follow this.",
            )
            return redirect("web:link_reviews")
    explanation = intel.pair_weights(pair)
    return render(
        request,
        "web/intelligence/link_review.html",
        {
            "review": pair.review,
            "left": pair.left,
            "right": pair.right,
            "fields": _side_by_side(pair, field_verdicts(explanation)),
            "chart": waterfall(explanation, "match-weights") if explanation else None,
            "encoded": pair.encoded_l is not None or pair.encoded_r is not None,
            "encoded_l": pair.encoded_l is not None,
            "encoded_r": pair.encoded_r is not None,
            "form": form,
        },
    )


def _summary(record: SourceRecord) -> dict[str, str]:
    """What tells the records of a group apart at a glance: name, birth, address."""
    data = record.data
    if intel.is_encoded(record):
        return {"name": ENCODED, "birth": ENCODED, "place": ENCODED}
    name = " ".join(str(data.get(f) or "").strip() for f in ("given_name", "family_name")).strip()
    dob = str(data.get("date_of_birth") or "").strip()
    age = str(data.get("estimated_age") or "").strip()
    place = ", ".join(str(data.get(f) or "").strip() for f in ("address", "postcode") if data.get(f))
    return {
        "name": name or "No name recorded",
        "birth": dob or (f"About {age}" if age else "No date of birth"),
        "place": place or "No address",
    }


@signed_in
def link_review_group(request: HttpRequest, group_id: str) -> HttpResponse:
    """The pairs of one review group side by side, and one decision for the chosen ones."""
    group = intel.link_review_group(request.user, group_id)
    waiting = [p.review.id for p in group.waiting]
    form = LinkGroupDecisionForm(request.POST or None, pairs=waiting)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in group.waiting if p.review.id in set(form.cleaned_data["reviews"])]
        same = form.cleaned_data["same_person"] == "yes"
        actor = actor_for(request.user)  # type: ignore[arg-type]
        keys = [(p.left.key, p.right.key) for p in chosen]
        reason = form.cleaned_data["reason"]
        ok, _ = submit_service(
            form,
            lambda: decisions.do_decide_links(actor, pairs=keys, same_person=same, reason=reason),
            stale_message=STALE,
        )
        if ok:
            verdict = "the same person" if same else "not the same person"
            n = len(chosen)
            pairs = f"{n} pair{'s' if n != 1 else ''}"
            message = f"Recorded for {pairs}: {verdict}. The next linkage run will follow this."
            messages.success(request, message)
            return redirect("web:link_reviews")
    chosen_now = set(form["reviews"].value() or [])
    rows: list[dict[str, Any]] = [
        {"pair": p, "left": _summary(p.left), "right": _summary(p.right)} for p in group.waiting
    ]
    for row, p in zip(rows, group.waiting, strict=True):
        row["checked"] = p.review.id in chosen_now
    done = [{"pair": p, "left": _summary(p.left), "right": _summary(p.right)} for p in group.decided]
    return render(
        request,
        "web/intelligence/link_review_group.html",
        {"group": group, "rows": rows, "done": done, "form": form},
    )
