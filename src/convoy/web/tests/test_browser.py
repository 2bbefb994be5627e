"""A real headless Chromium against the live server: log in, read the dashboard, use the pages.

Skipped when /usr/bin/chromium is missing, unless CONVOY_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from convoy.core.tests import factories
from convoy.core.tests.factories import World, build_world
from convoy.planning.selectors import coverage
from convoy.pledges import services as pledges
from convoy.requirements import services as reqs
from convoy.requirements.models import Requirement
from convoy.web.templatetags.convoy import meur

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/convoy-dashboard.png")
TIMEOUT_MS = 20_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CONVOY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CONVOY_REQUIRE_BROWSER=1)")
    pytest.skip(f"{reason}; set CONVOY_REQUIRE_BROWSER=1 to make this a failure")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told it is safe (it is: the loop only waits for the browser).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield b
            finally:
                b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Scene:
    world: World
    validated: Requirement
    draft: Requirement


@pytest.fixture
def scene(transactional_db: Any) -> Scene:
    w = build_world()
    cmd = w.users["command"]
    validated = factories.requirement(w, title="Tanks for the 47th brigade")
    validated = reqs.requirement_submit(actor=w.users["ukr"], requirement=validated)
    validated = reqs.requirement_validate(actor=cmd, requirement=validated)
    draft = factories.requirement(
        w, title="Shells for the winter", item=w.items["shell"], quantity=20_000, priority=2
    )
    p = factories.pledge(w)
    line = factories.line(w, p, quantity=10)
    pledges.pledge_line_accept(actor=cmd, line=line, quantity=4)
    return Scene(w, validated, draft)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin")
    context.set_default_timeout(TIMEOUT_MS)
    p = context.new_page()
    try:
        yield p
    finally:
        context.close()


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_log_in_and_read_the_dashboard(page: Any, live_server: Any, scene: Scene) -> None:
    cmd = scene.world.users["command"]
    log_in(page, live_server, "command")
    assert page.locator("[data-testid=who]").inner_text().startswith("command")

    expected = coverage(actor=cmd)
    assert expected.total.committed > 0  # 4 accepted Leopards against the validated need
    shown = page.locator("[data-testid=committed-total]").inner_text()
    assert shown.split() == meur(expected.total.committed).split()
    shown_required = page.locator("[data-testid=required-total]").inner_text()
    assert shown_required.split() == meur(expected.total.required).split()
    assert page.locator("[data-testid=by-priority] tbody tr").count() == 4
    page.wait_for_timeout(1_000)  # let Chart.js finish its animation, for the humans' screenshot
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # a wrong password keeps the user on the login page with a message
    page.context.clear_cookies()
    page.goto("/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "command")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text().strip()
    assert "/login/" in page.url


def test_submit_a_draft_requirement_through_the_pages(
    page: Any, live_server: Any, scene: Scene
) -> None:
    draft = scene.draft
    log_in(page, live_server, "command")

    # navigate as a user would: the menu, the list, the record
    page.locator("details.dropdown summary", has_text="Coordination").click()
    page.get_by_role("link", name="Requirements", exact=True).click()
    page.wait_for_url(re.compile(r"/requirements/$"))
    page.get_by_role("link", name=draft.reference).click()
    page.wait_for_url(f"{live_server.url}/requirements/{draft.pk}/")
    assert draft.reference in page.locator("h1").inner_text()
    status_cell = page.locator("table.fields tr", has_text="Status").locator("td")
    assert status_cell.inner_text().strip() == "draft"

    page.click("button[data-action=submit]")
    page.wait_for_url(f"{live_server.url}/requirements/{draft.pk}/")
    page.locator("article.message").first.wait_for()
    assert "Submit: done." in page.locator("main").inner_text()
    assert status_cell.inner_text().strip() == "submitted"
    assert page.locator("button[data-action=submit]").count() == 0
    assert page.locator("button[data-action=validate]").count() == 1
    draft.refresh_from_db()
    assert draft.status == Requirement.Status.SUBMITTED

    # an HTMX search from the top bar shows the record without leaving the page
    page.fill("input[type=search][name=q]", draft.reference)
    page.locator("#search-popup a", has_text=draft.reference).wait_for()
    assert page.url == f"{live_server.url}/requirements/{draft.pk}/"


def test_two_people_edit_the_same_requirement(
    browser: Any, page: Any, live_server: Any, scene: Scene
) -> None:
    """The second save is stopped with who changed it; the input is kept; saving again wins.
    Then command staff find both edits in the audit search."""
    draft = scene.draft
    log_in(page, live_server, "ukr")
    page.goto(f"/requirements/{draft.pk}/edit/")
    page.fill("input[name=title]", "Shells for the winter, 155 mm")

    colleague = browser.new_context(base_url=live_server.url)
    colleague.set_default_timeout(TIMEOUT_MS)
    other = colleague.new_page()
    try:
        log_in(other, live_server, "ukr")
        other.goto(f"/requirements/{draft.pk}/edit/")
        other.fill("input[name=quantity]", "25000")
        other.click("button[type=submit]")
        other.wait_for_url(f"{live_server.url}/requirements/{draft.pk}/")
    finally:
        colleague.close()

    page.click("button[type=submit]")
    alert = page.locator("article.message.error[role=alert]")
    alert.wait_for()
    assert "ukr changed this record at" in alert.inner_text()
    assert page.input_value("input[name=title]") == "Shells for the winter, 155 mm"
    assert page.input_value("input[name=quantity]") == "20000"  # the form as this user left it
    page.fill("input[name=quantity]", "25000")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/requirements/{draft.pk}/")
    draft.refresh_from_db()
    assert (draft.title, draft.quantity, draft.version) == (
        "Shells for the winter, 155 mm",
        25000,
        3,
    )

    page.context.clear_cookies()
    log_in(page, live_server, "command")
    page.goto("/audit/")
    page.fill("input[name=object_id]", str(draft.pk))
    page.fill("input[name=action]", "requirement.update")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/audit/\?.*object_id="))
    rows = page.locator("#table tbody tr", has_text="requirement.update")
    rows.nth(1).wait_for()
    assert rows.count() == 2
    assert page.locator("#table tbody tr", has_text="requirement.create").count() == 0
