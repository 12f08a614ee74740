from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sightline.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Imports and entries announce new events in the domains below (people.news); listen here.
        from sightline.notifications import services
        from sightline.people import news

        news.listen("notifications", imported=services.notify_import, entered=services.notify_entry)
