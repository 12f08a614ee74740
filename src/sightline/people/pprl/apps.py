from django.apps import AppConfig


class PprlConfig(AppConfig):
    name = "sightline.people.pprl"
    label = "pprl"
    verbose_name = "Encoded person records"
