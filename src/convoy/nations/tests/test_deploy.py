"""Production settings pass Django's deployment checklist with no warning at all."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[4]
SRC = Path(__file__).resolve().parents[3]


def run_convoy(*args: str, secret: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        CONVOY_ENV="production",
        CONVOY_SECRET_KEY=secret,
        CONVOY_VAR_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")])),
    )
    return subprocess.run(
        [sys.executable, "-m", "convoy", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_passes_with_no_warnings(tmp_path: Path) -> None:
    result = run_convoy(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        secret=secrets.token_urlsafe(50),
        tmp_path=tmp_path,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "no issues" in out and "0 silenced" in out, out


@pytest.mark.slow
@pytest.mark.parametrize("secret", ["", "short-secret", "a" * 60])
def test_production_refuses_a_weak_secret_key(secret: str, tmp_path: Path) -> None:
    result = run_convoy("check", secret=secret, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "CONVOY_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_cookies_are_secure_and_out_of_scripts_reach(tmp_path: Path) -> None:
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "DEBUG",
    ]
    code = (
        "from django.conf import settings as s; print(" + ", ".join(f"s.{n}" for n in names) + ")"
    )
    result = run_convoy("shell", "-c", code, secret=secrets.token_urlsafe(50), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True"] * 5 + ["False"]


def test_no_view_is_exempt_from_csrf() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in (SRC / "convoy").rglob("*.py")
        if "csrf_exempt" in p.read_text() and "tests" not in p.parts
    ]
    assert offenders == []
