"""The generic pages of every registered model, as the people who use them would see them.

One parametrised set of checks runs for every entry of the registry (list, search, filter, sort,
HTMX partial, CSV export, detail, edit, add, delete confirmation, and the login wall), followed by
the dashboard, search, form errors, lifecycle buttons, visibility and time zones.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

import convoy.urls  # noqa: F401  (populates the registry)
from convoy.catalog import services as catalog
from convoy.catalog.models import Item
from convoy.core.models import AuditEvent
from convoy.core.registry import REGISTRY, ModelSpec, resolve
from convoy.requirements.models import Requirement
from convoy.web.tests.conftest import Records

pytestmark = pytest.mark.django_db

SPEC_KEYS = sorted(REGISTRY)


# (params the record matches, params it does not match); None: the entry has no filter to try.
FILTERS: dict[str, tuple[dict[str, str], dict[str, str] | None] | None] = {
    "nation": ({"kind": "ally"}, {"kind": "partner"}),
    "coalition": ({"area": "armour"}, {"area": "drones"}),
    "organisation": ({"kind": "ministry"}, {"kind": "other"}),
    "category": None,
    "item": ({"min_value": "500000"}, {"max_value": "10"}),
    "capability": ({"coalition": "<coalition>"}, None),
    "node": ({"kind": "destination"}, {"kind": "hub"}),
    "requirement": ({"priority": "1"}, {"priority": "4"}),
    "pledge": ({"kind": "in_kind"}, {"kind": "funding"}),
    "pledgeline": ({"item": "<leo>"}, {"item": "<shell>"}),
    "auditevent": ({"action": "requirement."}, {"action": "nation."}),
    "exchangerate": ({"currency": "USD", "date__lte": "2025-03-01"}, {"currency": "GBP"}),
    "plan": ({"status": "ready"}, {"status": "approved"}),
    "allocation": ({"kind": "manual"}, {"kind": "planned"}),
    "leg": ({"mode": "road"}, {"mode": "air"}),
    "consignment": ({"status": "planned"}, {"status": "received"}),
    "routingplan": ({"status": "ready"}, {"status": "approved"}),
}


def client_as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def detail_url(spec: ModelSpec, pk: Any) -> str:
    return f"/{spec.plural}/{pk}/"


def link_to(spec: ModelSpec, pk: Any) -> str:
    return f'href="{detail_url(spec, pk)}"'


def text(response: Any) -> str:
    return str(response.content.decode())


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _resolve_params(params: dict[str, str], records: Records) -> dict[str, str]:
    w = records.world
    subst = {
        "<coalition>": str(w.coalition.pk),
        "<leo>": str(w.items["leo"].pk),
        "<shell>": str(w.items["shell"].pk),
    }
    return {k: subst.get(v, v) for k, v in params.items()}


def test_every_registered_model_has_page_checks() -> None:
    assert set(FILTERS) == set(REGISTRY), "add the new registry entry to FILTERS and Records.obj"


# --- every registry entry -------------------------------------------------------------------


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_list_search_filter_sort_partial(records: Records, key: str) -> None:
    spec = REGISTRY[key]
    obj = records.by_model(REGISTRY[key].model)
    c = client_as(records.world.users["command"])
    base = f"/{spec.plural}/"

    r = c.get(base)
    assert r.status_code == 200
    assert link_to(spec, obj.pk) in text(r)
    assert "<html" in text(r)

    term = str(resolve(obj, spec.search_fields[0]))
    r = c.get(base, {"q": term})
    assert r.status_code == 200
    assert link_to(spec, obj.pk) in text(r), f"?q={term} should find {obj}"
    r = c.get(base, {"q": "zzqxj-no-such-thing"})
    assert r.status_code == 200
    assert link_to(spec, obj.pk) not in text(r)

    filters = FILTERS[key]
    if filters is None:
        assert not spec.filterset.base_filters, f"{key} has filters: add them to FILTERS"
    else:
        hit, miss = filters
        r = c.get(base, _resolve_params(hit, records))
        assert r.status_code == 200
        assert link_to(spec, obj.pk) in text(r), f"filter {hit} should keep {obj}"
        if miss is not None:
            r = c.get(base, _resolve_params(miss, records))
            assert r.status_code == 200
            assert link_to(spec, obj.pk) not in text(r), f"filter {miss} should drop {obj}"

    assert spec.sortable, f"{key} has no sortable column"
    for sort in (spec.sortable[0], f"-{spec.sortable[0]}"):
        r = c.get(base, {"sort": sort})
        assert r.status_code == 200
        assert link_to(spec, obj.pk) in text(r)

    r = c.get(base, {"q": term}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    body = text(r)
    assert "<table" in body
    assert link_to(spec, obj.pk) in body
    assert "<html" not in body and "<body" not in body and 'class="filters"' not in body


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_export_csv(records: Records, key: str) -> None:
    spec = REGISTRY[key]
    obj = records.by_model(REGISTRY[key].model)
    c = client_as(records.world.users["command"])
    r = c.get(f"/{spec.plural}/export.csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    content = streamed(r)
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["id", *[str(label) for _a, label in spec.columns]]
    assert str(obj.pk) in [row[0] for row in rows[1:]]
    assert all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_detail_edit_add_delete_pages(records: Records, key: str) -> None:
    spec = REGISTRY[key]
    obj = records.by_model(REGISTRY[key].model)
    c = client_as(records.world.users["command"])

    r = c.get(detail_url(spec, obj.pk))
    assert r.status_code == 200
    assert escape(str(obj)) in text(r)

    if spec.update is not None:
        r = c.get(f"/{spec.plural}/{obj.pk}/edit/")
        assert r.status_code == 200
        assert "<form" in text(r)
    if spec.create is not None:
        r = c.get(f"/{spec.plural}/add/")
        assert r.status_code == 200
        assert "<form" in text(r)
    if spec.delete is not None:
        r = c.get(f"/{spec.plural}/{obj.pk}/delete/")
        assert r.status_code == 200
    assert c.get(detail_url(spec, 999_999)).status_code == 404


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_anonymous_is_sent_to_login(records: Records, key: str) -> None:
    spec = REGISTRY[key]
    obj = records.by_model(REGISTRY[key].model)
    anon = Client()
    urls = [
        f"/{spec.plural}/",
        f"/{spec.plural}/export.csv",
        f"/{spec.plural}/add/",
        f"/{spec.plural}/{obj.pk}/",
        f"/{spec.plural}/{obj.pk}/edit/",
        f"/{spec.plural}/{obj.pk}/delete/",
    ]
    for url in urls:
        r = anon.get(url)
        assert r.status_code == 302, url
        assert r["Location"].startswith("/login/?next="), url
    action = spec.actions[0].name if spec.actions else "anything"
    r = anon.post(f"/{spec.plural}/{obj.pk}/do/{action}/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_anonymous_dashboard_and_search_go_to_login() -> None:
    anon = Client()
    for url in ("/", "/search/?q=Leo"):
        r = anon.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")
    assert anon.get("/login/").status_code == 200


# --- dashboard and search -------------------------------------------------------------------


def test_dashboard_shows_the_records(records: Records) -> None:
    from convoy.requirements import services as reqs

    cmd = records.world.users["command"]
    reqs.requirement_submit(actor=records.world.users["ukr"], requirement=records.requirement)
    c = client_as(cmd)
    r = c.get("/")
    assert r.status_code == 200
    body = text(r)
    assert 'data-testid="committed-total"' in body
    assert 'data-testid="by-priority"' in body
    # the German pledge appears among the donors; the submitted need counts (10 x 1 M EUR)
    assert "?owner=DEU" in body
    assert "€ 10.0 M" in body


def test_search_page_finds_the_records(records: Records) -> None:
    c = client_as(records.world.users["command"])
    r = c.get("/search/", {"q": "Leo"})
    assert r.status_code == 200
    body = text(r)
    assert "Leopard 1A5" in body
    assert link_to(REGISTRY["item"], records.world.items["leo"].pk) in body
    assert link_to(REGISTRY["requirement"], records.requirement.pk) in body
    r = c.get("/search/", {"q": "Leo"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "<html" not in text(r)
    assert "Leopard 1A5" in text(r)


# --- form errors ----------------------------------------------------------------------------


def test_invalid_item_form_answers_400_with_field_errors(records: Records) -> None:
    c = client_as(records.world.users["command"])
    before = Item.objects.count()
    r = c.post(
        "/items/add/",
        {
            "name": "Bad gun",
            "category": records.world.categories["armour"].pk,
            "unit": "each",
            "unit_value_eur": "-5",
            "nsn": "12-34",
        },
    )
    assert r.status_code == 400
    body = text(r)
    assert 'id="id_nsn-error"' in body
    assert "An NSN has 13 digits" in body
    assert 'id="id_unit_value_eur-error"' in body
    assert "greater than or equal to 0" in body
    # the input is kept
    assert 'value="Bad gun"' in body
    assert Item.objects.count() == before
    assert not Item.objects.filter(name="Bad gun").exists()


def test_requirement_with_item_and_category_answers_400(records: Records) -> None:
    w = records.world
    c = client_as(w.users["ukr"])
    before = Requirement.objects.count()
    events = AuditEvent.objects.count()
    r = c.post(
        "/requirements/add/",
        {
            "title": "Both at once",
            "item": w.items["leo"].pk,
            "category": w.categories["armour"].pk,
            "quantity": "3",
            "priority": "2",
            "needed_by": "2027-01-01",
            "destination": w.destination.pk,
        },
    )
    assert r.status_code == 400
    assert "Give either an item or a category" in text(r)
    assert Requirement.objects.count() == before
    assert AuditEvent.objects.count() == events


def test_valid_requirement_form_creates_and_redirects(records: Records) -> None:
    w = records.world
    c = client_as(w.users["ukr"])
    r = c.post(
        "/requirements/add/",
        {
            "title": "Shells for the winter",
            "item": w.items["shell"].pk,
            "quantity": "5000",
            "priority": "2",
            "needed_by": "2027-01-01",
            "destination": w.destination.pk,
            "released_to": [w.nations["DEU"].pk],
        },
    )
    assert r.status_code == 302
    req = Requirement.objects.get(title="Shells for the winter")
    assert r["Location"] == detail_url(REGISTRY["requirement"], req.pk)
    assert req.owner == w.nations["UKR"]
    assert req.status == Requirement.Status.DRAFT


# --- lifecycle buttons ----------------------------------------------------------------------


def test_lifecycle_button_moves_the_status(records: Records) -> None:
    req = records.requirement
    c = client_as(records.world.users["ukr"])
    page = text(c.get(detail_url(REGISTRY["requirement"], req.pk)))
    assert 'data-action="submit"' in page
    r = c.post(f"/requirements/{req.pk}/do/submit/")
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == Requirement.Status.SUBMITTED
    page = text(c.get(r["Location"]))
    assert "Submit: done." in page
    assert 'data-action="submit"' not in page


def test_illegal_transition_changes_nothing_and_says_why(records: Records) -> None:
    req = records.requirement
    c = client_as(records.world.users["command"])
    events = AuditEvent.objects.count()
    r = c.post(f"/requirements/{req.pk}/do/validate/", follow=True)
    assert r.status_code == 200
    req.refresh_from_db()
    assert req.status == Requirement.Status.DRAFT
    assert AuditEvent.objects.count() == events
    body = text(r)
    assert 'role="alert"' in body
    assert "Cannot validate a draft requirement" in body


def test_pledge_line_button_accepts_a_quantity(records: Records) -> None:
    line = records.line
    c = client_as(records.world.users["command"])
    r = c.post(f"/pledge-lines/{line.pk}/do/accept/", {"quantity": "4"})
    assert r.status_code == 302
    line.refresh_from_db()
    assert (line.offered, line.accepted) == (6, 4)
    r = c.post(f"/pledge-lines/{line.pk}/do/accept/", {"quantity": "0"}, follow=True)
    assert "positive whole number" in text(r)
    r = c.post(f"/pledge-lines/{line.pk}/do/accept/", {"quantity": "99"}, follow=True)
    assert "only 6 offered" in text(r)
    line.refresh_from_db()
    assert (line.offered, line.accepted) == (6, 4)


def test_action_next_stays_on_this_site(records: Records) -> None:
    line = records.line
    c = client_as(records.world.users["command"])
    r = c.post(
        f"/pledge-lines/{line.pk}/do/accept/",
        {"quantity": "1", "next": f"/pledges/{records.pledge.pk}/"},
    )
    assert r["Location"] == f"/pledges/{records.pledge.pk}/"
    r = c.post(
        f"/pledge-lines/{line.pk}/do/accept/", {"quantity": "1", "next": "https://evil.example/"}
    )
    assert r["Location"] == f"/pledge-lines/{line.pk}/"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/"])
def test_action_next_refuses_protocol_relative_urls(records: Records, target: str) -> None:
    line = records.line
    c = client_as(records.world.users["command"])
    r = c.post(f"/pledge-lines/{line.pk}/do/accept/", {"quantity": "1", "next": target})
    assert r.status_code == 302
    assert "evil.example" not in r["Location"]


# --- visibility -----------------------------------------------------------------------------


def test_unreleased_requirement_is_not_found_for_france(records: Records) -> None:
    req = records.requirement
    fra = client_as(records.world.users["fra"])
    spec = REGISTRY["requirement"]
    for url in (
        f"/requirements/{req.pk}/",
        f"/requirements/{req.pk}/edit/",
        f"/requirements/{req.pk}/delete/",
    ):
        assert fra.get(url).status_code == 404, url
    for action in ("submit", "cancel"):
        assert fra.post(f"/requirements/{req.pk}/do/{action}/", {"reason": "x"}).status_code == 404
    assert fra.post(f"/requirements/{req.pk}/edit/", {"title": "mine"}).status_code == 404
    req.refresh_from_db()
    assert req.status == Requirement.Status.DRAFT
    assert req.title == "Tanks for a brigade"

    listing = text(fra.get("/requirements/"))
    assert link_to(spec, req.pk) not in listing
    assert req.reference not in listing
    export = streamed(fra.get("/requirements/export.csv"))
    assert req.reference not in export
    found = text(fra.get("/search/", {"q": req.reference}))
    assert link_to(spec, req.pk) not in found
    assert "No match." in found

    deu = client_as(records.world.users["deu"])
    assert deu.get(f"/requirements/{req.pk}/").status_code == 200
    assert link_to(spec, req.pk) in text(deu.get("/requirements/"))
    # DEU may see it but not change it: the edit page is refused (403), and the refusal recorded
    assert deu.get(f"/requirements/{req.pk}/edit/").status_code == 403
    refusal = AuditEvent.objects.filter(action="security.refused").order_by("-id").first()
    assert refusal is not None and refusal.actor_username == "deu"
    assert (refusal.object_type, refusal.object_id) == ("requirements.requirement", str(req.pk))


# --- time zone ------------------------------------------------------------------------------


def test_times_are_shown_in_the_users_zone(records: Records) -> None:
    req = records.requirement
    kyiv = zoneinfo.ZoneInfo("Europe/Kyiv")
    event = AuditEvent.objects.filter(
        object_type="requirements.requirement", object_id=str(req.pk)
    ).latest("id")
    local = timezone.localtime(event.occurred_at, kyiv).strftime("%Y-%m-%d %H:%M")
    utc = timezone.localtime(event.occurred_at, zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")
    assert local != utc
    updated = timezone.localtime(req.updated_at, kyiv).strftime("%Y-%m-%d %H:%M")

    body = text(client_as(records.world.users["ukr"]).get(f"/requirements/{req.pk}/"))
    assert "Europe/Kyiv" in body
    assert timezone.get_current_timezone_name() == "UTC"  # the zone ends with the request
    history = body.split('class="history"', 1)[1]
    assert local in history
    assert updated in body.split('class="history"', 1)[0]

    # the same page for a UTC user shows UTC
    body = text(client_as(records.world.users["deu"]).get(f"/requirements/{req.pk}/"))
    assert utc in body.split('class="history"', 1)[1]


# --- more form behaviour --------------------------------------------------------------------


def test_item_form_normalises_the_nsn(records: Records) -> None:
    c = client_as(records.world.users["command"])
    r = c.post(
        "/items/add/",
        {
            "name": "Rifle G36",
            "category": records.world.categories["armour"].pk,
            "unit": "each",
            "unit_value_eur": "1500",
            "nsn": "1005 12 345 6789",
        },
    )
    assert r.status_code == 302, text(r)
    assert Item.objects.get(name="Rifle G36").nsn == "1005-12-345-6789"


def test_editing_a_validated_requirement_is_refused_on_the_form(records: Records) -> None:
    from convoy.requirements import services as reqs

    w = records.world
    req = reqs.requirement_submit(actor=w.users["ukr"], requirement=records.requirement)
    req = reqs.requirement_validate(actor=w.users["command"], requirement=req)
    c = client_as(w.users["ukr"])
    r = c.post(
        f"/requirements/{req.pk}/edit/",
        {
            "title": "Changed afterwards",
            "item": w.items["leo"].pk,
            "quantity": "99",
            "priority": "1",
            "needed_by": "2027-03-01",
            "destination": w.destination.pk,
            "released_to": [w.nations["DEU"].pk],
        },
    )
    assert r.status_code == 400
    assert "cannot be edited" in text(r)
    assert 'value="Changed afterwards"' in text(r)
    req.refresh_from_db()
    assert (req.title, req.quantity) == ("Tanks for a brigade", 10)


def test_search_more_link_keeps_the_query(records: Records) -> None:
    from urllib.parse import parse_qs, urlsplit

    from convoy.web.views import search_results

    cmd = records.world.users["command"]
    catalog.item_create(
        actor=cmd,
        data={
            "name": "R&D demonstrator #2",
            "category": records.world.categories["armour"],
            "unit_value_eur": "1",
        },
    )
    text_query = "R&D demonstrator #2"
    groups = search_results(cmd, text_query)
    assert groups
    for g in groups:
        query = parse_qs(urlsplit(g["list_url"]).query)
        assert query.get("q") == [text_query], g["list_url"]
