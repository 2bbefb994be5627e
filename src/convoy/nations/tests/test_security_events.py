"""Sign-in, sign-out, failed sign-in and lockout each append one audit event; no password ever."""

from __future__ import annotations

import pytest
from django.test import Client

from convoy.core.audit import verify_chain
from convoy.core.models import AuditEvent
from convoy.core.tests.factories import PASSWORD, World

from .helpers import ADDRESS_A, event_text, events, sign_in

pytestmark = pytest.mark.django_db


def test_sign_in_and_sign_out_are_recorded(world: World) -> None:
    deu = world.users["deu"]
    client = Client()
    assert sign_in("deu", PASSWORD, ADDRESS_A, client).status_code == 302
    [login] = events("security.login")
    assert (login.object_type, login.object_id) == ("auth.user", str(deu.pk))
    assert login.actor_id == deu.pk and login.actor_username == "deu"
    assert login.nation_code == "DEU"
    assert ADDRESS_A in login.reason
    assert login.request_id  # tied to the request like every other event

    assert client.post("/logout/", REMOTE_ADDR=ADDRESS_A).status_code == 302
    [logout] = events("security.logout")
    assert (logout.object_type, logout.object_id) == ("auth.user", str(deu.pk))
    assert logout.actor_id == deu.pk and ADDRESS_A in logout.reason
    assert verify_chain()[0]


def test_a_failed_sign_in_is_recorded_without_the_password(world: World) -> None:
    sign_in("deu", "my-Secret-guess-42", ADDRESS_A)
    [failed] = events("security.login_failed")
    assert failed.actor_id is None and failed.actor_username == "deu"
    assert (failed.object_type, failed.object_id) == ("auth.user", str(world.users["deu"].pk))
    assert ADDRESS_A in failed.reason
    for event in AuditEvent.objects.all():
        assert "my-Secret-guess-42" not in event_text(event)
        assert "*****" not in event_text(event)  # not even the masked credentials


def test_a_failed_sign_in_for_an_unknown_user_names_the_attempt(world: World) -> None:
    sign_in("nobody-here", "whatever", ADDRESS_A)
    [failed] = events("security.login_failed")
    assert failed.object_id == "nobody-here" and failed.actor_username == "nobody-here"
    assert not events("security.login")


def test_a_lockout_is_recorded_once(world: World) -> None:
    for _ in range(5):
        sign_in("deu", "wrong-password", ADDRESS_A)
    assert len(events("security.login_failed")) == 5
    [lockout] = events("security.lockout")
    assert (lockout.object_type, lockout.object_id) == ("auth.user", str(world.users["deu"].pk))
    assert lockout.actor_username == "deu"
    assert ADDRESS_A in lockout.reason and "5 failed" in lockout.reason
    assert "30 minutes" in lockout.reason

    # a further attempt while locked is a failed sign-in, not a second lockout
    assert sign_in("deu", PASSWORD, ADDRESS_A).status_code == 429
    assert len(events("security.lockout")) == 1
    last = events("security.login_failed")[-1]
    assert "locked out" in last.reason
    assert not events("security.login")
    assert verify_chain()[0]


def test_logging_out_when_not_signed_in_records_nothing(world: World) -> None:
    Client().post("/logout/")
    assert not events("security.logout")
