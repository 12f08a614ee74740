from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sightline.reports"
    label = "reports"
