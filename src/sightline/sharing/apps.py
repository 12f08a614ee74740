from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sightline.sharing"
    label = "sharing"
    verbose_name = "Sharing decisions and section 47 enquiries"

    def ready(self) -> None:
        # A workspace member's agency is involved with the child (need to know), and the rows belong
        # to the child's access history.
        from sightline.sharing.selectors.access import register_access_hooks

        register_access_hooks()
