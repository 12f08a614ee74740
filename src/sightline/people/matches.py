"""Children Sightline may already know, before someone enters one by hand.

A concern about a child "Sightline does not know yet" must not silently make a second record of a
child it does know. The details typed are searched as search finds people (``selectors.rank_people``)
and scored by the trained linkage model (``people.likely``); everyone likely or possibly the same
child is offered first. A user sees the ones they may open in full and the others only as a
likelihood and the agencies that hold them (``need_to_know.disclose_hidden_matches``).
"""

from __future__ import annotations

from typing import Any

from sightline.access.services import actor_for
from sightline.ledger.services import record_action
from sightline.people import likely
from sightline.people.models import Person
from sightline.people.need_to_know import disclose_hidden_matches, visible_among
from sightline.people.selectors import SearchHit, SearchQuery, rank_people

# The best-ranked people the model scores (search ranks them first, so these are the plausible ones).
CANDIDATES = 60


def possible_children(details: likely.Details) -> dict[str, likely.Match]:
    """Everyone not recorded as an adult who is likely or possibly the child described, by person id.
    No check and no ledger entry: for services deciding whether a new record needs a reason."""
    if details.empty:
        return {}
    name = " ".join(p for p in (details.given_name, details.other_names, details.family_name) if p)
    query = SearchQuery(name=name, date_of_birth=details.date_of_birth, postcode=details.postcode)
    ids = [h.person_id for h in rank_people(query, limit=CANDIDATES)]
    ids = list(Person.objects.filter(pk__in=ids).exclude(kind=Person.Kind.ADULT).values_list("pk", flat=True))
    scored = likely.score_people([details], ids)
    return {pid: m for pid, m in scored.items() if m.likelihood in likely.WORTH_SHOWING}


def child_matches(user: Any, details: likely.Details, *, purpose: str) -> list[SearchHit]:
    """The children the user should check before entering a new one, most likely first: people they
    may open in full, others as their id, likelihood and agencies. The check, the ids and bands
    offered, and each hidden child described are ledgered."""
    found = possible_children(details)
    visible = Person.objects.in_bulk(sorted(visible_among(user, found)))
    bands = {pid: m.likelihood.value for pid, m in found.items()}
    agencies = disclose_hidden_matches(
        user, {pid: band for pid, band in bands.items() if pid not in visible}, purpose=purpose
    )
    hits = [
        SearchHit(
            pid,
            round(m.probability, 4),
            (),
            restricted=pid not in visible,
            person=visible.get(pid),
            likelihood=bands[pid],
            agencies=agencies.get(pid, ()),
        )
        for pid, m in found.items()
    ]
    hits.sort(key=lambda h: (likely.Likelihood(h.likelihood).rank, -h.score, h.person_id))
    record_action(
        actor_for(user),
        "match_check",
        Person.ledger_type(),
        "search",
        data={
            "purpose": purpose,
            "details": {
                "given_name": details.given_name,
                "family_name": details.family_name,
                "other_names": details.other_names,
                "date_of_birth": details.date_of_birth,
                "estimated_age": details.estimated_age,
                "postcode": details.postcode,
            },
            "offered": bands,
        },
        reason=purpose,
    )
    return hits
