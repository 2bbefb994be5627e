"""The permission matrix, generated from the URL configuration and the model registry.

Every route of the platform (pages, API, exports, imports, search, dashboard) is tested for every
registered model it serves, from six viewpoints:

* ``owner`` – an editor of the nation that owns the record,
* ``released`` – an editor of a nation the record is released to directly,
* ``coalition`` – an editor of a nation in a coalition the record is released to,
* ``other`` – an editor of a nation it is not released to,
* ``coordinator`` – command staff,
* ``anonymous`` – nobody signed in.

Each case asserts the exact status, the exact set of records a listing shows (pages, CSV, API,
search), that a refused write changes nothing and leaves a ``security.refused`` audit event, and
that an allowed write leaves exactly one audit event. The expectations come from ``Oracle``, a plain
Python restatement of the rules in DESIGN.md ("who sees what"), not from ``restrict()``.

A route with no entry in ``ROUTES`` fails ``test_every_route_has_an_entry``; the matrix prints
how many cases it ran.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

import convoy.urls  # noqa: F401  (populates the registry)
from convoy.core.access import policy_of
from convoy.core.models import AuditEvent
from convoy.core.registry import REGISTRY, ModelSpec
from convoy.core.tests import factories
from convoy.core.views import search_q
from convoy.logistics.map import LAYER_OF
from convoy.logistics.models import Consignment
from convoy.nations.models import Membership
from convoy.pledges.models import Pledge, PledgeLine
from convoy.requirements.models import Requirement
from convoy.web.tests.conftest import Records

pytestmark = pytest.mark.django_db

VIEWPOINTS = ("owner", "released", "coalition", "other", "coordinator", "anonymous")
REFUSED = (401, 403, 404)
ANON_API = (401, 403)

# --- the oracle: the rules of DESIGN.md, restated without the code under test ----------------

ROLE_TABLE = {
    "viewer": {"view"},
    "editor": {"view", "add", "change", "delete"},
    "approver": {"view", "approve"},
    "coordinator": {"view", "add", "change", "delete", "approve"},
    "admin": {"view", "add", "change", "delete", "approve"},
}


class Oracle:
    def __init__(self) -> None:
        self._m: dict[int, Membership | None] = {}

    def membership(self, user: Any) -> Membership | None:
        if user is None:
            return None
        if user.pk not in self._m:
            self._m[user.pk] = Membership.objects.select_related("nation").get(user=user)
        return self._m[user.pk]

    def actions(self, user: Any) -> set[str]:
        m = self.membership(user)
        return set().union(*(ROLE_TABLE[r] for r in m.roles)) if m else set()

    def staff(self, user: Any) -> bool:
        m = self.membership(user)
        return bool(m and {"coordinator", "admin"} & set(m.roles))

    def command(self, user: Any) -> bool:
        m = self.membership(user)
        return bool(m and m.nation.code == settings.CONVOY_COMMAND_NATION)

    def sees(self, user: Any, obj: models.Model) -> bool:
        m = self.membership(user)
        if m is None or "view" not in self.actions(user):
            return False
        policy = policy_of(type(obj))
        if policy == "audit":
            return self.staff(user)
        if policy == "command":  # plans, jobs: the command's own work
            return self.staff(user) or self.command(user)
        if policy.startswith("child:"):
            return self.sees(user, getattr(obj, policy.split(":", 1)[1]))
        if policy == "owned" and not self.staff(user):
            nation = m.nation
            return (
                obj.owner_id == nation.pk  # type: ignore[attr-defined]
                or nation in obj.released_to.all()  # type: ignore[attr-defined]
                or any(
                    nation in c.members.all()
                    for c in obj.released_to_coalitions.all()  # type: ignore[attr-defined]
                )
            )
        return True

    def may(self, user: Any, action: str, obj: models.Model) -> bool:
        if not self.sees(user, obj) or action not in self.actions(user):
            return False
        policy = policy_of(type(obj))
        if policy == "audit":
            return action == "view"
        if action in ("view",):
            return True
        if action == "approve":
            return self.command(user)
        if policy.startswith("child:"):
            return self.may(user, action, getattr(obj, policy.split(":", 1)[1]))
        if self.staff(user):
            return True
        m = self.membership(user)
        assert m is not None
        if policy == "owned":
            return obj.owner_id == m.nation_id  # type: ignore[attr-defined]
        if policy == "national":
            return obj.nation_id == m.nation_id  # type: ignore[attr-defined]
        return False  # reference data

    def may_add(self, user: Any, spec: ModelSpec) -> bool:
        if spec.create is None or "add" not in self.actions(user):
            return False
        policy = policy_of(spec.model)
        if policy == "audit":
            return False
        if policy == "reference" or spec.key == "allocation":
            return self.staff(user)  # manual allocations: command staff only, donors just see
        return True


# --- the scene ------------------------------------------------------------------------------


@dataclass
class Scene:
    records: Records
    users: dict[str, dict[str, Any]]  # spec key -> viewpoint -> user (None: anonymous)
    subjects: dict[str, list[models.Model]]  # spec key -> records the per-record routes try
    oracle: Oracle = field(default_factory=Oracle)


def build_scene(records: Records) -> Scene:
    w = records.world
    u = w.users
    ukr, deu, nld, fra = (w.nations[c] for c in ("UKR", "DEU", "NLD", "FRA"))
    # requirements: UKR's; A released to DEU and to the coalition (DEU, POL, NLD); B private;
    # C is France's own
    req_a = records.requirement
    req_a.released_to_coalitions.add(w.coalition)
    req_b = factories.requirement(w, title="Matrix private need", released_to=[])
    req_c = factories.requirement(w, actor=u["fra"], title="Matrix French record", released_to=[])
    # pledges: Germany's; A released to UKR and the coalition; B private; C France's own
    plg_a = records.pledge
    plg_a.released_to_coalitions.add(w.coalition)
    plg_b = factories.pledge(w, title="Matrix private pledge", released_to=[])
    plg_c = factories.pledge(w, actor=u["fra"], title="Matrix French pledge", released_to=[])
    line_b = factories.line(w, plg_b)
    line_c = factories.line(w, plg_c, actor=u["fra"])
    assert req_c.owner == fra and plg_c.owner == fra and deu in req_a.released_to.all()
    assert ukr in plg_a.released_to.all() and nld in w.coalition.members.all()

    donor_view = {
        "owner": u["deu"],
        "released": u["ukr"],
        "coalition": u["nld"],
        "other": u["fra"],
        "coordinator": u["command"],
        "anonymous": None,
    }
    partner_view = {**donor_view, "owner": u["ukr"], "released": u["deu"]}
    users = {key: dict(donor_view) for key in REGISTRY}
    users["requirement"] = partner_view
    subjects: dict[str, list[models.Model]] = {
        key: [records.by_model(spec.model)] for key, spec in REGISTRY.items() if key != "auditevent"
    }
    subjects["requirement"] = [req_a, req_b, req_c]
    subjects["pledge"] = [plg_a, plg_b, plg_c]
    subjects["pledgeline"] = [records.line, line_b, line_c]
    subjects["auditevent"] = [AuditEvent.objects.filter(object_type="requirements.requirement")[0]]
    return Scene(records, users, subjects)


# --- running one case -------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    ids: set[int] | None = None
    events: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.cases = 0
        self.failures: list[str] = []
        self._clients: dict[Any, tuple[Client, APIClient]] = {}

    def clients(self, user: Any) -> tuple[Client, APIClient]:
        key = user.pk if user is not None else None
        if key not in self._clients:
            page, api = Client(), APIClient()
            if user is not None:
                page.force_login(user)
                api.force_authenticate(user)
            self._clients[key] = (page, api)
        return self._clients[key]

    def check(
        self,
        label: str,
        do: Callable[[], Any],
        *,
        allowed: bool,
        ok: tuple[int, ...],
        refused: tuple[int, ...] = REFUSED,
        ids: set[Any] | None = None,
        read_ids: Callable[[Any], set[Any]] | None = None,
        writes: bool = False,
        unchanged: Callable[[], Any] | None = None,
    ) -> None:
        """Run ``do`` in a savepoint that is rolled back, and compare with the expectation."""
        self.cases += 1
        mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        before = unchanged() if unchanged else None
        with transaction.atomic():
            response = do()
            status = response.status_code
            events = list(
                AuditEvent.objects.filter(id__gt=mark)
                .order_by("id")
                .values_list("action", flat=True)
            )
            got_ids = read_ids(response) if read_ids and status == 200 else None
            after = unchanged() if unchanged else None
            transaction.set_rollback(True)
        problems = []
        if allowed and status not in ok:
            problems.append(f"expected one of {ok}, got {status}")
        if not allowed and status not in refused:
            problems.append(f"expected refusal {refused}, got {status}")
        if ids is not None and got_ids is not None and got_ids != ids:
            problems.append(f"shows {sorted(got_ids)}, expected {sorted(ids)}")
        writes_done = [e for e in events if not e.startswith("security.")]
        if not allowed:
            if writes_done:
                problems.append(f"refused but wrote {writes_done}")
            if unchanged and before != after:
                problems.append("refused but the record changed")
            if status in REFUSED and "security.refused" not in events:
                problems.append("refusal not recorded in the audit trail")
        elif writes and status in (200, 201, 204, 302) and len(writes_done) != 1:
            problems.append(f"allowed write left {len(writes_done)} audit events ({writes_done})")
        if problems:
            self.failures.append(f"{label}: " + "; ".join(problems))


def page_ids(spec: ModelSpec) -> Callable[[Any], set[int]]:
    link = re.compile(rf'href="/{re.escape(spec.plural)}/(\d+)/"')
    return lambda r: {int(x) for x in link.findall(r.content.decode())}


def csv_ids(response: Any) -> set[int]:
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    return {int(r[0]) for r in rows[1:]}


def api_ids(response: Any) -> set[int]:
    return {int(r["id"]) for r in response.json()["results"]}


def form_payload(spec: ModelSpec, obj: models.Model, user: Any) -> dict[str, Any]:
    """What the edit form would post back unchanged."""
    form = spec.form(instance=obj, actor=user)
    data: dict[str, Any] = {"_version": str(getattr(obj, "version", ""))}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def row_of(obj: models.Model) -> Callable[[], Any]:
    """Reads the record's stored row (to show that a refused write changed nothing)."""
    return lambda: type(obj)._default_manager.filter(pk=obj.pk).values().first()


