"""The admin's user and token pages write only through audited services; no password recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from convoy.core.errors import DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.core.tests.factories import World, make_user
from convoy.nations import services
from convoy.nations.models import ApiToken, Membership

from .helpers import admin_user, after, before, event_text, events

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Tr1cky-new-passphrase!"


def admin_client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def admin_user_of(client: Client) -> Any:
    return User.objects.get(pk=client.session["_auth_user_id"])


def change_data(user: Any, **overrides: Any) -> dict[str, Any]:
    """The admin change form's fields for ``user``, as the page posts them."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_adding_a_user_in_the_admin_is_audited_without_the_password(world: World) -> None:
    c = admin_client(admin_user(world))
    boss = admin_user_of(c)
    n0 = AuditEvent.objects.count()
    r = c.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.count() == n0 + 1
    [event] = events("user.create")
    assert event.actor_id == boss.pk and event.object_id == str(user.pk)
    assert event.reason == "admin"
    assert "password" not in after(event)
    assert after(event)["has_usable_password"] is True
    assert NEW_PASSWORD not in event_text(event) and user.password not in event_text(event)


def test_changing_a_user_in_the_admin_is_audited_with_before_and_after(world: World) -> None:
    boss = admin_user(world)
    deu = world.users["deu"]
    r = admin_client(boss).post(
        f"/admin/auth/user/{deu.pk}/change/", change_data(deu, first_name="Greta")
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    deu.refresh_from_db()
    assert deu.first_name == "Greta"
    [event] = events("user.update")
    assert before(event)["first_name"] == "" and after(event)["first_name"] == "Greta"
    assert after(event)["password_changed"] is False
    assert "password" not in before(event) and deu.password not in event_text(event)


def test_changing_a_password_in_the_admin_is_audited_without_it(world: World) -> None:
    boss = admin_user(world)
    deu = world.users["deu"]
    old_hash = deu.password
    r = admin_client(boss).post(
        f"/admin/auth/user/{deu.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    deu.refresh_from_db()
    assert deu.check_password(NEW_PASSWORD)
    [event] = events("user.update")
    assert event.reason == "admin: password"
    assert after(event)["password_changed"] is True
    text = event_text(event)
    assert NEW_PASSWORD not in text and deu.password not in text and old_hash not in text


def test_deleting_a_user_in_the_admin_is_audited(world: World) -> None:
    boss = admin_user(world)
    temp = make_user("temp", world.nations["FRA"], ["viewer"])  # never acted: no history
    ApiToken.objects.create(
        user=temp,
        name="unused",
        prefix="abcdefgh",
        key_hash="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    r = admin_client(boss).post(f"/admin/auth/user/{temp.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not User.objects.filter(pk=temp.pk).exists()
    assert not Membership.objects.filter(user_id=temp.pk).exists()
    assert not ApiToken.objects.exists()
    [event] = events("user.delete")
    assert event.object_id == str(temp.pk) and event.after is None
    assert before(event)["username"] == "temp"
    assert before(event)["membership"]["roles"] == ["viewer"]
    assert "password" not in before(event)


def test_a_user_with_a_history_cannot_be_deleted_only_deactivated(world: World) -> None:
    boss = admin_user(world)
    deu = world.users["deu"]
    services.api_token_create(actor=deu, name="script")  # deu now appears as an actor
    with pytest.raises(DomainError) as exc:
        services.user_delete(actor=boss, user=deu)
    assert exc.value.status == 409 and "deactivate" in exc.value.message
    assert User.objects.filter(pk=deu.pk).exists() and not events("user.delete")
    r = admin_client(boss).post(f"/admin/auth/user/{deu.pk}/delete/", {"post": "yes"})
    assert r.status_code in (200, 403)  # the admin says why it cannot delete
    assert User.objects.filter(pk=deu.pk).exists()


def test_bulk_delete_in_the_admin_goes_through_the_service(world: World) -> None:
    boss = admin_user(world)
    targets = [make_user(f"temp{i}", world.nations["FRA"], ["viewer"]).pk for i in range(2)]
    r = admin_client(boss).post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": targets, "post": "yes"},
    )
    assert r.status_code == 302
    assert not User.objects.filter(pk__in=targets).exists()
    assert len(events("user.delete")) == 2


def test_staff_without_the_admin_role_cannot_change_users(world: World) -> None:
    command = world.users["command"]  # command staff (coordinator), but not the admin role
    command.is_staff = True
    command.save()
    command.user_permissions.add(*_auth_user_permissions())
    deu = world.users["deu"]
    c = admin_client(command)
    r = c.post(f"/admin/auth/user/{deu.pk}/change/", change_data(deu, first_name="X"))
    assert r.status_code == 403
    deu.refresh_from_db()
    assert deu.first_name == "" and not events("user.update")


def test_service_rules(world: World) -> None:
    boss = admin_user(world, superuser=False)
    deu = world.users["deu"]
    with pytest.raises(Forbidden):
        services.user_save(actor=world.users["pol"], user=deu)
    deu.is_superuser = True
    with pytest.raises(Forbidden):  # only a superuser makes superusers
        services.user_save(actor=boss, user=deu)
    deu.refresh_from_db()
    assert not deu.is_superuser
    with pytest.raises(DomainError) as exc:
        services.user_delete(actor=boss, user=boss)
    assert exc.value.status == 409
    with pytest.raises(Forbidden):
        services.user_delete(actor=world.users["pol"], user=deu)
    assert not events("user.update") and not events("user.delete")


def test_a_refused_admin_save_shows_the_reason_and_changes_nothing(world: World) -> None:
    boss = admin_user(world, superuser=False)
    boss.user_permissions.add(*_auth_user_permissions())
    deu = world.users["deu"]
    r = admin_client(boss).post(
        f"/admin/auth/user/{deu.pk}/change/", change_data(deu, is_superuser="on"), follow=True
    )
    assert r.status_code == 200
    assert "Only a superuser" in r.content.decode()
    deu.refresh_from_db()
    assert not deu.is_superuser and not events("user.update")


def test_revoking_tokens_in_the_admin_is_audited(world: World) -> None:
    boss = admin_user(world)
    token, _key = services.api_token_create(actor=world.users["deu"], name="script")
    c = admin_client(boss)
    assert c.get("/admin/nations/apitoken/").status_code == 200
    html = c.get(f"/admin/nations/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in html
    r = c.post("/admin/nations/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == boss
    [event] = events("api_token.revoke")
    assert event.reason == "admin"
    assert c.get("/admin/nations/apitoken/add/").status_code == 403


def test_a_non_admin_member_cannot_make_a_user_admin_through_memberships(world: World) -> None:
    outsider = make_user("outsider", world.nations["POL"], ["editor"])
    with pytest.raises(Forbidden):
        services.membership_set(
            actor=outsider, user=outsider, nation=world.nations["NSATU"], roles=["admin"]
        )


def _auth_user_permissions() -> list[Any]:
    from django.contrib.auth.models import Permission

    return list(
        Permission.objects.filter(content_type__app_label="auth", codename__endswith="_user")
    )
