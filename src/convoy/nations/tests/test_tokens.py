"""Personal API tokens: made once, hashed at rest, expiring, revocable, each user's own."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.core.errors import PROBLEM, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.core.tests.factories import World
from convoy.nations import services
from convoy.nations.models import ApiToken
from convoy.nations.tokens import hash_key

from .helpers import admin_user, before, event_text, events

pytestmark = pytest.mark.django_db


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return c


def assert_401(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    assert response["WWW-Authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    assert body["status"] == 401 and body["code"] == code and body["detail"]
    return body


# --- the services -----------------------------------------------------------------------------


def test_create_returns_the_key_once_and_stores_only_its_hash(world: World) -> None:
    deu = world.users["deu"]
    n0 = AuditEvent.objects.count()
    token, key = services.api_token_create(actor=deu, name="nightly export", days=30)
    assert len(key) >= 40
    assert token.user == deu and token.prefix == key[:8]
    assert token.key_hash == hash_key(key) != key
    assert token.status == "active"
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(
        minutes=1
    )
    # the key is nowhere in the database: not in the token row, not in the trail
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in [str(v) for v in row.values()]
    assert AuditEvent.objects.count() == n0 + 1
    [event] = events("api_token.create")
    assert event.actor_id == deu.pk and event.object_id == str(token.pk)
    assert key not in event_text(event) and token.key_hash not in event_text(event)


def test_default_expiry_is_90_days_and_at_most_365(world: World) -> None:
    token, _key = services.api_token_create(actor=world.users["deu"], name="default")
    assert (token.expires_at - token.created_at) == dt.timedelta(days=90)
    for days in (0, -1, 366):
        with pytest.raises(DomainError) as exc:
            services.api_token_create(actor=world.users["deu"], name="x", days=days)
        assert exc.value.field == "days"
    with pytest.raises(DomainError):
        services.api_token_create(actor=world.users["deu"], name="  ", days=5)
    assert ApiToken.objects.count() == 1


def test_revoke_is_audited_and_only_once(world: World) -> None:
    deu = world.users["deu"]
    token, _key = services.api_token_create(actor=deu, name="script")
    n0 = AuditEvent.objects.count()
    services.api_token_revoke(actor=deu, token=token, reason="leaked in a log")
    token.refresh_from_db()
    assert token.status == "revoked" and token.revoked_by == deu
    assert AuditEvent.objects.count() == n0 + 1
    [event] = events("api_token.revoke")
    assert event.reason == "leaked in a log" and before(event)["revoked_at"] is None
    with pytest.raises(DomainError) as exc:
        services.api_token_revoke(actor=deu, token=token)
    assert exc.value.status == 409


def test_another_user_cannot_revoke_but_an_admin_can(world: World) -> None:
    from django.http import Http404

    token, _key = services.api_token_create(actor=world.users["deu"], name="script")
    with pytest.raises(Http404):
        services.api_token_revoke(actor=world.users["pol"], token=token)
    with pytest.raises(Http404):  # command staff without the admin role: not theirs either
        services.api_token_revoke(actor=world.users["command"], token=token)
    boss = admin_user(world, superuser=False)
    services.api_token_revoke(actor=boss, token=token, reason="offboarding")
    token.refresh_from_db()
    assert token.revoked_by == boss


def test_a_token_cannot_make_tokens(world: World) -> None:
    token, _key = services.api_token_create(actor=world.users["deu"], name="script")
    with pytest.raises(Forbidden):
        services.api_token_create(actor=world.users["deu"], name="child", via_token=token)


# --- authenticating with a token ----------------------------------------------------------------


def test_a_valid_token_authenticates_with_bearer_or_token(world: World) -> None:
    token, key = services.api_token_create(actor=world.users["deu"], name="script")
    for keyword in ("Bearer", "Token", "bearer"):
        r = bearer(key, keyword).get("/api/requirements/")
        assert r.status_code == 200, r.content
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_updated_at_most_once_a_minute(world: World) -> None:
    token, key = services.api_token_create(actor=world.users["deu"], name="script")
    bearer(key).get("/api/nations/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    bearer(key).get("/api/nations/")
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: not written again
    stale = first - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    bearer(key).get("/api/nations/")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > stale


def test_expired_revoked_wrong_and_malformed_tokens_answer_401(world: World) -> None:
    deu = world.users["deu"]
    expired, expired_key = services.api_token_create(actor=deu, name="old", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(days=10),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    assert (
        "expired" in assert_401(bearer(expired_key).get("/api/nations/"), "token_expired")["detail"]
    )

    revoked, revoked_key = services.api_token_create(actor=deu, name="gone")
    services.api_token_revoke(actor=deu, token=revoked)
    assert (
        "revoked" in assert_401(bearer(revoked_key).get("/api/nations/"), "token_revoked")["detail"]
    )

    _token, key = services.api_token_create(actor=deu, name="fine")
    assert_401(
        bearer(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/nations/"), "token_invalid"
    )
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Bearer")
    assert_401(c.get("/api/nations/"), "token_malformed")


def test_a_disabled_user_cannot_use_their_token(world: World) -> None:
    deu = world.users["deu"]
    _token, key = services.api_token_create(actor=deu, name="script")
    deu.is_active = False
    deu.save()
    assert_401(bearer(key).get("/api/nations/"), "user_inactive")


def test_a_token_acts_with_its_users_scope(world: World) -> None:
    from convoy.core.tests import factories

    factories.requirement(world, released_to=[])  # UKR's, not released to anyone
    _token, key = services.api_token_create(actor=world.users["deu"], name="script")
    assert bearer(key).get("/api/requirements/").json()["count"] == 0
    _token, ukr_key = services.api_token_create(actor=world.users["ukr"], name="script")
    assert bearer(ukr_key).get("/api/requirements/").json()["count"] == 1


# --- the API ---------------------------------------------------------------------------------


def session(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def test_api_create_list_and_revoke(world: World) -> None:
    deu = world.users["deu"]
    api = session(deu)
    n0 = AuditEvent.objects.count()
    r = api.post("/api/tokens/", {"name": "ci pipeline", "days": 7}, format="json")
    assert r.status_code == 201, r.content
    made = r.json()
    key = made["key"]
    assert made["prefix"] == key[:8] and made["status"] == "active"
    assert AuditEvent.objects.count() == n0 + 1
    # the key is never shown again
    listing = api.get("/api/tokens/").json()
    assert [t["id"] for t in listing["results"]] == [made["id"]]
    assert "key" not in listing["results"][0]
    assert "key" not in api.get(f"/api/tokens/{made['id']}/").json()
    # the token works, then is revoked through the API
    assert bearer(key).get("/api/nations/").status_code == 200
    r = api.post(f"/api/tokens/{made['id']}/revoke/", {"reason": "rotating"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert AuditEvent.objects.count() == n0 + 2
    assert_401(bearer(key).get("/api/nations/"), "token_revoked")
    r = api.post(f"/api/tokens/{made['id']}/revoke/", {}, format="json")
    assert r.status_code == 409 and r["Content-Type"].startswith(PROBLEM)


def test_api_validates_days(world: World) -> None:
    r = session(world.users["deu"]).post("/api/tokens/", {"name": "x", "days": 400}, format="json")
    assert r.status_code == 400 and "days" in r.json()["errors"]
    assert not ApiToken.objects.exists()


def test_api_another_users_token_is_not_found(world: World) -> None:
    token, _key = services.api_token_create(actor=world.users["deu"], name="mine")
    pol = session(world.users["pol"])
    assert pol.get("/api/tokens/").json()["count"] == 0
    assert pol.get(f"/api/tokens/{token.pk}/").status_code == 404
    r = pol.post(f"/api/tokens/{token.pk}/revoke/", {}, format="json")
    assert r.status_code == 404 and r["Content-Type"].startswith(PROBLEM)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not events("api_token.revoke")
    refused = events("security.refused")
    assert refused and {e.object_id for e in refused} == {str(token.pk)}
    assert {e.actor_username for e in refused} == {"pol"}


def test_api_an_admin_revokes_anyones_token(world: World) -> None:
    token, _key = services.api_token_create(actor=world.users["deu"], name="mine")
    boss = admin_user(world)
    r = session(boss).post(f"/api/tokens/{token.pk}/revoke/", {}, format="json")
    assert r.status_code == 200
    token.refresh_from_db()
    assert token.revoked_by == boss


def test_api_a_token_may_not_make_tokens_but_may_revoke(world: World) -> None:
    token, key = services.api_token_create(actor=world.users["deu"], name="script")
    r = bearer(key).post("/api/tokens/", {"name": "child"}, format="json")
    assert r.status_code == 403 and r["Content-Type"].startswith(PROBLEM)
    assert ApiToken.objects.count() == 1
    assert bearer(key).post(f"/api/tokens/{token.pk}/revoke/", {}, format="json").status_code == 200


def test_api_anonymous_is_refused(world: World) -> None:
    anon = APIClient()
    r = anon.get("/api/tokens/")
    assert r.status_code == 401 and r["Content-Type"].startswith(PROBLEM)
    assert anon.post("/api/tokens/", {"name": "x"}, format="json").status_code == 401
    assert not ApiToken.objects.exists()


def test_the_schema_documents_the_token_api(world: World) -> None:
    r = session(world.users["deu"]).get("/api/schema/", {"format": "json"})
    schema = r.json()
    assert "/api/tokens/" in schema["paths"]
    assert "/api/tokens/{id}/revoke/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    created = schema["components"]["schemas"]["ApiTokenCreated"]
    assert "key" in created["properties"]


# --- the pages ---------------------------------------------------------------------------------


def page_as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_make_show_once_and_revoke(world: World) -> None:
    deu = world.users["deu"]
    c = page_as(deu)
    r = c.get("/account/tokens/")
    assert r.status_code == 200 and "You have no API tokens yet" in r.content.decode()
    assert "no-store" in r["Cache-Control"] or "no-cache" in r["Cache-Control"]

    n0 = AuditEvent.objects.count()
    r = c.post("/account/tokens/", {"name": "laptop", "days": 30})
    assert r.status_code == 200
    token = ApiToken.objects.get()
    html = r.content.decode()
    assert 'data-testid="new-key"' in html and "shown this once only" in html
    found = re.search(r'value="([^"]+)" id="new-token-key"', html)
    assert found is not None
    key = found[1]
    assert hash_key(key) == token.key_hash
    assert AuditEvent.objects.count() == n0 + 1

    # the next visit lists the token but never its key
    html = c.get("/account/tokens/").content.decode()
    assert "laptop" in html and token.prefix in html and key not in html

    # revoke: a confirmation page, then the revocation
    r = c.get(f"/account/tokens/{token.pk}/revoke/")
    assert r.status_code == 200 and "Revoke the token" in r.content.decode()
    r = c.post(f"/account/tokens/{token.pk}/revoke/", {"reason": "lost laptop"})
    assert r.status_code == 302 and r["Location"] == "/account/tokens/"
    token.refresh_from_db()
    assert token.status == "revoked"
    assert AuditEvent.objects.count() == n0 + 2
    assert 'data-status="revoked"' in c.get("/account/tokens/").content.decode()


def test_page_form_errors_are_shown_and_nothing_is_made(world: World) -> None:
    r = page_as(world.users["deu"]).post("/account/tokens/", {"name": "x", "days": 500})
    assert r.status_code == 400
    assert "field-error" in r.content.decode()
    assert not ApiToken.objects.exists()


def test_pages_refuse_anonymous_and_other_users(world: World) -> None:
    token, _key = services.api_token_create(actor=world.users["deu"], name="mine")
    anon = Client()
    for url in ("/account/tokens/", f"/account/tokens/{token.pk}/revoke/"):
        r = anon.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")
    r = anon.post("/account/tokens/", {"name": "x", "days": 5})
    assert r.status_code == 302 and ApiToken.objects.count() == 1

    pol = page_as(world.users["pol"])
    assert "mine" not in pol.get("/account/tokens/").content.decode()
    assert pol.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert pol.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_user_menu_links_to_the_tokens_page(world: World) -> None:
    html = page_as(world.users["deu"]).get("/").content.decode()
    assert 'href="/account/tokens/"' in html


def test_pages_need_csrf(world: World) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["deu"])
    assert c.post("/account/tokens/", {"name": "x", "days": 5}).status_code == 403
    assert not ApiToken.objects.exists()