# --- routes -----------------------------------------------------------------------------------


def route_names() -> Iterator[str]:
    def walk(resolver: URLResolver, ns: str | None) -> Iterator[str]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield f"{ns}:{p.name}" if ns else str(p.name)

    yield from sorted(set(walk(get_resolver(), None)))


PAGE_OPS = ("list", "export", "detail", "edit", "delete", "action", "add", "import", "template")
API_OPS = ("list", "detail", "import")
STATIC_ROUTES = {
    "dashboard",
    "api-dashboard",
    "search",
    "api-search",
    "login",
    "logout",
    "set_language",
    "api-root",
    "api-schema",
    "api-docs",
    "capability_set_component",
    "api-capability-set-component",
    # personal API tokens: run_tokens
    "account_tokens",
    "account_token_revoke",
    "api-token-list",
    "api-token-detail",
    "api-token-revoke",
    # allocation plans: run_planning
    "plan_run",
    "plan_compare",
    "plan_progress",
    "plan_rows_csv",
    "plan_gaps_csv",
    "api-plan-rows",
    "api-plan-gaps",
    "api-plan-compare",
    # consignments: run_logistics
    "consignment_track",
    "consignment_receive",
    "consignment_waybill",
    "consignment_split",
    "consignments_from_allocations",
    "api-consignment-track",
    "api-consignment-receive",
    "api-consignment-from-allocations",
    "api-consignment-split",
    # the map: run_map
    "map",
    "api-map",
    # routing plans: run_routing
    "routing_plan_run",
    "routing_plan_compare",
    "routing_plan_progress",
    "api-routingplan-routes",
    "api-routingplan-compare",
    # hub load: run_hub_load
    "hub_load",
    "api-hub-load",
}


