"""Allocation planner: match committed pledge lines to validated requirements, optimally.

No Django here: input and output are plain dataclasses over NumPy arrays, so the solver can be
tested against an independent LP and benchmarked alone.

The rule
========
Decide integer quantities ``x[p, r] >= 0`` of pledge line ``p`` for requirement ``r``.

Compatibility. ``p`` may serve ``r`` only when

* its item covers the need: ``r`` asks for item ``j`` and ``p`` offers ``j`` (*exact*) or an item
  that substitutes ``j`` (``(item_p, j)`` is in ``substitutes``: *substitute*); or ``r`` asks for a
  category and ``p``'s item is of that category (*exact*);
* the donor's conditions allow it: ``p`` has no capability condition or it equals ``r``'s
  capability; ``p`` has no destination condition or ``r``'s destination is among its destinations;
* ``p`` has a source depot (a line without one cannot be routed and is left out, with a reason).

Quantities. ``sum_r x[p, r] <= plannable_p`` and ``sum_p x[p, r] <= open_r``, where fixed
allocations (manual or locked, given in ``fixed_*``) are taken off both sides first and stay as
they are. ``km(p, r)`` is the great-circle distance from ``p``'s depot to ``r``'s destination,
rounded to whole km. The line *arrives* on ``available_p + transit``, where
``transit = handling_days + ceil(km / km_per_day)``; the pair is *late* when it arrives after
``r``'s needed-by day.

Objective, in strict (lexicographic) order; each level only breaks ties of the levels above:

1. **Coverage by priority**: maximise the units covered for priority 1, then for priority 2, then
   3, then 4. No amount of priority-2 coverage outweighs one unit of priority 1. Late units count
   as coverage here.
2. **Lateness**: minimise priority-weighted late units ``sum late(p, r) * w(r) * x[p, r]`` with
   ``w = 8, 4, 2, 1`` for priorities 1..4 (a late critical unit weighs as much as eight late
   routine units).
3. **Exact items**: minimise the units covered by substitutes.
4. **Distance**: minimise unit-km ``sum km(p, r) * x[p, r]``.

Remaining ties are broken arbitrarily but deterministically. :class:`Objective` reports every
level for the whole plan, fixed allocations included.

How it is solved
================
Maximum flows (OR-Tools) and a min-cost flow (LEMON) on an aggregated graph, never one arc per
(line, requirement) pair. Lines feed *chains*: a base chain per (target item or category,
destination) takes the lines without a capability condition; a capability chain per (target,
destination, capability) takes the conditioned lines of that capability, and exists only where
such a line can enter and a requirement of that capability waits. A chain has one node per
distinct needed-by day of the requirements it serves, in ascending order, plus an end node. A
line enters a chain at the first day on or after its arrival (or at the end node when it arrives
after all of them), with the distance (and substitute) cost on that arc; flow moves forward
along the chain for free. A *group* of requirements with the same base chain, capability chain
(if any), day and priority draws on time from the day node of each of its chains, up to its
quantity. A *bundle* gathers the groups of one base chain, capability chain and priority: it
takes their on-time units, draws late units from the end nodes of its chains (a late unit of a
priority weighs the same whichever group takes it), and sends at most its groups' quantity to
the sink of its priority, so each group's late share fits what it still lacks. A dump node takes
unused supply.

First the instance is split into independent parts: items linked by substitution or by a
category that is asked for share a part, and a line and a requirement in different parts can
never meet. Every level of the rule is a sum over parts, so the lexicographic optimum is the
optimum of each part; parts are solved one by one, or in processes side by side when the
instance is large. Within a part the levels are solved exactly:

* Coverage: the units covered for a set of priorities form a polymatroid (augmenting paths to
  a new sink never lower the flow into the sinks already reached), so the lexicographic maximum
  covers ``maxflow(1..k) - maxflow(1..k-1)`` units of priority ``k``: four maximum flows
  (OR-Tools), with the sinks of priorities 1..k opened one by one. Days do not change what can
  be covered (late units count), so these run on a small graph without days: lines that can
  enter the same chains as one node, chains, and one node per bundle (below).
* Lateness, substitutes and distance: one min-cost flow (LEMON's network simplex, through
  pylmcf) with every priority's sink demand fixed at its coverage and the three levels weighted
  so that no change a simple cycle can make to a lower level outweighs one unit of a higher one
  (see :func:`_lexicographic_flow`); a flow is optimal for those weights exactly when it is
  lexicographically optimal. The solution is accepted only with its optimality certificate
  (node potentials under which no residual arc has a negative reduced cost).

Units are then paired along each chain first in, first out (a unit drawn at a day entered on or
before it) and spread over the requirements of each group.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import max_flow
from pylmcf.pylmcf_cpp import lmcf as _lmcf
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EARTH_RADIUS_KM = 6371.0088
PRIORITIES = (1, 2, 3, 4)
LATE_WEIGHT = {1: 8, 2: 4, 3: 2, 4: 1}
NONE = -1

I64 = np.int64


def _ints(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=I64).reshape(-1)


@dataclass
class Problem:
    """One planning instance. Sites, items and categories are 0-based indices.

    Requirements: ``req_item`` is the item index, or ``-1`` for a category-level need, whose
    category is then ``req_category`` (ignored for item-level needs). ``-1`` in a capability means
    none. Days are integers (e.g. ``date.toordinal()``).
    """

    site_lat: np.ndarray
    site_lon: np.ndarray
    item_category: np.ndarray
    line_item: np.ndarray
    line_depot: np.ndarray
    line_available: np.ndarray
    line_qty: np.ndarray
    req_item: np.ndarray
    req_category: np.ndarray
    req_destination: np.ndarray
    req_needed_by: np.ndarray
    req_priority: np.ndarray
    req_qty: np.ndarray
    substitutes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=I64))
    line_capability: np.ndarray | None = None
    line_destinations: dict[int, frozenset[int]] = field(default_factory=dict)
    req_capability: np.ndarray | None = None
    fixed_line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=I64))
    fixed_req: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=I64))
    fixed_qty: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=I64))
    km_per_day: float = 500.0
    handling_days: int = 2

    def __post_init__(self) -> None:
        self.site_lat = np.asarray(self.site_lat, dtype=float).reshape(-1)
        self.site_lon = np.asarray(self.site_lon, dtype=float).reshape(-1)
        for name in (
            "item_category",
            "line_item",
            "line_depot",
            "line_available",
            "line_qty",
            "req_item",
            "req_category",
            "req_destination",
            "req_needed_by",
            "req_priority",
            "req_qty",
            "fixed_line",
            "fixed_req",
            "fixed_qty",
        ):
            setattr(self, name, _ints(getattr(self, name)))
        self.substitutes = np.asarray(self.substitutes, dtype=I64).reshape(-1, 2)
        n_lines, n_reqs = len(self.line_item), len(self.req_item)
        self.line_capability = (
            np.full(n_lines, NONE, dtype=I64)
            if self.line_capability is None
            else _ints(self.line_capability)
        )
        self.req_capability = (
            np.full(n_reqs, NONE, dtype=I64)
            if self.req_capability is None
            else _ints(self.req_capability)
        )
        self.validate()

    @property
    def n_lines(self) -> int:
        return len(self.line_item)

    @property
    def n_reqs(self) -> int:
        return len(self.req_item)

    def validate(self) -> None:
        """Refuse inconsistent input with a clear message (ValueError)."""
        n_lines, n_reqs = self.n_lines, self.n_reqs
        for name in ("line_depot", "line_available", "line_qty", "line_capability"):
            if len(getattr(self, name)) != n_lines:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, not {n_lines}")
        for name in (
            "req_category",
            "req_destination",
            "req_needed_by",
            "req_priority",
            "req_qty",
            "req_capability",
        ):
            if len(getattr(self, name)) != n_reqs:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, not {n_reqs}")
        if len(self.site_lat) != len(self.site_lon):
            raise ValueError("site_lat and site_lon differ in length")
        if (self.line_qty < 0).any() or (self.req_qty < 0).any():
            raise ValueError("quantities must not be negative")
        if n_reqs and not np.isin(self.req_priority, PRIORITIES).all():
            raise ValueError("priorities must be 1..4")
        n_items, n_sites = len(self.item_category), len(self.site_lat)
        if n_lines and ((self.line_item < 0) | (self.line_item >= n_items)).any():
            raise ValueError("a pledge line names an unknown item")
        if n_lines and ((self.line_depot < NONE) | (self.line_depot >= n_sites)).any():
            raise ValueError("a pledge line names an unknown depot")
        if n_reqs and ((self.req_destination < 0) | (self.req_destination >= n_sites)).any():
            raise ValueError("a requirement names an unknown destination")
        if n_reqs and ((self.req_item < NONE) | (self.req_item >= n_items)).any():
            raise ValueError("a requirement names an unknown item")
        if n_reqs and ((self.req_item == NONE) & (self.req_category < 0)).any():
            raise ValueError("a category-level requirement needs a category")
        if not (len(self.fixed_line) == len(self.fixed_req) == len(self.fixed_qty)):
            raise ValueError("fixed allocations: line, requirement and quantity differ in length")
        if len(self.fixed_qty):
            if (self.fixed_qty <= 0).any():
                raise ValueError("a fixed allocation must have a positive quantity")
            if ((self.fixed_line < 0) | (self.fixed_line >= n_lines)).any():
                raise ValueError("a fixed allocation names an unknown pledge line")
            if ((self.fixed_req < 0) | (self.fixed_req >= n_reqs)).any():
                raise ValueError("a fixed allocation names an unknown requirement")
            used = np.bincount(self.fixed_line, self.fixed_qty, minlength=n_lines)
            if (used > self.line_qty).any():
                bad = int(np.argmax(used > self.line_qty))
                raise ValueError(f"fixed allocations exceed pledge line {bad}'s quantity")
            taken = np.bincount(self.fixed_req, self.fixed_qty, minlength=n_reqs)
            if (taken > self.req_qty).any():
                bad = int(np.argmax(taken > self.req_qty))
                raise ValueError(f"fixed allocations exceed requirement {bad}'s quantity")
        if self.km_per_day <= 0 or self.handling_days < 0:
            raise ValueError("km_per_day must be positive and handling_days not negative")

    # --- the rule, pair by pair (used for explanations and for reporting) ------------------
    def km(self, depots: np.ndarray, dests: np.ndarray) -> np.ndarray:
        """Great-circle km, rounded, between depot and destination site indices."""
        return haversine_km(
            self.site_lat[depots], self.site_lon[depots], self.site_lat[dests], self.site_lon[dests]
        )

    def transit_days(self, km: np.ndarray) -> np.ndarray:
        return self.handling_days + np.ceil(np.asarray(km) / self.km_per_day).astype(I64)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.rint(d).astype(I64)


@dataclass
class Objective:
    """Every level of the rule, for the whole plan (fixed allocations included)."""

    covered: tuple[int, int, int, int]
    late_weighted: int
    late_units: int
    substitute_units: int
    unit_km: int
    required: tuple[int, int, int, int] = (0, 0, 0, 0)

    def key(self) -> tuple[int, ...]:
        """Larger is better, compared lexicographically."""
        return (*self.covered, -self.late_weighted, -self.substitute_units, -self.unit_km)

    def as_dict(self) -> dict[str, Any]:
        return {
            "covered": list(self.covered),
            "required": list(self.required),
            "late_weighted": self.late_weighted,
            "late_units": self.late_units,
            "substitute_units": self.substitute_units,
            "unit_km": self.unit_km,
        }


@dataclass
class Result:
    """Allocations as parallel arrays (one row per line x requirement with a quantity)."""

    line: np.ndarray
    req: np.ndarray
    qty: np.ndarray
    late: np.ndarray
    substitute: np.ndarray
    km: np.ndarray
    fixed: np.ndarray
    objective: Objective
    status: str
    timings: dict[str, float]
    graph: dict[str, int]

    def __len__(self) -> int:
        return len(self.qty)

    def covered_by_req(self, n_reqs: int) -> np.ndarray:
        return np.bincount(self.req, self.qty, minlength=n_reqs).astype(I64)

    def used_by_line(self, n_lines: int) -> np.ndarray:
        return np.bincount(self.line, self.qty, minlength=n_lines).astype(I64)


def pair_terms(
    problem: Problem, lines: np.ndarray, reqs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(late, substitute, km) of the given (line, requirement) pairs; depots must be known."""
    lines, reqs = _ints(lines), _ints(reqs)
    km = problem.km(problem.line_depot[lines], problem.req_destination[reqs])
    arrive = problem.line_available[lines] + problem.transit_days(km)
    late = arrive > problem.req_needed_by[reqs]
    req_item = problem.req_item[reqs]
    substitute = (req_item != NONE) & (req_item != problem.line_item[lines])
    return late, substitute, km


