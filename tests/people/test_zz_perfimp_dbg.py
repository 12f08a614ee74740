from .test_linkage_service import *  # noqa
from .test_linkage_service import town, model_cache, linked  # noqa

def test_dbg(linked, capsys):
    from sightline.ledger.models import Entry
    size = ledger_size()
    assert main(["link"]) == 0
    out = capsys.readouterr().out
    for e in Entry.objects.filter(index__gte=size).order_by("index"):
        print(e.index, e.action, e.object_type, e.object_id, e.version, bytes(e.canonical)[:600])
    print(out)
    assert False
