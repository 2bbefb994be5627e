"""The map's selector, page and API: nodes and legs for all, flows aggregated per origin and
destination in three layers, and only from consignments the viewer may see."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.core.tests import factories
from convoy.logistics import services
from convoy.logistics.map import map_data
from convoy.logistics.models import Consignment, Node
from convoy.planning import services as planning
from convoy.pledges import services as pledges
from convoy.requirements import services as requirements

pytestmark = pytest.mark.django_db

READY = dt.date(2026, 2, 1)


def at(hours: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=100 - hours)


def consign(w: Any, need: Any, donor: str, depot: Node, quantity: int) -> Consignment:
    """A consignment by the donor's own hand of ``quantity`` allocated units from ``depot``."""
    cmd, user = w.users["command"], w.users[donor]
    pledge = factories.pledge(w, actor=user, title=f"{donor} package", released_to=[])
    line = factories.line(w, pledge, actor=user, quantity=quantity, source_depot=depot)
    line = pledges.pledge_line_accept(actor=cmd, line=line, quantity=quantity)
    planning.allocation_create(
        actor=cmd, data={"pledge_line": line, "requirement": need, "quantity": quantity}
    )
    return services.consignment_create(
        actor=user,
        data={
            "origin": depot,
            "destination": w.destination,
            "ready_on": READY,
            "lines": [{"pledge_line": line, "quantity": quantity}],
        },
    )


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    """Pirmasens depot (DEU) and Mourmelon depot (FRA) -> Rzeszów hub (POL) -> Lviv (UKR).

    Germany: two planned consignments (4 + 6 units), one at the hub (5), one received (2 good,
    1 damaged). France: one planned (7). Every consignment passes the hub, so each is released
    to Poland and Ukraine; Germany's are not released to France, nor France's to Germany."""
    w = world
    cmd = w.users["command"]
    hub = Node.objects.create(
        name="Rzeszów hub", kind="hub", nation=w.nations["POL"], latitude=50.1, longitude=22.0
    )
    fra_depot = Node.objects.create(
        name="Mourmelon depot", kind="depot", nation=w.nations["FRA"], latitude=49.1, longitude=4.4
    )
    for origin, dest, days, km in (
        (w.depot, hub, 2, 1100),
        (fra_depot, hub, 3, 1500),
        (hub, w.destination, 1, 150),
    ):
        services.leg_create(
            actor=cmd,
            data={"origin": origin, "destination": dest, "transit_days": days, "km": km},
        )
    need = factories.requirement(w, quantity=100, priority=1)
    requirements.requirement_transition(actor=w.users["ukr"], requirement=need, transition="submit")
    need = requirements.requirement_transition(actor=cmd, requirement=need, transition="validate")
    planned_a = consign(w, need, "deu", w.depot, 4)
    planned_b = consign(w, need, "deu", w.depot, 6)
    moving = consign(w, need, "deu", w.depot, 5)
    moving = services.consignment_dispatch(actor=cmd, consignment=moving, occurred_at=at(0))
    moving = services.consignment_track(
        actor=cmd, consignment=moving, kind="arrived", node=hub, occurred_at=at(10)
    )
    done = consign(w, need, "deu", w.depot, 3)
    done = services.consignment_dispatch(actor=cmd, consignment=done, occurred_at=at(0))
    done = services.consignment_track(
        actor=cmd, consignment=done, kind="arrived", node=hub, occurred_at=at(10)
    )
    done = services.consignment_track(
        actor=cmd, consignment=done, kind="departed", occurred_at=at(20)
    )
    done = services.consignment_track(
        actor=cmd, consignment=done, kind="arrived", node=w.destination, occurred_at=at(30)
    )
    [cl] = done.lines.all()
    done = services.consignment_receive(
        actor=w.users["ukr"],
        consignment=done,
        lines={cl.pk: {"received": 2, "damaged": 1}},
        occurred_at=at(40),
    )
    assert done.status == "received" and moving.status == "at_node"
    french = consign(w, need, "fra", fra_depot, 7)
    return {
        "hub": hub,
        "fra_depot": fra_depot,
        "planned": [planned_a, planned_b],
        "moving": moving,
        "done": done,
        "french": french,
    }


