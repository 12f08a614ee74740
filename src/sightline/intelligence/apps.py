from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "sightline.intelligence"
    label = "intelligence"
