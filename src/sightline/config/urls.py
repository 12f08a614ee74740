from django.urls import include, path

urlpatterns = [
    path("api/", include("sightline.api.urls")),
    path("", include("sightline.web.urls")),
]

# GOV.UK error pages for people; problem+json under /api/.
handler403 = "sightline.web.views.errors.forbidden"
handler404 = "sightline.web.views.errors.not_found"
handler500 = "sightline.web.views.errors.server_error"
