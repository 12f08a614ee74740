"""Case-work pages: concerns and triage, screening, episodes, plans, placements, investigations."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import cases as v

urlpatterns = [
    path("concerns/start", v.concern_start, name="concern_start"),
    path("concerns/new", v.concern_new, name="concern_new_child"),
    path("people/<str:person_id>/concerns/new", v.concern_new, name="concern_new"),
    path("concerns/<str:concern_id>", v.concern_detail, name="concern"),
    path("concerns/<str:concern_id>/triage", v.triage, name="triage"),
    path("concerns/<str:concern_id>/withdraw", v.concern_withdraw, name="concern_withdraw"),
    path("triage", v.triage_queue, name="triage_queue"),
    path("people/<str:person_id>/screenings/new", v.screening_new, name="screening_new"),
    path("people/<str:person_id>/episodes/new", v.episode_new, name="episode_new"),
    path("episodes/<str:episode_id>", v.episode_detail, name="episode"),
    path("episodes/<str:episode_id>/return", v.episode_end, name="episode_end"),
    path("episodes/<str:episode_id>/interviews/new", v.interview_new, name="interview_new"),
    path("interviews/<str:interview_id>", v.interview_response, name="interview_response"),
    path("people/<str:person_id>/plans/new", v.plan_new, name="plan_new"),
    path("plans/<str:plan_id>", v.plan_detail, name="plan"),
    path("plans/<str:plan_id>/actions/new", v.action_new, name="action_new"),
    path("plans/<str:plan_id>/review", v.plan_review, name="plan_review"),
    path("plans/<str:plan_id>/close", v.plan_close, name="plan_close"),
    path("actions/<str:action_id>", v.action_update, name="action_update"),
    path("people/<str:person_id>/placements/new", v.placement_new, name="placement_new"),
    path("placements/<str:placement_id>/end", v.placement_end, name="placement_end"),
    path("investigations", v.investigations, name="investigations"),
    path("investigations/new", v.investigation_new, name="investigation_new"),
    path("investigations/<str:investigation_id>", v.investigation_detail, name="investigation"),
    path("investigations/<str:investigation_id>/people", v.investigation_link, name="investigation_link"),
    path("investigations/<str:investigation_id>/suspect-status", v.suspect_status, name="suspect_status"),
    path("investigations/<str:investigation_id>/came-forward", v.self_referral_new, name="self_referral_new"),
]

register_nav("Raise a concern", "web:concern_start", caps=[Cap.RAISE_CONCERN], order=15)
register_nav("Triage", "web:triage_queue", caps=[Cap.TRIAGE, Cap.SEE_OVERDUE], order=20)
register_nav("Investigations", "web:investigations", caps=[Cap.INVESTIGATE], order=40)