def objective_of(
    problem: Problem, lines: np.ndarray, reqs: np.ndarray, qty: np.ndarray
) -> Objective:
    """Evaluate the rule's levels for a set of allocations (fixed ones included by the caller)."""
    lines, reqs, qty = _ints(lines), _ints(reqs), _ints(qty)
    late, sub, km = pair_terms(problem, lines, reqs)
    return _objective(problem, reqs, qty, late, sub, km)


# --- graph building -----------------------------------------------------------------------


class _Graph:
    """Arcs gathered as arrays, then handed whole to OR-Tools."""

    def __init__(self) -> None:
        self.n = 0
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.caps: list[np.ndarray] = []
        self.cost1: list[np.ndarray] = []
        self.cost2: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []

    def nodes(self, count: int) -> np.ndarray:
        start = self.n
        self.n += int(count)
        return np.arange(start, self.n, dtype=I64)

    def arcs(
        self, kind: int, tails: Any, heads: Any, caps: Any, cost1: Any = 0, cost2: Any = 0
    ) -> None:
        t = _ints(tails)
        m = len(t)
        if not m:
            return
        self.tails.append(t)
        self.heads.append(np.broadcast_to(_ints(heads), (m,)).copy())
        self.caps.append(np.broadcast_to(_ints(caps), (m,)).copy())
        self.cost1.append(np.broadcast_to(_ints(cost1), (m,)).copy())
        self.cost2.append(np.broadcast_to(_ints(cost2), (m,)).copy())
        self.kinds.append(np.full(m, kind, dtype=np.int8))

    def freeze(self) -> tuple[np.ndarray, ...]:
        def cat(parts: list[np.ndarray], dtype: Any = I64) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        return (
            cat(self.tails),
            cat(self.heads),
            cat(self.caps),
            cat(self.cost1),
            cat(self.cost2),
            cat(self.kinds, np.int8),
        )


