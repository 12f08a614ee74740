from django.urls import include, path

urlpatterns = [
    path("api/", include("sightline.api.urls")),
    path("", include("sightline.web.urls")),
]

# GOV.UK error pages for people; problem+json under /api/.
handler403 = "sightline.config.errors.forbidden"
handler404 = "sightline.config.errors.not_found"
handler500 = "sightline.config.errors.server_error"
