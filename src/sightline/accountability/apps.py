from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "sightline.accountability"
    label = "accountability"
