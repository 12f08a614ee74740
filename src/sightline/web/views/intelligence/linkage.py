"""A person's linkage: which agency records were joined into them, and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap, can
from sightline.people import selectors as people
from sightline.people.linkage import explain, reviews
from sightline.web.views.intelligence.waterfall import waterfall

VIEW_PEOPLE = (Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)


@cap_required(*VIEW_PEOPLE)
def person_linkage(request: HttpRequest, person_id: str) -> HttpResponse:
    """Which agency records were joined into this person, and why: a waterfall for each link that
    joins them, the records no scored link joins, and the human decisions about them."""
    root = people.resolve_person_id(person_id)
    if root != person_id:
        return redirect("web:person_linkage", person_id=root)
    record = people.get_person(request.user, root, purpose="see how records were linked")
    keys = [r.key for r in record.records]
    links, unjoined = explain.joining_links(keys)
    by_key = {r.key: r for r in record.records}
    charts = [
        {
            "left": by_key.get(link.record_key_l),
            "right": by_key.get(link.record_key_r),
            "chart": waterfall(link, f"link-{i}"),
        }
        for i, link in enumerate(links, start=1)
    ]
    return render(
        request,
        "web/intelligence/person_linkage.html",
        {
            "person": record.person,
            "records": record.records,
            "links": charts,
            "unjoined": [by_key[k] for k in unjoined if k in by_key],
            "decisions": list(reviews.link_decisions_for(keys)),
            "explained": bool(links) or not record.records or len(record.records) == 1,
            "can_review": can(request.user.role, Cap.MERGE_PEOPLE),  # type: ignore[union-attr]
        },
    )
