"""Consignment pages as a user drives them: from allocations, dispatch, track, receive, the
waybill; a refused step answers with its status, says so and records nothing; the API too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.logistics.models import Consignment, TrackingEvent
from convoy.logistics.tests.test_consignments import net  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def stamp(hours_ago: int) -> str:
    return (timezone.now() - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


NOW = ""  # no time given: now


def test_the_consignment_pages(world: Any, net: dict[str, Any]) -> None:  # noqa: F811
    cmd, ukr = client(world.users["command"]), client(world.users["ukr"])
    page = cmd.get("/consignments/")
    assert b'data-testid="from-allocations"' in page.content
    assert b"from-allocations" not in ukr.get("/consignments/").content  # command staff only
    r = cmd.post("/consignments/from-allocations/")
    c = Consignment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/consignments/{c.pk}/"
    detail = cmd.get(f"/consignments/{c.pk}/")
    assert b'data-action="dispatch"' in detail.content
    r = cmd.post(f"/consignments/{c.pk}/do/dispatch/", {"_version": c.version})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "dispatched"
    # an arrival where no leg leads: 400, said, nothing recorded
    r = cmd.post(
        f"/consignments/{c.pk}/track/",
        {"kind": "arrived", "node": world.destination.pk, "occurred_at": stamp(20)},
    )
    assert r.status_code == 400 and b"no leg from" in r.content
    assert b"Nothing was recorded" in r.content
    assert TrackingEvent.objects.filter(consignment=c).count() == 1
    # before the dispatch (which was now): out of order, 409
    r = cmd.post(
        f"/consignments/{c.pk}/track/",
        {"kind": "arrived", "node": net["hub"].pk, "occurred_at": stamp(3)},
    )
    assert r.status_code == 409 and b"in order" in r.content
    for kind, node in (
        ("arrived", net["hub"].pk),
        ("departed", ""),
        ("arrived", world.destination.pk),
    ):
        r = cmd.post(
            f"/consignments/{c.pk}/track/", {"kind": kind, "node": node, "occurred_at": NOW}
        )
        assert r.status_code == 302, r.content[:500]
    line = c.lines.get()
    # the partner receives it: more than in transit is refused (409), then 9 + 1 damaged
    r = ukr.post(f"/consignments/{c.pk}/receive/", {f"received_{line.pk}": 11, "occurred_at": NOW})
    assert r.status_code == 409 and b"10 in transit" in r.content
    r = ukr.post(
        f"/consignments/{c.pk}/receive/",
        {f"received_{line.pk}": 9, f"damaged_{line.pk}": 1, "occurred_at": NOW},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "received"
    waybill = ukr.get(f"/consignments/{c.pk}/waybill/")
    assert waybill.status_code == 200
    assert c.reference.encode() in waybill.content and b"1 damaged" in waybill.content
    assert client(world.users["fra"]).get(f"/consignments/{c.pk}/waybill/").status_code == 404


def test_the_consignment_api(world: Any, net: dict[str, Any]) -> None:  # noqa: F811
    deu, ukr = APIClient(), APIClient()
    deu.force_authenticate(world.users["deu"])
    ukr.force_authenticate(world.users["ukr"])
    body = {
        "origin": world.depot.pk,
        "destination": world.destination.pk,
        "ready_on": "2026-11-01",
        "lines": [{"pledge_line": net["line"].pk, "quantity": 10}],
    }
    assert ukr.post("/api/consignments/", body, format="json").status_code == 403  # not its line
    r = deu.post("/api/consignments/", body, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert deu.post(f"/api/consignments/{pk}/dispatch/", {}, format="json").status_code == 200
    r = deu.post(
        f"/api/consignments/{pk}/track/",
        {"kind": "arrived", "node": world.destination.pk},
        format="json",
    )
    assert r.status_code == 400 and "no leg" in r.json()["detail"]
    for kind, node in (("arrived", net["hub"].pk), ("departed", None)):
        r = deu.post(f"/api/consignments/{pk}/track/", {"kind": kind, "node": node}, format="json")
        assert r.status_code == 200, r.content
    r = ukr.post(
        f"/api/consignments/{pk}/track/",
        {"kind": "arrived", "node": world.destination.pk},
        format="json",
    )
    assert r.status_code == 200
    line = r.json()["lines"][0]
    assert line["in_transit"] == 10
    r = ukr.post(
        f"/api/consignments/{pk}/receive/",
        {"lines": [{"line": line["id"], "received": 8, "short": 2}]},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "received"
    assert body["lines"][0] | {} == {**line, "received": 8, "short": 2, "in_transit": 0}
    assert [e["kind"] for e in body["events"]] == [
        "dispatched", "arrived", "departed", "arrived", "received"
    ]  # fmt: skip