ARC_ENTRY, ARC_CHAIN, ARC_ONTIME, ARC_GROUP, ARC_LATE, ARC_SINK, ARC_DUMP = range(7)


def _coverage(
    n: int,
    tails: np.ndarray,
    heads: np.ndarray,
    caps: np.ndarray,
    supply_node: np.ndarray,
    node_supply: np.ndarray,
    demand_priority: np.ndarray,
    demand_qty: np.ndarray,
) -> np.ndarray:
    """Units covered per priority, lexicographically maximal, by maximum flows.

    The demand nodes are the last ``len(demand_qty)`` of the ``n`` nodes. The units that can be
    covered for a set of sinks form a polymatroid: a maximum flow to priorities 1..k can always
    be reached from one to priorities 1..k-1 by augmenting paths, which never lower the flow
    into a sink already reached. So the lexicographic maximum covers
    ``maxflow(1..k) - maxflow(1..k-1)`` units of priority ``k``.
    """
    sink = np.arange(n, n + 4, dtype=I64)
    source, target = n + 4, n + 5
    demand_node = np.arange(n - len(demand_qty), n, dtype=I64)
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(
        np.concatenate([tails, demand_node, np.full(len(supply_node), source), sink]).astype(
            np.int32
        ),
        np.concatenate([heads, sink[demand_priority], supply_node, np.full(4, target)]).astype(
            np.int32
        ),
        np.concatenate([caps, demand_qty, node_supply, np.zeros(4, I64)]).astype(I64),
    )
    first_sink_arc = len(tails) + len(demand_node) + len(supply_node)
    total_supply = int(node_supply.sum())
    covered = np.zeros(4, dtype=I64)
    reached = 0
    for k in range(4):
        if reached == total_supply:
            break  # every unit is placed: the other priorities get nothing
        mf.set_arc_capacity(first_sink_arc + k, total_supply)
        if mf.solve(source, target) != mf.OPTIMAL:
            raise RuntimeError(f"maximum flow failed at priority {k + 1}")
        total = int(mf.optimal_flow())
        covered[k] = total - reached
        reached = total
    return covered


def _km_cycle_bound(lines: np.ndarray, heads: np.ndarray, km: np.ndarray) -> int:
    """A bound on the km a simple cycle can change through these entry arcs.

    A simple cycle passes a node at most once, so it uses at most two entry arcs at any line
    and at any head: twice the longest arc of each, summed, over lines or over heads (the
    smaller of the two).
    """

    def twice_longest(owner: np.ndarray) -> int:
        if not len(owner):
            return 0
        longest = np.zeros(int(owner.max()) + 1, dtype=I64)
        np.maximum.at(longest, owner, km)
        return 2 * int(longest.sum())

    return min(twice_longest(lines), twice_longest(heads))


