"""Conservation under random event sequences (hypothesis stateful): whatever is tried, in any
order, ``shipped = received + short + damaged + lost + in transit`` on every consignment line,
the pledge lines' states add up and agree with their consignments, and a refused step changes
nothing at all."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from convoy.core.errors import DomainError
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.logistics import services
from convoy.logistics.models import Consignment, ConsignmentLine, Node, TrackingEvent
from convoy.planning import services as planning
from convoy.pledges import services as pledges
from convoy.pledges.models import LINE_STATES, PledgeLine
from convoy.requirements import services as requirements

BASE = timezone.now() - dt.timedelta(days=60)
DELTA = st.integers(-6, 30)  # hours after the last step that went through


def _state() -> tuple[Any, ...]:
    """Everything a refused step must leave alone."""
    return (
        sorted(
            ConsignmentLine.objects.values_list(
                "pk", "quantity", "received", "short", "damaged", "lost"
            )
        ),
        sorted(Consignment.objects.values_list("pk", "status", "current_node", "version")),
        sorted(PledgeLine.objects.values_list("pk", *LINE_STATES)),
        TrackingEvent.objects.count(),
        AuditEvent.objects.count(),
    )


class Shipments(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._tx = transaction.atomic()
        self._tx.__enter__()
        w = factories.build_world()
        self.users = w.users
        cmd = w.users["command"]
        self.hub = Node.objects.create(
            name="Hub", kind="hub", nation=w.nations["POL"], latitude=50, longitude=22
        )
        self.elsewhere = Node.objects.create(
            name="Elsewhere", kind="hub", nation=w.nations["FRA"], latitude=48, longitude=2
        )
        for a, b in ((w.depot, self.hub), (self.hub, w.destination)):
            services.leg_create(actor=cmd, data={"origin": a, "destination": b})
        self.nodes = [w.depot, self.hub, w.destination, self.elsewhere]
        self.consignments = []
        for qty, ready in ((7, dt.date(2026, 9, 1)), (3, dt.date(2026, 9, 8))):
            req = factories.requirement(w, quantity=qty)
            requirements.requirement_transition(
                actor=w.users["ukr"], requirement=req, transition="submit"
            )
            requirements.requirement_transition(actor=cmd, requirement=req, transition="validate")
            line = factories.line(
                w, factories.pledge(w), quantity=qty, source_depot=w.depot, available_from=ready
            )
            line = pledges.pledge_line_accept(actor=cmd, line=line, quantity=qty)
            planning.allocation_create(
                actor=cmd, data={"pledge_line": line, "requirement": req, "quantity": qty}
            )
        self.consignments = services.consignments_from_allocations(actor=cmd)
        assert len(self.consignments) == 2  # ready on different days
        self.refusals = 0
        self.clock = 0  # hours after BASE of the last step that went through

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._tx.__exit__(None, None, None)

    def attempt(self, step: Any, hours: int) -> None:
        before = _state()
        try:
            with transaction.atomic():
                step()
        except (DomainError, Http404):  # refused, or not even visible to this user
            self.refusals += 1
            assert _state() == before, "a refused step changed something"
        else:
            self.clock = max(self.clock, hours)

    def when(self, delta: int) -> tuple[dt.datetime, int]:
        """Mostly later than the last step, now and then earlier (to be refused)."""
        hours = self.clock + delta
        return BASE + dt.timedelta(hours=hours), hours

    @rule(k=st.integers(0, 1), delta=DELTA, who=st.sampled_from(["command", "deu", "pol"]))
    def dispatch(self, k: int, delta: int, who: str) -> None:
        c = self.consignments[k]
        at, hours = self.when(delta)
        self.attempt(
            lambda: services.consignment_dispatch(
                actor=self.users[who], consignment=c, occurred_at=at
            ),
            hours,
        )

    @rule(
        k=st.integers(0, 1),
        kind=st.sampled_from(
            [
                "arrived",
                "arrived",
                "arrived",
                "departed",
                "departed",
                "handed_over",
                "handed_over",
                "bogus",
            ]
        ),
        node=st.sampled_from([0, 1, 1, 1, 2, 2, 2, 3]),
        delta=DELTA,
        who=st.sampled_from(["command", "command", "pol", "ukr", "fra"]),
    )
    def track(self, k: int, kind: str, node: int, delta: int, who: str) -> None:
        c = self.consignments[k]
        at, hours = self.when(delta)
        self.attempt(
            lambda: services.consignment_track(
                actor=self.users[who],
                consignment=c,
                kind=kind,
                node=self.nodes[node],
                occurred_at=at,
            ),
            hours,
        )

    @rule(
        k=st.integers(0, 1),
        counts=st.fixed_dictionaries(
            {
                "received": st.integers(-1, 6),
                "short": st.sampled_from([0, 0, 0, 1, 2, -1]),
                "damaged": st.sampled_from([0, 0, 0, 1, 9]),
                "lost": st.sampled_from([0, 0, 0, 1]),
            }
        ),
        delta=DELTA,
        who=st.sampled_from(["command", "ukr", "ukr", "deu"]),
    )
    def receive(self, k: int, counts: dict[str, int], delta: int, who: str) -> None:
        c = self.consignments[k]
        line = ConsignmentLine.objects.filter(consignment=c).first()
        assert line is not None
        at, hours = self.when(delta)
        self.attempt(
            lambda: services.consignment_receive(
                actor=self.users[who], consignment=c, lines={line.pk: counts}, occurred_at=at
            ),
            hours,
        )

    @rule(k=st.integers(0, 1), delta=st.integers(1, 30), split=st.integers(0, 3))
    def advance(self, k: int, delta: int, split: int) -> None:
        """The next step a real consignment would take (so that deep states are reached)."""
        c = Consignment.objects.get(pk=self.consignments[k].pk)
        cmd = self.users["command"]
        at, hours = self.when(delta)
        last = c.events.order_by("-occurred_at", "-id").first()
        step: Any
        if c.status == "planned":
            step = partial(services.consignment_dispatch, consignment=c)
        elif c.status == "dispatched":
            there = self.nodes[1] if c.current_node == self.nodes[0] else self.nodes[2]
            step = partial(services.consignment_track, consignment=c, kind="arrived", node=there)
        elif c.status == "at_node" and c.current_node != self.nodes[2]:
            step = partial(services.consignment_track, consignment=c, kind="departed")
        elif c.status == "at_node" and last is not None and last.kind == "arrived":
            step = partial(services.consignment_track, consignment=c, kind="handed_over")
        elif c.status in ("at_node", "handed_over"):
            line = ConsignmentLine.objects.select_related("consignment").get(consignment=c)
            left = line.in_transit
            bad = min(split, left)
            counts = {"received": left - bad if split != 3 else (left - bad) // 2, "damaged": bad}
            step = partial(services.consignment_receive, consignment=c, lines={line.pk: counts})
        else:
            return
        self.attempt(lambda: step(actor=cmd, occurred_at=at), hours)

    @invariant()
    def conserved(self) -> None:
        by_pledge_line: dict[int, list[int]] = {}
        for cl in ConsignmentLine.objects.select_related("consignment"):
            assert cl.shipped == cl.received + cl.discrepancies + cl.in_transit
            assert min(cl.received, cl.short, cl.damaged, cl.lost, cl.in_transit) >= 0
            sums = by_pledge_line.setdefault(cl.pledge_line_id, [0, 0, 0, 0])
            sums[0] += cl.in_transit
            sums[1] += cl.received
            sums[2] += cl.discrepancies
            sums[3] += cl.quantity if cl.consignment.status == "planned" else 0
        for pl in PledgeLine.objects.all():
            assert sum(getattr(pl, s) for s in LINE_STATES) == pl.quantity
            in_transit, received, lost, planned = by_pledge_line.get(pl.pk, [0, 0, 0, 0])
            assert (pl.in_transit, pl.delivered, pl.lost) == (in_transit, received, lost)
            assert pl.allocated == planned  # all of it is on a consignment, not yet left

    @invariant()
    def events_in_order(self) -> None:
        for c in Consignment.objects.all():
            times = list(c.events.order_by("id").values_list("occurred_at", flat=True))
            assert times == sorted(times)
            if c.status == "received":
                assert all(cl.in_transit == 0 for cl in c.lines.select_related("consignment"))


@pytest.mark.django_db(transaction=False)
def test_quantities_are_conserved_whatever_happens() -> None:
    run_state_machine_as_test(
        Shipments,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
