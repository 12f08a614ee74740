"""People created and corrected by hand; manual merge and unmerge; search tolerant of misspellings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.services import actor_for
from sightline.core.errors import NotFound
from sightline.ledger.models import Entry
from sightline.ledger.services import StaleVersionError, integrate, latest_versions
from sightline.people import selectors, services
from sightline.people.models import Person, SourceRecord
from sightline.people.need_to_know import person_access
from sightline.people.selectors import SearchQuery
from tests.factories import adult, child, record

pytestmark = pytest.mark.django_db


def test_create_and_update_validate_and_normalise(coordinator: Any) -> None:
    actor = actor_for(coordinator)
    p = services.do_create_person(
        actor=actor,
        kind="child",
        given_name="  Amy ",
        family_name="Hart",
        date_of_birth="2001-06",
        postcode="s60 1aa",
        sex="f",
        ethnicity="wbri",
        identifiers=[("nhs_number", "943 476 5919")],
    )
    assert (p.given_name, p.postcode, p.sex, p.ethnicity, p.created_by) == (
        "Amy",
        "S60 1AA",
        "F",
        "WBRI",
        "hand",
    )
    assert [(i.scheme, i.value, i.agency_id) for i in p.identifiers.all()] == [
        ("nhs_number", "9434765919", "mash")
    ]
    with pytest.raises(ValidationError) as err:
        services.do_create_person(actor=actor, date_of_birth="2001-13-01", postcode="nowhere", sex="X")
    assert {"date_of_birth", "postcode", "sex"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        services.do_add_identifier(actor, person_id=p.id, scheme="nhs_number", value="9434765910")
    assert "value" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.do_create_person(actor=actor)  # nothing to identify them by
    updated = services.do_update_person(
        actor, person_id=p.id, changes={"family_name": "Hart-Smith"}, reason="married name"
    )
    assert (updated.family_name, updated.version) == ("Hart-Smith", 2)
    with pytest.raises(StaleVersionError):
        services.do_update_person(actor, person_id=p.id, changes={"given_name": "A"}, expected_version=1)
    with pytest.raises(ValidationError) as err:
        services.do_update_person(actor, person_id=p.id, changes={"status": "merged"})
    assert "status" in err.value.message_dict


def test_writes_about_no_such_person_are_not_found(coordinator: Any) -> None:
    actor = actor_for(coordinator)
    for call in [
        lambda: services.do_update_person(actor, person_id="P-NOPE", changes={"given_name": "A"}),
        lambda: services.do_add_identifier(actor, person_id="P-NOPE", scheme="upn", value="A123456789012"),
        lambda: services.do_retire_identifier(actor, identifier_id="PI-NOPE", reason="typed wrongly"),
        lambda: services.do_merge_people(actor, source_id="P-NOPE", target_id="P-NOPE2", reason="same"),
        lambda: services.do_unmerge_person(actor, person_id="P-NOPE", reason="different"),
        lambda: services.do_break_glass(coordinator, person_id="P-NOPE", reason="a long enough reason here"),
    ]:
        with pytest.raises(NotFound):
            call()


def test_board_members_cannot_create_people(make_user: Callable[..., Any]) -> None:
    board = make_user("board_member", "mash")
    with pytest.raises(PermissionDenied):
        services.do_create_person(actor=actor_for(board), given_name="X")


def test_merge_then_unmerge_restores_everything(coordinator: Any) -> None:
    actor = actor_for(coordinator)
    keep = child()
    dup = child(given_name="Jess", date_of_birth="2000-03")
    rec = record(dup, "police", "POL-9", given_name="Jess", family_name="Walker")
    services.do_add_identifier(actor, person_id=dup.id, scheme="upn", value="A123456789012")
    before = {f: getattr(dup, f) for f in services.EDITABLE_FIELDS}
    with pytest.raises(ValidationError):
        services.do_merge_people(actor, source_id=dup.id, target_id=keep.id, reason="")
    with pytest.raises(ValidationError):
        services.do_merge_people(actor, source_id=dup.id, target_id=dup.id, reason="same")
    services.do_merge_people(
        actor, source_id=dup.id, target_id=keep.id, reason="Same DOB, school and address"
    )
    assert selectors.resolve_person_id(dup.id) == keep.id
    assert selectors.person_group_ids(keep.id) == [keep.id, dup.id]
    merged = selectors.person_record(keep.id)
    assert [r.id for r in merged.records] == [rec.id] and [p.id for p in merged.merged_from] == [dup.id]
    assert merged.agencies == ["mash", "police"]
    with pytest.raises(ValidationError):
        services.do_merge_people(
            actor, source_id=keep.id, target_id=dup.id, reason="loop"
        )  # dup is merged: refused
    with pytest.raises(ValidationError):
        services.do_update_person(actor, person_id=dup.id, changes={"given_name": "J"})
    services.do_unmerge_person(actor, person_id=dup.id, reason="Different children: twins")
    dup.refresh_from_db()
    assert (dup.status, dup.merged_into) == ("active", "")
    assert {f: getattr(dup, f) for f in services.EDITABLE_FIELDS} == before
    assert selectors.person_group_ids(keep.id) == [keep.id]
    assert selectors.person_record(dup.id).records == [rec]
    assert SourceRecord.objects.get(pk=rec.id).person_id == dup.id
    integrate()
    actions = list(
        Entry.objects.filter(object_id__in=[dup.id, keep.id])
        .order_by("index")
        .values_list("action", "object_id")
    )
    assert (
        ("merge", dup.id) in actions and ("unmerge", dup.id) in actions and ("merge_into", keep.id) in actions
    )
    # The tables still match the ledger's latest versions (what `ledger verify` checks).
    latest = latest_versions(Person)
    for p in (keep, dup):
        p.refresh_from_db()
        version, _index, data = latest[p.id]
        assert version == p.version and data == json.loads(json.dumps(p.snapshot()))


def test_merge_needs_the_merge_capability(make_user: Callable[..., Any]) -> None:
    sw = make_user("practitioner", "social_care")
    a, b = child(), child()
    with pytest.raises(PermissionDenied):
        services.do_merge_people(actor_for(sw), source_id=a.id, target_id=b.id, reason="same")


def test_merged_records_give_need_to_know_on_the_survivor(
    coordinator: Any, make_user: Callable[..., Any]
) -> None:
    officer = make_user("practitioner", "police", username="pc")
    keep, dup = child(), child(given_name="Jess")
    record(dup, "police", "POL-5", given_name="Jess")
    assert not person_access(officer, keep.id).allowed
    services.do_merge_people(actor_for(coordinator), source_id=dup.id, target_id=keep.id, reason="same")
    assert person_access(officer, keep.id).allowed


# --- search --------------------------------------------------------------------------------------


@pytest.fixture
def town() -> dict[str, Person]:
    people = {
        "jessica": child(postcode="S65 2AB"),
        "jessop": child(given_name="Tom", family_name="Jessop", date_of_birth="1999-01-01"),
        "amy": child(given_name="Amy", family_name="Hart", date_of_birth="2001-06-02", postcode="S60 1AA"),
        "mo": adult("Mohammed", family_name="Ali", date_of_birth="1980-05-05"),
        "walker2": child(given_name="Peter", family_name="Walker", date_of_birth="1970-01-01"),
    }
    return people


def ids(hits: list[selectors.SearchHit]) -> list[str]:
    return [h.person_id for h in hits]


def test_search_finds_a_misspelt_name(town: dict[str, Person]) -> None:
    hits = selectors.rank_people(SearchQuery(name="Jesica Walkr"))
    assert ids(hits)[0] == town["jessica"].id
    assert town["walker2"].id not in ids(hits)  # one token matching of two is not enough


def test_search_finds_a_nickname(town: dict[str, Person]) -> None:
    hits = selectors.rank_people(SearchQuery(name="Jess"))
    assert ids(hits)[0] == town["jessica"].id
    assert any("nickname" in r for r in hits[0].reasons)
    assert ids(selectors.rank_people(SearchQuery(name="Walker Jess")))[0] == town["jessica"].id  # swapped
    assert ids(selectors.rank_people(SearchQuery(name="Muhammad Ali")))[0] == town["mo"].id


def test_search_by_dob_postcode_and_identifier(town: dict[str, Person], coordinator: Any) -> None:
    assert ids(selectors.rank_people(SearchQuery(date_of_birth="14/03/2000")))[0] == town["jessica"].id
    swapped = selectors.rank_people(SearchQuery(date_of_birth="2001-02-06"))
    assert ids(swapped)[0] == town["amy"].id and "swapped" in swapped[0].reasons[0]
    assert ids(selectors.rank_people(SearchQuery(postcode="s602aa")))[0] == town["amy"].id
    services.do_add_identifier(
        actor_for(coordinator), person_id=town["amy"].id, scheme="nhs_number", value="9434765919"
    )
    assert ids(selectors.rank_people(SearchQuery(identifier="943 476 5919"))) == [town["amy"].id]
    record(town["mo"], "police", "POL-77", pnc_id="12/345678A", given_name="Mo")
    assert ids(selectors.rank_people(SearchQuery(identifier="POL-77"))) == [town["mo"].id]
    assert ids(selectors.rank_people(SearchQuery(identifier="12/345678A"))) == [town["mo"].id]
    assert ids(selectors.rank_people(SearchQuery(identifier=town["amy"].id))) == [town["amy"].id]
    assert selectors.rank_people(SearchQuery(name="Zebedee Quux")) == []


def test_search_uses_names_on_agency_records(town: dict[str, Person]) -> None:
    record(town["amy"], "police", "POL-3", given_name="Bunny", family_name="Hartley")
    assert ids(selectors.rank_people(SearchQuery(name="Bunny Hartly")))[0] == town["amy"].id


def test_one_search_box_is_split_into_parts() -> None:
    q = selectors.parse_search_text("Jess Walker 14/03/2000 S65 2AB")
    assert (q.name, q.date_of_birth, q.postcode, q.identifier) == ("Jess Walker", "2000-03-14", "S652AB", "")
    q = selectors.parse_search_text("943 476 5919")
    assert (q.name, q.identifier) == ("", "9434765919")
    q = selectors.parse_search_text("jess 2000")
    assert (q.name, q.date_of_birth) == ("jess", "2000")


def test_merged_people_are_found_as_the_survivor(town: dict[str, Person], coordinator: Any) -> None:
    dup = child(given_name="Jesse", family_name="Walkerr", postcode="")
    services.do_merge_people(
        actor_for(coordinator), source_id=dup.id, target_id=town["jessica"].id, reason="same child"
    )
    hits = selectors.rank_people(SearchQuery(name="Jesse Walkerr"))
    assert ids(hits)[0] == town["jessica"].id
    assert dup.id not in ids(hits)


def test_search_as_a_user_restricts_and_ledgers(
    town: dict[str, Person], make_user: Callable[..., Any]
) -> None:
    officer = make_user("practitioner", "police", username="pc")
    record(town["amy"], "police", "POL-3", given_name="Amy", family_name="Hart")
    hits = selectors.search_people(officer, SearchQuery(name="Amy Hart"))
    assert [(h.person_id, h.restricted, h.person is not None) for h in hits][:1] == [
        (town["amy"].id, False, True)
    ]
    hits = selectors.search_people(officer, SearchQuery(name="Jesica Walkr"))
    assert hits[0].restricted and hits[0].person is None and hits[0].reasons == ()
    integrate()
    logged = [
        json.loads(bytes(e.canonical))["data"]
        for e in Entry.objects.filter(action="search", actor_user="pc").order_by("index")
    ]
    assert logged[0]["shown"] == [town["amy"].id]
    assert logged[1]["restricted"][0] == town["jessica"].id and logged[1]["query"]["name"] == "Jesica Walkr"


def test_get_person_checks_need_to_know_and_ledgers(
    town: dict[str, Person], make_user: Callable[..., Any]
) -> None:
    officer = make_user("practitioner", "police", username="pc")
    with pytest.raises(PermissionDenied):
        selectors.get_person(officer, town["amy"].id)
    record(town["amy"], "police", "POL-3", given_name="Amy")
    assert selectors.get_person(officer, town["amy"].id).person.id == town["amy"].id
    integrate()
    assert list(
        Entry.objects.filter(object_id=town["amy"].id, actor_user="pc")
        .order_by("index")
        .values_list("action", flat=True)
    ) == [
        "read_denied",
        "read",
    ]


def test_the_agency_that_enters_a_person_by_hand_may_see_them(make_user: Callable[..., Any]) -> None:
    officer = make_user("practitioner", "police", username="pc")
    nurse = make_user("practitioner", "health", username="nurse")
    p = services.do_create_person(actor=actor_for(officer), given_name="Kayleigh", family_name="Dunn")
    integrate()
    assert person_access(officer, p.id).allowed
    assert not person_access(nurse, p.id).allowed
    services.do_add_identifier(actor_for(nurse), person_id=p.id, scheme="nhs_number", value="9434765919")
    assert person_access(nurse, p.id).allowed  # the identifier it holds makes health involved
