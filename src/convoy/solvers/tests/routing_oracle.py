"""An independent formulation of the routing rule, to check ``convoy.solvers.routing``.

Nothing is taken from the solver beyond the fields of :class:`RoutingProblem`. Every consignment
is its own commodity on a plainly built time-expanded network (no lots, no routes, no pricing):

* a *waiting chain* at its origin, ``(origin, t)`` for ``t >= ready``: flow may wait there
  (free) and leaves it on a leg, which is the unit's first departure and is handled by the
  origin on that day;
* a copy of the whole network ``(x, t)`` for every node but the destination: flow arrives by a
  leg (handled by ``x`` on day ``t``), may wait, and leaves by a leg (not handled again);
* arcs from every leg arriving at the destination straight to a sink, handled there, with the
  unit's lateness; and one arc from the source to the sink for undelivered units.

Integer flows are found with ``scipy.optimize.milp`` (HiGHS): weighted lateness first, then cost
with the lateness fixed at its optimum. :func:`check_plan` checks a solver's plan against the
rule route by route, with its own code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from convoy.solvers.routing import Part, RoutingProblem

WEIGHT = {1: 8, 2: 4, 3: 2, 4: 1}


@dataclass
class Model:
    cost: np.ndarray
    late: np.ndarray
    a_eq: coo_matrix
    b_eq: np.ndarray
    a_ub: coo_matrix
    b_ub: np.ndarray
    n: int


def build(problem: RoutingProblem) -> Model:
    H = problem.horizon
    legs = list(
        zip(
            problem.leg_from.tolist(),
            problem.leg_to.tolist(),
            problem.leg_transit.tolist(),
            problem.leg_cost.tolist(),
            strict=True,
        )
    )
    cost: list[float] = []
    late: list[float] = []
    eq_rows: list[int] = []
    eq_cols: list[int] = []
    eq_vals: list[float] = []
    b_eq: list[float] = []
    # capacity usage: (("leg", l, t) | ("node", x, t)) -> variables
    usage: dict[tuple[str, int, int], list[int]] = {}

    def var(c: float, lt: float) -> int:
        cost.append(c)
        late.append(lt)
        return len(cost) - 1

    for k in range(problem.n_cons):
        size = int(problem.cons_size[k])
        o, d = int(problem.cons_origin[k]), int(problem.cons_destination[k])
        r, need = int(problem.cons_ready[k]), int(problem.cons_need_by[k])
        w = WEIGHT[int(problem.cons_priority[k])]
        if size == 0 or o == d:
            continue
        # node ids (rows of flow conservation) of this commodity
        rows: dict[tuple[str, int, int], int] = {}

        def row(key: tuple[str, int, int], rows: dict[tuple[str, int, int], int] = rows) -> int:
            if key not in rows:
                rows[key] = len(b_eq)
                b_eq.append(0.0)
            return rows[key]

        def arc(
            tail: int | None, head: int | None, c: float, lt: float
        ) -> int:  # flow leaves tail, enters head
            v = var(c, lt)
            if tail is not None:
                eq_rows.append(tail)
                eq_cols.append(v)
                eq_vals.append(-1.0)
            if head is not None:
                eq_rows.append(head)
                eq_cols.append(v)
                eq_vals.append(1.0)
            return v

        source = row(("src", k, 0))
        b_eq[source] = -float(size)  # -(out) = -size
        sink = row(("sink", k, 0))
        b_eq[sink] = float(size)
        arc(source, sink, 0.0, float(w * max(1, H + 1 - need)))  # undelivered
        arc(source, row(("wait", o, r)), 0.0, 0.0)
        for t in range(r, H + 1):
            if t < H:
                arc(row(("wait", o, t)), row(("wait", o, t + 1)), 0.0, 0.0)
            for x in range(problem.n_nodes):
                if x != d and t < H:
                    arc(row(("at", x, t)), row(("at", x, t + 1)), 0.0, 0.0)
            for li, (a, b, tau, c) in enumerate(legs):
                if t + tau > H or a == d:
                    continue
                head = sink if b == d else row(("at", b, t + tau))
                lt = float(w * max(0, t + tau - need)) if b == d else 0.0
                # from the origin's waiting chain (first departure) ...
                if a == o:
                    v = arc(row(("wait", o, t)), head, float(c), lt)
                    usage.setdefault(("leg", li, t), []).append(v)
                    usage.setdefault(("node", a, t), []).append(v)
                    usage.setdefault(("node", b, t + tau), []).append(v)
                # ... and from anywhere in the network
                v = arc(row(("at", a, t)), head, float(c), lt)
                usage.setdefault(("leg", li, t), []).append(v)
                usage.setdefault(("node", b, t + tau), []).append(v)
        # flow out of "at" rows that nothing feeds is harmless: conservation keeps it zero
    n = len(cost)
    a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(len(b_eq), n))
    ub_rows: list[int] = []
    ub_cols: list[int] = []
    b_ub: list[float] = []
    for (kind, i, _t), vs in usage.items():
        cap = int(problem.leg_capacity[i] if kind == "leg" else problem.node_capacity[i])
        if cap <= 0:
            continue
        for v in vs:
            ub_rows.append(len(b_ub))
            ub_cols.append(v)
        b_ub.append(float(cap))
    a_ub = coo_matrix((np.ones(len(ub_rows)), (ub_rows, ub_cols)), shape=(len(b_ub), n))
    return Model(np.array(cost), np.array(late), a_eq, np.array(b_eq), a_ub, np.array(b_ub), n)


def _constraints(m: Model, extra: list[LinearConstraint]) -> list[LinearConstraint]:
    cons = [LinearConstraint(m.a_eq.tocsr(), m.b_eq, m.b_eq)]
    if len(m.b_ub):
        cons.append(LinearConstraint(m.a_ub.tocsr(), -np.inf, m.b_ub))
    return cons + extra


def solve_milp(problem: RoutingProblem) -> tuple[int, int]:
    """The integer optimum (weighted lateness, cost)."""
    m = build(problem)
    if m.n == 0:
        return (0, 0)
    integ = np.ones(m.n)
    res = milp(m.late, constraints=_constraints(m, []), integrality=integ, bounds=Bounds(0, np.inf))
    assert res.status == 0, res.message
    late = round(res.fun)
    fix = LinearConstraint(m.late.reshape(1, -1), -np.inf, late + 0.5)
    res2 = milp(
        m.cost, constraints=_constraints(m, [fix]), integrality=integ, bounds=Bounds(0, np.inf)
    )
    assert res2.status == 0, res2.message
    return (late, round(res2.fun))


def solve_lp(problem: RoutingProblem) -> tuple[float, float]:
    """The relaxation: optimal lateness, then optimal cost with lateness <= its rounded-up value."""
    m = build(problem)
    if m.n == 0:
        return (0.0, 0.0)
    a_ub = m.a_ub.tocsr() if len(m.b_ub) else None
    b_ub = m.b_ub if len(m.b_ub) else None
    res = linprog(m.late, A_ub=a_ub, b_ub=b_ub, A_eq=m.a_eq.tocsr(), b_eq=m.b_eq, method="highs")
    assert res.status == 0, res.message
    cap = float(np.ceil(res.fun - 1e-6 * max(1.0, abs(res.fun))))
    from scipy.sparse import vstack

    a2 = vstack([m.a_ub, coo_matrix(m.late.reshape(1, -1))]).tocsr()
    b2 = np.concatenate([m.b_ub, [cap]])
    res2 = linprog(m.cost, A_ub=a2, b_ub=b2, A_eq=m.a_eq.tocsr(), b_eq=m.b_eq, method="highs")
    assert res2.status == 0, res2.message
    return (float(res.fun), float(res2.fun))


def check_plan(
    problem: RoutingProblem, parts: list[list[Part]], undelivered: np.ndarray
) -> tuple[int, int, int, int]:
    """Assert the plan keeps the rule; return (weighted lateness, cost, units late, undelivered)."""
    H = problem.horizon
    leg_use: Counter[tuple[int, int]] = Counter()
    node_use: Counter[tuple[int, int]] = Counter()
    weighted = cost = units_late = 0
    for k in range(problem.n_cons):
        size = int(problem.cons_size[k])
        o, d = int(problem.cons_origin[k]), int(problem.cons_destination[k])
        r, need = int(problem.cons_ready[k]), int(problem.cons_need_by[k])
        w = WEIGHT[int(problem.cons_priority[k])]
        shipped = sum(p.quantity for p in parts[k])
        assert all(p.quantity > 0 for p in parts[k])
        assert shipped + int(undelivered[k]) == size, (k, shipped, undelivered[k], size)
        for p in parts[k]:
            legs, deps = p.legs.tolist(), p.departures.tolist()
            x, t = o, r
            if not legs:
                assert o == d
            for i, (leg, dep) in enumerate(zip(legs, deps, strict=True)):
                assert int(problem.leg_from[leg]) == x, (k, p.route)
                assert dep >= t, (k, p.route)
                leg_use[leg, dep] += p.quantity
                if i == 0:
                    node_use[o, dep] += p.quantity
                x, t = int(problem.leg_to[leg]), dep + int(problem.leg_transit[leg])
                assert t <= H
                node_use[x, t] += p.quantity
                cost += p.quantity * int(problem.leg_cost[leg])
            assert x == d
            assert d not in [int(problem.leg_to[leg]) for leg in legs[:-1]]
            late = max(0, t - need)
            weighted += p.quantity * w * late
            units_late += p.quantity if late else 0
        weighted += int(undelivered[k]) * w * max(1, H + 1 - need)
    for (leg, _t), q in leg_use.items():
        cap = int(problem.leg_capacity[leg])
        assert cap == 0 or q <= cap, ("leg", leg, _t, q, cap)
    for (x, _t), q in node_use.items():
        cap = int(problem.node_capacity[x])
        assert cap == 0 or q <= cap, ("node", x, _t, q, cap)
    return weighted, cost, units_late, int(np.asarray(undelivered).sum())
