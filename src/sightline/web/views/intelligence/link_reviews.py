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
from sightline.people.linkage.explain import field_verdicts
from sightline.people.models import LinkDecision, LinkReview, SourceRecord
from sightline.web.forms import STALE, submit_service
from sightline.web.views.intelligence.forms import LinkDecisionForm
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
    listing = intel.link_review_list(request.user, status=status)
    page = Paginator(listing, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = intel.link_review_counts(request.user)
    tabs = [
        {"value": s.value, "label": s.label, "count": counts[s.value], "current": s.value == status}
        for s in LinkReview.Status
    ]
    return render(
        request,
        "web/intelligence/link_reviews.html",
        {"page": page, "rows": list(page), "tabs": tabs, "status": status},
    )


def _side_by_side(
    left: SourceRecord, right: SourceRecord, verdicts: dict[str, tuple[str, bool]]
) -> list[dict[str, Any]]:
    """Each field of both records. Where the two differ as written, the tag is the model's own
    verdict on the field (the waterfall's level, "Differs" only at its "different" level), so the
    page never calls "Glebe Dr" and "Glebe Drive" different while the waterfall says the same."""
    out = []
    for field, label in RECORD_FIELDS:
        a, b = str(left.data.get(field) or "").strip(), str(right.data.get(field) or "").strip()
        if not (a or b):
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
            "fields": _side_by_side(pair.left, pair.right, field_verdicts(explanation)),
            "chart": waterfall(explanation, "match-weights") if explanation else None,
            "form": form,
        },
    )
