"""Shared fixtures: a small world of nations, a coalition, a catalogue, nodes and users."""

from __future__ import annotations

from typing import Any

import pytest

from convoy.core.tests.factories import World, build_world


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def client_for(client: Any) -> Any:
    def login(user: Any) -> Any:
        client.force_login(user)
        return client

    return login
