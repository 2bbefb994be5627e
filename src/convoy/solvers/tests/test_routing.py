"""Correctness of the routing solver against an independent MILP/LP (``routing_oracle``).

Random small networks (hypothesis, derandomised) cover tight leg and node capacities, waiting,
unreachable destinations and late ready days, ties (duplicate consignments, equal legs), zero
sizes and consignments already at their destination. No database.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convoy.solvers.routing import (
    LATE_WEIGHT,
    RoutingProblem,
    RoutingResult,
    earliest_fill,
    evaluate,
    first_plan,
    solve,
)
from convoy.solvers.tests import routing_oracle as oracle


def examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Bytes:
    """Small numbers off one hypothesis-drawn byte string (cheap to draw, still shrinks)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        b = self.data[self.pos] if self.pos < len(self.data) else 0
        self.pos += 1
        return b

    def between(self, lo: int, hi: int) -> int:
        return lo + self.byte() % (hi - lo + 1)

    def chance(self, percent: int) -> bool:
        return self.byte() * 100 < percent * 256


@st.composite
def problems(draw: st.DrawFn, max_nodes: int = 5, max_cons: int = 6, tight: bool = False) -> Any:
    n = draw(st.integers(2, max_nodes))
    horizon = draw(st.integers(0, 9))
    b = Bytes(draw(st.binary(min_size=200, max_size=200)))
    legs: list[tuple[int, int, int, int, int]] = []
    for _ in range(b.between(0, 3 * n)):
        a, c = b.between(0, n - 1), b.between(0, n - 1)
        if a == c:
            continue
        if legs and b.chance(10):  # a parallel twin of an earlier leg: ties
            legs.append(legs[b.between(0, len(legs) - 1)])
            continue
        cap = b.between(1, 3) if tight or b.chance(60) else 0
        legs.append((a, c, b.between(1, 3), cap, b.between(0, 9)))
    node_capacity = [b.between(1, 4) if (tight or b.chance(40)) else 0 for _ in range(n)]
    cons: list[tuple[int, int, int, int, int, int]] = []
    for _ in range(b.between(1, max_cons)):
        if cons and b.chance(15):
            cons.append(cons[b.between(0, len(cons) - 1)])
            continue
        cons.append(
            (
                b.between(0, n - 1),
                b.between(0, n - 1),
                b.between(0, horizon),
                b.between(0, horizon + 2),
                b.between(1, 4),
                0 if b.chance(15) else b.between(1, 5),
            )
        )
    arr = np.array
    return RoutingProblem(
        node_capacity=arr(node_capacity),
        leg_from=arr([x[0] for x in legs]),
        leg_to=arr([x[1] for x in legs]),
        leg_transit=arr([x[2] for x in legs]),
        leg_capacity=arr([x[3] for x in legs]),
        leg_cost=arr([x[4] for x in legs]),
        cons_origin=arr([c[0] for c in cons]),
        cons_destination=arr([c[1] for c in cons]),
        cons_ready=arr([c[2] for c in cons]),
        cons_need_by=arr([c[3] for c in cons]),
        cons_priority=arr([c[4] for c in cons]),
        cons_size=arr([c[5] for c in cons]),
        horizon=horizon,
    )


def check(problem: RoutingProblem, result: RoutingResult) -> tuple[int, int]:
    """The plan keeps the rule and reports itself truly; returns (lateness, cost)."""
    o = result.objective
    assert oracle.check_plan(problem, result.parts, result.undelivered) == (
        o.weighted_lateness,
        o.cost,
        o.units_late,
        o.units_undelivered,
    )
    H = problem.horizon
    for k in range(problem.n_cons):
        arrivals = [
            int(p.departures[-1] + problem.leg_transit[p.legs[-1]])
            if len(p.legs)
            else int(problem.cons_ready[k])
            for p in result.parts[k]
        ]
        assert result.arrival[k] == (max(arrivals) if arrivals else -1)
        need = int(problem.cons_need_by[k])
        if problem.cons_size[k] == 0:
            assert result.days_late[k] == 0 and not result.parts[k]
        elif result.undelivered[k]:
            assert result.days_late[k] == max(1, H + 1 - need)
        else:
            assert result.days_late[k] == max(0, int(result.arrival[k]) - need)
    assert result.gap >= 0
    return (o.weighted_lateness, o.cost)


def assert_against_oracle(problem: RoutingProblem) -> RoutingResult:
    result = solve(problem)
    got = check(problem, result)
    best = oracle.solve_milp(problem)
    lp_late, lp_cost = oracle.solve_lp(problem)
    # the bounds are the relaxation's (column generation converged), rounded up
    assert result.bound[0] == math.ceil(lp_late - 1e-6)
    assert result.bound[0] <= best[0]
    if result.status == "optimal":
        assert got == best
        assert result.bound == (best[0], math.ceil(lp_cost - 1e-6))
    else:
        assert result.status == "feasible"
        assert got >= best  # lexicographically no better than the optimum
        if got[0] == result.bound[0]:
            assert result.bound[1] <= best[1]
    return result


@examples(1500)
@given(problems())
def test_against_milp(problem: RoutingProblem) -> None:
    assert_against_oracle(problem)


@examples(700)
@given(problems(max_nodes=4, max_cons=8, tight=True))
def test_against_milp_tight_capacities(problem: RoutingProblem) -> None:
    assert_against_oracle(problem)


@examples(300)
@given(problems())
def test_deterministic(problem: RoutingProblem) -> None:
    a, b = solve(problem), solve(problem)
    assert [[p.route for p in ps] for ps in a.parts] == [[p.route for p in ps] for ps in b.parts]
    assert (a.undelivered == b.undelivered).all()


# --- hand-made examples that pin the rule ----------------------------------------------------

DEPOT, HUB, DEST, OTHER = 0, 1, 2, 3


def make(**kw: Any) -> RoutingProblem:
    """depot -> hub (2 days, cost 10) -> destination (1 day, cost 5); nothing limited."""
    base: dict[str, Any] = {
        "node_capacity": [0, 0, 0, 0],
        "leg_from": [DEPOT, HUB],
        "leg_to": [HUB, DEST],
        "leg_transit": [2, 1],
        "leg_capacity": [0, 0],
        "leg_cost": [10, 5],
        "cons_origin": [DEPOT],
        "cons_destination": [DEST],
        "cons_ready": [0],
        "cons_need_by": [5],
        "cons_priority": [1],
        "cons_size": [4],
        "horizon": 10,
    }
    base.update(kw)
    return RoutingProblem(**base)


def test_straight_route() -> None:
    r = solve(make())
    assert r.status == "optimal"
    assert [(p.quantity, p.route) for p in r.parts[0]] == [(4, [(0, 0), (1, 2)])]
    assert r.arrival[0] == 3 and r.days_late[0] == 0
    assert r.objective.as_dict() == {
        "weighted_lateness": 0,
        "cost": 60,
        "units_late": 0,
        "units_undelivered": 0,
    }


