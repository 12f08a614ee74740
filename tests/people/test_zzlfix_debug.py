from people.test_linkage_service import *  # noqa
from people.test_linkage_service import town, model_cache, linked, people_of, ledger_size  # noqa


def test_dbg(linked, capsys):
    from sightline.ledger.models import Entry
    from sightline.people.models import LinkReview
    before, size = people_of(), ledger_size()
    revs = {(r.record_key_l, r.record_key_r): (r.match_probability, r.match_weight, r.reason, r.status) for r in LinkReview.objects.all()}
    top = Entry.objects.order_by("-index").first().index
    assert main(["link"]) == 0
    out = capsys.readouterr().out
    ledger_size()
    with capsys.disabled():
        print(out)
        for e in Entry.objects.filter(index__gt=top).order_by("index"):
            print(e.action, e.object_type, e.object_id, e.version, e.reason)
        for r in LinkReview.objects.all():
            k = (r.record_key_l, r.record_key_r)
            v = (r.match_probability, r.match_weight, r.reason, r.status)
            if revs.get(k) != v:
                print("REV", k, revs.get(k), v)
    assert main(["link", "--full"]) == 0
    out = capsys.readouterr().out
    after = people_of()
    with capsys.disabled():
        print(out)
        from collections import defaultdict
        g1, g2 = defaultdict(set), defaultdict(set)
        for k, p in before.items(): g1[p].add(k)
        for k, p in after.items(): g2[p].add(k)
        for k in sorted(before):
            if before[k] != after[k]:
                print("DIFF", k, before[k], sorted(g1[before[k]]), "->", after[k], sorted(g2[after[k]]))
