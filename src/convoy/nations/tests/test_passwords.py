"""Passwords are hashed with Argon2; older hashes still verify and are upgraded on sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from convoy.settings import base

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_is_the_first_hasher_and_pbkdf2_still_verifies() -> None:
    assert base.PASSWORD_HASHERS[0] == ARGON2
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS[1:]


def test_the_test_settings_keep_the_fast_hasher() -> None:
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_make_password_gives_an_argon2_hash_that_verifies() -> None:
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stapler", encoded)


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_an_old_pbkdf2_hash_verifies_and_is_upgraded_to_argon2() -> None:
    old = make_password("s3cret-pass", hasher="pbkdf2_sha256")
    upgraded: list[str] = []
    assert check_password(
        "s3cret-pass", old, setter=lambda raw: upgraded.append(make_password(raw))
    )
    assert len(upgraded) == 1 and upgraded[0].startswith("argon2$")
