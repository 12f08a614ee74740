from django.apps import AppConfig


class ExtractsConfig(AppConfig):
    name = "sightline.extracts"
    label = "extracts"
