from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sightline.people"
    label = "people"

    def ready(self) -> None:
        from sightline.ledger.services import rebuild_hooks, write_hooks
        from sightline.people import search_index

        # The search index follows every write of a person or an agency record.
        hooks = write_hooks.setdefault("people.person", [])
        if search_index.index_people not in hooks:
            hooks.append(search_index.index_people)
        hooks = write_hooks.setdefault("people.sourcerecord", [])
        if search_index.index_records not in hooks:
            hooks.append(search_index.index_records)
        if search_index.reindex not in rebuild_hooks:
            rebuild_hooks.append(search_index.reindex)