def test_leg_capacity_splits_and_waits() -> None:
    """Two units a day on the first leg: 4 units leave on days 0 and 1, arriving 3 and 4."""
    r = solve(make(leg_capacity=[2, 0], cons_need_by=[3]))
    assert sorted((p.quantity, p.route) for p in r.parts[0]) == [
        (2, [(0, 0), (1, 2)]),
        (2, [(0, 1), (1, 3)]),
    ]
    assert r.arrival[0] == 4 and r.days_late[0] == 1
    assert r.objective.weighted_lateness == 2 * 8 * 1


def test_priority_weights_decide_who_waits() -> None:
    """Hub handles 2 a day: the critical consignment goes first, the routine one waits."""
    r = solve(
        make(
            node_capacity=[0, 2, 0, 0],
            cons_origin=[DEPOT, DEPOT],
            cons_destination=[DEST, DEST],
            cons_ready=[0, 0],
            cons_need_by=[3, 3],
            cons_priority=[4, 1],
            cons_size=[2, 2],
        )
    )
    assert r.arrival.tolist() == [4, 3]
    assert r.objective.weighted_lateness == 2 * 1 * 1  # routine: 2 units x weight 1 x 1 day


def test_node_handles_origin_on_departure_and_others_on_arrival() -> None:
    """Depot handles 1 a day on departure; the destination 1 a day on arrival."""
    r = solve(make(node_capacity=[1, 0, 0, 0], cons_size=[2]))
    assert r.arrival[0] == 4  # departures on days 0 and 1
    r = solve(make(node_capacity=[0, 0, 1, 0], cons_size=[2]))
    assert r.arrival[0] == 4  # arrivals on days 3 and 4


def test_cheaper_route_only_breaks_ties() -> None:
    """A direct leg (1 day, cost 100) beats the cheap route (3 days, cost 15) only when late."""
    kw: dict[str, Any] = {
        "leg_from": [DEPOT, HUB, DEPOT],
        "leg_to": [HUB, DEST, DEST],
        "leg_transit": [2, 1, 1],
        "leg_capacity": [0, 0, 0],
        "leg_cost": [10, 5, 100],
    }
    assert solve(make(**kw, cons_need_by=[3])).objective.cost == 4 * 15
    fast = solve(make(**kw, cons_need_by=[1]))
    assert fast.objective.cost == 4 * 100 and fast.days_late[0] == 0


def test_a_lot_outside_the_master_leaves_its_units_undelivered_when_that_is_better() -> None:
    """Every lot starts outside the master on the first plan's routes. Here the first plan sends
    consignment 1 (2 -> 1, late 2 days) over the only leg out of node 2 on day 0, which the two
    units of consignment 3 (2 -> 0) need more: the optimum leaves consignment 1 undelivered
    (3 days x 8) and sends one unit of 3 on day 0 (late 1) and one on day 1 (late 2)."""
    problem = make(
        node_capacity=[1, 0, 0, 0],
        leg_from=[0, 0, 0, 0, 2, 0, 0, 0],
        leg_to=[1, 1, 1, 1, 0, 1, 1, 1],
        leg_transit=[1] * 8,
        leg_capacity=[1, 1, 0, 0, 1, 1, 1, 1],
        leg_cost=[0] * 8,
        cons_origin=[0, 2, 0, 2],
        cons_destination=[0, 1, 0, 0],
        cons_ready=[0, 0, 0, 0],
        cons_need_by=[0, 0, 0, 0],
        cons_priority=[1, 1, 1, 1],
        cons_size=[1, 1, 1, 2],
        horizon=2,
    )
    first = evaluate(problem, *first_plan(problem))
    assert first.weighted_lateness == 16 + 16 + 24  # 1 late 2; 3: one late 2, one undelivered
    result = solve(problem)
    assert check(problem, result)[0] == 24 + 8 + 16
    assert result.undelivered.tolist() == [0, 1, 0, 0]
    assert result.status == "optimal"


def test_unreachable_is_reported_not_dropped() -> None:
    r = solve(make(cons_destination=[OTHER], cons_need_by=[4]))
    assert not r.reachable[0] and r.undelivered[0] == 4 and r.parts[0] == []
    assert r.days_late[0] == 10 + 1 - 4  # counts as arriving the day after the horizon
    assert r.objective.weighted_lateness == 4 * 8 * 7
    assert r.objective.units_undelivered == 4


def test_too_late_within_horizon_is_undelivered() -> None:
    r = solve(make(cons_ready=[8], cons_need_by=[20]))  # would arrive on day 11 > horizon 10
    assert r.undelivered[0] == 4 and not r.reachable[0]  # no route arrives in time
    assert r.days_late[0] == 1  # at least a day late, even with need-by beyond the horizon


def test_capacity_leaves_units_undelivered() -> None:
    r = solve(make(leg_capacity=[1, 0], horizon=4, cons_size=[4]))
    assert r.undelivered[0] == 2  # departures on days 0 and 1 only arrive by day 4
    assert sum(p.quantity for p in r.parts[0]) == 2


def test_zero_size_and_already_there() -> None:
    r = solve(
        make(
            cons_origin=[DEPOT, DEST],
            cons_destination=[DEST, DEST],
            cons_ready=[0, 6],
            cons_need_by=[5, 5],
            cons_priority=[1, 2],
            cons_size=[0, 3],
        )
    )
    assert r.parts[0] == [] and r.arrival[0] == -1 and r.days_late[0] == 0
    assert [(p.quantity, p.route) for p in r.parts[1]] == [(3, [])]
    assert r.arrival[1] == 6 and r.days_late[1] == 1
    assert r.objective.weighted_lateness == 3 * 4 * 1 and r.objective.cost == 0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"leg_transit": [0, 1]}, "transit"),
        ({"leg_to": [DEPOT, DEST]}, "different nodes"),
        ({"leg_to": [9, DEST]}, "unknown node"),
        ({"cons_priority": [5]}, "priorities"),
        ({"cons_ready": [11]}, "ready"),
        ({"cons_size": [-1]}, "sizes"),
        ({"cons_size": [1, 2]}, "cons_size has 2"),
        ({"leg_capacity": [-1, 0]}, "leg capacities"),
        ({"node_capacity": [0, -1, 0, 0]}, "node capacities"),
        ({"horizon": -1}, "horizon"),
    ],
)
def test_validation(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**kw)


def test_generated_instance_is_sound() -> None:
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(300, seed=1)
    assert problem.n_nodes == 60
    result = solve(problem)
    check(problem, result)
    assert result.gap <= 0.01
    assert np.isin(result.status, ["optimal", "feasible"])
    assert (~result.reachable).any()  # the depot without legs