def flow_set(data: dict[str, Any]) -> set[tuple[str, int, int, int, int, int]]:
    return {
        (f["layer"], f["origin"], f["destination"], f["at"], f["consignments"], f["units"])
        for f in data["flows"]
    }


def test_command_sees_every_flow_aggregated(world: Any, scene: dict[str, Any]) -> None:
    data = map_data(actor=world.users["command"])
    depot, lviv, hub, fra = (
        world.depot.pk,
        world.destination.pk,
        scene["hub"].pk,
        scene["fra_depot"],
    )
    assert flow_set(data) == {
        ("planned", depot, lviv, lviv, 2, 10),  # the two planned ones, as one flow
        ("planned", fra.pk, lviv, lviv, 1, 7),
        ("in_transit", depot, lviv, hub, 1, 5),  # drawn to where it is now
        ("delivered", depot, lviv, lviv, 1, 2),
    }
    delivered = next(f for f in data["flows"] if f["layer"] == "delivered")
    assert (delivered["received"], delivered["damaged"], delivered["shipped"]) == (2, 1, 3)
    assert delivered["by_status"] == {"received": {"consignments": 1, "units": 2}}
    moving = next(f for f in data["flows"] if f["layer"] == "in_transit")
    assert moving["by_status"] == {"at_node": {"consignments": 1, "units": 5}}
    planned = next(f for f in data["flows"] if f["origin"] == depot and f["layer"] == "planned")
    assert planned["url"] == f"/consignments/?origin={depot}&destination={lviv}&status=planned"
    assert moving["url"] == (
        f"/consignments/?origin={depot}&destination={lviv}"
        "&status=dispatched&status=at_node&status=handed_over"
    )
    # nodes with what the popups show; legs as they are
    by_name = {n["name"]: n for n in data["nodes"]}
    assert set(by_name) == {"Lviv", "Pirmasens depot", "Rzeszów hub", "Mourmelon depot"}
    assert by_name["Rzeszów hub"] == {
        "id": hub,
        "name": "Rzeszów hub",
        "kind": "hub",
        "kind_label": "logistic hub",
        "nation": "POL",
        "lat": 50.1,
        "lon": 22.0,
        "capacity": 0,
        "url": f"/nodes/{hub}/",
    }
    assert {(leg["origin"], leg["destination"], leg["km"]) for leg in data["legs"]} == {
        (depot, hub, 1100),
        (fra.pk, hub, 1500),
        (hub, lviv, 150),
    }
    assert [layer["value"] for layer in data["layers"]] == ["planned", "in_transit", "delivered"]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("deu", {"deu"}),  # its own; not France's
        ("fra", {"fra"}),  # its own; not Germany's
        ("pol", {"deu", "fra"}),  # the hub's nation: everything passes it
        ("ukr", {"deu", "fra"}),  # the destination's nation
        ("nld", set()),  # released nothing
    ],
)
def test_each_viewer_sees_only_the_flows_of_consignments_it_may_see(
    world: Any, scene: dict[str, Any], viewer: str, expected: set[str]
) -> None:
    data = map_data(actor=world.users[viewer])
    origins = {f["origin"] for f in data["flows"]}
    depots = {"deu": world.depot.pk, "fra": scene["fra_depot"].pk}
    assert origins == {depots[d] for d in expected}
    units = sum(f["units"] for f in data["flows"])
    assert units == (10 + 5 + 2 if "deu" in expected else 0) + (7 if "fra" in expected else 0)
    # nodes and legs are shared reference data: everyone has the whole network
    assert len(data["nodes"]) == 4 and len(data["legs"]) == 3


def test_status_filter(world: Any, scene: dict[str, Any]) -> None:
    cmd = world.users["command"]
    data = map_data(actor=cmd, statuses=["at_node", "received"])
    assert {f["layer"] for f in data["flows"]} == {"in_transit", "delivered"}
    assert map_data(actor=cmd, statuses=[])["flows"] == []
    assert map_data(actor=cmd, statuses=["nonsense"])["flows"] == []