def entry_for(name: str) -> str | None:
    """The matrix entry that covers route ``name`` (None: none does)."""
    if name in STATIC_ROUTES:
        return name
    if name.startswith("admin:"):
        return "admin"
    m = re.fullmatch(r"(?P<key>[a-z]+)_(?P<op>[a-z]+)", name)
    if m and m["key"] in REGISTRY and m["op"] in PAGE_OPS:
        return f"page:{m['op']}"
    m = re.fullmatch(r"api-(?P<key>[a-z]+)-(?P<op>[a-z_]+)", name)
    if m and m["key"] in REGISTRY:
        spec = REGISTRY[m["key"]]
        if m["op"] in API_OPS:
            return f"api:{m['op']}"
        if m["op"] in {b.name for b in spec.actions}:
            return "api:action"
    return None


def test_every_route_has_an_entry() -> None:
    missing = [n for n in route_names() if entry_for(n) is None]
    assert not missing, f"routes without a permission-matrix entry: {missing}"


# --- the matrix -------------------------------------------------------------------------------


def run_spec(runner: Runner, spec: ModelSpec, vp: str) -> None:
    scene = runner.scene
    oracle = scene.oracle
    user = scene.users[spec.key][vp]
    page, api = runner.clients(user)
    anon = user is None
    model = spec.model
    everything = list(model._default_manager.all())
    visible = {o.pk for o in everything if oracle.sees(user, o)}
    p = spec.plural
    prefix, methods = _api(spec)
    api_base = f"/api/{prefix}/"
    label = f"{spec.key}/{vp}"
    login_wall = (302,)
    # listings: pages (all pages of them), CSV, API
    runner.check(
        f"{label} page list",
        lambda: page.get(f"/{p}/"),
        allowed=not anon,
        ok=(200,),
        refused=login_wall,
        ids=visible,
        read_ids=_all_pages(page, f"/{p}/", page_ids(spec)),
    )
    runner.check(
        f"{label} CSV export",
        lambda: page.get(f"/{p}/export.csv"),
        allowed=not anon,
        ok=(200,),
        refused=login_wall,
        ids=visible,
        read_ids=csv_ids,
    )
    runner.check(
        f"{label} API list",
        lambda: api.get(api_base),
        allowed=not anon,
        ok=(200,),
        refused=ANON_API,
        ids=visible,
        read_ids=_all_api_pages(api, api_base),
    )
    # adding and importing
    may_add = oracle.may_add(user, spec)
    add_refused = login_wall if anon else (403,)
    for what, url in (("add", f"/{p}/add/"), ("import", f"/{p}/import/")):
        runner.check(
            f"{label} page {what} GET", partial(page.get, url), allowed=may_add, ok=(200,),
            refused=add_refused,
        )  # fmt: skip
        runner.check(
            f"{label} page {what} POST (empty)", partial(page.post, url, {}),
            allowed=may_add, ok=(400,), refused=add_refused,
        )  # fmt: skip
    runner.check(
        f"{label} import template", lambda: page.get(f"/{p}/import-template.csv"),
        allowed=may_add, ok=(200,), refused=add_refused,
    )  # fmt: skip
    api_writable = "post" in methods
    api_add_refused = ANON_API if anon else ((403,) if api_writable else (405,))
    # POST /api/plans/ and /api/routing-plans/ run a planner with default parameters (202);
    # they have no add page
    api_may_add, api_add_ok = (
        (oracle.staff(user), (202,)) if spec.key in ("plan", "routingplan") else (may_add, (400,))
    )
    runner.check(
        f"{label} API create (empty)", lambda: api.post(api_base, {}, format="json"),
        allowed=api_may_add, ok=api_add_ok, refused=api_add_refused,
    )  # fmt: skip
    runner.check(
        f"{label} API import (no file)", lambda: api.post(f"{api_base}import/", {}),
        allowed=may_add, ok=(400,), refused=api_add_refused,
    )  # fmt: skip
    # one record at a time
    for obj in scene.subjects[spec.key]:
        run_record(runner, spec, vp, user, obj, page, api, api_base)


