"""One record of every browsable model, made through the services, for the page and API sweeps.

A new model needs one line in ``Records.by_model``; the sweeps fail until it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import models

from convoy.catalog import services as catalog
from convoy.catalog.models import Capability, Category, Item
from convoy.core.models import AuditEvent, ExchangeRate
from convoy.core.tests import factories
from convoy.core.tests.factories import World
from convoy.logistics.models import Node
from convoy.nations import services as nations
from convoy.nations.models import Coalition, Nation, Organisation
from convoy.pledges.models import Pledge, PledgeLine
from convoy.requirements.models import Requirement


@dataclass
class Records:
    world: World
    requirement: Requirement
    pledge: Pledge
    line: PledgeLine
    capability: Capability
    organisation: Organisation

    def by_model(self, model: type[models.Model]) -> models.Model:
        w = self.world
        objects: dict[type[models.Model], models.Model] = {
            Nation: w.nations["DEU"],
            Coalition: w.coalition,
            Organisation: self.organisation,
            Category: w.categories["armour"],
            Item: w.items["leo"],
            Capability: self.capability,
            Node: w.destination,
            Requirement: self.requirement,
            Pledge: self.pledge,
            PledgeLine: self.line,
            ExchangeRate: ExchangeRate.objects.get(currency="USD", date="2025-01-01"),
            AuditEvent: AuditEvent.objects.filter(action="requirement.create")[0],
        }
        return objects[model]


@pytest.fixture
def records(world: World) -> Records:
    cmd = world.users["command"]
    req = factories.requirement(world)
    plg = factories.pledge(world)
    ln = factories.line(world, plg)
    cap = catalog.capability_create(
        actor=cmd,
        data={"name": "Armoured battalion", "coalition": world.coalition, "description": "tanks"},
    )
    cap = catalog.capability_set_component(
        actor=cmd, capability=cap, item=world.items["leo"], quantity=31
    )
    org = nations.organisation_create(
        actor=cmd,
        data={"nation": world.nations["DEU"], "name": "Bundesministerium", "kind": "ministry"},
    )
    return Records(world, req, plg, ln, cap, org)
