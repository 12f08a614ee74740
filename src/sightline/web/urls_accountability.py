"""Accountability pages: plans, recommendations and actions, indicators, resources, engagement, and
protected concerns about handling."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views.accountability import (
    actions,
    engagement,
    evidence,
    indicators,
    plans,
    protected,
    resources,
)

P = "accountability/"

urlpatterns = [
    path(P[:-1], plans.overview, name="acc_overview"),
    path(P + "import", plans.plan_import, name="acc_import"),
    path(P + "plans/<slug:key>", plans.plan_detail, name="acc_plan"),
    path(P + "plans/<slug:key>/recommendations/new", plans.recommendation_new, name="acc_recommendation_new"),
    path(
        P + "recommendations/<str:recommendation_id>", plans.recommendation_detail, name="acc_recommendation"
    ),
    path(
        P + "recommendations/<str:recommendation_id>/edit",
        plans.recommendation_edit,
        name="acc_recommendation_edit",
    ),
    path(
        P + "recommendations/<str:recommendation_id>/actions/new", actions.action_new, name="acc_action_new"
    ),
    path(P + "actions/<str:action_id>", actions.action_detail, name="acc_action"),
    path(P + "actions/<str:action_id>/edit", actions.action_edit, name="acc_action_edit"),
    path(P + "actions/<str:action_id>/start", actions.action_start, name="acc_action_start"),
    path(P + "actions/<str:action_id>/complete", actions.action_complete, name="acc_action_complete"),
    path(P + "actions/<str:action_id>/sign-off", actions.action_sign_off, name="acc_action_sign_off"),
    path(P + "actions/<str:action_id>/reopen", actions.action_reopen, name="acc_action_reopen"),
    path(P + "actions/<str:action_id>/evidence/new", evidence.evidence_new, name="acc_evidence_new"),
    path(P + "evidence/<str:evidence_id>/download", evidence.evidence_download, name="acc_evidence_download"),
    path(P + "evidence/<str:evidence_id>/withdraw", evidence.evidence_withdraw, name="acc_evidence_withdraw"),
    path(P + "overdue", plans.overdue, name="acc_overdue"),
    path(P + "moved-dates", plans.moved_dates, name="acc_moved_dates"),
    path(P + "indicators", indicators.indicators, name="acc_indicators"),
    path(P + "indicators/<slug:key>", indicators.indicator_detail, name="acc_indicator"),
    path(P + "indicators/<slug:key>/edit", indicators.indicator_edit, name="acc_indicator_edit"),
    path(P + "resources", resources.resources, name="acc_resources"),
    path(P + "resources/funding/new", resources.funding_new, name="acc_funding_new"),
    path(P + "resources/staffing/new", resources.staffing_new, name="acc_staffing_new"),
    path(P + "engagement", engagement.engagement, name="acc_engagement"),
    path(P + "engagement/new", engagement.engagement_new, name="acc_engagement_new"),
    path(P + "engagement/<str:event_id>", engagement.engagement_event, name="acc_engagement_event"),
    path(P + "engagement/<str:event_id>/edit", engagement.engagement_edit, name="acc_engagement_edit"),
    path(
        P + "engagement/<str:event_id>/follow-up",
        engagement.engagement_follow_up,
        name="acc_engagement_follow_up",
    ),
    path("speak-up", protected.protected_list, name="acc_protected_list"),
    path("speak-up/new", protected.protected_new, name="acc_protected_new"),
    path("speak-up/<str:concern_id>", protected.protected_detail, name="acc_protected"),
]

# One section: the plan, indicators, resources, engagement and the board report (accountability/_subnav.html).
# Speak up is in every page's footer (web/base.html); the reviewer's queue is the same page.
register_nav(
    "Accountability",
    "web:acc_overview",
    caps=[Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS, Cap.SIGN_OFF],
    order=60,
    covers=["web:board_report"],
)