def test_a_time_limit_still_gives_a_valid_bound() -> None:
    """Stopped after its first master LP, the solver still proves a bound: at least the
    capacity-free one (every consignment on its own best route), at most the optimum."""
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0)
    full = solve(problem)
    cut = solve(problem, time_limit=1e-6)
    check(problem, cut)
    assert cut.status == "feasible"  # stopped early
    free = solve(
        RoutingProblem(
            **{
                **{k: getattr(problem, k) for k in problem.__dataclass_fields__},
                "leg_capacity": np.zeros_like(problem.leg_capacity),
                "node_capacity": np.zeros_like(problem.node_capacity),
            }
        )
    )
    assert free.bound[0] == free.objective.weighted_lateness  # level 1 proven
    assert free.objective.weighted_lateness <= cut.bound[0] <= full.objective.weighted_lateness
    assert cut.bound[0] <= full.bound[0]
    assert cut.objective.weighted_lateness >= full.bound[0]
    if cut.status == "feasible" and cut.objective.weighted_lateness > cut.bound[0]:
        late = cut.objective.weighted_lateness
        assert cut.gap == pytest.approx((late - cut.bound[0]) / late)


# --- the earliest-route fill (first plan, and repair of a cut-short one) ----------------------


@examples(400)
@given(problems(max_nodes=4, max_cons=8, tight=True))
def test_earliest_fill_keeps_the_rule_and_leaves_nothing_routable(problem: RoutingProblem) -> None:
    parts, undelivered = first_plan(problem)
    late, cost, _, _ = oracle.check_plan(problem, parts, undelivered)
    assert (late, cost) >= oracle.solve_milp(problem)
    # nothing left that a route on the remaining capacity could carry; earlier parts are kept
    again, still = earliest_fill(problem, parts, undelivered)
    assert (still == undelivered).all()
    assert [[p.route for p in ps] for ps in again] == [[p.route for p in ps] for ps in parts]


@examples(300)
@given(problems(max_nodes=4, max_cons=8, tight=True))
def test_cheaper_routes_keep_the_rule_and_never_make_a_unit_later(problem: RoutingProblem) -> None:
    """On the capacity a plan leaves, cheaper routes keep every capacity, deliver the same units,
    make no part later than it was where it is late, nor late where it was on time: no
    consignment's lateness rises, and the cost does not either."""
    from convoy.solvers.routing import cheaper_routes

    parts, undelivered = first_plan(problem)
    before = oracle.check_plan(problem, parts, undelivered)
    after_parts = cheaper_routes(problem, parts)
    after = oracle.check_plan(problem, after_parts, undelivered)  # the rule, capacities included
    assert after[0] <= before[0] and after[1] <= before[1] and after[3] == before[3]
    for k in range(problem.n_cons):
        need = int(problem.cons_need_by[k])
        assert sum(q.quantity for q in after_parts[k]) == sum(q.quantity for q in parts[k])

        def late(ps: list[Any], k: int = k, need: int = need) -> int:
            return (
                max(
                    (max(0, int(q.departures[-1] + problem.leg_transit[q.legs[-1]]) - need))
                    for q in ps
                    if len(q.legs)
                )
                if any(len(q.legs) for q in ps)
                else 0
            )

        assert late(after_parts[k]) <= late(parts[k])


# a direct road (1 day, cost 100) and a cheap route via the hub (3 days, cost 15), the hub
# handling 3 a day
ROAD_AND_HUB: dict[str, Any] = {
    "node_capacity": [0, 3, 0, 0],
    "leg_from": [DEPOT, HUB, DEPOT],
    "leg_to": [HUB, DEST, DEST],
    "leg_transit": [2, 1, 1],
    "leg_capacity": [0, 0, 0],
    "leg_cost": [10, 5, 100],
}


def test_cheaper_routes_move_units_with_slack_to_the_cheap_slow_route() -> None:
    """A direct road (1 day, cost 100) and a cheap route via the hub (3 days, cost 15), the hub
    handling 3 a day: of 4 units planned on the road and due on day 3, three move to the cheap
    route (arriving on day 3), the fourth stays; due on day 1, none moves."""
    from convoy.solvers.routing import Part, cheaper_routes

    road = [Part(4, np.array([2]), np.array([0]))]
    moved = cheaper_routes(make(**ROAD_AND_HUB, cons_need_by=[3]), [road])
    assert sorted((q.quantity, q.route) for q in moved[0]) == [
        (1, [(2, 0)]),
        (3, [(0, 0), (1, 2)]),
    ]
    kept = cheaper_routes(make(**ROAD_AND_HUB, cons_need_by=[1]), [road])
    assert [(q.quantity, q.route) for q in kept[0]] == [(4, [(2, 0)])]


def test_cheaper_routes_start_a_second_pass_only_if_it_ends_by_the_deadline(
    monkeypatch: Any,
) -> None:
    """A pass that moved units is followed by another (up to ``passes``) only when one as long
    as it would end by ``deadline``; the first pass always runs."""
    from convoy.solvers import routing
    from convoy.solvers.routing import Part, cheaper_routes

    problem = make(**ROAD_AND_HUB, cons_need_by=[3])
    road = [Part(4, np.array([2]), np.array([0]))]
    calls: list[int] = []
    real = routing._Pricer.price

    def counted(self: Any, *args: Any) -> Any:
        calls.append(1)
        return real(self, *args)

    monkeypatch.setattr(routing._Pricer, "price", counted)
    cheaper_routes(problem, [road])
    assert len(calls) == 2  # the first moved three units, the second found nothing more
    calls.clear()
    late = cheaper_routes(problem, [road], deadline=-math.inf)
    assert len(calls) == 1
    assert sorted(q.quantity for q in late[0]) == [1, 3]


def one_a_day(need_by: list[int], priority: list[int], horizon: int) -> RoutingProblem:
    """Single units, all ready on day 0 at the depot, one a day on the first leg."""
    n = len(need_by)
    return make(
        leg_capacity=[1, 0],
        cons_origin=[DEPOT] * n,
        cons_destination=[DEST] * n,
        cons_ready=[0] * n,
        cons_need_by=need_by,
        cons_priority=priority,
        cons_size=[1] * n,
        horizon=horizon,
    )


def test_earliest_fill_earliest_need_by_first_then_by_day() -> None:
    problem = one_a_day([9, 3, 4], [4, 4, 4], horizon=4)
    parts, undelivered = first_plan(problem)
    # one a day on the first leg: need-by 3 leaves on day 0, need-by 4 on day 1, and the last
    # would arrive on day 5, after the horizon
    assert [p.route for p in parts[1]] == [[(0, 0), (1, 2)]]
    assert [p.route for p in parts[2]] == [[(0, 1), (1, 3)]]
    assert parts[0] == [] and undelivered.tolist() == [1, 0, 0]


def test_first_plan_advances_need_by_two_days_per_doubling_of_weight() -> None:
    problem = one_a_day([3, 7, 8], [4, 2, 1], horizon=9)
    parts, _undelivered = first_plan(problem)
    # urgency: 3 - 0, 7 - 4, 8 - 6: priority 1 (due day 8) first, then priority 2 and priority 4,
    # both at 3, by priority
    departures = [parts[k][0].route[0][1] for k in range(3)]
    assert departures == [2, 1, 0]


