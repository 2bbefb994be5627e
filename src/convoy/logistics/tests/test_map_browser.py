"""The map in a real headless Chromium: Leaflet draws the vendored country outlines, the node
markers and the flows with their arrowheads; a layer and a status can be switched off and on; a
flow's popup leads to its consignments, and on to one consignment's lines and tracking. The donor
filter reloads the page with fewer flows; one cannot zoom or pan out beyond the outlines' box.

Skipped when /usr/bin/chromium is missing, unless CONVOY_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from convoy.logistics.tests.test_map import scene  # noqa: F401  (fixture)
from convoy.web.tests.test_browser import browser, log_in, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path("/tmp/convoy-map.png")
POPUP_SHOT = Path("/tmp/convoy-map-popup.png")
FILTER_SHOT = Path("/tmp/convoy-map-filtered.png")
BOX = (33.0, -25.0, 72.0, 50.0)  # south, west, north, east: the vendored outlines' bbox


def count(p: Any, selector: str) -> int:
    return int(p.locator(selector).count())


def view(p: Any) -> tuple[float, ...]:
    """The map's present view: south, west, north, east."""
    return tuple(float(x) for x in (p.get_attribute("#map", "data-view") or "").split(","))


def arrow_angle(p: Any, selector: str) -> float:
    """The rotation of the arrowhead (0: pointing east, 90: south on screen)."""
    g = p.locator(f"{selector} svg g").first.get_attribute("transform") or ""
    return float(g.removeprefix("rotate(").split()[0])


def test_the_map_draws_and_leads_to_a_consignment(
    page: Any,  # noqa: F811
    live_server: Any,
    world: Any,
    scene: dict[str, Any],  # noqa: F811
) -> None:
    log_in(page, live_server, "command")
    page.click("[data-testid=nav-map]")
    page.wait_for_url(f"{live_server.url}/map/")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector("#map[data-basemap-state='loaded']")
    # the offline basemap: one SVG path per country in the basemap pane, and one of borders
    countries = int(page.get_attribute("#map", "data-countries") or 0)
    assert countries > 50
    assert count(page, ".leaflet-basemap-pane svg path") == countries + 1
    # four nodes, each a marker of its kind
    assert count(page, ".leaflet-marker-icon.node-icon") == 4
    kinds = {"depot": 2, "hub": 1, "destination": 1}
    for kind, n in kinds.items():
        assert count(page, f".leaflet-marker-icon.node-{kind} svg[data-kind={kind}]") == n
    assert count(page, ".leaflet-legs-pane path") == 3
    # flows: two planned (Germany's two as one, France's), one in transit (line and position),
    # one delivered
    assert count(page, "path.flow-planned") == 2
    assert count(page, "path.flow-in_transit") == 1
    assert count(page, "path.flow-position") == 1
    assert count(page, "path.flow-delivered") == 1
    # every flow line has one arrowhead in its colour, and every leg a small grey one
    assert count(page, ".leaflet-flowArrows-pane .flow-arrow") == 4
    assert count(page, ".flow-arrow-planned svg path") == 2
    assert count(page, ".flow-arrow-in_transit") == count(page, ".flow-arrow-delivered") == 1
    assert page.locator(".flow-arrow-in_transit svg path").get_attribute("fill") == "#e07b00"
    assert count(page, ".leaflet-legArrows-pane .leg-arrow") == 3
    # ... pointing the way they run: west to east, Pirmasens to the hub in transit
    assert abs(arrow_angle(page, ".flow-arrow-in_transit")) < 30
    assert page.locator("[data-testid=map-legend]").inner_text().count("\n") >= 9
    assert "4 of 4 flows shown" in page.locator("[data-testid=map-count]").inner_text()
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    # a node's popup
    page.locator(".leaflet-marker-icon.node-hub").click()
    popup = page.locator("[data-testid=node-popup]")
    popup.wait_for()
    text = popup.inner_text()
    assert "Rzeszów hub" in text and "logistic hub" in text and "POL" in text
    hub = scene["hub"].pk
    assert popup.locator("a").get_attribute("href") == f"/nodes/{hub}/"
    page.locator(".leaflet-popup-close-button").click()
    popup.wait_for(state="detached")

    # the layer toggle hides and shows the planned flows (and their table rows)
    page.uncheck("input[data-layer=planned]")
    assert count(page, "path.flow-planned") == 0
    assert count(page, ".flow-arrow-planned") == 0 and count(page, ".flow-arrow") == 2
    assert page.locator("[data-testid=flow-table] tr[data-layer=planned]").first.is_hidden()
    page.check("input[data-layer=planned]")
    assert count(page, "path.flow-planned") == 2
    # the status filter: without 'received' the delivered flow is gone
    page.uncheck("[data-testid=status-filter] input[value=received]")
    assert count(page, "path.flow-delivered") == 0
    assert count(page, ".flow-arrow-delivered") == 0
    assert "3 of 4 flows shown" in page.locator("[data-testid=map-count]").inner_text()
    page.check("[data-testid=status-filter] input[value=received]")
    assert count(page, "path.flow-delivered") == 1

    # the flow in transit: its popup, then its consignments, then the consignment itself
    page.locator("path.flow-in_transit").click()
    flow = page.locator("[data-testid=flow-popup]")
    flow.wait_for()
    text = flow.inner_text()
    assert "Pirmasens depot → Lviv" in text and "now at Rzeszów hub" in text
    assert "at a node" in text
    page.wait_for_timeout(400)  # the popup's fade-in
    page.screenshot(path=str(POPUP_SHOT), full_page=False)
    flow.locator("[data-testid=flow-link]").click()
    page.wait_for_url("**/consignments/?origin=*")
    moving = scene["moving"]
    link = page.locator(f"a[href='/consignments/{moving.pk}/']").first
    # the one received on the same route is the delivered flow's, not this one's
    assert count(page, f"a[href='/consignments/{scene['done'].pk}/']") == 0
    link.click()
    page.wait_for_url(f"{live_server.url}/consignments/{moving.pk}/")
    lines = page.locator("[data-testid=lines] tbody tr")
    assert lines.count() == 1
    assert "Leopard 1A5" in lines.first.inner_text()
    events = page.locator("[data-testid=events] tbody tr")
    assert events.count() == 2
    assert "Rzeszów hub" in events.nth(1).inner_text()


