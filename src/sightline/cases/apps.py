from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"
