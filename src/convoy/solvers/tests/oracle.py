"""An independent formulation of the allocation rule, to check ``convoy.solvers.allocation``.

Nothing here is taken from the solver beyond the fields of :class:`Problem`: every
(line, requirement) pair is judged by the rule of the solver's module docstring with this
module's own code (compatibility, donor conditions, depot, distance, lateness, substitute), and
the lexicographic objective is solved as a sequence of plain LPs (``scipy.optimize.linprog``,
HiGHS), each level's optimum fixed as an equality before the next level. The constraint matrix
of a transportation problem is totally unimodular, so its polytope is integral, and so is every
face the fixed levels cut out of it: the LP optimum of each level is the integer one.

:func:`brute_force` enumerates every integer plan of a very small instance, to check the LP
formulation itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from convoy.solvers.allocation import Problem

EARTH_KM = 6371.0088
LATE_WEIGHTS = {1: 8, 2: 4, 3: 2, 4: 1}
NO = -1

# (covered p1, p2, p3, p4, late_weighted, substitute_units, unit_km)
ObjectiveTuple = tuple[int, int, int, int, int, int, int]


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Haversine distance in whole km (Python floats, rounded half to even like ``round``)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    h = min(1.0, max(0.0, h))
    return round(2 * EARTH_KM * math.asin(math.sqrt(h)))


@dataclass(frozen=True)
class Pair:
    line: int
    req: int
    late: bool
    substitute: bool
    km: int


def _i(a: object, k: int) -> int:
    return int(np.asarray(a)[k])


def covers(problem: Problem, line: int, req: int) -> str | None:
    """'exact', 'substitute' or None: does the line's item cover the requirement's need?"""
    item = _i(problem.line_item, line)
    wanted = _i(problem.req_item, req)
    if wanted == NO:
        category = _i(problem.req_category, req)
        return "exact" if _i(problem.item_category, item) == category else None
    if item == wanted:
        return "exact"
    subs = {(int(a), int(b)) for a, b in np.asarray(problem.substitutes).reshape(-1, 2)}
    return "substitute" if (item, wanted) in subs else None


def donor_allows(problem: Problem, line: int, req: int) -> bool:
    capability = NO if problem.line_capability is None else _i(problem.line_capability, line)
    req_capability = NO if problem.req_capability is None else _i(problem.req_capability, req)
    if capability != NO and capability != req_capability:
        return False
    destinations = problem.line_destinations.get(line)
    return destinations is None or _i(problem.req_destination, req) in destinations


def compatible(problem: Problem, line: int, req: int) -> bool:
    """May the line serve the requirement at all (item, donor conditions, known depot)?"""
    return (
        covers(problem, line, req) is not None
        and donor_allows(problem, line, req)
        and _i(problem.line_depot, line) != NO
    )


def pair(problem: Problem, line: int, req: int) -> Pair:
    """Distance, lateness and substitute flag of one pair (the line must have a depot)."""
    depot, dest = _i(problem.line_depot, line), _i(problem.req_destination, req)
    assert depot != NO, "a pair needs a depot"
    lat, lon = problem.site_lat, problem.site_lon
    km = great_circle_km(float(lat[depot]), float(lon[depot]), float(lat[dest]), float(lon[dest]))
    transit = int(problem.handling_days) + math.ceil(km / float(problem.km_per_day))
    late = _i(problem.line_available, line) + transit > _i(problem.req_needed_by, req)
    substitute = covers(problem, line, req) == "substitute"
    return Pair(line, req, late, substitute, km)


def candidates(problem: Problem) -> list[Pair]:
    """Every compatible (line, requirement) pair, in line-major order."""
    n_lines, n_reqs = len(problem.line_item), len(problem.req_item)
    return [
        pair(problem, p, r)
        for p in range(n_lines)
        for r in range(n_reqs)
        if compatible(problem, p, r)
    ]


def evaluate(problem: Problem, rows: Sequence[tuple[int, int, int]]) -> ObjectiveTuple:
    """The objective tuple of a plan given as (line, requirement, quantity) rows."""
    covered = [0, 0, 0, 0]
    late_w = sub = unit_km = 0
    for line, req, qty in rows:
        if qty == 0:
            continue
        facts = pair(problem, line, req)
        prio = _i(problem.req_priority, req)
        covered[prio - 1] += qty
        late_w += qty * LATE_WEIGHTS[prio] * facts.late
        sub += qty * facts.substitute
        unit_km += qty * facts.km
    return (covered[0], covered[1], covered[2], covered[3], late_w, sub, unit_km)


def key(objective: ObjectiveTuple) -> tuple[int, ...]:
    """Larger is better, lexicographically."""
    c1, c2, c3, c4, late_w, sub, unit_km = objective
    return (c1, c2, c3, c4, -late_w, -sub, -unit_km)


def fixed_rows(problem: Problem) -> list[tuple[int, int, int]]:
    return [
        (int(p), int(r), int(q))
        for p, r, q in zip(problem.fixed_line, problem.fixed_req, problem.fixed_qty, strict=True)
    ]


def residual(problem: Problem) -> tuple[list[int], list[int]]:
    """Line and requirement quantities left once the fixed allocations are taken off."""
    supply = [int(q) for q in problem.line_qty]
    demand = [int(q) for q in problem.req_qty]
    for p, r, q in fixed_rows(problem):
        supply[p] -= q
        demand[r] -= q
    return supply, demand


@dataclass
class OracleResult:
    objective: ObjectiveTuple
    pairs: list[Pair]
    x: list[int]  # the free (non-fixed) quantity of each pair, an optimal integer plan


def level_costs(problem: Problem, pairs: list[Pair]) -> list[np.ndarray]:
    """Cost vectors (to minimise) of the seven levels, in lexicographic order."""
    prio = np.array([_i(problem.req_priority, c.req) for c in pairs], dtype=float)
    costs = [-(prio == k).astype(float) for k in (1, 2, 3, 4)]
    costs.append(
        np.array([LATE_WEIGHTS[int(k)] * c.late for k, c in zip(prio, pairs, strict=True)])
    )
    costs.append(np.array([float(c.substitute) for c in pairs]))
    costs.append(np.array([float(c.km) for c in pairs]))
    return costs


def solve_lp(problem: Problem) -> OracleResult:
    """The lexicographic optimum as a sequence of LPs (HiGHS), one level at a time."""
    supply, demand = residual(problem)
    pairs = [c for c in candidates(problem) if supply[c.line] > 0 and demand[c.req] > 0]
    fixed = evaluate(problem, fixed_rows(problem))
    if not pairs:
        return OracleResult(fixed, [], [])
    n = len(pairs)
    lines = sorted({c.line for c in pairs})
    reqs = sorted({c.req for c in pairs})
    a_ub = np.zeros((len(lines) + len(reqs), n))
    for j, c in enumerate(pairs):
        a_ub[lines.index(c.line), j] = 1
        a_ub[len(lines) + reqs.index(c.req), j] = 1
    b_ub = np.array([supply[p] for p in lines] + [demand[r] for r in reqs], dtype=float)
    # valid bounds on each level: a plan attaining one is optimal for that level (on the face
    # of the levels above, which it lies on), so that LP need not be solved
    reach = {
        r: sum(supply[p] for p in lines if any(c.line == p and c.req == r for c in pairs))
        for r in reqs
    }
    bounds = [
        -float(sum(min(demand[r], reach[r]) for r in reqs if _i(problem.req_priority, r) == k))
        for k in (1, 2, 3, 4)
    ] + [0.0, 0.0, 0.0]
    eq_rows: list[np.ndarray] = []
    eq_vals: list[float] = []
    values: list[int] = []
    x = np.zeros(n)
    for cost, bound in zip(level_costs(problem, pairs), bounds, strict=True):
        if float(cost @ x) > bound:
            res = linprog(
                cost,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=np.array(eq_rows) if eq_rows else None,
                b_eq=np.array(eq_vals) if eq_rows else None,
                bounds=(0, None),
                method="highs",
            )
            assert res.status == 0, res.message
            x = res.x
        value = round(float(cost @ x))
        assert abs(float(cost @ x) - value) < 1e-6 * max(1.0, abs(value)), cost @ x
        values.append(value)
        eq_rows.append(cost)
        eq_vals.append(float(value))
    free = (-values[0], -values[1], -values[2], -values[3], values[4], values[5], values[6])
    objective: ObjectiveTuple = tuple(  # type: ignore[assignment]
        a + b for a, b in zip(fixed, free, strict=True)
    )
    return OracleResult(objective, pairs, [round(v) for v in x])


def _plans(
    caps: list[tuple[int, int]], supply: list[int], demand: list[int]
) -> Iterator[list[int]]:
    """Every integer plan over the pairs (line, requirement) within the quantities."""
    if not caps:
        yield []
        return
    (p, r), rest = caps[0], caps[1:]
    for q in range(min(supply[p], demand[r]) + 1):
        supply[p] -= q
        demand[r] -= q
        for tail in _plans(rest, supply, demand):
            yield [q, *tail]
        supply[p] += q
        demand[r] += q


def brute_force(problem: Problem, limit: int = 200_000) -> ObjectiveTuple:
    """The best objective over every integer plan (for instances with a handful of pairs)."""
    supply, demand = residual(problem)
    pairs = [c for c in candidates(problem) if supply[c.line] > 0 and demand[c.req] > 0]
    fixed = fixed_rows(problem)
    best: ObjectiveTuple | None = None
    for count, plan in enumerate(_plans([(c.line, c.req) for c in pairs], supply, demand)):
        if count >= limit:
            raise OverflowError("instance too large for brute force")
        rows = fixed + [(c.line, c.req, q) for c, q in zip(pairs, plan, strict=True)]
        value = evaluate(problem, rows)
        if best is None or key(value) > key(best):
            best = value
    assert best is not None
    return best
