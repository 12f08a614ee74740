"""Finding people and the child's record (``web:person`` is the record every page links to)."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import people as v

urlpatterns = [
    path("people/search", v.person_search, name="person_search"),
    path("people/<str:person_id>", v.person, name="person"),
    path("people/<str:person_id>/chronology", v.chronology, name="chronology"),
    path("people/<str:person_id>/ledger/<int:index>", v.ledger_entry, name="person_ledger_entry"),
    path("people/<str:person_id>/edit", v.person_edit, name="person_edit"),
    path("people/<str:person_id>/merge", v.person_merge, name="person_merge"),
    path("people/<str:person_id>/unmerge", v.person_unmerge, name="person_unmerge"),
]

register_nav(
    "Find a person", "web:person_search", caps=[Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE], order=10
)