def test_earliest_fill_takes_the_cheaper_of_equally_early_routes_and_splits() -> None:
    two_legs: dict[str, Any] = dict(
        node_capacity=[0, 0],
        leg_from=[0, 0],
        leg_to=[1, 1],
        leg_transit=[1, 1],
        leg_capacity=[2, 3],
        leg_cost=[7, 4],
        cons_origin=[0],
        cons_destination=[1],
        cons_ready=[0],
        cons_need_by=[1],
        cons_priority=[1],
        cons_size=[6],
        horizon=3,
    )
    problem = RoutingProblem(**two_legs)
    parts, undelivered = first_plan(problem)
    assert [(p.quantity, p.route) for p in parts[0]] == [
        (3, [(1, 0)]),  # the cheaper leg, full
        (2, [(0, 0)]),  # then the dearer one on the same day
        (1, [(1, 1)]),  # then the next day
    ]
    assert undelivered.tolist() == [0]
    assert evaluate(problem, parts, undelivered).weighted_lateness == 8


def test_a_cut_short_plan_is_filled_and_no_worse_than_the_first_plan() -> None:
    """Stopped early, the solver's plan leaves no unit undelivered that the capacity it leaves
    could carry, and is at least as good as the earliest-need-by-first plan it starts from."""
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0)
    cut = solve(problem, time_limit=1e-6)
    check(problem, cut)
    _, still = earliest_fill(problem, cut.parts, cut.undelivered)
    assert (still == cut.undelivered).all()
    first = evaluate(problem, *first_plan(problem))
    assert cut.objective.key() <= first.key()


