"""The permission matrix, generated: every page Django routes and every operation the OpenAPI document
lists, for every role, about a child the role's agency knows and one it does not, checked against the
table at the end of docs/access.md ("Every page and API operation").

The data is built once for the module, inside a transaction rolled back at the end; each request runs
in a savepoint rolled back after it, so writes never change what the next request sees.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from sightline.access.models import TOKEN_DOMAINS, User
from sightline.access.permissions import Cap, Role, can
from sightline.accountability.services import sample_plan_path
from sightline.api.core import api
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.need_to_know import visible_among, visible_people

from .matrix_bodies import BODIES, QUERIES
from .matrix_world import NAMES, World, build_world

# Each test runs in its own savepoint inside the module's transaction (see ``world``).
pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = list(Role.values)
# Kinds of object about one child (or naming children): need to know applies, in and out.
CHILD_KINDS = {
    "person",
    "concern",
    "plan",
    "plan action",
    "episode",
    "open episode",
    "interview",
    "placement",
    "chronology entry",
    "investigation",
    "outreach",
    "s47 workspace",
    "s47 task",
    "s47 member",
}
PERSON_MODES = {"blind concern", "break-glass", "decision only", "reviewer"}
READ_METHODS = {"GET"}
NONE = "\u2013"  # the en dash the table writes for "nothing"


@dataclass(frozen=True)
class Policy:
    key: str
    needs: tuple[str, ...]  # capability codes; empty with public/signed_in
    public: bool
    about: tuple[str, ...]  # kinds, in path order then body
    ledgered: str
    opens: bool

    @property
    def api(self) -> bool:
        return " " in self.key

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0] if self.api else "GET"

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1] if self.api else self.key

    @property
    def person_mode(self) -> str:
        for kind in self.about:
            m = re.fullmatch(r"person \((.+)\)", kind)
            if m:
                return m.group(1)
        return ""

    @property
    def variants(self) -> tuple[str, ...]:
        kinds = {_base(k) for k in self.about}
        return ("in", "out") if kinds & CHILD_KINDS else ("",)


def _base(kind: str) -> str:
    return "person" if kind.startswith("person (") else kind


def documented() -> dict[str, Policy]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- routes:start -->", 1)[1].split("<!-- routes:end -->", 1)[0]
    rows = [r for r in table.strip().splitlines() if r.startswith("|")][2:]
    out: dict[str, Policy] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 5, f"docs/access.md: a routes row needs 5 cells: {row!r}"
        key = cells[0].strip("`")
        assert key not in out, f"docs/access.md lists {key} twice"
        caps = tuple(re.findall(r"`(\w+)`", cells[1]))
        for cap in caps:
            assert cap in Cap.values, f"docs/access.md: {cap} ({key}) is not a capability"
        assert caps or cells[1] in {"public", "signed in"}, f"docs/access.md: needs of {key}: {cells[1]!r}"
        about = () if cells[2] == NONE else tuple(k.strip() for k in cells[2].split(","))
        for kind in about:
            m = re.fullmatch(r"person \((.+)\)", kind)
            assert m is None or m.group(1) in PERSON_MODES, f"docs/access.md: {kind!r} ({key})"
        out[key] = Policy(key, caps, cells[1] == "public", about, cells[3], cells[4] != NONE)
    return out


POLICY = documented()


# --- what exists -------------------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def routed_pages() -> set[str]:
    """Every page Django routes, as ``/path/{param}``; the API's operations come from OpenAPI."""
    out = set()
    for pattern, callback in _walk(get_resolver().url_patterns):
        if getattr(callback, "__module__", "") == "ninja.operation":
            continue
        out.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern))
    return out


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_page_and_operation_has_a_documented_policy() -> None:
    existing = routed_pages() | api_operations()
    missing = sorted(existing - set(POLICY))
    stale = sorted(set(POLICY) - existing)
    assert not missing, f"add these to the table in docs/access.md: {missing}"
    assert not stale, f"these rows in docs/access.md name nothing that exists: {stale}"


def test_every_write_operation_has_a_minimal_body() -> None:
    writes = {k for k in api_operations() if not k.startswith("GET ")}
    assert writes == set(BODIES), sorted(writes ^ set(BODIES))


def test_every_api_router_is_a_token_domain() -> None:
    domains = {path.split("/")[2] for path in (k.split(" ", 1)[1] for k in api_operations())}
    assert domains <= set(TOKEN_DOMAINS), domains - set(TOKEN_DOMAINS)