def run_record(
    runner: Runner,
    spec: ModelSpec,
    vp: str,
    user: Any,
    obj: models.Model,
    page: Client,
    api: APIClient,
    api_base: str,
) -> None:
    oracle = runner.scene.oracle
    anon = user is None
    sees = oracle.sees(user, obj)
    label = f"{spec.key}#{obj.pk}/{vp}"
    url = f"/{spec.plural}/{obj.pk}/"
    wall = (302,) if anon else ((403,) if sees else (404,))
    api_wall = ANON_API if anon else ((403,) if sees else (404,))
    snapshot = row_of(obj)
    runner.check(
        f"{label} page detail", lambda: page.get(url), allowed=sees, ok=(200,),
        refused=(302,) if anon else (404,),
    )  # fmt: skip
    runner.check(
        f"{label} API detail", lambda: api.get(f"{api_base}{obj.pk}/"), allowed=sees, ok=(200,),
        refused=ANON_API if anon else (404,),
    )  # fmt: skip
    may_change = spec.update is not None and oracle.may(user, "change", obj)
    may_delete = spec.delete is not None and oracle.may(user, "delete", obj)
    runner.check(
        f"{label} page edit GET", lambda: page.get(f"{url}edit/"), allowed=may_change,
        ok=(200,), refused=wall,
    )  # fmt: skip
    if spec.form is not None:
        payload = form_payload(spec, obj, runner.scene.users[spec.key]["coordinator"])
        runner.check(
            f"{label} page edit POST", lambda: page.post(f"{url}edit/", payload),
            allowed=may_change, ok=(302,), refused=wall, writes=True, unchanged=snapshot,
        )  # fmt: skip
    runner.check(
        f"{label} page delete GET", lambda: page.get(f"{url}delete/"), allowed=may_delete,
        ok=(200,), refused=wall,
    )  # fmt: skip
    runner.check(
        f"{label} page delete POST", lambda: page.post(f"{url}delete/", {"reason": "matrix"}),
        allowed=may_delete, ok=(302,), refused=wall, unchanged=snapshot,
    )  # fmt: skip
    methods = _api(spec)[1]
    api_change_wall = api_wall if "patch" in methods or anon else (405,)
    runner.check(
        f"{label} API PATCH (no change)",
        lambda: api.patch(f"{api_base}{obj.pk}/", {}, format="json"),
        allowed=may_change, ok=(200,), refused=api_change_wall, writes=True, unchanged=snapshot,
    )  # fmt: skip
    api_delete_wall = api_wall if "delete" in methods or anon else (405,)
    runner.check(
        f"{label} API DELETE", lambda: api.delete(f"{api_base}{obj.pk}/"),
        allowed=may_delete, ok=(204, 409), refused=api_delete_wall, unchanged=snapshot,
    )  # fmt: skip
    body = {"quantity": 1, "reason": "matrix"}
    for button in spec.actions:
        may = oracle.may(user, button.permission, obj)
        runner.check(
            f"{label} page action {button.name}",
            partial(page.post, f"{url}do/{button.name}/", body),
            allowed=may, ok=(302,), refused=wall,
            unchanged=None if may else snapshot,
        )  # fmt: skip
        runner.check(
            f"{label} API action {button.name}",
            partial(
                api.post, f"{api_base}{obj.pk}/{button.name.replace('_', '-')}/", body, "json"
            ),
            allowed=may, ok=(200, 409), refused=api_wall,
            unchanged=None if may else snapshot,
        )  # fmt: skip
    if spec.key == "capability":
        item = runner.scene.records.world.items["shell"]
        may = oracle.may(user, "change", obj)
        runner.check(
            f"{label} page set component",
            lambda: page.post(f"{url}components/", {"item": item.pk, "quantity": 4}),
            allowed=may, ok=(302,), refused=wall, writes=True,
        )  # fmt: skip
        runner.check(
            f"{label} API set component",
            lambda: api.post(
                f"{api_base}{obj.pk}/set-component/", {"item": item.pk, "quantity": 4},
                format="json",
            ),
            allowed=may, ok=(200,), refused=api_wall, writes=True,
        )  # fmt: skip