def test_the_donor_filter_reloads_with_fewer_flows_and_the_view_stays_on_the_map(
    page: Any,  # noqa: F811
    live_server: Any,
    world: Any,
    scene: dict[str, Any],  # noqa: F811
) -> None:
    log_in(page, live_server, "command")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector("#map[data-view]")
    # the first view frames every node
    south, west, north, east = view(page)
    nodes = [world.depot, world.destination, scene["hub"], scene["fra_depot"]]
    for n in nodes:
        assert south < float(n.latitude) < north and west < float(n.longitude) < east, n.name
    assert count(page, "path.flow") == 5 and count(page, ".flow-arrow") == 4

    # zoomed out as far as it goes, then dragged far away: the view stays in the outlines' box
    least = float(page.get_attribute("#map", "data-min-zoom") or "nan")
    assert 1 < least < 6
    zoom_out = page.locator(".leaflet-control-zoom-out")
    for _ in range(20):
        if "leaflet-disabled" in (zoom_out.get_attribute("class") or ""):
            break
        zoom_out.click()
        page.wait_for_timeout(350)
    assert float(page.get_attribute("#map", "data-zoom") or "nan") == least
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((600, 400), (600, 400), (-900, -500), (-900, -500), (-900, -500)):
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + dx / 2, cy + dy / 2, steps=5)
        page.mouse.move(cx + dx, cy + dy, steps=5)
        page.mouse.up()
        page.wait_for_timeout(700)  # inertia
        south, west, north, east = view(page)
        eps = 0.25  # a pixel or two of rounding at the least zoom
        assert south >= BOX[0] - eps and west >= BOX[1] - eps, (dx, dy, view(page))
        assert north <= BOX[2] + eps and east <= BOX[3] + eps, (dx, dy, view(page))

    # the donor filter: France only. The page reloads with France's one flow, the choice kept
    donors = page.locator("[data-testid=donor-filter] option")
    assert donors.all_inner_texts() == ["DEU – Germany", "FRA – France"]
    page.select_option("[data-testid=donor-filter]", "FRA")
    page.click("[data-testid=map-filter-apply]")
    page.wait_for_url("**/map/?*donor=FRA*")
    page.wait_for_selector("#map[data-ready='1']")
    assert count(page, "path.flow") == 1 and count(page, "path.flow-planned") == 1
    assert count(page, ".flow-arrow") == 1 and count(page, ".flow-arrow-planned") == 1
    assert count(page, "[data-testid=flow-table] tbody tr") == 1
    assert "1 of 1 flows shown" in page.locator("[data-testid=map-count]").inner_text()
    selected = page.locator("[data-testid=donor-filter] option:checked").all_inner_texts()
    assert selected == ["FRA – France"]
    api = page.get_attribute("[data-testid=map-api-link]", "href") or ""
    assert api.startswith("/api/map/?") and "donor=FRA" in api
    assert page.get_attribute("#map", "data-api") == api
    page.screenshot(path=str(FILTER_SHOT), full_page=False)
    # the same query from the API link
    body = page.request.get(f"{live_server.url}{api}").json()
    assert [(f["layer"], f["origin"]) for f in body["flows"]] == [
        ("planned", scene["fra_depot"].pk)
    ]
