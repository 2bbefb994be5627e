"""The audit search (page, CSV export, API) for coordinators, and refused access on record."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.requirements import services as requirements

pytestmark = pytest.mark.django_db


def page_as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def scene(world: Any) -> dict[str, Any]:
    req = factories.requirement(world)
    requirements.requirement_submit(actor=world.users["ukr"], requirement=req, reason="ready")
    plg = factories.pledge(world)
    return {"req": req, "plg": plg}


def test_coordinators_search_by_actor_nation_object_action_and_time(world: Any) -> None:
    s = scene(world)
    c = page_as(world.users["command"])
    html = c.get("/audit/", {"actor": "deu"}).content.decode()
    assert "pledge.create" in html and "requirement.create" not in html
    html = c.get("/audit/", {"nation": "ukr", "action": "requirement.submit"}).content.decode()
    assert "requirement.submit" in html and "requirement.create" not in html
    r: Any = c.get(
        "/audit/export.csv",
        {"object_type": "requirements.requirement", "object_id": str(s["req"].pk)},
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["requirement.submit", "requirement.create"]
    assert rows[0]["reason"] == "ready"
    today = timezone.now().date()
    assert "requirement.create" in c.get("/audit/", {"since": today.isoformat()}).content.decode()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    html = c.get("/audit/", {"until": yesterday}).content.decode()
    assert "requirement.create" not in html
    # one event, with its before and after
    event = AuditEvent.objects.get(action="requirement.submit")
    html = c.get(f"/audit/{event.pk}/").content.decode()
    assert 'data-testid="audit-diff"' in html and "submitted" in html and event.hash in html


def test_the_api_filters_the_same_way(world: Any) -> None:
    scene(world)
    api = APIClient()
    api.force_authenticate(world.users["command"])
    r = api.get("/api/audit-events/", {"actor": "ukr", "action": "requirement."})
    actions = sorted(e["action"] for e in r.json()["results"])
    assert actions == ["requirement.create", "requirement.submit"]
    assert api.post("/api/audit-events/", {}, format="json").status_code == 405
    event = AuditEvent.objects.first()
    assert event is not None
    assert api.delete(f"/api/audit-events/{event.pk}/").status_code == 405
    api.force_authenticate(world.users["deu"])
    assert api.get("/api/audit-events/").json()["results"] == []
    assert api.get(f"/api/audit-events/{event.pk}/").status_code == 404


def test_only_coordinators_see_the_audit_menu(world: Any) -> None:
    assert 'href="/audit/"' in page_as(world.users["command"]).get("/").content.decode()
    assert 'href="/audit/"' not in page_as(world.users["deu"]).get("/").content.decode()


def test_refused_access_is_recorded_without_leaking_it_to_the_record(world: Any) -> None:
    req = factories.requirement(world)  # UKR's, released to DEU only
    fra = page_as(world.users["fra"])
    assert fra.get(f"/requirements/{req.pk}/").status_code == 404
    event = AuditEvent.objects.filter(action="security.refused").order_by("-id").first()
    assert event is not None
    assert (event.actor_username, event.nation_code) == ("fra", "FRA")
    assert (event.object_type, event.object_id) == ("requirements.requirement", str(req.pk))
    # a page that does not exist is no refusal
    n = AuditEvent.objects.count()
    assert fra.get("/requirements/999999/").status_code == 404
    assert AuditEvent.objects.count() == n
    # the record's own history does not show who was refused
    html = page_as(world.users["ukr"]).get(f"/requirements/{req.pk}/").content.decode()
    assert "security.refused" not in html
    # an anonymous API call is refused and recorded too
    assert APIClient().get("/api/requirements/").status_code == 401
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None and last.action == "security.refused" and last.actor_username == ""
