"""Reads for accountability: plan status, overdue actions, moved dates, histories from the ledger, live
indicators, resources against caseload, engagement and protected concerns.

The board report (``sightline.reports``) builds on :func:`recommendations_by_status`,
:func:`overdue_actions`, :func:`moved_target_dates`, :func:`indicator_results` and :func:`resources`.
Nothing here shows a person's record: accountability pages are about the service. A missing object
raises ``sightline.core.errors.NotFound``.
"""

from sightline.accountability.selectors.engagement import (
    communities_reached,
    engagement_events,
    get_engagement_event,
)
from sightline.accountability.selectors.evidence import (
    EvidenceDocument,
    evidence_document,
    evidence_for,
    evidence_with_entries,
    get_evidence,
)
from sightline.accountability.selectors.history import (
    FIELD_LABELS,
    HistoryItem,
    action_history,
    history,
    ledger_entry_summary,
    recommendation_history,
)
from sightline.accountability.selectors.indicator_results import (
    IndicatorResult,
    Point,
    all_indicators,
    get_indicator,
    indicator_results,
    indicator_series,
    known_indicator,
)
from sightline.accountability.selectors.plans import (
    ActionView,
    MovedDate,
    OverdueItem,
    PlanView,
    RecommendationView,
    awaiting_sign_off,
    get_action,
    get_plan,
    get_recommendation,
    may_view_action,
    moved_target_dates,
    overdue_actions,
    plan_view,
    plans,
    recommendations_by_status,
    viewable_action,
)
from sightline.accountability.selectors.protected_concerns import (
    PROTECTED_TYPE,
    ConcernView,
    get_protected_concern,
    may_review_protected,
    my_protected_concerns,
    protected_concerns_for_review,
    unanswered_protected_count,
)
from sightline.accountability.selectors.resources import (
    FundingRow,
    Resources,
    StaffingRow,
    caseload_by_year,
    resources,
)
from sightline.accountability.selectors.status import (
    STATUSES,
    TAGS,
    State,
    action_state,
    recommendation_state,
    status_counts,
)

__all__ = [
    "FIELD_LABELS",
    "PROTECTED_TYPE",
    "STATUSES",
    "TAGS",
    "ActionView",
    "ConcernView",
    "EvidenceDocument",
    "FundingRow",
    "HistoryItem",
    "IndicatorResult",
    "MovedDate",
    "OverdueItem",
    "PlanView",
    "Point",
    "RecommendationView",
    "Resources",
    "StaffingRow",
    "State",
    "action_history",
    "action_state",
    "all_indicators",
    "awaiting_sign_off",
    "caseload_by_year",
    "communities_reached",
    "engagement_events",
    "evidence_document",
    "evidence_for",
    "evidence_with_entries",
    "get_action",
    "get_engagement_event",
    "get_evidence",
    "get_indicator",
    "get_plan",
    "get_protected_concern",
    "get_recommendation",
    "history",
    "indicator_results",
    "indicator_series",
    "known_indicator",
    "ledger_entry_summary",
    "may_review_protected",
    "may_view_action",
    "moved_target_dates",
    "my_protected_concerns",
    "overdue_actions",
    "plan_view",
    "plans",
    "protected_concerns_for_review",
    "recommendation_history",
    "recommendation_state",
    "recommendations_by_status",
    "resources",
    "status_counts",
    "unanswered_protected_count",
    "viewable_action",
]
