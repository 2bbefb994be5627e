"""django-axes: 5 failed sign-ins lock a username at one address, and only there."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from convoy.core.tests.factories import PASSWORD, World
from convoy.nations.security import client_address, lockout_response

from .helpers import ADDRESS_A, ADDRESS_B, sign_in

pytestmark = pytest.mark.django_db


def fail(username: str, address: str, times: int) -> list[int]:
    return [sign_in(username, "wrong-password", address).status_code for _ in range(times)]


def test_five_failures_lock_the_username_at_that_address_only(world: World) -> None:
    assert fail("deu", ADDRESS_A, 4) == [200, 200, 200, 200]  # the form says "wrong password"
    locked = sign_in("deu", "wrong-password", ADDRESS_A)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "1800"
    page = locked.content.decode()
    assert "Sign-in locked" in page and "30 minutes" in page and "deu" in page

    # the right password at address A is refused too, and signs nobody in
    client = Client()
    r = sign_in("deu", PASSWORD, ADDRESS_A, client)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session

    # the same user from address B signs in
    client_b = Client()
    r = sign_in("deu", PASSWORD, ADDRESS_B, client_b)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client_b.session["_auth_user_id"] == str(world.users["deu"].pk)

    # another user at address A signs in
    r = sign_in("pol", PASSWORD, ADDRESS_A)
    assert r.status_code == 302


def test_the_lock_lifts_after_the_cool_off(world: World) -> None:
    fail("deu", ADDRESS_A, 5)
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(world: World) -> None:
    fail("deu", ADDRESS_A, 4)
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 302
    assert fail("deu", ADDRESS_A, 4) == [200, 200, 200, 200]
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 302


def test_the_admin_sign_in_is_guarded_too(world: World) -> None:
    for _ in range(5):
        r = Client().post(
            "/admin/login/", {"username": "deu", "password": "nope"}, REMOTE_ADDR=ADDRESS_A
        )
    assert r.status_code == 429


def test_a_client_asking_for_json_gets_a_problem(world: World) -> None:
    fail("deu", ADDRESS_A, 5)
    r = Client().post(
        "/login/",
        {"username": "deu", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS_A,
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 429
    assert r["Content-Type"] == "application/problem+json"
    body = json.loads(r.content)
    assert body["status"] == 429 and body["code"] == "locked_out"
    assert "30 minutes" in body["detail"]


def test_api_paths_get_a_problem_and_pages_a_page() -> None:
    rf = RequestFactory()
    api = lockout_response(rf.post("/api/tokens/"), None, {"username": "deu"})
    assert api.status_code == 429 and api["Content-Type"] == "application/problem+json"
    assert api["Retry-After"] == "1800"
    page_request = rf.post("/login/", {"username": "deu"})
    page_request.user = None  # type: ignore[assignment]
    page = lockout_response(page_request, None, {"username": "deu"})
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")


def test_client_address_trusts_forwarded_for_only_behind_configured_proxies(settings: Any) -> None:
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    settings.CONVOY_TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"  # the header is the client's word: ignored
    settings.CONVOY_TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "192.0.2.7"  # what our one proxy saw
    settings.CONVOY_TRUSTED_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.1"  # fewer hops than proxies: fall back


def test_an_administrator_unlocks_in_the_admin_and_it_is_audited(world: World) -> None:
    from .helpers import admin_user, before, events

    fail("deu", ADDRESS_A, 5)
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 429
    attempt = AccessAttempt.objects.get(username="deu")
    admin = Client()
    admin.force_login(admin_user(world))
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    assert admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/").status_code == 403
    r = admin.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}
    )
    assert r.status_code == 302
    assert not AccessAttempt.objects.exists()
    [unlock] = events("security.unlock")
    assert unlock.object_id == str(world.users["deu"].pk)
    assert before(unlock)["ip_address"] == ADDRESS_A and before(unlock)["failures_since_start"] == 6
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 302


def test_only_administrators_unlock(world: World) -> None:
    from convoy.core.errors import Forbidden
    from convoy.nations.services import lockout_clear

    fail("deu", ADDRESS_A, 5)
    attempt = AccessAttempt.objects.get(username="deu")
    with pytest.raises(Forbidden):
        lockout_clear(actor=world.users["command"], attempt=attempt)
    assert AccessAttempt.objects.exists()
