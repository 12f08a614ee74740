"""Case-work pages: concerns and triage, screening, episodes, plans, placements, investigations."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views.cases import concerns, episodes, investigations, placements, plans, screenings

urlpatterns = [
    path("concerns/start", concerns.concern_start, name="concern_start"),
    path("concerns/new", concerns.concern_new, name="concern_new_child"),
    path("people/<str:person_id>/concerns/new", concerns.concern_new, name="concern_new"),
    path("concerns/<str:concern_id>", concerns.concern_detail, name="concern"),
    path("concerns/<str:concern_id>/triage", concerns.triage, name="triage"),
    path("concerns/<str:concern_id>/withdraw", concerns.concern_withdraw, name="concern_withdraw"),
    path("triage", concerns.triage_queue, name="triage_queue"),
    path("people/<str:person_id>/screenings/new", screenings.screening_new, name="screening_new"),
    path("people/<str:person_id>/episodes/new", episodes.episode_new, name="episode_new"),
    path("episodes/<str:episode_id>", episodes.episode_detail, name="episode"),
    path("episodes/<str:episode_id>/return", episodes.episode_end, name="episode_end"),
    path("episodes/<str:episode_id>/interviews/new", episodes.interview_new, name="interview_new"),
    path("interviews/<str:interview_id>", episodes.interview_response, name="interview_response"),
    path("people/<str:person_id>/plans/new", plans.plan_new, name="plan_new"),
    path("plans/<str:plan_id>", plans.plan_detail, name="plan"),
    path("plans/<str:plan_id>/actions/new", plans.action_new, name="action_new"),
    path("plans/<str:plan_id>/review", plans.plan_review, name="plan_review"),
    path("plans/<str:plan_id>/close", plans.plan_close, name="plan_close"),
    path("actions/<str:action_id>", plans.action_update, name="action_update"),
    path("people/<str:person_id>/placements/new", placements.placement_new, name="placement_new"),
    path("placements/<str:placement_id>/end", placements.placement_end, name="placement_end"),
    path("investigations", investigations.investigations, name="investigations"),
    path("investigations/new", investigations.investigation_new, name="investigation_new"),
    path("investigations/<str:investigation_id>", investigations.investigation_detail, name="investigation"),
    path(
        "investigations/<str:investigation_id>/people",
        investigations.investigation_link,
        name="investigation_link",
    ),
    path(
        "investigations/<str:investigation_id>/suspect-status",
        investigations.suspect_status,
        name="suspect_status",
    ),
    path(
        "investigations/<str:investigation_id>/came-forward",
        investigations.self_referral_new,
        name="self_referral_new",
    ),
]

# Concerns come to those who triage them; they raise one from Home or the child's record, so that their
# queues (triage, outreach, investigations) fit the menu's one row.
register_nav("Raise a concern", "web:concern_start", caps=[Cap.RAISE_CONCERN], order=15, unless=[Cap.TRIAGE])
register_nav("Triage", "web:triage_queue", caps=[Cap.TRIAGE, Cap.SEE_OVERDUE], order=20)
# Analysts reach investigations from the Intelligence section (web/urls_intelligence.py).
register_nav(
    "Investigations", "web:investigations", caps=[Cap.INVESTIGATE], order=40, unless=[Cap.VIEW_INTELLIGENCE]
)