def _api(spec: ModelSpec) -> tuple[str, list[str]]:
    """The entry's API: its URL prefix and the HTTP methods its viewset takes."""
    from convoy.urls import router

    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "spec", None) is spec:
            return prefix, list(getattr(viewset, "http_method_names", []))
    raise AssertionError(f"no API for {spec.key}")


def _all_pages(
    client: Client, url: str, ids: Callable[[Any], set[int]]
) -> Callable[[Any], set[int]]:
    def read(first: Any) -> set[int]:
        found = ids(first)
        n = 2
        while f"page={n}" in first.content.decode():
            first = client.get(url, {"page": n})
            found |= ids(first)
            n += 1
        return found

    return read


def _all_api_pages(api: APIClient, url: str) -> Callable[[Any], set[int]]:
    def read(first: Any) -> set[int]:
        found = api_ids(first)
        nxt = first.json().get("next")
        while nxt:
            r = api.get(nxt)
            found |= api_ids(r)
            nxt = r.json().get("next")
        return found

    return read


def run_static(runner: Runner, vp: str) -> None:
    """Routes that are not a model's: dashboard, search, the API root and schema, sign-in."""
    scene = runner.scene
    oracle = scene.oracle
    user = scene.users["requirement"][vp]
    page, api = runner.clients(user)
    anon = user is None
    label = f"site/{vp}"
    visible_reqs = {r.pk for r in Requirement.objects.all() if oracle.sees(user, r)}

    def dashboard_count(r: Any) -> set[int]:
        return set(range(sum(r.json()["requirements_by_status"].values())))

    for name, url in (("dashboard", "/"), ("search page", "/search/?q=Leopard")):
        runner.check(f"{label} {name}", partial(page.get, url), allowed=not anon, ok=(200,),
                     refused=(302,))  # fmt: skip
    runner.check(
        f"{label} API dashboard (requirements counted)", lambda: api.get("/api/dashboard/"),
        allowed=not anon, ok=(200,), refused=ANON_API,
        ids=set(range(len(visible_reqs))), read_ids=dashboard_count,
    )  # fmt: skip
    # search: exactly the visible records that match, across every model
    expected = set()
    for spec in REGISTRY.values():
        if not spec.searchable:
            continue
        hits = spec.model._default_manager.filter(search_q(spec, "Leopard")).distinct()
        expected |= {(spec.key, o.pk) for o in hits if oracle.sees(user, o)}

    def search_hits(r: Any) -> set[Any]:
        return {(h["type"], h["id"]) for h in r.json()["results"]}

    runner.check(
        f"{label} API search", lambda: api.get("/api/search/", {"q": "Leopard"}),
        allowed=not anon, ok=(200,), refused=ANON_API, ids=expected, read_ids=search_hits,
    )  # fmt: skip

    def page_hits(r: Any) -> set[Any]:
        found: set[Any] = set()
        for spec in REGISTRY.values():
            found |= {(spec.key, pk) for pk in page_ids(spec)(r)}
        return found

    runner.check(
        f"{label} search page hits", lambda: page.get("/search/", {"q": "Leopard"}),
        allowed=not anon, ok=(200,), refused=(302,), ids=expected, read_ids=page_hits,
    )  # fmt: skip
    for name, url in (("API root", "/api/"), ("API schema", "/api/schema/"),
                      ("API docs", "/api/docs/")):  # fmt: skip
        runner.check(f"{label} {name}", partial(api.get, url), allowed=not anon, ok=(200,),
                     refused=ANON_API)  # fmt: skip
    runner.check(f"{label} login page", lambda: Client().get("/login/"), allowed=True, ok=(200,))
    runner.check(
        f"{label} language", lambda: page.post("/i18n/setlang/", {"language": "uk", "next": "/"}),
        allowed=True, ok=(302,),
    )  # fmt: skip
    runner.check(
        f"{label} logout", lambda: runner.clients(user)[0].post("/logout/"), allowed=True,
        ok=(302,),
    )  # fmt: skip
    runner._clients.pop(user.pk if user is not None else None, None)  # logged out: log in anew
    # Django's admin: staff only; none of the viewpoints is staff
    admin_denied = (302,)
    for url in ("/admin/", "/admin/core/auditevent/", "/admin/nations/membership/"):
        runner.check(f"{label} admin {url}", partial(runner.clients(user)[0].get, url),
                     allowed=False, ok=(200,), refused=admin_denied)  # fmt: skip


