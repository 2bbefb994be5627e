from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from convoy.catalog import services as catalog
from convoy.core.tests import factories

pytestmark = pytest.mark.django_db


def test_invalid_filter_is_reported_not_ignored(world: Any, client_for: Any) -> None:
    factories.requirement(world)
    c = client_for(world.users["ukr"])
    ok = c.get("/requirements/?priority=1")
    assert ok.status_code == 200 and "REQ-" in ok.content.decode()
    bad = c.get("/requirements/?priority=x")
    body = bad.content.decode()
    assert bad.status_code == 200
    assert 'role="alert"' in body and "priority" in body
    assert "REQ-" not in body  # never the unfiltered list under a filter the user thinks applies


def test_csv_export_quotes_formulas(world: Any, client_for: Any) -> None:
    catalog.item_create(
        actor=world.users["command"],
        data={
            "name": '=HYPERLINK("http://x")',
            "category": world.categories["armour"],
            "unit_value_eur": "1.00",
        },
    )
    r = client_for(world.users["command"]).get("/items/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(n.startswith("=") for n in names)


def test_requirement_category_filter_matches_items_and_categories(
    world: Any, client_for: Any
) -> None:
    by_item = factories.requirement(world, title="Tanks by type")
    by_category = factories.requirement(
        world, title="Any tank", item=None, category=world.categories["armour"]
    )
    shells = factories.requirement(world, title="Shells", item=world.items["shell"])
    c = client_for(world.users["ukr"])
    body = c.get(f"/requirements/?any_category={world.categories['armour'].pk}").content.decode()
    assert by_item.reference in body and by_category.reference in body
    assert shells.reference not in body
