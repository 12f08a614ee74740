"""A minimal valid body for every API write, so that the generated matrix reaches the permission check
(the API validates a body before any check in the operation runs). ``{kind}`` is replaced by the id of
the world's object of that kind (``{kind:0}`` by the first part of a pair)."""

from __future__ import annotations

import datetime as dt
from typing import Any

TODAY = dt.date.today().isoformat()
LATER = (dt.date.today() + dt.timedelta(days=30)).isoformat()
NOW = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).isoformat()
REASON = "Needed for a strategy meeting this afternoon"

BODIES: dict[str, Any] = {
    "POST /api/access/break-glass": {"person_id": "{person}", "reason": REASON},
    "POST /api/access/break-glass/{grant_id}/review": {"outcome": "appropriate", "note": ""},
    "POST /api/people": {"kind": "child", "given_name": "Newly", "family_name": "Entered"},
    "PATCH /api/people/{person_id}": {"other_names": "Kim", "reason": "known as"},
    "POST /api/people/{person_id}/identifiers": {"scheme": "agency_ref", "value": "MATRIX-1"},
    "POST /api/people/{person_id}/merge": {"into": "{spare person}", "reason": "the same child"},
    "POST /api/people/{person_id}/unmerge": {"reason": "not the same child"},
    "POST /api/cases/concerns": {
        "person_id": "{person}",
        "what_was_seen": "Seen getting into a car",
        "urgency": "standard",
        "occurred_at": NOW,
    },
    "POST /api/cases/concerns/{concern_id}/triage": {"decision": "advice", "reason": "advised the school"},
    "POST /api/cases/people/{person_id}/screenings": {"answers": {"V01": {"current": True}}},
    "POST /api/cases/people/{person_id}/plans": {"title": "Safety plan", "review_due_on": LATER},
    "POST /api/cases/plans/{plan_id}/actions": {
        "description": "Home visit",
        "owner_agency": "social_care",
        "due_on": LATER,
    },
    "PATCH /api/cases/actions/{action_id}": {"note": "Phoned the school"},
    "POST /api/cases/plans/{plan_id}/reviews": {"summary": "Reviewed", "next_review_on": LATER},
    "POST /api/cases/plans/{plan_id}/close": {"reason": "No longer needed"},
    "POST /api/cases/people/{person_id}/episodes": {"category": "M", "started_at": NOW},
    "POST /api/cases/episodes/{episode_id}/return": {"ended_at": NOW},
    "POST /api/cases/episodes/{episode_id}/return-interviews": {"offered_at": NOW},
    "PATCH /api/cases/return-interviews/{interview_id}": {"response": "declined"},
    "POST /api/cases/people/{person_id}/placements": {
        "placement_type": "foster",
        "started_on": TODAY,
        "in_area": True,
        "placing_authority": "Sightline Borough Council",
    },
    "POST /api/cases/placements/{placement_id}/end": {"ended_on": TODAY, "end_reason": "Moved home"},
    "POST /api/cases/investigations": {"operation_name": "Operation New", "opened_on": TODAY},
    "POST /api/cases/investigations/{investigation_id}/people": {"person_id": "{person}", "role": "victim"},
    "POST /api/cases/investigations/{investigation_id}/suspects/{person_id}/status": {
        "status": "arrested",
        "effective_on": TODAY,
    },
    "POST /api/cases/investigations/{investigation_id}/close": {"closed_on": TODAY, "reason": "Charged"},
    "POST /api/cases/self-referrals": {"received_on": TODAY, "person_id": "{person}"},
    "POST /api/cases/outreach": {"alert_id": "{outreach alert}", "agency": "youth_service"},
    "POST /api/cases/outreach/{assignment_id}/attempts": {"method": "street", "outcome": "not_found"},
    "POST /api/cases/outreach/{assignment_id}/decisions": {
        "decision": "close",
        "reason": "Engaged at school",
    },
    "POST /api/cases/people/{person_id}/sharing-decisions": {
        "recipients": ["police"],
        "what": "Return interview notes",
        "outcome": "not_shared",
        "reason_code": "more_detrimental_to_child",
    },
    "POST /api/cases/people/{person_id}/nhs-number": {"reason_code": "not_yet_traced"},
    "POST /api/cases/people/{person_id}/s47": {"summary": "Disclosure at school"},
    "POST /api/cases/s47/{workspace_id}/members": {"username": "as-manager"},
    "POST /api/cases/s47/{workspace_id}/members/{username}/remove": {"reason": "Moved post"},
    "POST /api/cases/s47/{workspace_id}/tasks": {
        "description": "Visit at school",
        "assignee": "{s47 member}",
        "due_on": LATER,
    },
    "POST /api/cases/s47/{workspace_id}/tasks/{task_id}/done": {},
    "POST /api/cases/s47/{workspace_id}/decisions": {
        "decision": "Threshold met",
        "outcome": "icpc",
        "agreed_by": ["{s47 member}"],
    },
    "POST /api/intelligence/alerts/{alert_id}/status": {"status": "under_review"},
    "POST /api/intelligence/link-decisions": {
        "record_key_l": "{record keys:0}",
        "record_key_r": "{record keys:1}",
        "same_person": False,
        "reason": "different children",
    },
    "POST /api/intelligence/link-review-groups/{group_id}/decision": {
        "same_person": False,
        "reason": "brother and sister",
    },
    "POST /api/accountability/plans": {"name": "rotherham-2014.yaml", "content": "{plan file}"},
    "POST /api/accountability/protected-concerns": {"about": "service", "what_happened": "Slow replies"},
}

# Queries for reads that do nothing without one: a search for the child no role's agency knows.
QUERIES: dict[str, dict[str, str]] = {
    "/people/search": {"name": "Oriana Outhwaite"},
    "GET /api/people": {"q": "Oriana Outhwaite"},
    "GET /api/cases/self-referrals/weekly": {"start": "2025-01-01", "end": "2025-03-01"},
    # The world's placements and episodes are this year's: the missing return names both children.
    "/returns": {
        "kind": "ssda903",
        **{f"start_{i}": v for i, v in enumerate(["1", "1", str(dt.date.today().year - 1)])},
        **{f"end_{i}": v for i, v in enumerate(["31", "12", str(dt.date.today().year)])},
    },
}