def test_units_the_integer_step_leaves_undelivered_are_filled(monkeypatch: Any) -> None:
    """If the integer step leaves units undelivered (as when its MILP runs out of time: here
    every other lot), they go by the earliest routes the capacity left allows."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    real = routing._integer_plan

    def every_other_lot(master: Any, x: np.ndarray, time_left: float) -> tuple[Any, bool]:
        q, _ = real(master, x, time_left)
        for lot, cols in enumerate(master.by_lot[1::2], start=1):
            q[cols] = 0
            q[cols[0]] = master.lots.size[2 * lot - 1]  # all on its undelivered column
        return q, False

    monkeypatch.setattr(routing, "_integer_plan", every_other_lot)
    problem = generate_routing(300, seed=1)
    result = solve(problem)
    check(problem, result)
    _, still = earliest_fill(problem, result.parts, result.undelivered)
    assert (still == result.undelivered).all()
    first = evaluate(problem, *first_plan(problem))
    assert result.objective.key() < first.key()


def test_master_takes_a_few_new_columns_by_primal_and_rows_by_dual(monkeypatch: Any) -> None:
    """A master solve after a round that added no capacity row and up to PRIMAL_ROUND columns
    starts primal simplex from the last basis, as does any round of columns (from the basis kept
    through ejection and entry, ``WARM_PRIMAL``, in both levels), also with rows added that the
    last solve's values do not overload (``at_risk``); any other solve runs dual simplex; a
    solve after more than IPM_ROUND new columns runs the interior point method instead, whose
    crossover leaves a basis for the next; either way the master's optimum is the one HiGHS
    finds on the same model from scratch."""
    import highspy

    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    real = routing._Master.solve
    seen: list[tuple[int, bool]] = []
    methods: list[str] = []

    def checked(master: Any, time_limit: float = math.inf) -> float | None:
        rows, cols = master.solved_shape
        master._flush()
        no_row, new_cols = len(master.rows) == rows, master.n_vars > cols
        warm = (
            bool(master.to_basic)
            and master.highs.getBasis().valid  # none before the first solve with lots in
            and master.warm_primal
            and (no_row or not master.violated)
        )
        z = real(master, time_limit)
        _status, strategy = master.highs.getOptionValue("simplex_strategy")
        _status, method = master.highs.getOptionValue("solver")
        few = master.n_vars - cols <= routing.PRIMAL_ROUND
        seen.append((strategy, new_cols and ((no_row and few) or warm)))
        many = master.n_vars - cols > routing.IPM_ROUND
        methods.append(method)
        assert method == ("ipm" if many else "simplex")
        if master.lot_rows:
            assert master.highs.getBasis().valid  # crossover's, after the interior point
        cold = highspy.Highs()
        cold.setOptionValue("output_flag", False)
        cold.passModel(master.highs.getModel())
        cold.run()
        assert cold.getInfo().objective_function_value == pytest.approx(
            master.highs.getInfo().objective_function_value, rel=1e-9, abs=1e-6
        )
        return z

    monkeypatch.setattr(routing._Master, "solve", checked)
    monkeypatch.setattr(routing, "IPM_ROUND", 100)  # rounds on 1k bring up to a few hundred
    check(generate_routing(1000, seed=0), solve(generate_routing(1000, seed=0)))
    assert all((strategy == 4) == few for strategy, few in seen)
    assert {strategy for strategy, _ in seen} == {1, 4}
    assert set(methods) == {"ipm", "simplex"}


def test_lots_kept_whole_on_one_route_leave_the_master_and_its_optimum_stands(
    monkeypatch: Any,
) -> None:
    """After a solve, the lots whose units sit whole on one route go back outside on it: the
    master that is left has the same optimum (a cold solve of it, plus the lots outside), the
    basis left takes primal simplex there in a few pivots, and the answer is still proven
    optimal."""
    import highspy

    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    real = routing._Master.eject
    seen: list[tuple[int, int]] = []
    pivots: list[tuple[int, int]] = []  # from the basis kept, from scratch

    def checked(master: Any) -> int:
        def outside(m: Any) -> float:
            return float(m.alpha * m.out_cost + m.beta * m.out_late)

        before = master.highs.getInfo().objective_function_value + outside(master)
        whole = {
            lot
            for lot in master.lot_rows
            if sum(
                master.x[master.vars[j]] > 1e-9 for j in master.by_lot[lot] if master.vars[j] >= 0
            )
            == 1
        }
        had_basis = master.highs.getBasis().valid
        n = real(master)
        assert whole == {lot for lot in whole if lot not in master.lot_rows}  # all of them left
        assert not whole & set(master.lot_rows)
        cold = highspy.Highs()
        cold.setOptionValue("output_flag", False)
        cold.setOptionValue("presolve", "off")
        cold.passModel(master.highs.getModel())
        cold.run()
        after = cold.getInfo().objective_function_value + outside(master)
        assert after == pytest.approx(before, rel=1e-9, abs=1e-6)
        if had_basis and n and master.n_vars:  # the basis left: square and primal feasible
            kept = master.highs.getBasis()
            assert kept.valid
            warm = highspy.Highs()
            warm.setOptionValue("output_flag", False)
            warm.passModel(master.highs.getModel())
            warm.setOptionValue("presolve", "off")
            warm.setOptionValue("simplex_strategy", 4)
            warm.setBasis(kept)
            warm.run()
            assert warm.getModelStatus() == highspy.HighsModelStatus.kOptimal
            assert warm.getInfo().objective_function_value + outside(master) == pytest.approx(
                before, rel=1e-9, abs=1e-6
            )
            pivots.append(
                (warm.getInfo().simplex_iteration_count, cold.getInfo().simplex_iteration_count)
            )
        seen.append((n, len(master.lot_rows)))
        return n

    monkeypatch.setattr(routing._Master, "eject", checked)
    problem = generate_routing(1000, seed=0, load=2.0)
    result = solve(problem)
    check(problem, result)
    assert result.status == "optimal" or result.gap < 1e-5
    assert sum(n for n, _ in seen) == result.stats["ejected"] > 0
    # a few pivots from it (the slacks that replace degenerate columns may not keep the optimal
    # basis: on this instance 0 to 13 each), against 115 to 152 from scratch
    assert len(pivots) >= 10
    assert sum(w for w, _ in pivots) <= 0.15 * sum(c for _, c in pivots)


def test_uncongested_lots_start_on_their_own_best_route_and_never_enter() -> None:
    """Where no capacity binds, every lot starts outside the master on its own best route (not
    the first plan's, which may be dearer) and no lot ever enters: optimal at once."""
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(100, seed=0)
    result = solve(problem)
    check(problem, result)
    assert result.status == "optimal" and result.level_gaps == (0.0, 0.0)
    assert result.stats["lots_in_lp"] == 0
    assert result.objective.cost < evaluate(problem, *first_plan(problem)).cost


def _priced_by_search(
    problem: RoutingProblem,
    lot: tuple[int, int, int, int, int],
    leg_dual: np.ndarray,
    node_dual: np.ndarray,
    alpha: float,
    beta: float,
) -> float:
    """The best priced route of one lot by a plain forward search over (node, day), legs in
    their input order: independent of the pricer's backward programme over all lots."""
    origin, dest, ready, need, priority = lot
    H = problem.horizon
    weight = int(LATE_WEIGHT[priority])
    best = math.inf
    # cost of standing at a node on a day, before (the origin) and after the first departure
    waiting = {ready: 0.0}
    at: dict[tuple[int, int], float] = {}
    for t in range(ready, H + 1):
        here = [(origin, waiting[t], True)] + [
            (x, c, False) for (x, day), c in at.items() if day == t
        ]
        waiting[t + 1] = waiting[t]
        for x, c, first in here:
            if not first and at.get((x, t + 1), math.inf) > c:
                at[(x, t + 1)] = c  # wait a day
            for leg in np.flatnonzero(problem.leg_from == x).tolist():
                y, arrive = int(problem.leg_to[leg]), t + int(problem.leg_transit[leg])
                if arrive > H:
                    continue
                price = c + alpha * int(problem.leg_cost[leg]) - leg_dual[leg, t]
                price -= node_dual[y, arrive] + (node_dual[x, t] if first else 0.0)
                if y == dest:
                    best = min(best, price + beta * weight * max(0, arrive - need))
                elif at.get((y, arrive), math.inf) > price:
                    at[(y, arrive)] = price
    return best


def test_pricing_finds_each_lots_best_route_and_walks_it_back() -> None:
    """The pricer's value for every lot, at random capacity and lot duals, is the one a plain
    forward search finds, and the route it returns is a route of the rule that costs exactly
    that value."""
    from convoy.solvers.generate_routing import generate_routing
    from convoy.solvers.routing import _Lots, _Network, _Pricer

    problem = generate_routing(150, seed=3, horizon=30)
    net, lots = _Network(problem), _Lots(problem)
    pricer = _Pricer(net, lots)
    rng = np.random.default_rng(7)
    for _ in range(2):  # the second call reuses the pricer's arrays
        leg_dual = -rng.exponential(2.0, (net.M, net.T)) * (rng.random((net.M, net.T)) < 0.3)
        node_dual = -rng.exponential(2.0, (net.N, net.T)) * (rng.random((net.N, net.T)) < 0.3)
        lot_dual = rng.normal(0.0, 5.0, lots.n)
        among = rng.random(lots.n) < 0.8
        alpha, beta = 0.01, 1.0
        reduced, found = pricer.price(leg_dual, node_dual, alpha, beta, lot_dual, 0.0, among)
        routes = found.by_lot()
        assert np.isinf(reduced[~among]).all()
        in_input_order = np.empty(net.M, dtype=np.int64)
        in_input_order[net.order] = np.arange(net.M)  # input leg -> sorted leg
        by_input_leg = leg_dual[in_input_order]
        for lot in np.flatnonzero(among).tolist():
            o, d, r, n, p = (
                int(v[lot]) for v in (lots.origin, lots.dest, lots.ready, lots.need, lots.prio)
            )
            key = (o, d, r, n, p)
            expect = _priced_by_search(problem, key, by_input_leg, node_dual, alpha, beta)
            assert reduced[lot] == pytest.approx(expect - lot_dual[lot], abs=1e-9)
            assert (lot in routes) == (reduced[lot] < 0.0)
            if lot not in routes:
                continue
            legs, deps, arrival = routes[lot]
            origin, dest, ready, need, priority = key
            tails, heads = net.frm[legs], net.to[legs]
            arrive = deps + net.tau[legs]
            assert tails[0] == origin and heads[-1] == dest and arrival == arrive[-1]
            assert deps[0] >= ready and (tails[1:] == heads[:-1]).all()
            assert (deps[1:] >= arrive[:-1]).all() and dest not in heads[:-1]
            cost = alpha * net.cost[legs].sum() - leg_dual[legs, deps].sum()
            cost -= node_dual[origin, deps[0]] + node_dual[heads, arrive].sum()
            cost += beta * int(LATE_WEIGHT[priority]) * max(0, arrival - need)
            assert cost - lot_dual[lot] == pytest.approx(reduced[lot], abs=1e-9)


def test_pricing_in_parts_on_threads_gives_the_same_values_and_routes(monkeypatch: Any) -> None:
    """The pricing programme runs in ``PRICING_THREADS`` parts (destinations split evenly), the
    others on the pricing pool's threads: every destination priced once, the values and routes
    exactly those of one part, ties included."""
    import threading

    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0, load=2.0)
    net, lots = routing._Network(problem), routing._Lots(problem)
    real = routing.backward
    calls: list[tuple[str, list[int]]] = []

    def backward(*args: Any) -> None:
        calls.append((threading.current_thread().name, args[7].tolist()))
        real(*args)

    monkeypatch.setattr(routing, "backward", backward)
    rng = np.random.default_rng(3)
    for _ in range(2):
        leg_dual = -rng.exponential(2.0, (net.M, net.T)) * (rng.random((net.M, net.T)) < 0.1)
        node_dual = -rng.exponential(2.0, (net.N, net.T)) * (rng.random((net.N, net.T)) < 0.1)
        among = rng.random(lots.n) < 0.9
        out = []
        for parts in (1, 2, 3):
            monkeypatch.setattr(routing, "PRICING_THREADS", parts)
            calls.clear()
            reduced, found = routing._Pricer(net, lots).price(
                leg_dual, node_dual, 1e-3, 1.0, np.zeros(lots.n), math.inf, among
            )
            routes = found.by_lot()
            out.append((reduced, routes))
            assert len(calls) == parts
            assert sorted(d for _, ds in calls for d in ds) == np.unique(lots.dest).tolist()
            on_pool = [name for name, _ in calls if name.startswith("routing-price")]
            assert len(on_pool) == parts - 1
        (reduced1, routes1), *others = out
        assert routes1
        for reduced, routes in others:
            assert np.array_equal(reduced, reduced1)
            assert routes.keys() == routes1.keys()
            for lot, (legs, deps, arrival) in routes1.items():
                assert np.array_equal(routes[lot][0], legs)
                assert np.array_equal(routes[lot][1], deps) and routes[lot][2] == arrival