def solve(problem: Problem, *, progress: Any = None, workers: int | None = None) -> Result:
    """Solve one instance by the rule in the module docstring.

    Independent parts of the instance (see :func:`_components`) are solved one by one, or side
    by side in ``workers`` processes (default: one per CPU) when the instance is large.
    """
    t0 = time.perf_counter()
    P = problem
    n_lines, n_reqs = P.n_lines, P.n_reqs
    fixed_used = np.bincount(P.fixed_line, P.fixed_qty, minlength=n_lines).astype(I64)
    fixed_taken = np.bincount(P.fixed_req, P.fixed_qty, minlength=n_reqs).astype(I64)
    supply_left = P.line_qty - fixed_used
    supply_left[P.line_depot == NONE] = 0
    demand_left = P.req_qty - fixed_taken
    parts = _components(P, np.flatnonzero(supply_left > 0), np.flatnonzero(demand_left > 0))
    timings: dict[str, float] = {"components": time.perf_counter() - t0}
    if progress:
        progress(5, "components")

    weight = np.array([len(p) + len(r) for p, r in parts], dtype=float)
    total_weight = float(weight.sum()) or 1.0
    outputs: list[_Part | None] = [None] * len(parts)
    n_workers = min(workers or os.cpu_count() or 1, len(parts))
    parallel = n_workers > 1 and int(weight.sum()) >= PARALLEL_FROM
    t1 = time.perf_counter()
    done = 0.0

    def finished(k: int, out: _Part) -> None:
        nonlocal done
        outputs[k] = out
        done += weight[k]
        if progress:
            progress(5 + int(90 * done / total_weight), "parts")

    if parallel:
        _SHARED.update(problem=P, supply=supply_left, demand=demand_left)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
                # the largest parts first, so the processes finish together
                futures = {
                    pool.submit(_solve_shared, parts[k][0], parts[k][1]): k
                    for k in np.argsort(-weight, kind="stable").tolist()
                }
                for future in as_completed(futures):
                    finished(futures[future], future.result())
        finally:
            _SHARED.clear()
    else:
        for k, (lines, reqs) in enumerate(parts):
            finished(k, _solve_part(P, lines, reqs, supply_left, demand_left))
    timings["parts"] = time.perf_counter() - t1

    solved = [out for out in outputs if out is not None]
    for out in solved:
        for key, value in out.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    graph = {"components": len(parts), "workers": n_workers if parallel else 1}
    for key in ("nodes", "arcs", "chains", "groups"):
        graph[key] = sum(out.graph[key] for out in solved)
    graph["largest_arcs"] = max((out.graph["arcs"] for out in solved), default=0)
    line_a = np.concatenate([_ints([])] + [out.line for out in solved])
    req_a = np.concatenate([_ints([])] + [out.req for out in solved])
    qty_a = np.concatenate([_ints([])] + [out.qty for out in solved])

    t2 = time.perf_counter()
    all_line = np.concatenate([P.fixed_line, line_a])
    all_req = np.concatenate([P.fixed_req, req_a])
    all_qty = np.concatenate([P.fixed_qty, qty_a])
    is_fixed = np.concatenate([np.ones(len(P.fixed_qty), bool), np.zeros(len(qty_a), bool)])
    known_depot = P.line_depot[all_line] != NONE
    late = np.zeros(len(all_line), bool)
    sub = np.zeros(len(all_line), bool)
    km = np.zeros(len(all_line), I64)
    if known_depot.any():
        lt, sb, dist = pair_terms(P, all_line[known_depot], all_req[known_depot])
        late[known_depot], sub[known_depot], km[known_depot] = lt, sb, dist
    sub[~known_depot] = (P.req_item[all_req[~known_depot]] != NONE) & (
        P.req_item[all_req[~known_depot]] != P.line_item[all_line[~known_depot]]
    )
    objective = _objective(P, all_req, all_qty, late, sub, km)
    timings["report"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    if progress:
        progress(100, "done")
    return Result(
        line=all_line,
        req=all_req,
        qty=all_qty,
        late=late,
        substitute=sub,
        km=km,
        fixed=is_fixed,
        objective=objective,
        status="optimal",
        timings=timings,
        graph=graph,
    )


PARALLEL_FROM = 20_000  # lines + requirements from which parts are solved in processes
_SHARED: dict[str, Any] = {}  # the instance, handed to forked processes without pickling


@dataclass
class _Part:
    """The plan of one independent part: (line, requirement, quantity) in the instance's
    indices, with the part's stage timings and graph size."""

    line: np.ndarray
    req: np.ndarray
    qty: np.ndarray
    timings: dict[str, float]
    graph: dict[str, int]


def _solve_shared(live_p: np.ndarray, live_r: np.ndarray) -> _Part:
    return _solve_part(_SHARED["problem"], live_p, live_r, _SHARED["supply"], _SHARED["demand"])


def _components(
    P: Problem, live_p: np.ndarray, live_r: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split the lines and requirements into parts no allocation can join.

    A line may serve a requirement only through its item: for the item itself, for an item it
    substitutes, or for its category. So items and targets (items asked for, categories asked
    for) linked that way form the connected parts; the rule's levels are sums over parts, and a
    lexicographic optimum of a sum of independent parts is the optimum of each part. Parts
    without a line or without a requirement have nothing to plan and are left out.
    """
    if not len(live_p) or not len(live_r):
        return []
    n_items, n_cats = len(P.item_category), int(P.item_category.max(initial=-1)) + 1
    n_cats = max(n_cats, int(P.req_category.max(initial=-1)) + 1)
    # nodes: items 0..n_items-1, then categories
    subs = P.substitutes[P.substitutes[:, 0] != P.substitutes[:, 1]]
    tails = np.concatenate([np.arange(n_items), subs[:, 0]])
    heads = np.concatenate([n_items + P.item_category, subs[:, 1]])
    n = n_items + n_cats
    adjacency = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    _, label = connected_components(adjacency, directed=False)
    line_label = label[P.line_item[live_p]]
    req_item = P.req_item[live_r]
    req_label = label[np.where(req_item == NONE, n_items + P.req_category[live_r], req_item)]
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    by_line = np.argsort(line_label, kind="stable")
    by_req = np.argsort(req_label, kind="stable")
    labels = np.intersect1d(line_label, req_label)
    l_lo = np.searchsorted(line_label[by_line], labels)
    l_hi = np.searchsorted(line_label[by_line], labels, side="right")
    r_lo = np.searchsorted(req_label[by_req], labels)
    r_hi = np.searchsorted(req_label[by_req], labels, side="right")
    for a, b, c, d in zip(l_lo, l_hi, r_lo, r_hi, strict=True):
        parts.append((live_p[by_line[a:b]], live_r[by_req[c:d]]))
    return parts


def _solve_part(
    P: Problem,
    live_p: np.ndarray,
    live_r: np.ndarray,
    supply_left: np.ndarray,
    demand_left: np.ndarray,
) -> _Part:
    """Plan one part: its lines ``live_p`` and requirements ``live_r`` (instance indices)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    line_cap = P.line_capability
    req_cap = P.req_capability
    assert line_cap is not None and req_cap is not None
    big = int(supply_left[live_p].sum()) + 1

    # --- base chains: (kind 0=item / 1=category, target, destination) ------------------------
    is_cat = P.req_item[live_r] == NONE
    target = np.where(is_cat, P.req_category[live_r], P.req_item[live_r])
    rkeys = np.stack([is_cat.astype(I64), target, P.req_destination[live_r]], axis=1)
    if len(live_r):
        base_keys, base_of_req = np.unique(rkeys, axis=0, return_inverse=True)
    else:
        base_keys, base_of_req = np.zeros((0, 3), dtype=I64), _ints([])
    base_keys = base_keys.astype(I64)
    base_of_req = _ints(base_of_req)
    n_base = len(base_keys)
    e_line, e_base, e_sub = _entries(P, live_p, base_keys)

    # --- capability chains: (base, capability) where a conditioned line can enter and a
    # requirement of that capability waits; only such requirements draw on them ---------------
    capspan = int(max(line_cap.max(initial=0), req_cap.max(initial=0))) + 1
    e_cap = line_cap[live_p[e_line]]
    r_cap = req_cap[live_r]
    conditioned = e_cap != NONE
    cap_keys = np.intersect1d(
        e_base[conditioned] * capspan + e_cap[conditioned],
        base_of_req[r_cap != NONE] * capspan + r_cap[r_cap != NONE],
    )
    n_chains = n_base + len(cap_keys)
    chain_dest = np.concatenate([base_keys[:, 2], base_keys[cap_keys // capspan, 2]])
    e_chain = e_base.copy()
    if len(cap_keys):
        ek = e_base[conditioned] * capspan + e_cap[conditioned]
        at = np.minimum(np.searchsorted(cap_keys, ek), len(cap_keys) - 1)
        e_chain[conditioned] = np.where(cap_keys[at] == ek, n_base + at, -1)
    else:
        e_chain[conditioned] = -1
    keep = e_chain >= 0
    e_line, e_chain, e_sub = e_line[keep], e_chain[keep], e_sub[keep]
    rk = base_of_req * capspan + r_cap
    at = np.minimum(np.searchsorted(cap_keys, rk), max(len(cap_keys) - 1, 0))
    has_cap = (r_cap != NONE) & (cap_keys[at] == rk) if len(cap_keys) else np.zeros(len(rk), bool)
    req_cap_chain = np.where(has_cap, n_base + at, NONE)

    # --- groups: (base, capability chain, needed_by, priority); day nodes per chain ----------
    day0 = int(min(P.req_needed_by.min(initial=0), P.line_available.min(initial=0)))
    gkeys = np.stack(
        [base_of_req, req_cap_chain, P.req_needed_by[live_r] - day0, P.req_priority[live_r]],
        axis=1,
    )
    if len(live_r):
        groups, group_of_req = np.unique(gkeys, axis=0, return_inverse=True)
    else:
        groups, group_of_req = np.zeros((0, 4), dtype=I64), _ints([])
    groups = groups.astype(I64)
    group_of_req = _ints(group_of_req)
    n_groups = len(groups)
    group_qty = np.bincount(group_of_req, demand_left[live_r], minlength=n_groups).astype(I64)
    # feeds: a group draws from its base chain and, if it has one, its capability chain
    with_cap = np.flatnonzero(groups[:, 1] != NONE)
    f_group = np.concatenate([np.arange(n_groups, dtype=I64), with_cap])
    f_chain = np.concatenate([groups[:, 0], groups[with_cap, 1]])
    span = int(groups[:, 2].max(initial=0)) + 2  # a day past every needed-by day
    f_key = f_chain * span + groups[f_group, 2]
    cd_key = np.unique(f_key)  # (chain, day) rows, ascending
    f_row = np.searchsorted(cd_key, f_key)
    cd_chain = cd_key // span
    chain_start = np.searchsorted(cd_chain, np.arange(n_chains + 1))

    g = _Graph()
    day_node = g.nodes(len(cd_key))
    end_node = g.nodes(n_chains)
    same = cd_chain[1:] == cd_chain[:-1]
    g.arcs(ARC_CHAIN, day_node[:-1][same], day_node[1:][same], big)
    last = np.append(~same, True) if len(cd_key) else np.zeros(0, bool)
    g.arcs(ARC_CHAIN, day_node[last], end_node[cd_chain[last]], big)
    # bundles: the groups of one (base chain, capability chain, priority); late units reach a
    # bundle as a whole (a late unit of a priority costs the same whichever group takes it), and
    # a bundle passes at most its groups' quantity on. A group keeps a node of its own only when
    # it draws on time from two chains (base and capability), which share its quantity.
    bundles, bundle_of_group = (
        np.unique(groups[:, [0, 1, 3]], axis=0, return_inverse=True)
        if n_groups
        else (np.zeros((0, 3), dtype=I64), _ints([]))
    )
    bundles, bundle_of_group = bundles.astype(I64), _ints(bundle_of_group)
    n_bundles = len(bundles)
    bundle_qty = np.bincount(bundle_of_group, group_qty, minlength=n_bundles).astype(I64)
    bundle_node = g.nodes(n_bundles)
    group_node = bundle_node[bundle_of_group]
    group_node[with_cap] = g.nodes(len(with_cap))
    g.arcs(ARC_ONTIME, day_node[f_row], group_node[f_group], group_qty[f_group])
    g.arcs(
        ARC_GROUP, group_node[with_cap], bundle_node[bundle_of_group[with_cap]], group_qty[with_cap]
    )
    tick("chains")

    # --- lines -> chains ------------------------------------------------------------------------
    line_node = g.nodes(len(live_p))
    e_km = P.km(P.line_depot[live_p[e_line]], chain_dest[e_chain])
    e_arrive = P.line_available[live_p[e_line]] + P.transit_days(e_km) - day0
    # first day node of the chain on or after arrival, else the end node
    pos = np.searchsorted(cd_key, e_chain * span + np.minimum(e_arrive, span - 1))
    in_chain = pos < chain_start[e_chain + 1]
    e_head = np.where(
        in_chain, day_node[np.minimum(pos, max(len(cd_key) - 1, 0))], end_node[e_chain]
    )
    # late: from the end of the base chain, and of the capability chain if any, to the bundle
    b_cap = np.flatnonzero(bundles[:, 1] != NONE)
    b_feed = np.concatenate([np.arange(n_bundles, dtype=I64), b_cap])
    b_chain = np.concatenate([bundles[:, 0], bundles[b_cap, 1]])
    late_w = np.array([0, 8, 4, 2, 1], dtype=I64)[bundles[b_feed, 2]]
    g.arcs(ARC_LATE, end_node[b_chain], bundle_node[b_feed], bundle_qty[b_feed], late_w)
    g.arcs(ARC_ENTRY, line_node[e_line], e_head, supply_left[live_p[e_line]], 0, e_km)
    sink = g.nodes(4)  # one per priority
    dump = g.nodes(1)[0]
    g.arcs(ARC_SINK, bundle_node, sink[bundles[:, 2] - 1], bundle_qty)
    g.arcs(ARC_DUMP, line_node, dump, supply_left[live_p])
    tails, heads, caps, late_cost, km_cost, kinds = g.freeze()
    entry = kinds == ARC_ENTRY
    tick("build")

    # --- coverage by priority, by maximum flows -------------------------------------
    # Days do not matter here (late units count): every unit entering a chain can reach its end
    # and every bundle draws late from there, so the maximum flows run on a graph without days,
    # where lines that can enter the same chains are one node.
    line_supply = supply_left[live_p]
    restricted = np.array([int(p) in P.line_destinations for p in live_p], dtype=bool)
    line_class = np.stack(
        [
            P.line_item[live_p],
            line_cap[live_p],
            np.where(restricted, np.arange(len(live_p)), NONE),
        ],
        axis=1,
    )
    if len(live_p):
        _, class_of_line = np.unique(line_class, axis=0, return_inverse=True)
    else:
        class_of_line = _ints([])
    class_of_line = _ints(class_of_line)
    n_classes = int(class_of_line.max(initial=-1)) + 1
    c_entry = np.unique(class_of_line[e_line] * max(n_chains, 1) + e_chain)
    c_class, c_chain = c_entry // max(n_chains, 1), c_entry % max(n_chains, 1)
    covered = _coverage(
        n_classes + n_chains + n_bundles,
        np.concatenate([c_class, n_classes + b_chain]),
        np.concatenate([n_classes + c_chain, n_classes + n_chains + b_feed]),
        np.full(len(c_entry) + len(b_feed), big, dtype=I64),
        np.arange(n_classes, dtype=I64),
        np.bincount(class_of_line, line_supply, minlength=n_classes).astype(I64),
        bundles[:, 2] - 1,
        bundle_qty,
    )
    supply = np.zeros(g.n, dtype=I64)
    supply[line_node] = supply_left[live_p]
    supply[sink] = -covered
    supply[dump] = -int(supply_left[live_p].sum() - covered.sum())
    tick("coverage")
    # --- lateness, substitutes and distance: one exact min-cost flow ------------------------
    flow = _lexicographic_flow(
        g.n, tails, heads, caps, late_cost, km_cost, entry, e_line, e_head, e_km, e_sub, supply
    )
    tick("flow")

    # --- decompose the chain flows into (line, group) pairs --------------------------------
    ent_flow = flow[entry]  # entries in e_* order
    out_on = flow[kinds == ARC_ONTIME]  # feeds in f_* order
    out_late = _late_per_feed(
        flow[kinds == ARC_LATE], b_cap, bundle_of_group, group_qty, with_cap, f_group, out_on
    )
    p_entry, p_group, p_qty = _decompose(
        e_chain, np.where(in_chain, pos, _END), ent_flow, f_chain, f_row, f_group, out_on, out_late
    )
    if len(p_qty):
        # split each group's pairs over the group's requirements, in order
        req_rows = live_r[np.argsort(group_of_req, kind="stable")]
        req_group = np.sort(group_of_req, kind="stable")
        req_need = demand_left[req_rows]
        order = np.argsort(p_group, kind="stable")
        lines_out, reqs_out, qty_out = _split_groups(
            live_p[e_line[p_entry[order]]],
            p_group[order],
            p_qty[order],
            req_rows,
            req_group,
            req_need,
        )
        line_a, req_a, qty_a = _merge(
            np.concatenate(lines_out), np.concatenate(reqs_out), np.concatenate(qty_out)
        )
    else:
        line_a, req_a, qty_a = _ints([]), _ints([]), _ints([])
    tick("decompose")
    return _Part(
        line=line_a,
        req=req_a,
        qty=qty_a,
        timings=timings,
        graph={"nodes": g.n, "arcs": len(tails), "chains": n_chains, "groups": n_groups},
    )


BIG_M_LIMIT = 2**60  # above this (largest cost x nodes), the levels are solved one by one


def _network_simplex(
    supply: np.ndarray, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """An optimal flow and optimal node potentials (LEMON's network simplex), checked.

    The check is the optimality certificate itself: the flow balances every node within the
    capacities, and with ``reduced = cost + pi[tail] - pi[head]`` no arc below its capacity has
    a negative reduced cost and no arc carrying flow a positive one.
    """
    supply = supply.astype(I64)
    if not len(tails):
        if supply.any():
            raise RuntimeError("min-cost flow: supply without arcs")
        return _ints([]), np.zeros(len(supply), dtype=I64)
    flow, pot = _lmcf(
        supply,
        np.asarray(tails, dtype=I64),
        np.asarray(heads, dtype=I64),
        np.asarray(caps, dtype=I64),
        np.asarray(costs, dtype=I64),
        return_potentials=True,
    )
    flow, pot = np.asarray(flow, dtype=I64), np.asarray(pot, dtype=I64)
    balance = np.bincount(tails, flow, minlength=len(supply)) - np.bincount(
        heads, flow, minlength=len(supply)
    )
    reduced = costs + pot[tails] - pot[heads]
    if (
        (flow < 0).any()
        or (flow > caps).any()
        or not np.array_equal(balance.astype(I64), supply)
        or ((flow < caps) & (reduced < 0)).any()
        or ((flow > 0) & (reduced > 0)).any()
    ):
        raise RuntimeError("min-cost flow: the solution failed its optimality check")
    return flow, pot


def _lexicographic_flow(
    n: int,
    tails: np.ndarray,
    heads: np.ndarray,
    caps: np.ndarray,
    late_cost: np.ndarray,
    km_cost: np.ndarray,
    entry: np.ndarray,
    e_line: np.ndarray,
    e_head: np.ndarray,
    e_km: np.ndarray,
    e_sub: np.ndarray,
    supply: np.ndarray,
) -> np.ndarray:
    """The flow that is optimal for lateness, then substitutes, then unit-km.

    One min-cost flow with the levels weighted: a flow is optimal for the weighted cost iff its
    residual graph has no negative cycle, and lexicographically optimal iff it has no cycle that
    is lexicographically negative (a better flow differs from it by residual cycles, and a sum of
    lexicographically non-negative vectors is non-negative). The weights make the two agree: a
    simple cycle passes a node at most once, so it changes unit-km by less than ``M2`` (the
    bound of :func:`_km_cycle_bound`, plus one) and the substitute units by at most twice the
    number of lines (or heads) with a substitute entry; ``M1`` is above what both can change
    together. Lateness weights ``w`` become ``w * M1``, substitutes ``M2``, km stays km.

    When those weights would come too near the 64-bit range, the levels are solved one by one
    instead, each on the optimal face of the one before (complementary slackness: arcs with a
    positive reduced cost stay empty, those with a negative one stay full).
    """
    sub_cost = np.zeros(len(tails), dtype=I64)
    sub_cost[entry] = e_sub
    live = caps > 0
    m2 = _km_cycle_bound(e_line, e_head, e_km) + 1
    with_sub = e_sub > 0
    n_sub = 2 * min(len(np.unique(e_line[with_sub])), len(np.unique(e_head[with_sub])))
    m1 = n_sub * m2 + m2
    largest = int(late_cost.max(initial=0)) * m1 + m2 + int(e_km.max(initial=0))
    flow = np.zeros(len(tails), dtype=I64)
    if largest * (n + 1) < BIG_M_LIMIT:
        cost = late_cost * m1 + sub_cost * m2 + km_cost
        if live.all():
            return _network_simplex(supply, tails, heads, caps, cost)[0]
        flow[live], _ = _network_simplex(supply, tails[live], heads[live], caps[live], cost[live])
        return flow
    # level by level: lateness first
    _, pot = _network_simplex(supply, tails[live], heads[live], caps[live], late_cost[live])
    reduced = late_cost + pot[tails] - pot[heads]
    pinned = live & (reduced < 0)
    free = live & (reduced == 0)
    supply2 = supply.astype(I64)
    np.subtract.at(supply2, tails[pinned], caps[pinned])
    np.add.at(supply2, heads[pinned], caps[pinned])
    # then substitutes and unit-km together, on the face (free arcs only)
    free_entry = free[entry]
    m2 = _km_cycle_bound(e_line[free_entry], e_head[free_entry], e_km[free_entry]) + 1
    cost2 = sub_cost * m2 + km_cost
    flow = np.where(pinned, caps, 0)
    flow[free], _ = _network_simplex(supply2, tails[free], heads[free], caps[free], cost2[free])
    return flow


def _late_per_feed(
    late_flow: np.ndarray,
    b_cap: np.ndarray,
    bundle_of_group: np.ndarray,
    group_qty: np.ndarray,
    with_cap: np.ndarray,
    f_group: np.ndarray,
    out_on: np.ndarray,
) -> np.ndarray:
    """Share each bundle's late units among its groups, in order, within what each group
    still lacks after its on-time units: first the units from the base chain, then those from
    the capability chain (whose late arcs follow, for the bundles ``b_cap``). Returns late
    units per feed, in the ``f_*`` order: every group's base chain, then the capability chain
    of the groups in ``with_cap``."""
    n_groups = len(group_qty)
    n_bundles = len(late_flow) - len(b_cap)
    from_base = late_flow[:n_bundles]
    from_cap = np.zeros(n_bundles, dtype=I64)
    from_cap[b_cap] = late_flow[n_bundles:]
    order = np.argsort(bundle_of_group, kind="stable")
    b = bundle_of_group[order]
    room = (group_qty - np.bincount(f_group, out_on, minlength=n_groups).astype(I64))[order]
    before = np.cumsum(room) - room  # what the earlier groups lack, from the first group on
    before -= before[np.searchsorted(b, np.arange(n_bundles))][b]  # ... within the bundle
    take_base = np.clip(from_base[b] - before, 0, room)
    take_cap = np.clip(from_base[b] + from_cap[b] - before, 0, room) - take_base
    if take_base.sum() != from_base.sum() or take_cap.sum() != from_cap.sum():
        raise RuntimeError("flow decomposition: a bundle got more late units than it lacks")
    late = np.zeros(len(f_group), dtype=I64)
    late[order] = take_base
    cap_take = np.zeros(n_groups, dtype=I64)
    cap_take[order] = take_cap
    late[n_groups:] = cap_take[with_cap]
    return late


_END = np.iinfo(I64).max  # chain position of the end node


def _objective(
    P: Problem, reqs: np.ndarray, qty: np.ndarray, late: np.ndarray, sub: np.ndarray, km: Any
) -> Objective:
    prio = P.req_priority[reqs] if len(reqs) else _ints([])
    weights = np.array([0, 8, 4, 2, 1], dtype=I64)[prio] if len(reqs) else _ints([])
    return Objective(
        covered=tuple(int(qty[prio == k].sum()) for k in PRIORITIES),  # type: ignore[arg-type]
        late_weighted=int((qty * late * weights).sum()),
        late_units=int((qty * late).sum()),
        substitute_units=int((qty * sub).sum()),
        unit_km=int((qty * km).sum()),
        required=tuple(  # type: ignore[arg-type]
            int(P.req_qty[P.req_priority == k].sum()) for k in PRIORITIES
        ),
    )


def _entries(
    P: Problem, live_p: np.ndarray, base_keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (line, base chain) a line's item may feed, with a substitute flag; destination
    conditions applied (capability conditions are the caller's)."""
    if not len(live_p) or not len(base_keys):
        return _ints([]), _ints([]), _ints([])
    # base chains by (kind, target)
    by_target: dict[tuple[int, int], np.ndarray] = {}
    span = int(base_keys[:, 1].max()) + 1
    kt = base_keys[:, 0] * span + base_keys[:, 1]
    order = np.argsort(kt, kind="stable")
    uniq, starts = np.unique(kt[order], return_index=True)
    bounds = np.append(starts, len(order))
    for u, a, b in zip(uniq.tolist(), bounds[:-1], bounds[1:], strict=True):
        by_target[(u // span, u % span)] = order[a:b]
    subs_of: dict[int, list[int]] = defaultdict(list)
    for a, b in P.substitutes.tolist():
        if a != b:
            subs_of[a].append(b)
    out_l: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    items = P.line_item[live_p]
    by_item = np.argsort(items, kind="stable")
    item_values, item_starts = np.unique(items[by_item], return_index=True)
    item_bounds = np.append(item_starts, len(by_item))
    for k, a, b in zip(item_values.tolist(), item_bounds[:-1], item_bounds[1:], strict=True):
        lines_k = by_item[a:b]
        targets = [((0, k), 0), ((1, int(P.item_category[k])), 0)]
        targets += [((0, s), 1) for s in sorted(set(subs_of.get(k, ())))]
        for key, is_sub in targets:
            chains = by_target.get(key)
            if chains is None:
                continue
            out_l.append(np.repeat(lines_k, len(chains)))
            out_c.append(np.tile(chains, len(lines_k)))
            out_s.append(np.full(len(lines_k) * len(chains), is_sub, dtype=I64))
    if not out_l:
        return _ints([]), _ints([]), _ints([])
    el, ec, es = np.concatenate(out_l), np.concatenate(out_c), np.concatenate(out_s)
    if P.line_destinations:
        ok = np.ones(len(el), dtype=bool)
        restricted = np.array([int(p) in P.line_destinations for p in live_p], dtype=bool)
        for row in np.flatnonzero(restricted[el]).tolist():
            allowed = P.line_destinations[int(live_p[el[row]])]
            if int(base_keys[ec[row], 2]) not in allowed:
                ok[row] = False
        el, ec, es = el[ok], ec[ok], es[ok]
    return el, ec, es


def _decompose(
    e_chain: np.ndarray,
    e_pos: np.ndarray,
    ent_flow: np.ndarray,
    f_chain: np.ndarray,
    f_row: np.ndarray,
    f_group: np.ndarray,
    out_on: np.ndarray,
    out_late: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pair the units entering each chain with the units leaving it, day by day (FIFO).

    Flow only moves forward along a chain, so a unit drawn on time at a day entered on or
    before it; units drawn late left from the end node (position ``_END``). Returns
    (entry index, group index, quantity) triples.
    """
    live_e = np.flatnonzero(ent_flow > 0)
    live_on = np.flatnonzero(out_on > 0)
    live_late = np.flatnonzero(out_late > 0)
    n_e, n_on = len(live_e), len(live_on)
    chain = np.concatenate([e_chain[live_e], f_chain[live_on], f_chain[live_late]])
    position = np.concatenate(
        [e_pos[live_e], f_row[live_on], np.full(len(live_late), _END, dtype=I64)]
    )
    phase = np.concatenate([np.zeros(n_e, I64), np.ones(n_on + len(live_late), I64)])
    ref = np.concatenate([live_e, f_group[live_on], f_group[live_late]])
    amount = np.concatenate([ent_flow[live_e], out_on[live_on], out_late[live_late]])
    order = np.lexsort((phase, position, chain))
    pe: list[int] = []
    pg: list[int] = []
    pq: list[int] = []
    queue: list[list[int]] = []  # [entry, remaining]
    head = 0
    current = -1
    for c, ph, r, need in zip(
        chain[order].tolist(),
        phase[order].tolist(),
        ref[order].tolist(),
        amount[order].tolist(),
        strict=True,
    ):
        if c != current:
            queue, head, current = [], 0, c
        if ph == 0:
            queue.append([r, need])
            continue
        while need > 0:
            if head >= len(queue):
                raise RuntimeError("flow decomposition: a chain serves more than entered it")
            ent = queue[head]
            take = min(need, ent[1])
            pe.append(ent[0])
            pg.append(r)
            pq.append(take)
            ent[1] -= take
            need -= take
            if ent[1] == 0:
                head += 1
    return _ints(pe), _ints(pg), _ints(pq)


def _split_groups(
    p_line: np.ndarray,
    p_group: np.ndarray,
    p_qty: np.ndarray,
    req_rows: np.ndarray,
    req_group: np.ndarray,
    req_need: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Spread each group's (line, qty) pairs over the group's requirements, in order."""
    starts = np.searchsorted(req_group, np.arange(req_group.max() + 2 if len(req_group) else 1))
    out_l: list[int] = []
    out_r: list[int] = []
    out_q: list[int] = []
    need = req_need.copy()
    cursor: dict[int, int] = {}
    for line, grp, q in zip(p_line.tolist(), p_group.tolist(), p_qty.tolist(), strict=True):
        i = cursor.get(grp, int(starts[grp]))
        end = int(starts[grp + 1])
        while q > 0:
            if i >= end:
                raise RuntimeError("flow decomposition: a group got more than it needs")
            take = min(q, int(need[i]))
            if take:
                out_l.append(line)
                out_r.append(int(req_rows[i]))
                out_q.append(take)
                need[i] -= take
                q -= take
            if need[i] == 0:
                i += 1
        cursor[grp] = i
    return [_ints(out_l)], [_ints(out_r)], [_ints(out_q)]


def _merge(
    lines: np.ndarray, reqs: np.ndarray, qty: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not len(lines):
        return lines, reqs, qty
    key = lines * (int(reqs.max()) + 1) + reqs
    uniq, inv = np.unique(key, return_inverse=True)
    total = np.bincount(inv, qty).astype(I64)
    first = np.zeros(len(uniq), dtype=I64)
    first[inv[::-1]] = np.arange(len(key))[::-1]
    return lines[first], reqs[first], total


def solve_summary(result: Result) -> dict[str, Any]:
    return {
        "status": result.status,
        "objective": result.objective.as_dict(),
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "graph": result.graph,
        "allocations": len(result),
    }


__all__ = [
    "Objective",
    "Problem",
    "Result",
    "haversine_km",
    "objective_of",
    "pair_terms",
    "solve",
]
