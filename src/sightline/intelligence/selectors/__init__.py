"""Reads over alerts, networks and link reviews. The web pages and the API call these and nothing else.

Two layers, as in ``sightline.cases.selectors``:

* Functions taking a ``user`` (the viewer) are what pages and the API call. They check the role,
  apply need to know (people outside the viewer's access come back ``restricted``, without their
  name) and ledger what they show: lists ledger only the page taken from them (:class:`Listing`).
  They return view objects, never models that could show more than the viewer may see.
* Functions without a user (``ranked_alerts``, ``network_members``, ``network_by_id``,
  ``alert_evidence``, ``alert_history``) read the tables with no access check, for the checked
  functions and for exports.

Where each lives: ``alerts`` (the ranked list and one alert), ``evidence`` (the records, events and
status history behind an alert), ``person`` (the alerts about one person and the people the analysis
ties to them, for their record), ``networks``, ``link_reviews``, and ``viewer`` (the role check,
need to know and ledgering they share). Missing objects raise ``sightline.core.errors.NotFound``.
"""

from sightline.intelligence.selectors.alerts import (
    OPEN_STATUSES,
    PERSON_KINDS,
    TOP_REASONS,
    AlertDetail,
    AlertView,
    alert_detail,
    alert_list,
    alert_status,
    plain_reason,
    ranked_alerts,
    reason_lines,
    top_reasons,
)
from sightline.intelligence.selectors.evidence import (
    EvidenceEvent,
    EvidenceRecord,
    StatusChange,
    alert_evidence,
    alert_history,
)
from sightline.intelligence.selectors.link_reviews import (
    LinkReviewGroup,
    LinkReviewPair,
    LinkReviewRow,
    RecordName,
    is_encoded,
    link_review,
    link_review_counts,
    link_review_group,
    link_review_list,
    open_records,
    pair_weights,
)
from sightline.intelligence.selectors.networks import (
    MemberView,
    NetworkSummary,
    NetworkView,
    group_name,
    groups_by_id,
    network_by_id,
    network_event_kinds,
    network_members,
    network_view,
    networks,
)
from sightline.intelligence.selectors.person import (
    PersonAlert,
    PersonIntelligence,
    TieEvent,
    TieView,
    person_intelligence,
)
from sightline.intelligence.selectors.viewer import Listing

__all__ = [
    "OPEN_STATUSES",
    "PERSON_KINDS",
    "TOP_REASONS",
    "AlertDetail",
    "AlertView",
    "EvidenceEvent",
    "EvidenceRecord",
    "LinkReviewGroup",
    "LinkReviewPair",
    "LinkReviewRow",
    "Listing",
    "MemberView",
    "NetworkSummary",
    "NetworkView",
    "PersonAlert",
    "PersonIntelligence",
    "RecordName",
    "StatusChange",
    "TieEvent",
    "TieView",
    "alert_detail",
    "alert_evidence",
    "alert_history",
    "alert_list",
    "alert_status",
    "group_name",
    "groups_by_id",
    "is_encoded",
    "link_review",
    "link_review_counts",
    "link_review_group",
    "link_review_list",
    "network_by_id",
    "network_event_kinds",
    "network_members",
    "network_view",
    "networks",
    "open_records",
    "pair_weights",
    "person_intelligence",
    "plain_reason",
    "ranked_alerts",
    "reason_lines",
    "top_reasons",
]
