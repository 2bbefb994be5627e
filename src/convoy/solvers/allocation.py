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
A min-cost flow (OR-Tools) on an aggregated graph, never one arc per (line, requirement) pair:
lines feed *chains*, one per (target item or category, destination, capability) with one node per
distinct needed-by day in ascending order plus an end node. A line enters a chain at the first
day on or after its arrival (or at the end node when it arrives after all of them), with the
distance (and substitute) cost on that arc; flow moves forward along the chain for free; a group
of requirements with the same chain, day and priority draws on time from its day node and late
from the end node. A shortage source tops up every group at a priority cost, and a dump node
takes unused supply.

The levels are solved in two min-cost flows, each exact:

* Stage 1: coverage and lateness together. A simple cycle of the residual graph passes the
  shortage source at most once, so it trades at most one unit of one priority for one of another;
  priority weights ``W_k = (5 - k) * (X + 1)``, with ``X`` a bound on the lateness any simple
  cycle can change, make the weighted optimum the lexicographic one (no improving cycle exists
  for a higher level).
* The optimal face of stage 1 is fixed exactly by complementary slackness: node potentials are
  shortest-path distances in the residual graph (computed as a min-cost flow too); arcs with a
  positive reduced cost are closed, arcs with a negative one are pinned at capacity.
* Stage 2: substitutes and distance on that face, with the substitute weight above any distance
  change a simple cycle can make.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

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


ARC_ENTRY, ARC_CHAIN, ARC_ONTIME, ARC_LATE, ARC_SHORT, ARC_DUMP, ARC_SPARE = range(7)


def _min_cost_flow(
    n: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray, supply: Any
) -> np.ndarray:
    smcf = min_cost_flow.SimpleMinCostFlow()
    if len(tails):
        smcf.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), caps.astype(I64), costs.astype(I64)
        )
    smcf.set_nodes_supplies(np.arange(n, dtype=np.int32), np.asarray(supply, dtype=I64))
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: status {status}")
    return np.asarray(smcf.flows(np.arange(len(tails), dtype=np.int32)), dtype=I64)


def _potentials(
    n: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray, flow: Any
) -> np.ndarray:
    """Shortest-path distances from a virtual root in the residual graph of an optimal flow.

    Computed as a min-cost flow too (the root sends one unit to every node along the residual
    arcs), then read off the arcs that carry flow, whose reduced cost is zero.
    """
    fwd = flow < caps
    bwd = flow > 0
    rt = np.concatenate([tails[fwd], heads[bwd]])
    rh = np.concatenate([heads[fwd], tails[bwd]])
    rc = np.concatenate([costs[fwd], -costs[bwd]])
    root = n
    allnodes = np.arange(n, dtype=I64)
    t = np.concatenate([rt, np.full(n, root, dtype=I64)])
    h = np.concatenate([rh, allnodes])
    c = np.concatenate([rc, np.zeros(n, dtype=I64)])
    cap = np.full(len(t), n, dtype=I64)
    supply = np.full(n + 1, -1, dtype=I64)
    supply[root] = n
    f = _min_cost_flow(n + 1, t, h, cap, c, supply)
    used = f > 0
    ut, uh, uc = t[used], h[used], c[used]
    # every node is reached by flow from the root: a BFS tree over flow-carrying arcs
    key = ut * (n + 1) + uh
    key, first = np.unique(key, return_index=True)
    ut, uh, uc = ut[first], uh[first], uc[first]
    tree = csr_matrix((np.ones(len(ut)), (ut, uh)), shape=(n + 1, n + 1))
    _order, pred = breadth_first_order(tree, root, directed=True, return_predecessors=True)
    pred = pred.astype(I64)
    wpred = np.zeros(n + 1, dtype=I64)
    nodes = np.nonzero(pred >= 0)[0]
    wpred[nodes] = uc[np.searchsorted(key, pred[nodes] * (n + 1) + nodes)]
    pred[root] = root
    wpred[root] = 0
    if (pred < 0).any():
        raise RuntimeError("potentials: flow does not reach every node")
    # pointer jumping: dist[v] = weights summed from v up to its ancestor anc[v]
    dist, anc = wpred, pred
    for _ in range(64):
        if (anc == root).all():
            break
        dist = dist + dist[anc]
        anc = anc[anc]
    else:
        raise RuntimeError("potentials: flow-carrying arcs form a cycle without the root")
    return dist[:n]


