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
from convoy.logistics import routing_plans
from convoy.logistics import services as logistics
from convoy.logistics.models import Consignment, Leg, Node, RoutingPlan
from convoy.nations import services as nations
from convoy.nations.models import Coalition, Nation, Organisation
from convoy.planning import services as planning
from convoy.planning.models import Allocation, Plan
from convoy.pledges import services as pledges
from convoy.pledges.models import Pledge, PledgeLine
from convoy.requirements import services as requirements
from convoy.requirements.models import Requirement


@dataclass
class Records:
    world: World
    requirement: Requirement
    pledge: Pledge
    line: PledgeLine
    capability: Capability
    organisation: Organisation
    _planning: tuple[Plan, Allocation] | None = None
    _logistics: tuple[Leg, Consignment] | None = None
    _routing: RoutingPlan | None = None

    def planning(self) -> tuple[Plan, Allocation]:
        """A plan ready for review and a manual allocation, made on first use (so that tests
        not about planning keep their counts): a validated need and an accepted line."""
        if self._planning is None:
            w, cmd = self.world, self.world.users["command"]
            need = factories.requirement(w, title="Matrix validated need", quantity=4)
            requirements.requirement_transition(
                actor=w.users["ukr"], requirement=need, transition="submit"
            )
            requirements.requirement_transition(actor=cmd, requirement=need, transition="validate")
            stock = factories.line(w, self.pledge, quantity=6, source_depot=w.depot)
            stock = pledges.pledge_line_accept(actor=cmd, line=stock, quantity=6)
            alloc = planning.allocation_create(
                actor=cmd, data={"pledge_line": stock, "requirement": need, "quantity": 1}
            )
            plan = planning.plan_request(actor=cmd, title="Matrix plan", parameters={})
            self._planning = (planning.plan_compute(plan_id=plan.pk), alloc)
        return self._planning

    def logistics(self) -> tuple[Leg, Consignment]:
        """A leg from the depot to Lviv and a planned consignment of the manual allocation
        (Germany's, released to Ukraine), made on first use."""
        if self._logistics is None:
            cmd = self.world.users["command"]
            self.planning()
            leg = logistics.leg_create(
                actor=cmd,
                data={
                    "origin": self.world.depot,
                    "destination": self.world.destination,
                    "transit_days": 3,
                    "km": 1400,
                },
            )
            [consignment] = logistics.consignments_from_allocations(actor=cmd)
            self._logistics = (leg, consignment)
        return self._logistics

    def routing(self) -> RoutingPlan:
        """A routing plan ready for review (over the planned consignment), made on first use."""
        if self._routing is None:
            self.logistics()
            plan = routing_plans.routing_request(
                actor=self.world.users["command"], title="Matrix routing", parameters={}
            )
            self._routing = routing_plans.routing_compute(plan_id=plan.pk)
        return self._routing

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
        if model is RoutingPlan:
            return self.routing()
        if model in (Leg, Consignment):
            leg, consignment = self.logistics()
            return leg if model is Leg else consignment
        if model in (Plan, Allocation):
            plan, alloc = self.planning()
            return plan if model is Plan else alloc
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
