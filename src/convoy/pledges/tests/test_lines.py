from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.pledges import services
from convoy.pledges.models import LINE_STATES, PledgeLine

pytestmark = pytest.mark.django_db


def total(line: PledgeLine) -> int:
    return sum(getattr(line, s) for s in LINE_STATES)


def test_full_lifecycle(world: Any) -> None:
    p = factories.pledge(world)
    line = factories.line(world, p)
    assert (line.offered, line.quantity) == (10, 10)
    cmd = world.users["command"]
    line = services.pledge_line_move(actor=cmd, line=line, move="accept", quantity=8)
    line = services.pledge_line_move(actor=cmd, line=line, move="allocate", quantity=6)
    # in transit and delivered only through consignments, which shift the line's states
    shift = {"actor": cmd, "line_id": line.pk, "reason": "CSG-test"}
    services.pledge_line_shift(
        **shift, source="allocated", target="in_transit", quantity=5, action="pledge_line.dispatch"
    )
    line = services.pledge_line_shift(
        **shift, source="in_transit", target="delivered", quantity=4, action="pledge_line.deliver"
    )
    with pytest.raises(Conflict):
        services.pledge_line_shift(
            **shift, source="in_transit", target="lost", quantity=2, action="pledge_line.lose"
        )
    line = services.pledge_line_move(
        actor=world.users["deu"], line=line, move="withdraw", quantity=2
    )
    line.refresh_from_db()
    assert line.state_counts == {
        "offered": 0,
        "accepted": 2,
        "allocated": 1,
        "in_transit": 1,
        "delivered": 4,
        "lost": 0,
        "withdrawn": 2,
    }
    assert total(line) == line.quantity
    assert line.committed == 8


@pytest.mark.parametrize(
    ("move", "source"),
    [(m.name, m.source) for m in services.MOVES.values()],
)
def test_each_move_refused_beyond_what_is_there(world: Any, move: str, source: str) -> None:
    p = factories.pledge(world)
    line = factories.line(world, p)
    before = PledgeLine.objects.get(pk=line.pk).state_counts
    events = AuditEvent.objects.count()
    have = getattr(line, source)
    with pytest.raises(Conflict) as exc:
        services.pledge_line_move(
            actor=world.users["command"], line=line, move=move, quantity=have + 1, reason="r"
        )
    assert "only" in exc.value.message
    assert PledgeLine.objects.get(pk=line.pk).state_counts == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("bad", [0, -1, True, "3", 2.5])
def test_quantity_must_be_positive_int(world: Any, bad: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    with pytest.raises(DomainError) as exc:
        services.pledge_line_move(
            actor=world.users["command"], line=line, move="accept", quantity=bad
        )
    assert exc.value.field == "quantity"


def test_acceptance_is_the_commands_act(world: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    with pytest.raises(Forbidden):  # the donor sees its line but cannot accept it
        services.pledge_line_accept(actor=world.users["deu"], line=line, quantity=1)
    with pytest.raises(Http404):  # France cannot see the German pledge
        services.pledge_line_accept(actor=world.users["fra"], line=line, quantity=1)
    out = services.pledge_line_accept(actor=world.users["command"], line=line, quantity=1)
    assert out.accepted == 1


def test_withdraw_accepted_needs_reason(world: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    line = services.pledge_line_accept(actor=world.users["command"], line=line, quantity=4)
    with pytest.raises(DomainError):
        services.pledge_line_move(
            actor=world.users["deu"], line=line, move="withdraw_accepted", quantity=1
        )
    out = services.pledge_line_move(
        actor=world.users["deu"],
        line=line,
        move="withdraw_accepted",
        quantity=1,
        reason="needed at home",
    )
    assert (out.accepted, out.withdrawn) == (3, 1)


def test_lines_only_on_in_kind_pledges(world: Any) -> None:
    p = factories.pledge(world, kind="funding")
    with pytest.raises(Conflict):
        factories.line(world, p)


def test_quantity_edit_only_while_all_offered(world: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    line = services.pledge_line_update(actor=world.users["deu"], obj=line, data={"quantity": 12})
    assert (line.quantity, line.offered) == (12, 12)
    services.pledge_line_accept(actor=world.users["command"], line=line, quantity=1)
    with pytest.raises(Conflict):
        services.pledge_line_update(actor=world.users["deu"], obj=line, data={"quantity": 20})


def test_database_refuses_states_that_do_not_add_up(world: Any) -> None:
    line = factories.line(world, factories.pledge(world))
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeLine.objects.filter(pk=line.pk).update(offered=3)


def test_pledge_with_commitments_cannot_be_deleted(world: Any) -> None:
    p = factories.pledge(world)
    line = factories.line(world, p)
    services.pledge_line_accept(actor=world.users["command"], line=line, quantity=1)
    with pytest.raises(Conflict):
        services.pledge_delete(actor=world.users["deu"], obj=p)


MOVE_NAMES = list(services.MOVES)


class TestInvariantUnderRandomMoves(TestCase):
    """Whatever sequence of moves is tried, states add up and refusals change nothing."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        quantity=st.integers(min_value=1, max_value=50),
        moves=st.lists(
            st.tuples(st.sampled_from(MOVE_NAMES), st.integers(min_value=-2, max_value=60)),
            max_size=25,
        ),
    )
    def test_states_always_add_up(self, quantity: int, moves: list[tuple[str, int]]) -> None:
        w = factories.build_world()
        line = factories.line(w, factories.pledge(w), quantity=quantity)
        for name, qty in moves:
            before = PledgeLine.objects.get(pk=line.pk).state_counts
            try:
                line = services.pledge_line_move(
                    actor=w.users["command"], line=line, move=name, quantity=qty, reason="x"
                )
            except DomainError:
                assert PledgeLine.objects.get(pk=line.pk).state_counts == before
            fresh = PledgeLine.objects.get(pk=line.pk)
            assert total(fresh) == quantity
            assert all(getattr(fresh, s) >= 0 for s in LINE_STATES)