def run_tokens(runner: Runner, vp: str, tokens: dict[str, Any]) -> None:
    """Personal API tokens belong to a person, not a nation: everyone sees and revokes only their
    own (the ``owner`` viewpoint holds the token under test); an admin may revoke anyone's."""
    user = runner.scene.users["pledge"][vp]
    page, api = runner.clients(user)
    anon = user is None
    label = f"tokens/{vp}"
    own = {t.pk for t in tokens.values() if user is not None and t.user_id == user.pk}
    subject = tokens["owner"]
    mine = user is not None and subject.user_id == user.pk
    m = runner.scene.oracle.membership(user)
    admin = m is not None and "admin" in m.roles
    link = re.compile(r'href="/account/tokens/(\d+)/revoke/"')

    def listed(r: Any) -> set[int]:
        return {int(x) for x in link.findall(r.content.decode())}

    runner.check(
        f"{label} page list", lambda: page.get("/account/tokens/"), allowed=not anon, ok=(200,),
        refused=(302,), ids=own, read_ids=listed,
    )  # fmt: skip
    runner.check(
        f"{label} page make (no name)", lambda: page.post("/account/tokens/", {"days": "30"}),
        allowed=not anon, ok=(400,), refused=(302,),
    )  # fmt: skip
    runner.check(
        f"{label} API list", lambda: api.get("/api/tokens/"), allowed=not anon, ok=(200,),
        refused=ANON_API, ids=own, read_ids=lambda r: {int(t["id"]) for t in _results(r)},
    )  # fmt: skip
    runner.check(
        f"{label} API make (no name)", lambda: api.post("/api/tokens/", {}, format="json"),
        allowed=not anon, ok=(400,), refused=ANON_API,
    )  # fmt: skip
    runner.check(
        f"{label} API detail", lambda: api.get(f"/api/tokens/{subject.pk}/"), allowed=mine,
        ok=(200,), refused=ANON_API if anon else (404,),
    )  # fmt: skip
    state = row_of(subject)
    wall = (302,) if anon else (404,)
    runner.check(
        f"{label} page revoke GET", lambda: page.get(f"/account/tokens/{subject.pk}/revoke/"),
        allowed=mine, ok=(200,), refused=wall,
    )  # fmt: skip
    runner.check(
        f"{label} page revoke POST",
        lambda: page.post(f"/account/tokens/{subject.pk}/revoke/", {"reason": "matrix"}),
        allowed=mine, ok=(302,), refused=wall, writes=True, unchanged=state,
    )  # fmt: skip
    runner.check(
        f"{label} API revoke",
        lambda: api.post(f"/api/tokens/{subject.pk}/revoke/", {"reason": "m"}, format="json"),
        allowed=mine or admin, ok=(200,), refused=ANON_API if anon else (404,), writes=True,
        unchanged=state,
    )  # fmt: skip


def run_planning(runner: Runner, vp: str) -> None:
    """The planner's own routes: run form, progress, exports, comparison (pages and API)."""
    scene = runner.scene
    oracle = scene.oracle
    user = scene.users["plan"][vp]
    page, api = runner.clients(user)
    anon = user is None
    plan = scene.subjects["plan"][0]
    sees = oracle.sees(user, plan)
    label = f"plan-routes/{vp}"
    wall = (302,) if anon else (404,)
    api_wall = ANON_API if anon else (404,)
    staff = oracle.staff(user)
    runner.check(
        f"{label} run form", lambda: page.get("/plans/run/"), allowed=staff, ok=(200,),
        refused=(302,) if anon else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} run POST (bad parameters)",
        lambda: page.post("/plans/run/", {"km_per_day": 1, "handling_days": 2}),
        allowed=staff, ok=(400,), refused=(302,) if anon else (403,),
    )  # fmt: skip
    for name, url in (
        ("progress", f"/plans/{plan.pk}/progress/"),
        ("allocations CSV", f"/plans/{plan.pk}/allocations.csv"),
        ("gaps CSV", f"/plans/{plan.pk}/gaps.csv"),
        ("compare", f"/plans/compare/?a={plan.pk}&b={plan.pk}"),
    ):
        runner.check(f"{label} {name}", partial(page.get, url), allowed=sees, ok=(200,),
                     refused=wall)  # fmt: skip
    for name, url in (
        ("API allocations", f"/api/plans/{plan.pk}/allocations/"),
        ("API gaps", f"/api/plans/{plan.pk}/gaps/"),
        ("API compare", f"/api/plans/compare/?a={plan.pk}&b={plan.pk}"),
    ):
        runner.check(f"{label} {name}", partial(api.get, url), allowed=sees, ok=(200,),
                     refused=api_wall)  # fmt: skip