@pytest.mark.parametrize("level", [1, 2])
def test_a_master_round_cut_by_time_falls_back_to_the_last_solve(
    monkeypatch: Any, level: int
) -> None:
    """A column round whose master solve runs out of time is dropped: the lots that entered in
    it go back outside on their routes, and the plan is built from the last solve. Cut at the
    first solve of level 2, before any bound on the cost, the lateness is still proven optimal."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    real = routing._Master.solve
    cut: list[list[int]] = []

    def out_of_time(master: Any, time_limit: float = math.inf) -> float | None:
        master._flush()
        no_new_row = len(master.rows) == master.solved_shape[0]
        first_of_2 = master.late_row >= 0 or master.face is not None  # level 2 has begun
        if not cut and (first_of_2 if level == 2 else master.entered and no_new_row):
            entered = [lot for lot, _dist in master.entered]
            assert real(master, 0.0) is None
            assert all(master.fixed[lot] and lot not in master.lot_rows for lot in entered)
            assert level == 1 or not entered
            cut.append(entered)
            return None
        return real(master, time_limit)

    monkeypatch.setattr(routing._Master, "solve", out_of_time)
    problem = generate_routing(1000, seed=0)
    result = solve(problem)
    assert cut
    check(problem, result)
    assert result.status == "feasible"
    if level == 2:
        assert result.objective.weighted_lateness == result.bound[0]
        assert result.bound[1] == 0.0 and result.gap == 1.0
        # each level apart: the lateness proven optimal, the cost not bounded at all
        assert result.level_gaps == (0.0, None)
    else:  # cut in level 1 (and converged later): the lateness's gap is the stated one
        assert result.level_gaps[0] == pytest.approx(
            max(0, result.objective.weighted_lateness - result.bound[0])
            / result.objective.weighted_lateness
        )
        assert (result.level_gaps[1] is None) == (result.bound[1] == 0.0)
    first = evaluate(problem, *first_plan(problem))
    assert result.objective.key() <= first.key()


def test_columns_built_together_match_each_route_alone() -> None:
    """The batch column builder gives every route of a mixed batch (routes of several lots,
    undelivered ones, legs on capacitated and uncapacitated legs and nodes) the arrival, lateness,
    cost and capacity rows a plain reading of the route gives (fails on a route's rows shifted
    to its neighbour's, or the origin's handling missing)."""
    from convoy.solvers.generate_routing import generate_routing
    from convoy.solvers.routing import _columns, _Lots, _Network, _Pricer

    problem = generate_routing(300, seed=4, horizon=40)
    net, lots = _Network(problem), _Lots(problem)
    rng = np.random.default_rng(2)
    leg_dual = -rng.exponential(1.0, (net.M, net.T)) * (rng.random((net.M, net.T)) < 0.2)
    _reduced, found = _Pricer(net, lots).price(
        leg_dual,
        np.zeros((net.N, net.T)),
        0.01,
        1.0,
        np.full(lots.n, 1e9),
        0.0,
        np.ones(lots.n, bool),
    )
    routes = found.by_lot()
    picked = sorted(routes)[:60]
    none = np.zeros(0, dtype=np.int64)
    ids = [*picked, *picked[:7]]
    legs = [routes[lot][0] for lot in picked] + [none] * 7
    deps = [routes[lot][1] for lot in picked] + [none] * 7
    order = rng.permutation(len(ids))
    ids, legs, deps = [ids[i] for i in order], [legs[i] for i in order], [deps[i] for i in order]
    cols = _columns(net, lots, ids, legs, deps)
    MT = net.M * net.T
    assert len(cols) == len(ids)
    for col, lot, lg, dp in zip(cols, ids, legs, deps, strict=True):
        assert col.lot == lot
        if not len(lg):
            assert col.arrival == -1 and col.cost == 0 and not len(col.keys)
            assert col.late == lots.undelivered_late[lot]
            continue
        arrival = int(dp[-1] + net.tau[lg[-1]])
        assert col.arrival == arrival
        assert col.late == lots.weight[lot] * max(0, arrival - lots.need[lot])
        assert col.cost == net.cost[lg].sum()
        assert (col.legs == lg).all() and (col.deps == dp).all()
        leg_rows = [int(leg * net.T + day) for leg, day in zip(lg, dp, strict=True) if net.cap[leg]]
        visits = [(int(lots.origin[lot]), int(dp[0]))] + [
            (int(net.to[leg]), int(day + net.tau[leg])) for leg, day in zip(lg, dp, strict=True)
        ]
        node_rows = [x * net.T + t for x, t in visits if net.node_cap[x]]
        assert col.leg_rows.tolist() == leg_rows
        assert col.node_rows.tolist() == node_rows
        assert col.keys.tolist() == leg_rows + [MT + r for r in node_rows]


def test_level_one_prices_at_a_moving_average_of_the_masters_duals(monkeypatch: Any) -> None:
    """In level 1 each pricing point is SMOOTHING[0] x the last pricing point plus the rest x
    the master's newest duals (or, when no route found there improves the master, the master's
    own duals): the centre moves with every pricing, whether or not the bound improved."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    points: list[tuple[int, np.ndarray]] = []  # (master duals seen so far, pricing point)
    duals: list[np.ndarray] = []
    real_price, real_duals = routing._Pricer.price, routing._Master.duals

    def price(
        pricer: Any, leg_dual: np.ndarray, node_dual: np.ndarray, alpha: float, *a: Any
    ) -> Any:
        if alpha < 1.0:  # level 1 (level 2 prices transport at 1)
            points.append((len(duals), leg_dual.copy()))
        return real_price(pricer, leg_dual, node_dual, alpha, *a)

    def master_duals(master: Any) -> Any:
        out = real_duals(master)
        if master.late_row < 0:  # level 1
            duals.append(out[0].copy())
        return out

    monkeypatch.setattr(routing._Pricer, "price", price)
    monkeypatch.setattr(routing._Master, "duals", master_duals)
    problem = generate_routing(1000, seed=0, load=2.0)  # congested: several level-1 rounds
    result = solve(problem)
    check(problem, result)
    w = routing.SMOOTHING[0]
    level1 = [(n, p) for n, p in points if n > 0]  # after the capacity-free pricing
    smoothed = 0
    for (_n0, before), (n, now) in itertools.pairwise(level1):
        master = duals[n - 1]
        if np.allclose(now, master):
            continue
        assert np.allclose(now, w * before + (1 - w) * master, atol=1e-9)
        smoothed += 1
    assert smoothed >= 2