# --- the world ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,  # noqa: ARG001  # the test database must exist first
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    home = tmp_path_factory.mktemp("matrix")
    evidence: dict[str, Any] = dict(settings.STORAGES["evidence"])  # type: ignore[call-overload]
    storages = {
        **settings.STORAGES,
        "evidence": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": home / "evidence"}},
    }
    with (
        override_settings(
            LEDGER_CHECKPOINT_DIR=home / "checkpoints",
            STORAGES=storages,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        yield built
        transaction.set_rollback(True)


# --- one request, and what it should have done ---------------------------------------------------------


def _fill(template: str, policy: Policy, world: World, variant: str) -> str:
    names = re.findall(r"\{(\w+)\}", template)
    kinds = [_base(k) for k in policy.about]
    for i, name in enumerate(names):
        template = template.replace("{" + name + "}", world.id(kinds[i], variant), 1)
    return template


def _body(policy: Policy, world: World, variant: str) -> Any:
    text = json.dumps(BODIES[policy.key])
    for kind in {_base(k) for k in policy.about} | {"spare person"}:
        if "{" + kind in text:
            value = world.id(kind, variant)
            text = text.replace("{" + kind + "}", value)
            for i, part in enumerate(value.split("|")):
                text = text.replace("{" + kind + f":{i}" + "}", part)
    if "{plan file}" in text:
        text = text.replace("{plan file}", json.dumps(sample_plan_path("rotherham-2014").read_text())[1:-1])
    return json.loads(text)


def expected(role: str, policy: Policy, variant: str) -> str:
    """``ok``, ``forbidden`` (by role), ``refused`` (by need to know) or ``to record`` (break-glass
    for someone who can already open the record)."""
    if policy.public or not policy.needs:
        return "ok"
    if not any(can(role, c) for c in policy.needs):
        return "forbidden"
    sees_all = can(role, Cap.VIEW_ALL_PEOPLE)
    mode = policy.person_mode
    if mode == "break-glass":
        # The page sends someone who can already open the record there; the API grants regardless.
        return "to record" if not policy.api and (variant == "in" or sees_all) else "ok"
    if mode in {"blind concern", "decision only", "reviewer"}:
        return "ok"
    if variant == "out" and not sees_all:
        return "refused"
    return "ok"


@dataclass
class Result:
    status: int
    location: str
    body: str
    entries: list[Entry]
    access_changed: set[str]
    role_changed: bool


def _request(
    client: Client,
    method: str,
    url: str,
    body: Any,
    auth: dict[str, str],
    user: User | None,
    world: World,
    *,
    form: bool = False,
) -> Result:
    """Make the request in a savepoint rolled back afterwards, and report what it did: the ledger
    entries it wrote and, for a write, whose records the user can open and their role after it."""
    write = form or method not in READ_METHODS
    with transaction.atomic():
        integrate()
        last = Entry.objects.order_by("-index").values_list("index", flat=True).first() or -1
        if form:
            response = client.post(url, {})
        elif body is None:
            response = getattr(client, method.lower())(url, **auth)
        else:
            response = getattr(client, method.lower())(
                url, json.dumps(body), content_type="application/json", **auth
            )
        integrate()
        entries = list(Entry.objects.filter(index__gt=last).order_by("index"))
        changed: set[str] = set()
        role_changed = False
        if user is not None and write and response.status_code < 400:
            changed = _openable(user, world, baseline=True) ^ _openable(user, world)
            role_changed = User.objects.get(pk=user.pk).role != user.role
        content = b"" if response.streaming else response.content
        result = Result(
            response.status_code,
            response.get("Location", ""),
            content.decode("utf-8", "replace"),
            entries,
            changed,
            role_changed,
        )
        transaction.set_rollback(True)
    return result


def _openable(user: User, world: World, *, baseline: bool = False) -> set[str]:
    """Which of the world's people the user may open now (``baseline``: before any write; every
    write is rolled back, so that is the same for the whole module)."""
    if baseline and user.pk in world.baseline:
        return world.baseline[user.pk]
    people = set(world.people.values())
    if can(user.role, Cap.VIEW_ALL_PEOPLE):
        found = people
    else:
        found = set(visible_people(user).filter(pk__in=people).values_list("pk", flat=True))
        assert visible_among(user, people) == found  # the id-driven form pages use: one decision
    if baseline:
        world.baseline[user.pk] = found
    return found


def _data(entry: Entry) -> dict[str, Any]:
    data = json.loads(bytes(entry.canonical)).get("data") or {}
    return data if isinstance(data, dict) else {}


def _covered(entries: list[Entry]) -> set[str]:
    """The people these entries record as read or shown."""
    out: set[str] = set()
    for e in entries:
        if e.object_type == "people.person" and e.action == "read":
            out.add(e.object_id)
        data = _data(e)
        for key in ("people", "shown"):
            value = data.get(key)
            if isinstance(value, list):
                out.update(str(v) for v in value)
    return out


def _names_shown(body: str, typed: str, world: World) -> dict[str, set[str]]:
    """The world's people a response names, each with the ids a read of whom would cover it (a
    person merged into another is shown on the survivor's record). Names the user typed are not
    counted: showing them back shows nothing."""
    survivor = world.ids["spare person"][""]
    out = {}
    for key, (given, family) in NAMES.items():
        if given in typed or family in typed or given not in body:
            continue
        pid = world.people[given]
        out[f"{given} {family}"] = {pid, survivor} if key == "merged" else {pid}
    return out


def check(role: str, policy: Policy, variant: str, method: str, world: World) -> list[str]:
    """Every way the response differs from the policy, as sentences (empty: it obeys)."""
    user = world.users[role]
    url = _fill(policy.path, policy, world, variant)
    query = QUERIES.get(policy.key)
    if query:
        url += "?" + urlencode(query)
    if policy.api:
        client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"}
        body = None if method in READ_METHODS else _body(policy, world, variant)
    else:
        client, auth, body = world.clients[role], {}, None
    form = not policy.api and method == "POST"
    r = _request(client, method, url, body, auth, user, world, form=form)
    want = expected(role, policy, variant)
    where = f"{role} {method} {url} ({variant or 'no child'})"
    mine = [e for e in r.entries if e.actor_user == user.username]
    problems = []
    if r.status >= 500:
        return [f"{where}: server error {r.status}"]
    if method == "GET" and r.status == 405 and policy.key in POSTED:
        return []  # a page only for POST refuses a GET before anything else; its POST is checked

    typed = url + json.dumps(body)
    if want in {"forbidden", "refused"}:
        if r.status != 403:
            problems.append(f"{where}: expected 403 ({want}), got {r.status} {r.location}")
        if want == "refused" and not any(e.action == "read_denied" for e in mine):
            problems.append(f"{where}: a refusal by need to know must be ledgered read_denied")
        shown = _names_shown(r.body, typed, world)
        if shown:
            problems.append(f"{where}: the refusal shows {sorted(shown)}")
        return problems
    if want == "to record":
        if r.status != 302 or not r.location.startswith("/people/"):
            problems.append(f"{where}: expected a redirect to the record, got {r.status} {r.location}")
        return problems
    # An empty form posted to a script's JSON endpoint (a draft, say) is bad input: 400, not a refusal.
    ok = r.status in ({200, 201, 204} if policy.api else {200, 302, 400, 405} if method == "POST" else {200})
    if policy.public:
        ok = r.status not in {401, 403}
    if not ok or ("/sign-in" in r.location and not policy.public):
        problems.append(f"{where}: expected success, got {r.status} {r.location} {r.body[:300]}")
        return problems
    # What a successful look must have ledgered. (Outside need to know, the only successes are the
    # ones that open nothing: a blind concern, the decision, the reviewer's history.)
    actions = {e.action for e in mine}
    opened = variant != "out" or can(role, Cap.VIEW_ALL_PEOPLE)
    if policy.ledgered == "read" and opened and "read" not in actions:
        problems.append(f"{where}: no read was ledgered")
    if policy.ledgered in {"search", "read_access_log"} and policy.ledgered not in actions:
        problems.append(f"{where}: no {policy.ledgered} was ledgered")
    covered = _covered(mine)
    for name, ids in _names_shown(r.body, typed, world).items():
        if not ids & covered:
            problems.append(f"{where}: shows {name} without ledgering a read of {sorted(ids)}")
    # A write changes what the writer can open only where the table says so.
    if method != "GET":
        allowed = {world.id("person", variant)} if policy.opens else set()
        if r.access_changed - allowed:
            problems.append(f"{where}: the write changed the writer's access to {sorted(r.access_changed)}")
        if r.role_changed:
            problems.append(f"{where}: the write changed the writer's own role")
    return problems


def _reads_forms() -> set[str]:
    """Pages whose view reads a posted form (so an empty POST is tried too), from the view's source."""
    out = set()
    for pattern, callback in _walk(get_resolver().url_patterns):
        view = inspect.unwrap(callback)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if re.search(r"request\.POST|request\.method|form_view\(|require_POST", source):
            out.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern))
    return out