def run_logistics(runner: Runner, vp: str) -> None:
    """Consignment routes beyond the generic ones: waybill, tracking, receipt, splitting, and
    making consignments from allocations (pages and API). The consignment is Germany's, planned, and
    released to Ukraine (its destination's nation)."""
    scene = runner.scene
    oracle = scene.oracle
    user = scene.users["consignment"][vp]
    page, api = runner.clients(user)
    anon = user is None
    c = scene.subjects["consignment"][0]
    sees = oracle.sees(user, c)
    staff = oracle.staff(user)
    label = f"consignment-routes/{vp}"
    wall = (302,) if anon else (404,)
    api_wall = ANON_API if anon else (404,)
    m = oracle.membership(user)
    # the receipt is the destination's nation's (or the command's): the donor is refused
    dest_nation = Consignment.objects.get(pk=c.pk).destination.nation_id
    receiver = staff or bool(m and m.nation_id == dest_nation and sees)
    runner.check(
        f"{label} waybill", lambda: page.get(f"/consignments/{c.pk}/waybill/"), allowed=sees,
        ok=(200,), refused=wall,
    )  # fmt: skip
    runner.check(
        f"{label} track (no event given)", lambda: page.post(f"/consignments/{c.pk}/track/", {}),
        allowed=sees, ok=(400,), refused=wall,
    )  # fmt: skip
    runner.check(
        f"{label} API track (no event given)",
        lambda: api.post(f"/api/consignments/{c.pk}/track/", {}, format="json"),
        allowed=sees, ok=(400,), refused=api_wall,
    )  # fmt: skip
    runner.check(
        f"{label} receive (not arrived)", lambda: page.post(f"/consignments/{c.pk}/receive/", {}),
        allowed=receiver, ok=(409,), refused=wall if not sees else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} API receive (not arrived)",
        lambda: api.post(f"/api/consignments/{c.pk}/receive/", {"lines": []}, format="json"),
        allowed=receiver, ok=(409,), refused=api_wall if not sees else (403,),
    )  # fmt: skip
    # splitting is the owner's or the command's (a single part: refused as bad input, after the
    # right to change it was checked)
    changer = oracle.may(user, "change", c)
    runner.check(
        f"{label} split (one part)",
        lambda: page.post(f"/consignments/{c.pk}/split/", {"quantities": "5"}),
        allowed=changer, ok=(400,), refused=wall if not sees else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} API split (one part)",
        lambda: api.post(f"/api/consignments/{c.pk}/split/", {"quantities": [1, 1]}, format="json"),
        allowed=changer, ok=(400,), refused=api_wall if not sees else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} from allocations", lambda: page.post("/consignments/from-allocations/"),
        allowed=staff, ok=(302,), refused=(302,) if anon else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} API from allocations",
        lambda: api.post("/api/consignments/from-allocations/", {}, format="json"),
        allowed=staff, ok=(201,), refused=ANON_API if anon else (403,),
    )  # fmt: skip


def run_routing(runner: Runner, vp: str) -> None:
    """The routing planner's own routes: run form, progress, comparison (pages and API)."""
    scene = runner.scene
    oracle = scene.oracle
    user = scene.users["routingplan"][vp]
    page, api = runner.clients(user)
    anon = user is None
    plan = scene.subjects["routingplan"][0]
    sees = oracle.sees(user, plan)
    staff = oracle.staff(user)
    label = f"routing-routes/{vp}"
    wall = (302,) if anon else (404,)
    api_wall = ANON_API if anon else (404,)
    runner.check(
        f"{label} run form", lambda: page.get("/routing-plans/run/"), allowed=staff, ok=(200,),
        refused=(302,) if anon else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} run POST (bad parameters)",
        lambda: page.post("/routing-plans/run/", {"horizon_days": 1, "time_limit": 5}),
        allowed=staff, ok=(400,), refused=(302,) if anon else (403,),
    )  # fmt: skip
    runner.check(
        f"{label} progress", partial(page.get, f"/routing-plans/{plan.pk}/progress/"),
        allowed=sees, ok=(200,), refused=wall,
    )  # fmt: skip
    runner.check(
        f"{label} compare", partial(page.get, f"/routing-plans/compare/?a={plan.pk}&b={plan.pk}"),
        allowed=sees, ok=(200,), refused=(302,) if anon else (400,),
    )  # fmt: skip
    for name, url in (
        ("API routes", f"/api/routing-plans/{plan.pk}/routes/"),
        ("API compare", f"/api/routing-plans/compare/?a={plan.pk}&b={plan.pk}"),
    ):
        runner.check(f"{label} {name}", partial(api.get, url), allowed=sees, ok=(200,),
                     refused=api_wall)  # fmt: skip


