"""Statutory returns: the analyst's list of validation problems, each with a link to the child's record."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import returns as v

urlpatterns = [path("returns", v.return_problems, name="returns")]

register_nav("Returns", "web:returns", caps=[Cap.VIEW_ALL_PEOPLE], order=63)