POSTED = _reads_forms()


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Replaces the per-test home: the world, built once, keeps its evidence files in its own."""


@pytest.mark.parametrize("key", sorted(POLICY))
def test_each_role_gets_what_the_table_says(key: str, world: World) -> None:
    policy = POLICY[key]
    posted = key in POSTED and not policy.public
    methods = [policy.method] if policy.api else ["GET", "POST"] if posted else ["GET"]
    problems = []
    # A public page is the same for everyone: one signed-in role (and the signed-out test) will do.
    for role in ROLES[:1] if policy.public else ROLES:
        for variant in policy.variants:
            for method in methods:
                problems += check(role, policy, variant, method, world)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", sorted(POLICY))
def test_no_one_signed_out_gets_in(key: str, world: World) -> None:
    policy = POLICY[key]
    url = _fill(policy.path, policy, world, policy.variants[0])
    body = _body(policy, world, policy.variants[0]) if policy.api and policy.method != "GET" else None
    r = _request(Client(), policy.method, url, body, {}, None, world)
    assert r.status < 500, f"{key}: {r.status}"
    if policy.public:
        return
    if policy.api:
        assert r.status == 401, f"{key}: {r.status}"
    else:
        # A page only for POST may refuse the method before asking who it is: that shows nothing either.
        assert r.status == 405 or (r.status == 302 and r.location.startswith("/sign-in")), key
    assert not any(e.action == "read" for e in r.entries)