def test_trace_reports_every_round_with_bounds_that_never_fall() -> None:
    """``trace`` is called after each column round, level 1 then level 2, each level's bound
    never falling; the last level-1 bound is the lateness bound the result states."""
    from convoy.solvers.generate_routing import generate_routing

    seen: list[tuple[int, float, float, int, int]] = []
    problem = generate_routing(1000, seed=0)
    result = solve(problem, trace=lambda *a: seen.append(a))
    check(problem, result)
    levels = [a[0] for a in seen]
    assert levels == sorted(levels) and set(levels) == {1, 2}
    for level in (1, 2):
        bounds = [a[2] for a in seen if a[0] == level]
        assert bounds == sorted(bounds)
    last1 = [a for a in seen if a[0] == 1][-1]
    assert math.ceil(last1[2] - 1e-6 * abs(last1[2])) == result.bound[0]


def test_level_two_takes_the_most_improving_routes_per_round(monkeypatch: Any) -> None:
    """With ``ROUND_COLUMNS`` capping level 2's rounds, no round adds more routes than the cap
    and the answer is the same proven optimum as uncapped."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0, load=2.0)
    free = solve(problem)
    assert free.status == "optimal" or free.gap < 1e-5
    monkeypatch.setattr(routing, "ROUND_COLUMNS", (0, 40))
    seen: list[tuple[int, float, float, int, int]] = []
    capped = solve(problem, trace=lambda *a: seen.append(a))
    check(problem, capped)
    assert capped.status == "optimal" or capped.gap < 1e-5
    assert capped.objective.key() == free.objective.key()
    level2 = [a[3] for a in seen if a[0] == 2]
    assert max(level2) == 40 and len(level2) > 3


def test_level_two_on_level_ones_optimal_face_finds_the_same_optimum(monkeypatch: Any) -> None:
    """Level 2 on level 1's optimal face (routes at level 1's least reduced cost only, rows
    with a level-1 dual kept full, no lateness row) reaches the optimum of level 2 with the
    lateness row, proven (its bound a Lagrangian one of the capped problem)."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0, load=2.0)
    on_face = solve(problem)
    check(problem, on_face)
    assert on_face.stats.get("face") == 1
    monkeypatch.setattr(routing, "FACE", False)
    capped = solve(problem)
    assert "face" not in capped.stats
    for result in (on_face, capped):
        assert result.status == "optimal" or result.gap < 1e-5
    assert on_face.objective.key() == capped.objective.key()
    assert on_face.bound == capped.bound


def test_lots_relocated_outside_the_lp_leave_its_basis_optimal(monkeypatch: Any) -> None:
    """A lot outside moved straight onto a better route (``relocate``) lands whole on it, with
    room on every row, and only across rows of the LP that neither bind nor are held at
    capacity: solving the LP again takes no pivot and finds the same LP objective; the plan's
    objective falls by exactly the moved lots' change of cost."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    real = routing._Master.relocate
    seen: list[int] = []

    def checked(master: Any, found: Any, pick: np.ndarray, x: np.ndarray) -> np.ndarray:
        cols = found.columns(pick)
        old = {col.lot: list(master.fixed[col.lot]) for col in cols}
        price = master.alpha * master.col_cost + master.beta * master.col_late
        js = master._in_lp()
        lp = float(price[js] @ master.x[master.vars[js]])  # the LP's optimum, ejected lots aside
        basis = master._get_basis()
        before = master.values()
        moved = real(master, found, pick, x)
        if not moved.any():
            return moved
        seen.append(int(moved.sum()))
        after = master.values()
        grown = np.zeros(len(after))
        grown[: len(before)] = before
        limit = np.where(master.cap_flat > 0, master.cap_flat, np.inf)  # 0: no limit
        load = master._load(np.arange(len(after)), after)
        assert (load <= np.maximum(limit, master._load(np.arange(len(after)), grown)) + 1e-6).all()
        price = master.alpha * master.col_cost + master.beta * master.col_late  # new columns too
        change = 0.0
        for col, ok in zip(cols, moved.tolist(), strict=True):
            if not ok:
                continue
            ((j, units),) = master.fixed[col.lot]
            assert units == master.lots.size[col.lot]
            assert np.array_equal(master.columns[j].keys, col.keys)
            assert np.array_equal(master.columns[j].deps, col.deps)
            assert (load[col.keys] <= limit[col.keys] + 1e-6).all()
            change += units * price[j] - sum(q * price[c] for c, q in old[col.lot])
        assert change < 0
        assert float(after @ price) - float(grown @ price) == pytest.approx(change, abs=1e-6)
        kept = master._get_basis()  # the basis as it was: optimal still, at the same optimum
        assert basis is not None and kept is not None
        assert all(np.array_equal(u, v) for u, v in zip(basis, kept, strict=True))
        assert master.solve() is not None
        assert master.highs.getInfo().objective_function_value == pytest.approx(lp, abs=1e-6)
        return moved

    monkeypatch.setattr(routing._Master, "relocate", checked)
    problem = generate_routing(1000, seed=0, load=2.0)
    result = solve(problem)
    check(problem, result)
    assert seen and result.stats["relocated"] == sum(seen)


def test_relocation_finds_the_same_optimum(monkeypatch: Any) -> None:
    """With lots moved outside the LP or not, both levels reach the same proven optimum."""
    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=1, load=2.0)
    moved = solve(problem)
    check(problem, moved)
    assert moved.stats["relocated"] > 0
    monkeypatch.setattr(routing, "RELOCATE", (False, False))
    kept = solve(problem)
    assert "relocated" not in kept.stats
    for result in (moved, kept):
        assert result.status == "optimal" or result.gap < 1e-5
    assert moved.objective.key() == kept.objective.key()


_COEXIST = """
import sys
if sys.argv[1] == "ortools-first":
    from ortools.linear_solver import pywraplp
    import highspy