@dataclass
class _Chains:
    """Per chain: its day nodes (ascending days) and its end node."""

    key_index: dict[tuple[int, int, int, int], int]
    days: list[np.ndarray]
    day_nodes: list[np.ndarray]
    end_node: np.ndarray


def solve(problem: Problem, *, progress: Any = None) -> Result:
    """Solve one instance by the rule in the module docstring."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def tick(name: str, pct: int) -> None:
        timings[name] = time.perf_counter() - tick.last  # type: ignore[attr-defined]
        tick.last = time.perf_counter()  # type: ignore[attr-defined]
        if progress:
            progress(pct, name)

    tick.last = t0  # type: ignore[attr-defined]
    P = problem
    big = int(P.line_qty.sum()) + 1
    n_lines, n_reqs = P.n_lines, P.n_reqs
    line_cap = P.line_capability
    req_cap = P.req_capability
    assert line_cap is not None and req_cap is not None

    fixed_used = np.bincount(P.fixed_line, P.fixed_qty, minlength=n_lines).astype(I64)
    fixed_taken = np.bincount(P.fixed_req, P.fixed_qty, minlength=n_reqs).astype(I64)
    supply_left = P.line_qty - fixed_used
    supply_left[P.line_depot == NONE] = 0
    demand_left = P.req_qty - fixed_taken

    # --- chains: (kind 0=item / 1=category, target, destination, capability) --------------
    live_r = np.nonzero(demand_left > 0)[0]
    is_cat = P.req_item[live_r] == NONE
    target = np.where(is_cat, P.req_category[live_r], P.req_item[live_r])
    rkeys = np.stack(
        [
            is_cat.astype(I64),
            target,
            P.req_destination[live_r],
            req_cap[live_r],
        ],
        axis=1,
    )
    g = _Graph()
    chain_keys, chain_of_req = (
        np.unique(rkeys, axis=0, return_inverse=True) if len(live_r) else (np.zeros((0, 4)), [])
    )
    chain_of_req = np.asarray(chain_of_req, dtype=I64).reshape(-1)
    n_chains = len(chain_keys)
    # groups: (chain, needed_by, priority)
    gkeys = np.stack(
        [chain_of_req, P.req_needed_by[live_r], P.req_priority[live_r]], axis=1
    ).astype(I64)
    groups, group_of_req = (
        np.unique(gkeys, axis=0, return_inverse=True) if len(live_r) else (np.zeros((0, 3)), [])
    )
    group_of_req = np.asarray(group_of_req, dtype=I64).reshape(-1)
    groups = groups.astype(I64)
    group_qty = np.bincount(group_of_req, demand_left[live_r], minlength=len(groups)).astype(I64)

    # day nodes per chain: distinct needed-by days of its groups
    cd = np.unique(groups[:, :2], axis=0) if len(groups) else np.zeros((0, 2), dtype=I64)
    day_node = g.nodes(len(cd))  # node of row i of cd
    end_node = g.nodes(n_chains)
    chain_start = np.searchsorted(cd[:, 0], np.arange(n_chains + 1)) if len(cd) else np.zeros(1)
    # chain arcs: day -> next day of the same chain, last day -> end
    if len(cd):
        same = cd[1:, 0] == cd[:-1, 0]
        g.arcs(ARC_CHAIN, day_node[:-1][same], day_node[1:][same], big)
        last = np.append(~same, True)
        g.arcs(ARC_CHAIN, day_node[last], end_node[cd[last, 0]], big)
    group_node = g.nodes(len(groups))
    # on-time and late arcs into groups
    grow = np.searchsorted(cd[:, 0] * _DAYSPAN + cd[:, 1], groups[:, 0] * _DAYSPAN + groups[:, 1])
    late_w = np.array([0, 8, 4, 2, 1], dtype=I64)[groups[:, 2]] if len(groups) else _ints([])
    g.arcs(ARC_ONTIME, day_node[grow], group_node, group_qty)
    tick("chains", 10)

    # --- lines -> chains --------------------------------------------------------------------
    live_p = np.nonzero(supply_left > 0)[0]
    line_node = g.nodes(len(live_p))
    entries = _entries(P, live_p, chain_keys, line_cap)
    e_line, e_chain, e_sub = entries
    e_dest = chain_keys[e_chain, 2].astype(I64) if len(e_chain) else _ints([])
    e_km = P.km(P.line_depot[live_p[e_line]], e_dest) if len(e_line) else _ints([])
    e_arrive = P.line_available[live_p[e_line]] + P.transit_days(e_km)
    # first day node of the chain on or after arrival, else the end node
    pos = np.searchsorted(cd[:, 0] * _DAYSPAN + cd[:, 1], e_chain * _DAYSPAN + e_arrive)
    in_chain = pos < chain_start[e_chain + 1] if len(e_chain) else np.zeros(0, dtype=bool)
    e_head = np.where(in_chain, day_node[np.minimum(pos, max(len(cd) - 1, 0))], end_node[e_chain])
    max_km = int(e_km.max()) if len(e_km) else 0

    # --- stage weights (see the module docstring) ---------------------------------------------
    late_arcs_bound = 2 * min(n_chains, len(groups)) * 8
    cover_unit = late_arcs_bound + 1
    cover_w = (5 - groups[:, 2]) * cover_unit if len(groups) else _ints([])
    dist_bound = 2 * min(len(live_p), len(cd) + n_chains) * max_km
    sub_w = dist_bound + 1

    g.arcs(ARC_LATE, end_node[groups[:, 0]], group_node, group_qty, late_w, 0)
    g.arcs(
        ARC_ENTRY, line_node[e_line], e_head, supply_left[live_p[e_line]], 0, e_sub * sub_w + e_km
    )
    short = g.nodes(1)[0]
    dump = g.nodes(1)[0]
    g.arcs(ARC_SHORT, np.full(len(groups), short), group_node, group_qty, cover_w, 0)
    g.arcs(ARC_DUMP, line_node, dump, supply_left[live_p])
    g.arcs(ARC_SPARE, [short], dump, [int(group_qty.sum())])
    tails, heads, caps, cost1, cost2, kinds = g.freeze()
    supply = np.zeros(g.n, dtype=I64)
    supply[line_node] = supply_left[live_p]
    supply[group_node] = -group_qty
    supply[short] = int(group_qty.sum())
    supply[dump] = -int(supply_left[live_p].sum())
    tick("build", 20)

    # --- stage 1: coverage by priority, then lateness -------------------------------------------
    flow1 = _min_cost_flow(g.n, tails, heads, caps, cost1, supply)
    tick("stage1", 50)
    # --- fix the optimal face of stage 1 --------------------------------------------------------
    pot = _potentials(g.n, tails, heads, caps, cost1, flow1)
    reduced = cost1 + pot[tails] - pot[heads]
    pinned = reduced < 0
    caps2 = caps.copy()
    caps2[reduced > 0] = 0
    caps2[pinned] = 0
    supply2 = supply.copy()
    np.subtract.at(supply2, tails[pinned], caps[pinned])
    np.add.at(supply2, heads[pinned], caps[pinned])
    tick("face", 65)
    # --- stage 2: exact items, then distance ----------------------------------------------------
    flow2 = _min_cost_flow(g.n, tails, heads, caps2, cost2, supply2)
    flow = flow2 + np.where(pinned, caps, 0)
    tick("stage2", 85)

    # --- decompose the chain flows into (line, group) pairs --------------------------------
    ent = kinds == ARC_ENTRY
    ent_flow = flow[ent]  # entries in e_* order
    out_on = flow[kinds == ARC_ONTIME]
    out_late = flow[kinds == ARC_LATE]
    pairs = _decompose(
        e_chain, pos, in_chain, ent_flow, groups, grow, out_on, out_late, chain_start
    )
    # pairs: (entry index, group index, qty, late)
    lines_out: list[np.ndarray] = []
    reqs_out: list[np.ndarray] = []
    qty_out: list[np.ndarray] = []
    if len(pairs[0]):
        p_entry, p_group, p_qty, _p_late = pairs
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
    line_a = np.concatenate(lines_out) if lines_out else _ints([])
    req_a = np.concatenate(reqs_out) if reqs_out else _ints([])
    qty_a = np.concatenate(qty_out) if qty_out else _ints([])
    # merge duplicates and add the fixed allocations
    line_a, req_a, qty_a = _merge(line_a, req_a, qty_a)
    all_line = np.concatenate([P.fixed_line, line_a])
    all_req = np.concatenate([P.fixed_req, req_a])
    all_qty = np.concatenate([P.fixed_qty, qty_a])
    is_fixed = np.concatenate([np.ones(len(P.fixed_qty), bool), np.zeros(len(qty_a), bool)])
    known_depot = P.line_depot[all_line] != NONE if len(all_line) else np.zeros(0, bool)
    late = np.zeros(len(all_line), bool)
    sub = np.zeros(len(all_line), bool)
    km = np.zeros(len(all_line), I64)
    if known_depot.any():
        lt, sb, k = pair_terms(P, all_line[known_depot], all_req[known_depot])
        late[known_depot], sub[known_depot], km[known_depot] = lt, sb, k
    sub[~known_depot] = (P.req_item[all_req[~known_depot]] != NONE) & (
        P.req_item[all_req[~known_depot]] != P.line_item[all_line[~known_depot]]
    )
    objective = _objective(P, all_req, all_qty, late, sub, km)
    tick("decompose", 100)
    timings["total"] = time.perf_counter() - t0
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
        graph={"nodes": g.n, "arcs": len(tails), "chains": n_chains, "groups": len(groups)},
    )


_DAYSPAN = 1 << 24  # larger than any day number used


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
    P: Problem, live_p: np.ndarray, chain_keys: np.ndarray, line_cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (line, chain) a line may feed, with a substitute flag; donor conditions applied."""
    if not len(live_p) or not len(chain_keys):
        return _ints([]), _ints([]), _ints([])
    # chains by (kind, target)
    by_target: dict[tuple[int, int], np.ndarray] = {}
    kt = chain_keys[:, 0] * _DAYSPAN + chain_keys[:, 1]
    order = np.argsort(kt, kind="stable")
    uniq, starts = np.unique(kt[order], return_index=True)
    bounds = np.append(starts, len(order))
    for u, a, b in zip(uniq, bounds[:-1], bounds[1:], strict=True):
        by_target[(int(u // _DAYSPAN), int(u % _DAYSPAN))] = order[a:b]
    subs_of: dict[int, list[int]] = defaultdict(list)
    for a, b in P.substitutes:
        if a != b:
            subs_of[int(a)].append(int(b))
    out_l: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    items = P.line_item[live_p]
    for k in np.unique(items):
        k = int(k)
        lines_k = np.nonzero(items == k)[0]
        targets = [((0, k), 0), ((1, int(P.item_category[k])), 0)]
        targets += [((0, b), 1) for b in sorted(set(subs_of.get(k, ())))]
        for key, is_sub in targets:
            chains = by_target.get(key)
            if chains is None:
                continue
            ll = np.repeat(lines_k, len(chains))
            cc = np.tile(chains, len(lines_k))
            out_l.append(ll)
            out_c.append(cc)
            out_s.append(np.full(len(ll), is_sub, dtype=I64))
    if not out_l:
        return _ints([]), _ints([]), _ints([])
    el, ec, es = np.concatenate(out_l), np.concatenate(out_c), np.concatenate(out_s)
    # donor conditions
    cap = line_cap[live_p[el]]
    ok = (cap == NONE) | (cap == chain_keys[ec, 3])
    if P.line_destinations:
        restricted = np.array(
            [int(live_p[i]) in P.line_destinations for i in range(len(live_p))], dtype=bool
        )
        rows = np.nonzero(restricted[el])[0]
        for row in rows:
            allowed = P.line_destinations[int(live_p[el[row]])]
            if int(chain_keys[ec[row], 2]) not in allowed:
                ok[row] = False
    return el[ok], ec[ok], es[ok]


def _decompose(
    e_chain: np.ndarray,
    pos: np.ndarray,
    in_chain: np.ndarray,
    ent_flow: np.ndarray,
    groups: np.ndarray,
    grow: np.ndarray,
    out_on: np.ndarray,
    out_late: np.ndarray,
    chain_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pair the units entering each chain with the units leaving it, day by day (FIFO).

    Flow only moves forward along a chain, so a unit served on time at a day entered on or
    before it: on time for that group; units served late left from the end node.
    """
    # events per chain position: entries at position pos (or end), exits at grow (or end)
    n_entries = len(e_chain)
    live_e = np.nonzero(ent_flow > 0)[0]
    live_on = np.nonzero(out_on > 0)[0]
    live_late = np.nonzero(out_late > 0)[0]
    END = np.iinfo(I64).max
    # sort key: (chain, position, phase) with phase 0 = entry, 1 = exit
    e_pos = np.where(in_chain[live_e], pos[live_e], END)
    keys = [
        (e_chain[live_e], e_pos, np.zeros(len(live_e), I64), live_e, ent_flow[live_e]),
        (groups[live_on, 0], grow[live_on], np.ones(len(live_on), I64), live_on, out_on[live_on]),
        (
            groups[live_late, 0],
            np.full(len(live_late), END),
            np.ones(len(live_late), I64),
            live_late,
            out_late[live_late],
        ),
    ]
    kinds = np.concatenate([np.full(len(k[3]), i, I64) for i, k in enumerate(keys)])
    chain = np.concatenate([k[0] for k in keys])
    position = np.concatenate([k[1] for k in keys])
    phase = np.concatenate([k[2] for k in keys])
    ref = np.concatenate([k[3] for k in keys])
    amount = np.concatenate([k[4] for k in keys])
    order = np.lexsort((kinds, phase, position, chain))
    pe: list[int] = []
    pg: list[int] = []
    pq: list[int] = []
    pl: list[bool] = []
    queue: list[list[int]] = []  # [entry, remaining]
    head = 0
    current = -1
    for i in order.tolist():
        c = int(chain[i])
        if c != current:
            queue, head, current = [], 0, c
        if kinds[i] == 0:
            queue.append([int(ref[i]), int(amount[i])])
            continue
        need = int(amount[i])
        grp = int(ref[i])
        late = bool(kinds[i] == 2)
        while need > 0:
            if head >= len(queue):
                raise RuntimeError("flow decomposition: a chain serves more than entered it")
            ent = queue[head]
            take = min(need, ent[1])
            pe.append(ent[0])
            pg.append(grp)
            pq.append(take)
            pl.append(late)
            ent[1] -= take
            need -= take
            if ent[1] == 0:
                head += 1
    del n_entries
    return _ints(pe), _ints(pg), _ints(pq), np.asarray(pl, dtype=bool)


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
