"""CSV import: all rows or none, natural keys, errors by row, from the page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from convoy.core.models import AuditEvent
from convoy.requirements.models import Requirement

pytestmark = pytest.mark.django_db

HEADER = "title,item,category,quantity,priority,needed_by,destination,released_to\n"


def upload(text: str, name: str = "reqs.csv", bom: bool = False) -> SimpleUploadedFile:
    raw = ("\ufeff" if bom else "") + text
    return SimpleUploadedFile(name, raw.encode(), content_type="text/csv")


def test_import_with_natural_keys(world: Any, client_for: Any) -> None:
    csv_text = HEADER + (
        "Tanks,Leopard 1A5,,12,1,2027-01-31,Lviv,DEU;POL\n"
        "Any armour,,armour,3,2,2027-06-30,Lviv,DEU\n"
    )
    c = client_for(world.users["ukr"])
    r = c.post("/requirements/import/", {"file": upload(csv_text, bom=True)})
    assert r.status_code == 302, r.content.decode()[:2000]
    reqs = list(Requirement.objects.order_by("id"))
    assert [(q.title, q.quantity, q.priority) for q in reqs] == [
        ("Tanks", 12, 1),
        ("Any armour", 3, 2),
    ]
    assert reqs[0].item == world.items["leo"] and reqs[1].category == world.categories["armour"]
    assert {n.code for n in reqs[0].released_to.all()} == {"DEU", "POL"}
    assert all(q.owner.code == "UKR" and q.status == "draft" for q in reqs)
    assert AuditEvent.objects.filter(action="requirement.create", reason="CSV import").count() == 2


def test_bad_rows_import_nothing_and_say_where(world: Any, client_for: Any) -> None:
    csv_text = HEADER + (
        "Fine,Leopard 1A5,,1,1,2027-01-31,Lviv,\n"
        "Bad priority,Leopard 1A5,,1,9,2027-01-31,Lviv,\n"
        "Bad date,No such tank,,1,1,31/01/2027,Lviv,\n"
    )
    r = client_for(world.users["ukr"]).post("/requirements/import/", {"file": upload(csv_text)})
    assert r.status_code == 400
    body = r.content.decode()
    assert "nothing was imported" in body
    assert "<td>2</td><td>priority</td>" in body
    assert "<td>3</td><td>item</td>" in body and "<td>3</td><td>needed_by</td>" in body
    assert Requirement.objects.count() == 0


def test_a_service_refusal_rolls_back_earlier_rows(world: Any, client_for: Any) -> None:
    csv_text = HEADER + (
        "Fine,Leopard 1A5,,1,1,2027-01-31,Lviv,\n"
        "Both,Leopard 1A5,armour,1,1,2027-01-31,Lviv,\n"  # item and category: the model refuses
    )
    r = client_for(world.users["ukr"]).post("/requirements/import/", {"file": upload(csv_text)})
    assert r.status_code == 400
    assert Requirement.objects.count() == 0
    assert not AuditEvent.objects.filter(action="requirement.create").exists()


def test_unknown_columns_and_empty_files(world: Any, client_for: Any) -> None:
    c = client_for(world.users["ukr"])
    r = c.post("/requirements/import/", {"file": upload("title,colour\nx,red\n")})
    assert r.status_code == 400 and "colour" in r.content.decode()
    r = c.post("/requirements/import/", {"file": upload(HEADER)})
    assert r.status_code == 400 and "no data rows" in r.content.decode()
    r = c.post("/requirements/import/", {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00")})
    assert r.status_code == 400 and "UTF-8" in r.content.decode()


def test_semicolon_files_from_excel(world: Any, client_for: Any) -> None:
    text = HEADER.replace(",", ";") + "Tanks;Leopard 1A5;;2;1;2027-01-31;Lviv;DEU\n"
    r = client_for(world.users["ukr"]).post("/requirements/import/", {"file": upload(text)})
    assert r.status_code == 302
    assert Requirement.objects.get().quantity == 2


def test_template_and_permissions(world: Any, client_for: Any) -> None:
    c = client_for(world.users["deu"])
    assert c.get("/items/import/").status_code == 403  # reference data: the command's
    assert c.get("/items/import-template.csv").status_code == 403
    r = client_for(world.users["ukr"]).get("/requirements/import-template.csv")
    header = r.content.decode().strip().split(",")
    assert header[:4] == ["title", "item", "category", "quantity"]
    assert "owner" not in header  # only command staff may set another owner


def test_api_import(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.users["ukr"])
    ok = HEADER + "Tanks,Leopard 1A5,,4,1,2027-01-31,Lviv,DEU\n"
    r = api.post("/api/requirements/import/", {"file": upload(ok)}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["created"] == 1
    bad = HEADER + "Tanks,Leopard 1A5,,0,1,2027-01-31,Lviv,DEU\n"
    r = api.post("/api/requirements/import/", {"file": upload(bad)}, format="multipart")
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["rows"][0]["field"] == "quantity"
    assert Requirement.objects.count() == 1
    api.force_authenticate(world.users["deu"])
    r = api.post("/api/items/import/", {"file": upload("name\nx\n")}, format="multipart")
    assert r.status_code == 403


def _keys() -> list[str]:
    import convoy.urls  # noqa: F401  (fills the registry)
    from convoy.core.registry import REGISTRY

    return sorted(k for k, s in REGISTRY.items() if s.create is not None)


@pytest.mark.parametrize("key", _keys())
def test_every_import_page_answers(world: Any, client_for: Any, key: str) -> None:
    from django.urls import reverse

    c = client_for(world.users["command"])
    assert c.get(reverse(f"{key}_import")).status_code == 200
    r = c.get(reverse(f"{key}_template"))
    assert r.status_code == 200 and r.content.strip()
    c.logout()
    assert c.get(reverse(f"{key}_import")).status_code == 302  # to the login page