def run_hub_load(runner: Runner, vp: str) -> None:
    """The hub-load page and API: any signed-in user (counts cover what they may see)."""
    user = runner.scene.users["node"][vp]
    page, api = runner.clients(user)
    anon = user is None
    label = f"hub-load/{vp}"
    runner.check(
        f"{label} page", lambda: page.get("/hub-load/"), allowed=not anon, ok=(200,),
        refused=(302,),
    )  # fmt: skip
    runner.check(
        f"{label} API", lambda: api.get("/api/hub-load/"), allowed=not anon, ok=(200,),
        refused=ANON_API,
    )  # fmt: skip


def run_map(runner: Runner, vp: str) -> None:
    """The map page and its data: any signed-in user; flows only of consignments they may see
    (as (origin, destination, layer)), whether on the page (embedded) or from the API."""
    scene = runner.scene
    user = scene.users["consignment"][vp]
    page, api = runner.clients(user)
    anon = user is None
    label = f"map/{vp}"
    expected = {
        (c.origin_id, c.destination_id, LAYER_OF[c.status])
        for c in Consignment.objects.all()
        if scene.oracle.sees(user, c)
    }
    embedded = re.compile(r'<script id="map-data" type="application/json">(.*?)</script>', re.S)

    def flows(body: dict[str, Any]) -> set[Any]:
        return {(f["origin"], f["destination"], f["layer"]) for f in body["flows"]}

    def page_flows(r: Any) -> set[Any]:
        m = embedded.search(r.content.decode())
        return flows(json.loads(m.group(1))) if m else {"no map data"}

    runner.check(
        f"{label} page", lambda: page.get("/map/"), allowed=not anon, ok=(200,), refused=(302,),
        ids=expected, read_ids=page_flows,
    )  # fmt: skip
    runner.check(
        f"{label} API", lambda: api.get("/api/map/"), allowed=not anon, ok=(200,),
        refused=ANON_API, ids=expected, read_ids=lambda r: flows(r.json()),
    )  # fmt: skip


def _results(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    return list(body["results"] if isinstance(body, dict) else body)


def test_permission_matrix(records: Records, capsys: Any) -> None:
    from convoy.nations.services import api_token_create

    scene = build_scene(records)
    runner = Runner(scene)
    w = records.world
    tokens = {
        "owner": api_token_create(actor=w.users["deu"], name="deu script", days=30)[0],
        "other": api_token_create(actor=w.users["fra"], name="fra script", days=30)[0],
    }
    for spec in REGISTRY.values():
        for vp in VIEWPOINTS:
            run_spec(runner, spec, vp)
    for vp in VIEWPOINTS:
        run_tokens(runner, vp, tokens)
        run_static(runner, vp)
        run_planning(runner, vp)
        run_logistics(runner, vp)
        run_map(runner, vp)
        run_hub_load(runner, vp)
        run_routing(runner, vp)
    with capsys.disabled():
        print(
            f"\npermission matrix: {runner.cases} cases over {len(REGISTRY)} models x "
            f"{len(VIEWPOINTS)} viewpoints, {len(list(route_names()))} routes; "
            f"{len(runner.failures)} failures"
        )
    assert not runner.failures, "\n".join(runner.failures[:80])
    assert runner.cases > 1000


def test_the_matrix_can_fail(records: Records) -> None:
    """A wrong expectation is reported: the runner is not vacuous."""
    scene = build_scene(records)
    runner = Runner(scene)
    fra = scene.users["requirement"]["other"]
    page, _api = runner.clients(fra)
    req = records.requirement
    runner.check("wrong", lambda: page.get(f"/requirements/{req.pk}/"), allowed=True, ok=(200,))
    runner.check(
        "wrong set", lambda: page.get("/requirements/"), allowed=True, ok=(200,),
        ids={req.pk}, read_ids=page_ids(REGISTRY["requirement"]),
    )  # fmt: skip
    assert len(runner.failures) == 2
    assert Pledge.objects.exists() and PledgeLine.objects.exists()
