from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "sightline.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # An assignment makes the assigned team's agency involved with the child (need to know).
        from sightline.outreach.selectors.access import register_access_hooks
        from sightline.outreach.selectors.chronology import register_chronology_lines

        register_access_hooks()
        register_chronology_lines()
