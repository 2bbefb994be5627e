"""The map in a real headless Chromium: Leaflet draws the vendored country outlines, the node
markers and the flows; a layer and a status can be switched off and on; a flow's popup leads to
its consignments, and on to one consignment's lines and tracking.

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


def count(p: Any, selector: str) -> int:
    return int(p.locator(selector).count())


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
    assert page.locator("[data-testid=flow-table] tr[data-layer=planned]").first.is_hidden()
    page.check("input[data-layer=planned]")
    assert count(page, "path.flow-planned") == 2
    # the status filter: without 'received' the delivered flow is gone
    page.uncheck("[data-testid=status-filter] input[value=received]")
    assert count(page, "path.flow-delivered") == 0
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
    assert count(page, f"a[href='/consignments/{scene['done'].pk}/']") == 1  # same route
    link.click()
    page.wait_for_url(f"{live_server.url}/consignments/{moving.pk}/")
    lines = page.locator("[data-testid=lines] tbody tr")
    assert lines.count() == 1
    assert "Leopard 1A5" in lines.first.inner_text()
    events = page.locator("[data-testid=events] tbody tr")
    assert events.count() == 2
    assert "Rzeszów hub" in events.nth(1).inner_text()