def test_api(world: Any, scene: dict[str, Any]) -> None:
    anon = APIClient().get("/api/map/")
    assert anon.status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(world.users["deu"])
    r = api.get("/api/map/")
    assert r.status_code == 200
    body = r.json()
    assert flow_set(body) == flow_set(map_data(actor=world.users["deu"]))
    assert scene["fra_depot"].pk not in {f["origin"] for f in body["flows"]}
    r = api.get("/api/map/", {"status": "planned,received"})
    assert {f["layer"] for f in r.json()["flows"]} == {"planned", "delivered"}
    r = api.get("/api/map/?status=dispatched&status=at_node")
    assert [f["layer"] for f in r.json()["flows"]] == ["in_transit"]
    # a viewer released nothing gets the network and no flows at all
    api.force_authenticate(world.users["nld"])
    body = api.get("/api/map/").json()
    assert body["flows"] == [] and len(body["nodes"]) == 4
    for c in Consignment.objects.all():
        assert c.reference not in json.dumps(body)


def test_page(world: Any, scene: dict[str, Any], client_for: Any) -> None:
    assert Client().get("/map/").status_code == 302
    page = client_for(world.users["fra"])
    r = page.get("/map/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="map"' in html and "vendor/naturalearth/europe-50m.geojson" in html
    assert "vendor/leaflet/leaflet.js" in html and "map.js" in html
    assert 'data-testid="nav-map"' in html
    embedded = r.context["data"]
    assert flow_set(embedded) == {
        ("planned", scene["fra_depot"].pk, world.destination.pk, world.destination.pk, 1, 7)
    }
    assert html.count('<tr data-layer="') == 1  # the flow table: France's one flow
    assert "Pirmasens depot</td>" not in html  # no German flow in the table
    r = client_for(world.users["nld"]).get("/map/")
    assert r.status_code == 200 and 'data-testid="no-flows"' in r.content.decode()


def test_basemap_is_vendored_and_small() -> None:
    from pathlib import Path

    import convoy.web

    path = Path(convoy.web.__file__).parent / "static/vendor/naturalearth/europe-50m.geojson"
    assert path.stat().st_size < 1_500_000
    gj = json.loads(path.read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in gj["features"]}
    assert {"Ukraine", "Poland", "Germany", "Romania", "Moldova", "Slovakia"} <= names
    for f in gj["features"]:
        rings = f["geometry"]["coordinates"]
        polys = rings if f["geometry"]["type"] == "MultiPolygon" else [rings]
        for poly in polys:
            for ring in poly:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(-25 <= x <= 50 and 33 <= y <= 72 for x, y in ring)


def origins_of(data: dict[str, Any]) -> set[int]:
    return {f["origin"] for f in data["flows"]}


def test_donor_filter_narrows_to_that_donors_consignments(
    world: Any, scene: dict[str, Any]
) -> None:
    cmd = world.users["command"]
    depot, fra = world.depot.pk, scene["fra_depot"].pk
    everything = flow_set(map_data(actor=cmd))
    german = map_data(actor=cmd, donors=["DEU"])
    assert origins_of(german) == {depot}
    assert flow_set(german) == {f for f in everything if f[1] == depot}
    assert sum(f["units"] for f in german["flows"]) == 10 + 5 + 2
    french = map_data(actor=cmd, donors=["fra"])  # codes in any case
    assert flow_set(french) == {("planned", fra, world.destination.pk, world.destination.pk, 1, 7)}
    assert flow_set(map_data(actor=cmd, donors=["DEU", "FRA"])) == everything
    assert map_data(actor=cmd, donors=["POL"])["flows"] == []  # owns none
    assert map_data(actor=cmd, donors=[])["flows"] == []
    # with the status filter too
    planned = map_data(actor=cmd, donors=["DEU"], statuses=["planned"])
    assert {(f["layer"], f["origin"]) for f in planned["flows"]} == {("planned", depot)}
    # the filter narrows flows only: the network stays whole
    assert len(french["nodes"]) == 4 and len(french["legs"]) == 3
    # the donors to choose from: the owners of the consignments one may see
    assert [d["value"] for d in german["donors"]] == ["DEU", "FRA"]
    assert german["donors"][0] == {"value": "DEU", "label": world.nations["DEU"].name}


@pytest.mark.parametrize(
    ("viewer", "donors", "expected"),
    [
        ("deu", ["FRA"], set()),  # France's consignments are not released to Germany
        ("deu", ["DEU", "FRA"], {"deu"}),
        ("fra", ["DEU"], set()),
        ("fra", ["DEU", "FRA"], {"fra"}),
        ("nld", ["DEU", "FRA"], set()),  # released nothing: naming donors gives nothing
        ("pol", ["FRA"], {"fra"}),
    ],
)
def test_a_donor_filter_never_widens_what_one_may_see(
    world: Any, scene: dict[str, Any], viewer: str, donors: list[str], expected: set[str]
) -> None:
    user = world.users[viewer]
    depots = {"deu": world.depot.pk, "fra": scene["fra_depot"].pk}
    data = map_data(actor=user, donors=donors)
    assert origins_of(data) == {depots[d] for d in expected}
    assert flow_set(data) <= flow_set(map_data(actor=user))
    # nor does the list of donors offer a nation whose consignments one cannot see
    assert {d["value"] for d in data["donors"]} <= {"DEU", "FRA"}
    seen = {"deu": {"DEU"}, "fra": {"FRA"}, "nld": set(), "pol": {"DEU", "FRA"}}[viewer]
    assert {d["value"] for d in data["donors"]} == seen


def test_since_and_until_narrow_by_ready_on(world: Any, scene: dict[str, Any]) -> None:
    cmd = world.users["command"]
    depot, lviv, hub = world.depot.pk, world.destination.pk, scene["hub"].pk
    four = scene["planned"][0]  # of 4 units (the other one has 6)
    Consignment.objects.filter(pk=four.pk).update(ready_on=dt.date(2026, 1, 10))
    Consignment.objects.filter(pk=scene["moving"].pk).update(ready_on=dt.date(2026, 3, 1))
    # the rest are ready on READY (2026-02-01)
    data = map_data(actor=cmd, since=READY)
    assert ("planned", depot, lviv, lviv, 1, 6) in flow_set(data)  # the 4 units left out
    assert ("in_transit", depot, lviv, hub, 1, 5) in flow_set(data)
    data = map_data(actor=cmd, until=READY)
    assert ("planned", depot, lviv, lviv, 2, 10) in flow_set(data)
    assert "in_transit" not in {f["layer"] for f in data["flows"]}
    # both bounds are inclusive
    data = map_data(actor=cmd, since=READY, until=READY)
    assert flow_set(data) == {
        ("planned", depot, lviv, lviv, 1, 6),
        ("planned", scene["fra_depot"].pk, lviv, lviv, 1, 7),
        ("delivered", depot, lviv, lviv, 1, 2),
    }
    data = map_data(actor=cmd, since=dt.date(2026, 1, 1), until=dt.date(2026, 1, 31))
    assert flow_set(data) == {("planned", depot, lviv, lviv, 1, 4)}
    assert map_data(actor=cmd, since=dt.date(2026, 3, 2))["flows"] == []
    # with a donor too; and the dates never widen either
    assert map_data(actor=cmd, donors=["FRA"], until=dt.date(2026, 1, 31))["flows"] == []
    assert map_data(actor=world.users["nld"], since=dt.date(2000, 1, 1))["flows"] == []


def test_api_filters(world: Any, scene: dict[str, Any]) -> None:
    api = APIClient()
    api.force_authenticate(world.users["command"])
    depot, fra = world.depot.pk, scene["fra_depot"].pk
    assert origins_of(api.get("/api/map/?donor=DEU").json()) == {depot}
    assert origins_of(api.get("/api/map/?donor=FRA&donor=POL").json()) == {fra}
    assert origins_of(api.get("/api/map/", {"donor": "deu,fra"}).json()) == {depot, fra}
    assert origins_of(api.get("/api/map/?donor=").json()) == {depot, fra}  # blank: all
    body = api.get("/api/map/?donor=DEU&status=planned").json()
    assert [(f["layer"], f["origin"], f["units"]) for f in body["flows"]] == [
        ("planned", depot, 10)
    ]
    Consignment.objects.filter(pk=scene["french"].pk).update(ready_on=dt.date(2026, 5, 1))
    r = api.get("/api/map/", {"since": "2026-04-01", "until": "2026-05-01"})
    assert r.status_code == 200 and origins_of(r.json()) == {fra}
    r = api.get("/api/map/", {"until": "2026-04-01"})
    assert origins_of(r.json()) == {depot}
    # a bad date: 400, naming the parameter
    for bad in ("2026-13-01", "yesterday", "01/02/2026", "2026-2-1"):
        r = api.get("/api/map/", {"since": bad})
        assert r.status_code == 400, bad
        assert "YYYY-MM-DD" in r.json()["errors"]["since"][0]
    r = api.get("/api/map/", {"since": "2026-01-01", "until": "2026-02-30"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"until"}
    # a donor never widens: Germany naming France sees nothing of France's
    api.force_authenticate(world.users["deu"])
    assert api.get("/api/map/?donor=FRA").json()["flows"] == []
    assert origins_of(api.get("/api/map/?donor=FRA,DEU").json()) == {depot}
    assert [d["value"] for d in api.get("/api/map/").json()["donors"]] == ["DEU"]
    # the parameters are in the schema
    schema = api.get("/api/schema/", {"format": "json"}).json()
    params = {p["name"]: p for p in schema["paths"]["/api/map/"]["get"]["parameters"]}
    assert {"status", "donor", "since", "until"} <= set(params)
    assert params["since"]["schema"] == {"type": "string", "format": "date"}


def checked_statuses(html: str) -> set[str]:
    boxes = re.findall(r'<input type="checkbox" name="status" value="(\w+)"( checked)?>', html)
    assert len(boxes) == len(Consignment.Status)
    return {value for value, checked in boxes if checked}


def test_page_filter_form_applies_and_keeps_the_chosen_values(
    world: Any, scene: dict[str, Any], client_for: Any
) -> None:
    page = client_for(world.users["command"])
    html = page.get("/map/").content.decode()
    assert 'data-testid="map-filter"' in html and 'method="get"' in html
    assert '<option value="DEU">' in html and '<option value="FRA">' in html
    assert 'name="since" value=""' in html and 'name="until" value=""' in html
    assert checked_statuses(html) == {s.value for s in Consignment.Status}
    assert 'href="/api/map/" data-testid="map-api-link"' in html

    Consignment.objects.filter(pk=scene["french"].pk).update(ready_on=dt.date(2026, 5, 1))
    r = page.get(
        "/map/",
        {"filtered": "1", "donor": "FRA", "since": "2026-04-01", "until": "2026-06-30"}
        | {"status": ["planned", "dispatched", "at_node", "handed_over", "received"]},
    )
    html = r.content.decode()
    assert flow_set(r.context["data"]) == {
        ("planned", scene["fra_depot"].pk, world.destination.pk, world.destination.pk, 1, 7)
    }
    assert html.count('<tr data-layer="') == 1
    assert '<option value="FRA" selected>' in html and '<option value="DEU">' in html
    assert 'name="since" value="2026-04-01"' in html and 'name="until" value="2026-06-30"' in html
    api = "/api/map/?donor=FRA&amp;since=2026-04-01&amp;until=2026-06-30"
    assert f'data-api="{api}"' in html and f'href="{api}"' in html
    assert 'data-testid="map-filter-reset"' in html

    # a donor whose consignments are outside the dates: no flows, and says why
    r = page.get("/map/", {"donor": "DEU", "since": "2026-04-01"})
    assert r.context["data"]["flows"] == []
    assert "match these filters" in r.content.decode()
    # only some statuses: those boxes stay checked, the others not
    r = page.get("/map/", {"filtered": "1", "status": ["planned", "received"]})
    html = r.content.decode()
    assert {f["layer"] for f in r.context["data"]["flows"]} == {"planned", "delivered"}
    assert checked_statuses(html) == {"planned", "received"}
    # every status unchecked: none, not all
    r = page.get("/map/", {"filtered": "1"})
    assert r.context["data"]["flows"] == [] and checked_statuses(r.content.decode()) == set()
    # a bad date on the page: named beside its field, kept in it, and left out
    r = page.get("/map/", {"donor": "DEU", "since": "tomorrow"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="since-error"' in html
    assert "“tomorrow” is not a date" in html and 'name="since" value="tomorrow"' in html
    assert origins_of(r.context["data"]) == {world.depot.pk}

    # a donor only sees itself to choose, and naming another donor adds nothing
    page = client_for(world.users["fra"])
    html = page.get("/map/").content.decode()
    assert '<option value="FRA">' in html and 'value="DEU"' not in html
    r = page.get("/map/", {"donor": "DEU"})
    assert r.context["data"]["flows"] == [] and "Pirmasens depot</td>" not in r.content.decode()


def listed(client: Any, url: str) -> set[int]:
    """The consignments a list page shows (their detail links)."""
    r = client.get(url)
    assert r.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/consignments/(\d+)/"', r.content.decode())}


def test_a_flows_link_lists_its_consignments_under_the_maps_filters(
    world: Any, scene: dict[str, Any], client_for: Any
) -> None:
    """A flow's link opens the consignment list on exactly that flow's consignments: its layer's
    statuses and the map's donor and date filters go with it."""
    cmd = world.users["command"]
    page = client_for(cmd)
    four, six = scene["planned"]  # Germany's two planned ones, of 4 and 6 units
    Consignment.objects.filter(pk=four.pk).update(ready_on=dt.date(2026, 1, 10))
    data = map_data(actor=cmd, donors=["deu"], since=READY, until=dt.date(2026, 3, 1))
    planned = next(f for f in data["flows"] if f["layer"] == "planned")
    assert "donor=DEU" in planned["url"] and "since=2026-02-01" in planned["url"]
    assert "until=2026-03-01" in planned["url"]
    assert (planned["consignments"], listed(page, planned["url"])) == (1, {six.pk})
    moving = next(f for f in data["flows"] if f["layer"] == "in_transit")
    assert listed(page, moving["url"]) == {scene["moving"].pk}
    # every flow of the unfiltered map too: as many consignments as the flow counts
    for f in map_data(actor=cmd)["flows"]:
        assert len(listed(page, f["url"])) == f["consignments"], f["url"]
    # a status filter on the map keeps only its statuses in the link
    only = map_data(actor=cmd, statuses=["at_node"])["flows"]
    assert [f["url"].count("status=") for f in only] == [1]
    # the command's link to France's flow, opened by Germany, shows nothing of France's
    french = map_data(actor=cmd, donors=["FRA"])["flows"][0]["url"]
    assert listed(page, french) == {scene["french"].pk}
    assert listed(client_for(world.users["deu"]), french) == set()


def test_consignment_api_takes_the_lists_filters(world: Any, scene: dict[str, Any]) -> None:
    api = APIClient()
    api.force_authenticate(world.users["command"])

    def pks(query: dict[str, Any]) -> set[int]:
        r = api.get("/api/consignments/", query)
        assert r.status_code == 200, r.content
        body = r.json()
        return {c["id"] for c in body.get("results", body)}

    german = {c.pk for c in scene["planned"]} | {scene["moving"].pk, scene["done"].pk}
    assert pks({"donor": "DEU"}) == german
    assert pks({"donor": ["DEU", "FRA"]}) == german | {scene["french"].pk}
    assert pks({"status": ["planned", "at_node"], "donor": "DEU"}) == {
        *(c.pk for c in scene["planned"]),
        scene["moving"].pk,
    }
    Consignment.objects.filter(pk=scene["french"].pk).update(ready_on=dt.date(2026, 5, 1))
    assert pks({"since": "2026-04-01"}) == {scene["french"].pk}
    assert pks({"until": "2026-04-01", "donor": "FRA"}) == set()
    assert api.get("/api/consignments/", {"since": "yesterday"}).status_code == 400
    # Germany naming France sees nothing of France's
    api.force_authenticate(world.users["deu"])
    assert pks({"donor": "DEU"}) == german
    r = api.get("/api/consignments/", {"donor": "FRA"})
    assert r.status_code == 400 or not r.json().get("results", r.json())
