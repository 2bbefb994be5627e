"""Optimistic concurrency: ETag / If-Match on the API, "changed since you opened it" on pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.pledges.models import PledgeLine
from convoy.requirements import services as requirements
from convoy.requirements.models import Requirement

pytestmark = pytest.mark.django_db


def api_as(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def writes() -> int:
    return AuditEvent.objects.exclude(action__startswith="security.").count()


def test_etag_and_if_match_on_the_api(world: Any) -> None:
    req = factories.requirement(world)
    api = api_as(world.users["ukr"])
    url = f"/api/requirements/{req.pk}/"
    r = api.get(url)
    assert r.status_code == 200 and r["ETag"] == '"v1"' and r.json()["version"] == 1
    r = api.patch(url, {"quantity": 11}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 200, r.content
    assert r["ETag"] == '"v2"'
    n = writes()
    # a second client still holding v1 is refused, and told what the record is at now
    r = api_as(world.users["ukr"]).patch(url, {"quantity": 99}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412
    assert r["Content-Type"] == "application/problem+json"
    assert r["ETag"] == '"v2"'
    body = r.json()
    assert body["current_version"] == 2 and body["changed_by"] == "ukr"
    assert "ukr changed this record" in body["detail"]
    req.refresh_from_db()
    assert req.quantity == 11 and req.version == 2
    assert writes() == n
    # no If-Match, or "*": the write is not conditional
    assert api.patch(url, {"quantity": 12}, format="json").status_code == 200
    assert api.patch(url, {"quantity": 13}, format="json", HTTP_IF_MATCH="*").status_code == 200
    # a malformed header is bad input
    r = api.patch(url, {"quantity": 14}, format="json", HTTP_IF_MATCH="v3")
    assert r.status_code == 400 and "If-Match" in r.json()["errors"]


def test_stale_if_match_on_delete_and_lifecycle_actions(world: Any) -> None:
    req = factories.requirement(world)
    api = api_as(world.users["ukr"])
    requirements.requirement_update(actor=world.users["ukr"], obj=req, data={"quantity": 3})
    r = api.post(f"/api/requirements/{req.pk}/submit/", {}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412
    r = api.delete(f"/api/requirements/{req.pk}/", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412
    assert Requirement.objects.get(pk=req.pk).status == Requirement.Status.DRAFT
    r = api.post(f"/api/requirements/{req.pk}/submit/", {}, format="json", HTTP_IF_MATCH='"v2"')
    assert r.status_code == 200 and r["ETag"] == '"v3"'

    line = factories.line(world, factories.pledge(world))
    cmd = api_as(world.users["command"])
    url = f"/api/pledge-lines/{line.pk}/accept/"
    assert cmd.post(url, {"quantity": 2}, format="json", HTTP_IF_MATCH='"v1"').status_code == 200
    r = cmd.post(url, {"quantity": 2}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412
    line.refresh_from_db()
    assert (line.offered, line.accepted) == (8, 2)


def test_edit_page_keeps_input_and_names_who_changed_the_record(world: Any) -> None:
    req = factories.requirement(world)
    page = Client()
    page.force_login(world.users["ukr"])
    form = page.get(f"/requirements/{req.pk}/edit/").content.decode()
    assert 'name="_version" value="1"' in form
    # meanwhile a colleague changes it
    requirements.requirement_update(actor=world.users["ukr"], obj=req, data={"quantity": 7})
    post = {
        "_version": "1",
        "title": "My better title",
        "item": str(world.items["leo"].pk),
        "quantity": "12",
        "priority": "1",
        "needed_by": "2027-03-01",
        "destination": str(world.destination.pk),
        "released_to": [str(world.nations["DEU"].pk)],
    }
    r = page.post(f"/requirements/{req.pk}/edit/", post)
    html = r.content.decode()
    assert r.status_code == 409
    assert "ukr changed this record at" in html and "since you opened it" in html
    assert 'value="My better title"' in html  # the user's input is kept
    assert 'name="_version" value="2"' in html  # saving again overwrites knowingly
    req.refresh_from_db()
    assert (req.title, req.quantity) == ("Tanks for a brigade", 7)
    r = page.post(f"/requirements/{req.pk}/edit/", {**post, "_version": "2"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.title, req.quantity, req.version) == ("My better title", 12, 3)


def test_stale_button_on_a_page_changes_nothing(world: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    page = Client()
    page.force_login(world.users["command"])
    detail = page.get(f"/pledges/{line.pledge_id}/").content.decode()
    assert re.search(r'name="_version" value="1"', detail)
    ok = page.post(f"/pledge-lines/{line.pk}/do/accept/", {"quantity": 1, "_version": "1"})
    assert ok.status_code == 302
    stale = page.post(
        f"/pledge-lines/{line.pk}/do/accept/", {"quantity": 1, "_version": "1"}, follow=True
    )
    assert "since you opened it" in stale.content.decode()
    line = PledgeLine.objects.get(pk=line.pk)
    assert (line.offered, line.accepted, line.version) == (9, 1, 2)
