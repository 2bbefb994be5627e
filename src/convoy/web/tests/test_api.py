"""The REST API: every router registration, problem responses, lifecycles, visibility, schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from convoy.catalog.models import Item
from convoy.core.errors import PROBLEM
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.core.tests.factories import World
from convoy.pledges import services as pledges
from convoy.pledges.models import LINE_STATES
from convoy.requirements import services as reqs
from convoy.requirements.models import Requirement
from convoy.urls import router
from convoy.web.tests.conftest import Records

pytestmark = pytest.mark.django_db

PREFIXES = sorted(prefix for prefix, _viewset, _basename in router.registry)


VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def record_for(records: Records, prefix: str) -> models.Model:
    viewset: Any = VIEWSETS[prefix]
    return records.by_model(viewset.spec.model)


def api_as(user: Any = None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user=user)
    return c


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def states_add_up(body: dict[str, Any]) -> bool:
    return sum(int(body[s]) for s in LINE_STATES) == int(body["quantity"])


# --- every router registration --------------------------------------------------------------


def test_every_registration_has_a_record(records: Records) -> None:
    for prefix in PREFIXES:
        assert record_for(records, prefix).pk


@pytest.mark.parametrize("prefix", PREFIXES)
def test_list_and_detail_as_coordinator(records: Records, prefix: str) -> None:
    obj = record_for(records, prefix)
    c = api_as(records.world.users["command"])
    r = c.get(f"/api/{prefix}/")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] >= 1
    assert obj.pk in [row["id"] for row in body["results"]]
    r = c.get(f"/api/{prefix}/{obj.pk}/")
    assert r.status_code == 200
    assert r.json()["id"] == obj.pk
    assert_problem(c.get(f"/api/{prefix}/999999/"), 404)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_anonymous_gets_a_problem(records: Records, prefix: str) -> None:
    obj = record_for(records, prefix)
    anon = api_as()
    for url in (f"/api/{prefix}/", f"/api/{prefix}/{obj.pk}/"):
        r = anon.get(url)
        assert r.status_code in (401, 403), url
        assert_problem(r, r.status_code)
    r = anon.post(f"/api/{prefix}/", {}, format="json")
    assert r.status_code in (401, 403)
    assert_problem(r, r.status_code)


def test_anonymous_dashboard_and_search_get_problems() -> None:
    for url in ("/api/dashboard/", "/api/search/?q=Leo"):
        r = api_as().get(url)
        assert r.status_code in (401, 403)
        assert_problem(r, r.status_code)


# --- requirements ---------------------------------------------------------------------------


def valid_payload(w: World) -> dict[str, Any]:
    return {
        "title": "Howitzer shells",
        "item": w.items["shell"].pk,
        "quantity": 2000,
        "priority": 1,
        "needed_by": "2027-06-30",
        "destination": w.destination.pk,
        "released_to": ["DEU"],
    }


BAD_PAYLOADS: dict[str, tuple[dict[str, Any], str]] = {
    "quantity_zero": ({"quantity": 0}, "quantity"),
    "priority_nine": ({"priority": 9}, "priority"),
    "needed_by_not_iso": ({"needed_by": "31/12/2026"}, "needed_by"),
    "unknown_destination": ({"destination": 999_999}, "destination"),
    "item_and_category": ({"category": "ammunition"}, "item"),
    "no_title": ({"title": ""}, "title"),
    "unknown_release_nation": ({"released_to": ["XXX"]}, "released_to"),
}


@pytest.mark.parametrize("case", list(BAD_PAYLOADS))
def test_bad_requirement_payloads_are_refused(world: World, case: str) -> None:
    change, field = BAD_PAYLOADS[case]
    payload = {**valid_payload(world), **change}
    before = (Requirement.objects.count(), AuditEvent.objects.count())
    r = api_as(world.users["ukr"]).post("/api/requirements/", payload, format="json")
    body = assert_problem(r, 400)
    assert field in body["errors"], body
    assert body["errors"][field]
    assert (Requirement.objects.count(), AuditEvent.objects.count()) == before


def test_create_requirement(world: World) -> None:
    events = AuditEvent.objects.count()
    r = api_as(world.users["ukr"]).post("/api/requirements/", valid_payload(world), format="json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["reference"].startswith("REQ-")
    assert created["status"] == "draft"
    assert created["owner"] == "UKR"
    assert created["released_to"] == ["DEU"]
    req = Requirement.objects.get(pk=created["id"])
    assert (req.status, req.quantity, req.owner.code) == ("draft", 2000, "UKR")
    assert AuditEvent.objects.count() == events + 1


def test_action_routes_are_registered() -> None:
    """Every lifecycle button of a registry entry has its API route (the router builds them)."""
    from django.urls import NoReverseMatch, reverse

    missing = []
    for action in ("submit", "validate", "return_to_draft", "fulfil", "cancel"):
        try:
            reverse(f"api-requirement-{action}", args=[1])
        except NoReverseMatch:
            missing.append(f"requirement.{action}")
    for action in ("accept", "allocate", "withdraw", "withdraw_accepted"):
        try:
            reverse(f"api-pledgeline-{action}", args=[1])
        except NoReverseMatch:
            missing.append(f"pledgeline.{action}")
    assert reverse("api-capability-set-component", args=[1])
    assert not missing, f"no API route for {missing}"


def test_requirement_lifecycle_through_the_api(world: World) -> None:
    ukr = api_as(world.users["ukr"])
    r = ukr.post("/api/requirements/", valid_payload(world), format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]

    r = ukr.post(f"/api/requirements/{pk}/submit/", {}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted"

    # DEU sees the requirement (released to it) but may not validate: 403, not 404
    deu = api_as(world.users["deu"])
    assert deu.get(f"/api/requirements/{pk}/").status_code == 200
    body = assert_problem(deu.post(f"/api/requirements/{pk}/validate/", {}, format="json"), 403)
    assert body["code"] == "forbidden"
    assert Requirement.objects.get(pk=pk).status == "submitted"

    cmd = api_as(world.users["command"])
    r = cmd.post(f"/api/requirements/{pk}/validate/", {}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "validated"

    # an illegal move: a validated requirement cannot be submitted again
    body = assert_problem(cmd.post(f"/api/requirements/{pk}/submit/", {}, format="json"), 409)
    assert body["code"] == "conflict"
    assert "validated" in body["detail"]
    assert Requirement.objects.get(pk=pk).status == "validated"

    # a reason is needed to cancel
    body = assert_problem(ukr.post(f"/api/requirements/{pk}/cancel/", {}, format="json"), 400)
    assert "reason" in body["errors"]
    r = ukr.post(f"/api/requirements/{pk}/cancel/", {"reason": "no longer needed"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"


def test_requirement_status_and_reference_are_read_only(world: World) -> None:
    payload = {**valid_payload(world), "status": "validated", "reference": "REQ-HACK"}
    r = api_as(world.users["ukr"]).post("/api/requirements/", payload, format="json")
    assert r.status_code == 201
    assert r.json()["status"] == "draft"
    assert r.json()["reference"] != "REQ-HACK"


def test_unreleased_requirement_is_not_found_for_france(records: Records) -> None:
    req = records.requirement
    fra = api_as(records.world.users["fra"])
    assert_problem(fra.get(f"/api/requirements/{req.pk}/"), 404)
    assert_problem(fra.patch(f"/api/requirements/{req.pk}/", {"title": "x"}, format="json"), 404)
    assert_problem(fra.delete(f"/api/requirements/{req.pk}/"), 404)
    ids = [row["id"] for row in fra.get("/api/requirements/").json()["results"]]
    assert req.pk not in ids
    req.refresh_from_db()
    assert (req.status, req.title) == ("draft", "Tanks for a brigade")
    # DEU, to which it is released, sees it
    assert api_as(records.world.users["deu"]).get(f"/api/requirements/{req.pk}/").status_code == 200


def test_unreleased_requirement_actions_are_not_found_for_france(records: Records) -> None:
    req = records.requirement
    fra = api_as(records.world.users["fra"])
    for action in ("submit", "validate", "cancel"):
        r = fra.post(f"/api/requirements/{req.pk}/{action}/", {"reason": "x"}, format="json")
        assert_problem(r, 404)
    req.refresh_from_db()
    assert req.status == "draft"


# --- pledge lines ---------------------------------------------------------------------------


def test_pledge_line_accept(records: Records) -> None:
    line = records.line
    cmd = api_as(records.world.users["command"])
    url = f"/api/pledge-lines/{line.pk}/accept/"

    body = assert_problem(cmd.post(url, {"quantity": 0}, format="json"), 400)
    assert "quantity" in body["errors"]
    body = assert_problem(cmd.post(url, {}, format="json"), 400)
    assert "quantity" in body["errors"]
    body = assert_problem(cmd.post(url, {"quantity": 11}, format="json"), 409)
    assert "quantity" in body["errors"]
    line.refresh_from_db()
    assert (line.offered, line.accepted) == (10, 0)

    r = cmd.post(url, {"quantity": 4}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["offered"], body["accepted"]) == (6, 4)
    assert states_add_up(body)

    r = cmd.post(f"/api/pledge-lines/{line.pk}/allocate/", {"quantity": 3}, format="json")
    assert r.status_code == 200
    assert states_add_up(r.json())
    # units go in transit only on a consignment: there is no direct move
    r = api_as(records.world.users["deu"]).post(
        f"/api/pledge-lines/{line.pk}/dispatch/", {"quantity": 2}, format="json"
    )
    assert r.status_code == 404
    assert_problem(
        api_as(records.world.users["deu"]).post(url, {"quantity": 1}, format="json"), 403
    )

    detail = cmd.get(f"/api/pledge-lines/{line.pk}/").json()
    assert {s: detail[s] for s in LINE_STATES} == {
        "offered": 6,
        "accepted": 1,
        "allocated": 3,
        "in_transit": 0,
        "delivered": 0,
        "lost": 0,
        "withdrawn": 0,
    }
    assert states_add_up(detail)
    # the states cannot be written directly
    r = api_as(records.world.users["deu"]).patch(
        f"/api/pledge-lines/{line.pk}/", {"delivered": 10, "offered": 0}, format="json"
    )
    assert r.status_code in (200, 400, 409)
    line.refresh_from_db()
    assert (line.offered, line.delivered) == (6, 0)
    assert sum(getattr(line, s) for s in LINE_STATES) == line.quantity


def test_pledge_and_line_not_found_for_unreleased_nation(records: Records) -> None:
    fra = api_as(records.world.users["fra"])
    line = records.line
    assert_problem(fra.get(f"/api/pledges/{records.pledge.pk}/"), 404)
    assert_problem(fra.get(f"/api/pledge-lines/{line.pk}/"), 404)
    assert fra.get("/api/pledge-lines/").json()["count"] == 0
    assert fra.get("/api/pledges/").json()["count"] == 0
    # UKR, to which the pledge is released, sees it and its line
    ukr = api_as(records.world.users["ukr"])
    assert ukr.get(f"/api/pledges/{records.pledge.pk}/").json()["lines"] == [line.pk]
    assert ukr.get(f"/api/pledge-lines/{line.pk}/").status_code == 200


def test_pledge_line_actions_not_found_for_unreleased_nation(records: Records) -> None:
    fra = api_as(records.world.users["fra"])
    line = records.line
    for action in ("accept", "withdraw"):
        r = fra.post(f"/api/pledge-lines/{line.pk}/{action}/", {"quantity": 1}, format="json")
        assert_problem(r, 404)
    line.refresh_from_db()
    assert line.offered == 10


# --- items ----------------------------------------------------------------------------------


def test_item_nsn_is_normalised_and_checked(world: World) -> None:
    cmd = api_as(world.users["command"])
    payload = {
        "name": "Rifle G36",
        "category": "armour",
        "unit": "each",
        "unit_value_eur": "1500.00",
        "nsn": "1005123456789",
    }
    r = cmd.post("/api/items/", payload, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["nsn"] == "1005-12-345-6789"
    assert Item.objects.get(name="Rifle G36").nsn == "1005-12-345-6789"

    before = Item.objects.count()
    for bad in ("0005-12-345-6789", "12-34", "1005-12-000-0000"):
        r = cmd.post("/api/items/", {**payload, "name": f"Bad {bad}", "nsn": bad}, format="json")
        body = assert_problem(r, 400)
        assert "nsn" in body["errors"], (bad, body)
    r = cmd.post("/api/items/", {**payload, "name": "Cheap", "unit_value_eur": "-1"}, format="json")
    assert "unit_value_eur" in assert_problem(r, 400)["errors"]
    assert Item.objects.count() == before

    # reference data: an editor of a nation may not add items
    r = api_as(world.users["deu"]).post(
        "/api/items/", {**payload, "name": "Rifle G3", "nsn": ""}, format="json"
    )
    assert_problem(r, 403)


# --- dashboard, search ----------------------------------------------------------------------


def test_dashboard_api(records: Records) -> None:
    w = records.world
    cmd = w.users["command"]
    reqs.requirement_submit(actor=w.users["ukr"], requirement=records.requirement)
    pledges.pledge_line_accept(actor=cmd, line=records.line, quantity=4)
    r = api_as(cmd).get("/api/dashboard/")
    assert r.status_code == 200
    body = r.json()
    rows = body["coverage_by_priority"]
    assert len(rows) == 4
    assert [row["key"] for row in rows] == [1, 2, 3, 4]
    assert rows[0]["required_qty"] == 10
    assert rows[0]["committed_qty"] == 4
    assert rows[0]["pledged_qty"] == 6
    assert body["total"]["committed_eur"] == "4000000.00"
    assert [d["nation"] for d in body["donors"]] == ["DEU"]

    # France sees neither the requirement nor the pledge
    body = api_as(w.users["fra"]).get("/api/dashboard/").json()
    assert len(body["coverage_by_priority"]) == 4
    assert body["total"]["required_qty"] == 0
    assert body["donors"] == []


def test_search_api(records: Records) -> None:
    r = api_as(records.world.users["command"]).get("/api/search/", {"q": "Leopard"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results
    found = {(hit["type"], hit["id"]) for hit in results}
    assert ("item", records.world.items["leo"].pk) in found
    assert ("requirement", records.requirement.pk) in found
    fra = api_as(records.world.users["fra"]).get("/api/search/", {"q": "Leopard"}).json()
    assert ("requirement", records.requirement.pk) not in {
        (h["type"], h["id"]) for h in fra["results"]
    }


# --- schema and docs ------------------------------------------------------------------------


def test_openapi_schema_is_valid(world: World) -> None:
    r = api_as(world.users["command"]).get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = r.json()
    validate(schema)
    paths = schema["paths"]
    for prefix in PREFIXES:
        assert f"/api/{prefix}/" in paths
        assert f"/api/{prefix}/{{id}}/" in paths
    assert "/api/capabilities/{id}/set-component/" in paths
    assert "/api/dashboard/" in paths
    assert "/api/search/" in paths


def test_openapi_schema_has_the_lifecycle_actions(world: World) -> None:
    schema = api_as(world.users["command"]).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/requirements/{id}/submit/" in paths
    assert "/api/pledge-lines/{id}/accept/" in paths
    accept = paths["/api/pledge-lines/{id}/accept/"]["post"]
    assert "requestBody" in accept


def test_api_docs_page(world: World) -> None:
    r = api_as(world.users["command"]).get("/api/docs/")
    assert r.status_code == 200
    assert b"swagger" in r.content.lower()


def test_dates_in_the_api_are_iso(records: Records) -> None:
    body = (
        api_as(records.world.users["command"])
        .get(f"/api/requirements/{records.requirement.pk}/")
        .json()
    )
    assert body["needed_by"] == "2027-03-01"
    updated = dt.datetime.fromisoformat(body["updated_at"])
    assert updated.tzinfo is not None


def test_api_search_filter_and_ordering(records: Records) -> None:
    w = records.world
    other = factories.requirement(w, title="Ammunition", item=w.items["shell"], priority=4)
    c = api_as(w.users["command"])

    def ids(params: dict[str, str]) -> list[int]:
        r = c.get("/api/requirements/", params)
        assert r.status_code == 200, r.content
        return [row["id"] for row in r.json()["results"]]

    req = records.requirement
    assert ids({"search": "Tanks"}) == [req.pk]
    assert ids({"priority": "4"}) == [other.pk]
    assert ids({"item": str(w.items["leo"].pk)}) == [req.pk]
    assert ids({"ordering": "-priority"}) == [other.pk, req.pk]
    assert ids({"ordering": "priority"}) == [req.pk, other.pk]
    body = assert_problem(c.get("/api/requirements/", {"priority": "x"}), 400)
    assert "priority" in body["errors"]
