from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"
    verbose_name = "Case work"

    def ready(self) -> None:
        # Case work is what makes an agency involved with a child (need to know).
        from sightline.cases.selectors import register_access_hooks

        register_access_hooks()
