"""Person search through the database's own indexes: the index follows every write of a person or a
linked record, finds misspellings by trigrams (pg_trgm on PostgreSQL), and a search reads the same
few rows however many people there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.access.services import actor_for
from sightline.cli import main
from sightline.ledger.services import SYSTEM, do_bulk_create, do_bulk_update, do_update, rebuild
from sightline.people import need_to_know, search_index, selectors, services
from sightline.people.models import NameKey, NameToken, Person, SearchPosting
from sightline.people.selectors import SearchQuery
from tests.factories import child, record

pytestmark = pytest.mark.django_db


def terms(owner: str) -> set[str]:
    return set(SearchPosting.objects.filter(owner_id=owner).values_list("term", flat=True))


def ids(query: SearchQuery) -> list[str]:
    return [h.person_id for h in selectors.rank_people(query)]


def test_the_index_follows_people_and_linked_records(coordinator: Any) -> None:
    amy = child(given_name="Amy", family_name="Hart", date_of_birth="2001-06-02", postcode="S60 1AA")
    assert terms(amy.id) == {"amy", "hart", "#y2001", "#pS60"}
    assert {"amy", "hart"} <= set(NameToken.objects.values_list("token", flat=True))
    services.do_update_person(
        actor_for(coordinator), person_id=amy.id, changes={"family_name": "Hartley"}, reason="typo"
    )
    assert terms(amy.id) == {"amy", "hartley", "#y2001", "#pS60"}
    assert ids(SearchQuery(name="Amy Hartley")) == [amy.id]
    assert ids(SearchQuery(name="Amy Hart"))[:1] == [amy.id]
    rec = record(amy, "police", "POL-1", given_name="Bunny", family_name="Smythe")
    postings = SearchPosting.objects.filter(owner_id=rec.id).values_list("person_id", "term")
    assert set(postings) == {(amy.id, "bunny"), (amy.id, "smythe")}
    assert ids(SearchQuery(name="Bunny Smith")) == [amy.id]
    rec.person = None
    do_update(rec, actor=SYSTEM, reason="unlinked")
    assert terms(rec.id) == set() and ids(SearchQuery(name="Bunny Smythe")) == []


def test_unlinked_imports_add_nothing_to_search() -> None:
    amy = child(given_name="Amy")
    rec = record(amy, "police", "POL-2", given_name="Zed")
    before = SearchPosting.objects.count()
    copy = type(rec)(
        agency_id="police",
        record_id="POL-3",
        extract=rec.extract,
        row_number=3,
        data={"record_id": "POL-3", "given_name": "Quill"},
        given_name="Quill",
    )
    do_bulk_create([copy], actor=SYSTEM)
    assert SearchPosting.objects.count() == before and not NameToken.objects.filter(token="quill").exists()


@pytest.mark.parametrize(("typed", "held"), [("Kowlaski", "Kowalski"), ("Thomspon", "Thompson")])
def test_misspellings_only_trigrams_can_find(typed: str, held: str) -> None:
    person = child(given_name="Zara", family_name=held)
    assert held.lower() in search_index.candidate_tokens(typed.lower())
    assert ids(SearchQuery(name=f"Zara {typed}")) == [person.id]
    if connection.vendor == "postgresql":  # pg_trgm's index, not trigram keys
        assert search_index.has_pg_trgm()
        assert not NameKey.objects.filter(key__startswith="g:").exists()
        with connection.cursor() as cur:
            cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'people_name_token_trgm'")
            assert "gin_trgm_ops" in cur.fetchone()[0]
    else:
        assert NameKey.objects.filter(key="g: ko", token="kowalski").exists() or held != "Kowalski"


def _search_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        found = selectors.rank_people(SearchQuery(name="Jesica Walkr", date_of_birth="2000"))
    assert found
    return len(queries)


def test_a_search_reads_the_same_few_rows_however_many_people() -> None:
    child()  # Jessica Walker
    few = _search_queries()
    for i in range(60):
        child(given_name=f"Other{i}", family_name=f"Person{i}", date_of_birth=f"19{i + 10}-01-01")
    with CaptureQueriesContext(connection) as queries:
        selectors.rank_people(SearchQuery(name="Jesica Walkr", date_of_birth="2000"))
    assert len(queries) == few
    # The people table is read only for the candidates, by id: their names come from the index.
    people_reads = [q["sql"] for q in queries.captured_queries if '"people_person"' in q["sql"]]
    assert people_reads and all('"people_person"."id" IN (' in sql for sql in people_reads)


def test_a_ledger_rebuild_rebuilds_the_index() -> None:
    amy = child(given_name="Amy", family_name="Hart")
    SearchPosting.objects.all().delete()
    NameToken.objects.all().delete()
    assert ids(SearchQuery(name="Amy Hart")) == []
    rebuild()
    assert ids(SearchQuery(name="Amy Hart")) == [amy.id]
    assert Person.objects.count() == 1


def test_the_reindex_command(capsys: pytest.CaptureFixture[str]) -> None:
    amy = child(given_name="Amy", family_name="Hart")
    SearchPosting.objects.all().delete()
    assert main(["people", "reindex"]) == 0
    assert "1 rows indexed" in capsys.readouterr().out
    assert ids(SearchQuery(name="Amy Hart")) == [amy.id]


def test_a_user_gets_the_best_hits_they_may_see_without_checking_them_all(
    make_user: Callable[..., Any],
) -> None:
    officer = make_user("practitioner", "police", username="pc-index")
    people = [
        child(given_name="Jessica", family_name="Walker", date_of_birth=f"20{i % 10:02d}-01-01")
        for i in range(230)
    ]
    for p in people[::7]:  # the officer's force holds records of some of them
        record(p, "police", f"POL-W{p.id}", given_name="Jess", family_name="Walker")
    query = SearchQuery(name="Jessica Walker", date_of_birth="2003-01-01")
    hits = selectors.rank_people(query, limit=None)
    visible = need_to_know.visible_people(officer).in_bulk([h.person_id for h in hits])
    everything = sorted(
        [
            (h.person_id, h.score, False) if h.person_id in visible else (h.person_id, h.blind_score, True)
            for h in hits
            if h.person_id in visible or h.blind_score is not None
        ],
        key=lambda t: (-(t[1] or 0.0), t[0]),
    )
    for limit in (1, 12, 50):
        found = selectors.search_people(officer, query, limit=limit)
        assert [(h.person_id, h.score, h.restricted) for h in found] == everything[:limit]


def test_people_created_in_bulk_are_indexed_in_bulk() -> None:
    people = [
        Person(
            kind="child",
            given_name=f"Bulk{chr(97 + i % 26)}{chr(97 + i // 26)}",
            family_name="Thompson",
            date_of_birth="2004-05-06",
        )
        for i in range(60)
    ]
    do_bulk_create(people, actor=SYSTEM, action="link")
    assert (
        SearchPosting.objects.filter(person_id__in=[p.id for p in people]).count() == 60 * 3
    )  # given, family, year
    assert ids(SearchQuery(name="Bulkra Thomspon"))[0] == people[17].id
    assert len(selectors.rank_people(SearchQuery(date_of_birth="2004-05-06"), limit=None)) == 60


def planner_settings() -> tuple[str, ...]:
    if connection.vendor != "postgresql":
        return ()
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
        return tuple(cur.fetchone())


def test_people_updated_in_bulk_lose_their_old_terms() -> None:
    # The bulk path (a link's relink): old postings go, new ones come, and on PostgreSQL the
    # planner settings changed for the delete are as they were afterwards.
    settings_before = planner_settings()
    people = [
        Person(kind="child", given_name=f"Old{chr(97 + i % 26)}{chr(97 + i // 26)}", family_name="Pratt")
        for i in range(60)
    ]
    do_bulk_create(people, actor=SYSTEM, action="link")
    for p in people:
        p.family_name = "Quill"
    do_bulk_update(people, actor=SYSTEM, fields=["family_name"], action="link")
    assert not SearchPosting.objects.filter(term="pratt").exists()
    assert SearchPosting.objects.filter(term="quill").count() == 60
    assert terms(people[5].id) == {"oldfa", "quill"}
    assert planner_settings() == settings_before


def test_the_database_keeps_only_people_matching_enough_query_tokens() -> None:
    amy = child(given_name="Amy", family_name="Hart", other_names="Lou")
    ann = child(given_name="Ann", family_name="Hart")
    tom = child(given_name="Tom", family_name="Hart")
    groups = [{"amy", "ann"}, {"hart"}, {"lou"}]
    # Two of three groups: Amy holds all three, Ann two; Tom's "hart" is one group only.
    assert search_index.people_matching(groups, 2) == {
        amy.id: {"amy", "hart", "lou"},
        ann.id: {"ann", "hart"},
    }
    assert set(search_index.people_matching(groups, 3)) == {amy.id}
    # One group is enough: every holder comes back, with what they hold.
    assert search_index.people_matching(groups, 1)[tom.id] == {"hart"}
    # A term in two groups counts once for each.
    assert set(search_index.people_matching([{"hart"}, {"hart", "zed"}], 2)) == {amy.id, ann.id, tom.id}
    assert search_index.people_matching([set(), set()], 1) == {}
