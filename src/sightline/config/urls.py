from django.urls import include, path

urlpatterns = [
    path("api/", include("sightline.api.urls")),
    path("", include("sightline.web.urls")),
]