else:
    import highspy
    from ortools.linear_solver import pywraplp
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.addCols(2, [1.0, 2.0], [0.0, 0.0], [10.0, 10.0], 0, [0, 0], [], [])
h.addRow(3.0, highspy.kHighsInf, 2, [0, 1], [1.0, 1.0])
h.run()
s = pywraplp.Solver.CreateSolver("GLOP")
x = s.NumVar(0, 10, "x")
s.Add(x >= 2)
s.Minimize(x)
s.Solve()
print(h.getInfo().objective_function_value, x.solution_value())
"""


@pytest.mark.parametrize("order", ["ortools-first", "highspy-first"])
def test_highspy_and_ortools_load_in_one_process(order: str) -> None:
    """The master LP's highspy must be the HiGHS that ortools bundles (libhighs.so.1): another
    version fails to import beside it, whichever comes second. Pinned in pyproject.toml."""
    run = subprocess.run(
        [sys.executable, "-c", _COEXIST, order], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["3.0", "2.0"]


def test_integer_step_skips_the_cost_milp_when_its_time_is_up(monkeypatch: Any) -> None:
    """When the lateness MILP of the integer step leaves less than 0.3 s of its time, the cost
    MILP does not run (it used to get at least 0.5 s, past the limit): level 1's rounding
    stands, whole units for every lot, not claimed proven."""
    import time as real_time

    from convoy.solvers import routing
    from convoy.solvers.generate_routing import generate_routing

    seen: list[tuple[Any, np.ndarray]] = []
    real_plan = routing._integer_plan

    def keep(master: Any, x: np.ndarray, time_left: float) -> Any:
        seen.append((master, x.copy()))
        return real_plan(master, x, time_left)

    monkeypatch.setattr(routing, "_integer_plan", keep)
    solve(generate_routing(300, seed=0))
    master, x = seen[0]
    # half a unit of a lot with two routes moved from the one it uses to the other
    lot = next(k for k in range(master.lots.n) if len(master.by_lot[k]) >= 2 and x[k] == 0)
    used = next(j for j in master.by_lot[lot] if x[j] >= 1)
    other = next(j for j in master.by_lot[lot] if j != used)
    x[used] -= 0.5
    x[other] += 0.5
    real_milp = routing.milp
    calls: list[float] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        limit = kwargs["options"]["time_limit"]
        calls.append(limit)
        res = real_milp(*args, **kwargs)
        real_time.sleep(max(limit - 0.2, 0.0))  # as if it took all its time
        return res

    monkeypatch.setattr(routing, "milp", slow)
    q, proven = real_plan(master, x, 1.0)
    assert len(calls) == 1 and not proven
    per_lot = np.bincount(master.col_lot, q, master.lots.n)
    assert (per_lot == master.lots.size).all()


@pytest.fixture(scope="module")
def solved_1k() -> tuple[RoutingProblem, RoutingResult]:
    """1k generated consignments and their plan without a time limit."""
    from convoy.solvers.generate_routing import generate_routing

    problem = generate_routing(1000, seed=0)
    return problem, solve(problem)


def test_roundings_beside_level_two_keep_the_rule_and_read_only_their_columns(
    monkeypatch: Any, solved_1k: tuple[RoutingProblem, RoutingResult]
) -> None:
    """With a time limit, level 2's relaxations are rounded in a worker thread while column
    generation goes on (lateness MILP only); the best plan by the rule stands against the
    integer step's on the last relaxation. A rounding reads only the columns its values cover:
    done again on the master as it ends (with more columns), it gives the same plan."""
    import threading

    from convoy.solvers import routing

    problem, unlimited = solved_1k
    real_plan = routing._integer_plan
    made: list[tuple[Any, np.ndarray, np.ndarray, bool]] = []

    def keep(master: Any, x: np.ndarray, time_left: float, cost: bool = True) -> Any:
        q, proven = real_plan(master, x, time_left, cost)
        beside = threading.current_thread() is not threading.main_thread()
        made.append((master, x.copy(), q.copy(), beside))
        assert beside == (not cost)  # the worker's skip the cost MILP, the last one does not
        return q, proven

    monkeypatch.setattr(routing, "_integer_plan", keep)
    monkeypatch.setattr(routing, "ROUNDING_FROM", 0.0)  # from level 2's first round
    result = solve(problem, time_limit=600)
    beside = [m for m in made if m[3]]
    assert beside and result.stats["roundings"] == len(beside)
    assert [m[3] for m in made].count(False) == 1  # the integer step on the last relaxation
    assert check(problem, result) <= unlimited.objective.key()
    assert result.objective.key() == unlimited.objective.key()
    master = next(m[0] for m in made if not m[3])
    earlier = [m for m in beside if len(m[1]) < len(master.columns)]  # columns added since
    assert earlier
    for _, x, q, _ in earlier[:3]:
        again, _ = real_plan(master, x, 60.0, cost=False)
        assert np.array_equal(again, q)
        # whole units, every lot's units placed, no capacity overloaded
        assert (np.bincount(master.col_lot[: len(q)], q, master.lots.n) == master.lots.size).all()
        assert not master._over(master._load(np.flatnonzero(q), q))


def test_a_rounding_beside_level_two_stands_when_the_integer_step_falls_short(
    monkeypatch: Any, solved_1k: tuple[RoutingProblem, RoutingResult]
) -> None:
    """The roundings beside level 2 are a safety net: when the integer step's own plan is worse
    by the rule (as when its lateness MILP is cut by the time limit), the best of them stands,
    at level 1's optimum."""
    import threading

    from convoy.solvers import routing

    problem, unlimited = solved_1k
    real_plan = routing._integer_plan
    beside: list[np.ndarray] = []

    def short(master: Any, x: np.ndarray, time_left: float, cost: bool = True) -> Any:
        q, proven = real_plan(master, x, time_left, cost)
        if threading.current_thread() is threading.main_thread():
            q = np.zeros_like(q)  # every unit undelivered: the worst plan there is
            q[: master.lots.n] = master.lots.size
        else:
            beside.append(q)
        return q, proven

    assembled: list[np.ndarray] = []
    real_assemble = routing._assemble

    def keep(*args: Any) -> Any:
        assembled.append(args[4])
        return real_assemble(*args)

    monkeypatch.setattr(routing, "_integer_plan", short)
    monkeypatch.setattr(routing, "_assemble", keep)
    monkeypatch.setattr(routing, "ROUNDING_FROM", 0.0)
    result = solve(problem, time_limit=600)
    assert result.stats["roundings"] == len(beside) >= 1
    (qty,) = assembled  # a rounding's plan, not the integer step's
    assert any(np.array_equal(qty[: len(q)], q) and not qty[len(q) :].any() for q in beside)
    late, _ = check(problem, result)
    assert late == unlimited.objective.weighted_lateness
    assert result.level_gaps[0] == 0.0 and result.level_gaps[1] is not None


def test_an_error_mid_run_shuts_the_roundings_down(
    monkeypatch: Any, solved_1k: tuple[RoutingProblem, RoutingResult]
) -> None:
    """When the solve fails after roundings have started (here the integer step), the roundings'
    pool takes no more work: the rounding under way ends by its own time limit."""
    import threading

    from convoy.solvers import routing

    problem, _ = solved_1k
    real_plan, real_launch = routing._integer_plan, routing._Roundings.launch
    seen: list[Any] = []

    def launch(roundings: Any, x: np.ndarray) -> None:
        seen.append(roundings)
        real_launch(roundings, x)

    def failing(master: Any, x: np.ndarray, time_left: float, cost: bool = True) -> Any:
        if threading.current_thread() is threading.main_thread():
            raise ValueError("the integer step failed")
        return real_plan(master, x, time_left, cost)

    monkeypatch.setattr(routing._Roundings, "launch", launch)
    monkeypatch.setattr(routing, "_integer_plan", failing)
    monkeypatch.setattr(routing, "ROUNDING_FROM", 0.0)
    with pytest.raises(ValueError, match="the integer step failed"):
        solve(problem, time_limit=600)
    pool = seen[0].pool
    assert pool is not None
    with pytest.raises(RuntimeError):  # shut down
        pool.submit(lambda: None)
