from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sightline.people"
    label = "people"

    def ready(self) -> None:
        from sightline.core import lookups
        from sightline.ledger.services import rebuild_hooks, statement_forms, write_hooks
        from sightline.people import events, search_index

        lookups.register()  # ``__any_of``, for need to know's questions about many people

        # The search index follows every write of a person or an agency record; a lone create on
        # PostgreSQL writes it in the create's own statement.
        for ledger_type, hook, form in (
            ("people.person", search_index.index_people, search_index.person_statement),
            ("people.sourcerecord", search_index.index_records, search_index.record_statement),
        ):
            hooks = write_hooks.setdefault(ledger_type, [])
            if hook not in hooks:
                hooks.append(hook)
            statement_forms[hook] = form
        # Who each event names follows every write of an event (no statement form: events are
        # written by imports, in bulk, so the create path calls the hook).
        hooks = write_hooks.setdefault("people.sourceevent", [])
        if events.index_events not in hooks:
            hooks.append(events.index_events)
        for rebuild in (search_index.reindex, events.rebuild_mentions):
            if rebuild not in rebuild_hooks:
                rebuild_hooks.append(rebuild)
