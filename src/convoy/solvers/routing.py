"""Routing planner: schedule consignments over a time-expanded network of depots, hubs and
destinations, respecting transit times and daily capacities, late as little as possible.

No Django here: input and output are plain dataclasses over NumPy arrays, so the solver can be
tested against an independent MILP and benchmarked alone.

The rule
========
Days are integers ``0 .. horizon``. A *leg* ``l`` from node ``leg_from[l]`` to ``leg_to[l]``
departing on day ``t`` arrives on day ``t + leg_transit[l]`` (transit >= 1 day), which must be
``<= horizon``. A consignment ``k`` of ``cons_size[k]`` units (pallets) becomes available at
``cons_origin[k]`` on day ``cons_ready[k]`` and is needed at ``cons_destination[k]`` by day
``cons_need_by[k]``, with priority ``cons_priority[k]`` in 1 (critical) .. 4 (routine).

Splitting. A consignment may be split, in whole units, over several routes (*parts*). A route is
a sequence of legs, each departing from the node the previous one arrived at, on or after the
day it arrived there; the first departs from the origin on or after the ready day, the last
arrives at the destination (a route ends the first time it reaches it). Waiting at any node is
free and uses no capacity. A consignment whose origin is its destination arrives on its ready
day without legs.

Capacities, per day, ``0`` meaning no limit:

* **leg**: at most ``leg_capacity[l]`` units depart on leg ``l`` on each day;
* **node**: node ``x`` *handles* each unit once per visit: at its origin on the day it departs,
  at every later node on the day it arrives there (a hub it passes, and its destination). At most
  ``node_capacity[x]`` units are handled at ``x`` on each day.

A unit that does not reach its destination by day ``horizon`` is *undelivered* (reported per
consignment: not routable within the horizon, either because no route exists at all or because
the capacities are taken by more urgent units); for the rule it arrives on day ``horizon + 1``
and is late at least one day. So a unit arriving on day ``a`` is late
``late = max(0, a - need_by)`` days, and an undelivered one ``max(1, horizon + 1 - need_by)``:
delivering is always better than not delivering.

Objective, in strict (lexicographic) order; the second level only breaks ties of the first:

1. **Weighted lateness**: minimise ``sum over units of w(priority) * late`` with
   ``w = 8, 4, 2, 1`` for priorities 1..4 (one unit-day late of a critical consignment weighs as
   much as eight of a routine one);
2. **Cost**: minimise ``sum over units of the leg_cost of every leg they travel``.

Reported besides: units late (delivered late), units undelivered, and per consignment its parts
(quantity, legs, departure days), the day its last delivered unit arrives (``-1`` when none
does), its days late (of its latest unit, undelivered units counted as above) and its
undelivered units. A consignment of size 0 has no parts and counts nowhere.

Without splitting into whole units the optimum is an integer multicommodity flow (NP-hard in
general); the solver returns a plan that satisfies every constraint, a proven lower bound on each
level (rounded up to an integer after taking off the LP's tolerance, 1e-6 relative), and
``status`` ``"optimal"`` when the plan meets the bound, else ``"feasible"`` with the relative gap
``(plan - bound) / plan`` of the first level where it does not; ``level_gaps`` gives both levels'
gaps apart (the cost's only once the lateness is proven optimal). On large instances the bound's
float tolerance alone can leave a gap of about 1e-6 on the cost level.

How it is solved
================
Identical consignments (same origin, destination, ready day, need-by day and priority) form one
*lot*. The linear relaxation is solved by column generation over routes, never one variable per
consignment x leg x day: a master LP (HiGHS through highspy, one model kept and warm-started from
its last basis as rows and columns are added and lots leave and enter, see ``_Master``: primal
simplex after a round of new columns (``WARM_PRIMAL``) and no capacity row the last values
overload, dual simplex otherwise, and the interior point method with crossover after a round of
more than 500 new columns, ``IPM_ROUND``) has, per lot, one variable per known route plus one
"undelivered" variable, one row per lot (its units), and a row per (leg, day) and (node, day)
capacity, but only for capacities the plan has overloaded once or the first plan fills (the others
cannot bind), and only for the lots that pricing has found a better route for than the first
plan's: every other lot stays outside on its first-plan routes, whose load is taken off the rows'
capacity. At convergence each lot outside has no route (nor leaving its units undelivered) better
at the duals than its own, so the duals are feasible for the master with every lot in, and the
optimum is that master's. After each solve that overloads no row, the lots whose units it keeps
whole on one route go back outside on that route (their row and routes leave the LP; a lot that
enters again brings its fixed routes, its undelivered one and the new one), but only while the
optimum still falls, so that no lot goes in and out forever (in level 2 only when it fell by
1e-4 of itself since the last time, ``EJECT_FALL``): on 10k consignments the LP ends with a few
hundred to two thousand lots instead of about half of them. Pricing finds the best route of every
lot at once by dynamic programming over the time-expanded network, backwards in time for every
destination and arrival day together (the network is acyclic in time since transit >= 1), with
the capacity rows' duals as arc prices; the arrival day's lateness is then added per lot, so
pricing costs ``days x legs x destinations x days`` operations whatever the number of
consignments, and the routes of the improving lots are walked back (into flat arrays,
``_Routes``: their reduced costs are array operations, and only the routes a round keeps become
the master's columns; about 3,700 routes a round on 10k, 2,000 improving, 1,000 kept). These
loops are compiled by
Numba (``_routing_kernels``: 24 ms a pricing on 10k consignments, against 150 ms as NumPy array
operations), and the programme runs in two parts, the destinations split evenly, on two threads
(``PRICING_THREADS``: the kernels release the GIL; 16 ms instead of 27 ms, the same values).
A lot outside for which pricing finds a better route is moved onto it straight away, without
entering the LP, when the new route has room for all its units and neither it nor the
lot's fixed routes cross a row in the LP that binds or is held full (``_Master.relocate``): the
LP, its basis and its duals stay as they are. Pricing runs at
smoothed duals: at a moving average of the master's duals (each pricing point 70% the last one
and 30% the master's newest duals); when none of the routes found there improves the master at
its own duals, pricing runs again at those, so that convergence is always proven there.
A round adds at most the 1,000 routes that improve the master most (``ROUND_COLUMNS``).
Level 1 is solved first; then its optimum (rounded up: integer plans cannot beat it) caps the
lateness by a row and level 2 is solved. When level 1's relaxation is integral, the cap is its
optimum itself and level 2 runs on level 1's optimal face instead (``_face``): by complementary
slackness with level 1's optimal duals y1, a plan is as late as that optimum exactly when it uses
only routes at level 1's least reduced cost and fills every row with a nonzero y1; so the
lateness row is dropped, routes off the face are held at 0, those rows are kept full, and pricing
runs at K x y1 plus the master's own duals with lateness priced at K (K = 1e9, less when level
1's bound falls short of the cap): a Lagrangian point of the capped problem, so its bound holds
whatever the duals. Lots outside whole on their own best route (the least
late, then the cheapest), which crosses no row in, are not priced: no dual makes another route
better in level 1, nor in level 2 while the cap is level 1's optimum itself (every route level 2
may then use has level 1's least reduced cost); when level 1's relaxation is fractional, the cap
leaves room and level 2 prices them too. The Lagrangian bound ``LP + sum over lots of units x min
reduced cost`` is a valid lower bound at every iteration (at whatever duals pricing ran), and so
is its value at zero duals (every lot on its own best route, capacities aside), so a time limit
still yields a bound.

The integer plan keeps the whole units of every route of the relaxation (rounded down) and
routes the remaining units of each lot by a small MILP (HiGHS through SciPy) over the routes
generated for those lots, within the capacity left; level 1 first, then level 2 with level 1
fixed. Within a lot, units are given to its consignments in index order. With a time limit,
level 2's relaxations are also rounded while column generation goes on, in a worker thread on
the second core (``_Roundings``, level 1's MILP only: the HiGHS of SciPy releases the GIL); the
best by the rule of those plans and the integer step's stands. Near the limit the lateness MILP
may not be proven in the time the integer step has (on 10k it takes 0.5 to 5 s): an earlier
rounding then keeps the lateness at its optimum, with a slightly dearer cost.

A first plan starts it all (``earliest_fill``): consignment by consignment, earliest need-by
first (advanced two days per doubling of the lateness weight), each on its earliest-arriving
route on the capacity still left, again until it is all routed or no route arrives by the
horizon. Its routes are the master's first columns besides each lot's own best route, and the
lots start outside on them (above), so the master starts at a good plan; after the integer step the
units it leaves undelivered are routed the same way on the capacity its plan leaves. The answer
is the better of that and the first plan (this matters only when a time limit cuts column
generation short: converged, the integer plan is at least as good). When the cost level was cut
short, ``cheaper_routes`` then moves units onto cheaper routes on the capacity the plan leaves,
none arriving later where it is late nor late where it is on time (10k at a 30 s limit: 3.5% off
the cost in 1 s, the lateness unchanged).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csc_matrix

from convoy.solvers._routing_kernels import arrive, backward, earliest, walk

I64 = np.int64
PRIORITIES = (1, 2, 3, 4)
LATE_WEIGHT = np.array([0, 8, 4, 2, 1], dtype=I64)  # by priority
INF = math.inf
# dual smoothing (Wentges), by level: pricing runs at ``SMOOTHING`` x the centre + the rest x the
# master's duals. The centre is, by level, either the last pricing point (``MOVING``: a moving
# average of the master's duals) or the duals of the best bound so far. In level 1 the bound stays
# at the capacity-free one until the last rounds, so a best-bound centre never moves: on 10k the
# moving centre took level 1 from 43-46 s to 28-31 s (same machine, same code otherwise; 0.6 to
# 0.9 were within the noise of each other), the master's optimum falling about twice as fast per
# second. Level 2 on level 1's optimal face (``FACE``) moves its centre too: within 1% after
# 19.9 s of level 2 on 10k, against 23 s with a best-bound centre at 0.5 and 20.2 s at 0.85.
SMOOTHING = (0.7, 0.7)
MOVING = (True, True)
# A master solve after a round that added no capacity row and at most this many columns runs
# primal simplex (the last basis stays primal feasible but for the rows of lots entering); other
# solves run dual simplex. HiGHS' dual simplex perturbs the costs and, on 10k, retook ~30k pivots
# to take in a handful of columns (6 s) where primal needed ~40 (0.06 s); on rounds of thousands
# of columns dual is the faster.
PRIMAL_ROUND = 500
# By level: whether a round of columns of any size runs primal simplex from the basis kept
# through ejection and entry (``_Master.solve``). On 10k, level 2 took 143 s by dual simplex from
# it and 52 s by primal; level 1 (until stop 18 by dual, by an oversight) took 15.2 s by primal
# and 16.2 s by dual in one run each, within the noise of the machine.
WARM_PRIMAL = (True, True)
# By level: at most this many new routes per round (0: all), those that improve the master most
# (units x reduced cost). In level 2 the master took in rounds of 5,000 to 17,000 routes
# that moved lots it mostly ejected again; with at most 1,000 the cost's gap fell below 1% after
# 25 s of level 2 on 10k instead of 42 s (seed 1: 19 s instead of 37 s); 300 and 600 were no
# different, 3,000 slower on level 1's face (42 s); level 1 see ``WARM_PRIMAL``.
ROUND_COLUMNS = (1000, 1000)
# Level 2 on level 1's optimal face when level 1's relaxation is integral (``_face``), at most
# at this weight of level 1's duals. On 10k: within 1% after 23 s of level 2 against 25-27 s
# with the lateness row (same centre), its first bound 51M against 22M.
FACE = True
FACE_WEIGHT = 1e9
# Rows a round's new routes would overload if each took its lot's units on top of the last plan
# go in with the routes (``_Master.at_risk``), so the round's primal solve sees them instead of a
# second, dual solve after it, by level: on 10k, level 2 within 1% after 18.3 s against 19.9 s;
# level 1 on seed 1 took 18.0 s instead of 13.6 s, so not there.
AT_RISK = (False, True)
# with a time limit, by level: the share of it after which no column round starts, and at which
# a master solve is cut. The integer step after level 1 takes well under a second on 10k (few lots
# are split); after level 2 cut short it took 0.8 s on 10k (4 to 14 s after a converged level 2,
# whose master keeps several hundred split lots; the integer step is bounded by the time left).
# Level 2 at 86% / 91% (stop 18; was 80% / 90%): 10k at 30 s ends after 29.2 to 29.4 s, the
# integer step taking 1.7 to 2.6 s, and its cost gap 2.3% to 3.7% on seed 0 (3.6% and 5.7% at
# 80% / 90% in two runs), 0.78% on seed 1
CUT = ((0.85, 0.9), (0.86, 0.91))
# With a time limit, the share of it left after the integer step (bounded by the rest) for the
# fill and the cost polish after it: 0.9 to 1 s on 10k (at 5%, a run ended after 30.08 s)
FILL_SHARE = 0.06
# By level: lots outside move straight onto a better route where the LP allows
# (``_Master.relocate``). On 10k seed 0, two runs each: level 1 took 15.7 and 15.8 s against
# 17.7 and 18.2 s without, level 2 reached 1% after 22.9 and 24.4 s against 24.6 and 25.2 s.
RELOCATE = (True, True)
# A master solve after more than this many new columns (a round's routes and the fixed and
# undelivered routes of the lots it brings in) runs HiGHS' interior point method with crossover
# instead of simplex from the last basis; the crossover leaves a basis, so the next small solve
# is warm again. On a level-2 master of 10k (4,030 rows, 6,436 columns) primal simplex from the
# basis took 2.7 s (9,310 pivots), dual 0.7 s, interior point with crossover 0.27 s. Its optimal
# vertex also serves column generation better (crossover from a central point): on 10k, level 2
# within 1% after 13.6 and 17.2 s instead of 33.0 and 26.1 s on seed 0, 9.8 s instead of 18.8 s
# on seed 1 (stop 19, side by side); level 1 no faster (about 37 rounds either way).
IPM_ROUND = 500
# With a time limit, level 2's relaxations are rounded to integer plans on the second core while
# column generation goes on (``_Roundings``), from this share of the limit, each rounding when
# the one before has ended and at least ``ROUNDING_TIME`` seconds are left before the integer
# step's deadline (``FILL_SHARE``), where it is cut. On 10k at 30 s the integer step's lateness
# MILP was cut in 3 of 8 runs (seeds 0 and 2), the plan then later than level 1's optimum and its
# cost unbounded; an earlier rounding now stands instead. Rounding only while it would end by
# level 2's last round (86%), its length the longest so far, 3 of 18 runs on seeds 0 to 2 ended
# over 1%, all on seed 2 (1.0%, 2.4%, 2.6%: the integer step cut, the rounding that stood 3 to
# 5 s older); rounding on to the deadline, beside the integer step, 1 of 9 (seed 2 at 3.0%, its
# level 1 taking 16.9 s instead of 13 to 14 s).
ROUNDING_FROM = 0.6
ROUNDING_TIME = 1.5
# By level: lots leave the LP (``_Master.eject``) only after a solve whose optimum fell by more
# than this share of it since they last did. In level 2's tail the optimum falls by about 1e-5
# a round; ejecting after each such round sent some 1,000 lots out that came back in with the
# next round's routes, the duals of the few hundred lots in swinging from round to round, and
# the bound stalled (on 10k seed 1 at 82.0M for 10 s, 0.9% under the optimum). Keeping them in
# there (the LP grows to 1,600 to 2,300 lots): level 2 within 0.5% of its optimum (master
# against bound) after 10.5 s instead of 21.5 s on seed 1, 8.9 s instead of 11.4 s on seed 2,
# 13.0 s either way on seed 0 (stop 23, side by side). Run to convergence, seed 0 took 32.7 s
# instead of 39.8 s, level 2 15.2 s instead of 25.0 s but the integer step after it 8.9 s
# instead of 5.7 s (its MILP takes every route of the lots the relaxation splits). In level 1
# (1e-5 or 1e-4) within the noise: see bench/README, stops 22 and 23.
EJECT_FALL = (0.0, 1e-4)

# Pricing's dynamic programme runs in this many parts (destinations split evenly), each on its own
# thread: the compiled kernels release the GIL and a destination's programme is its own, so the
# values and routes are the same. On 10k (two cores): see bench/README, stop 21.
PRICING_THREADS = 2

Progress = Callable[[int, str], Any]
_STATUS = list(highspy.HighsBasisStatus.__members__.values())
_BASIC, _LOWER, _UPPER = 1, 0, 2


def _ints(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=I64).reshape(-1)


@dataclass
class RoutingProblem:
    """One routing instance. Nodes, legs and consignments are 0-based indices; days 0..horizon."""

    node_capacity: np.ndarray
    leg_from: np.ndarray
    leg_to: np.ndarray
    leg_transit: np.ndarray
    leg_capacity: np.ndarray
    leg_cost: np.ndarray
    cons_origin: np.ndarray
    cons_destination: np.ndarray
    cons_ready: np.ndarray
    cons_need_by: np.ndarray
    cons_priority: np.ndarray
    cons_size: np.ndarray
    horizon: int

    def __post_init__(self) -> None:
        for name in (
            "node_capacity",
            "leg_from",
            "leg_to",
            "leg_transit",
            "leg_capacity",
            "leg_cost",
            "cons_origin",
            "cons_destination",
            "cons_ready",
            "cons_need_by",
            "cons_priority",
            "cons_size",
        ):
            setattr(self, name, _ints(getattr(self, name)))
        self.horizon = int(self.horizon)
        self.validate()

    @property
    def n_nodes(self) -> int:
        return len(self.node_capacity)

    @property
    def n_legs(self) -> int:
        return len(self.leg_from)

    @property
    def n_cons(self) -> int:
        return len(self.cons_origin)

    def validate(self) -> None:
        """Refuse inconsistent input with a clear message (ValueError)."""
        n, m, k = self.n_nodes, self.n_legs, self.n_cons
        for name in ("leg_to", "leg_transit", "leg_capacity", "leg_cost"):
            if len(getattr(self, name)) != m:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, not {m}")
        for name in (
            "cons_destination",
            "cons_ready",
            "cons_need_by",
            "cons_priority",
            "cons_size",
        ):
            if len(getattr(self, name)) != k:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, not {k}")
        if self.horizon < 0:
            raise ValueError("horizon must not be negative")
        if (self.node_capacity < 0).any():
            raise ValueError("node capacities must not be negative (0 means no limit)")
        if m:
            for name in ("leg_from", "leg_to"):
                a = getattr(self, name)
                if ((a < 0) | (a >= n)).any():
                    raise ValueError(f"{name} names an unknown node")
            if (self.leg_from == self.leg_to).any():
                raise ValueError("a leg must join two different nodes")
            if (self.leg_transit < 1).any():
                raise ValueError("leg transit must be at least one day")
            if (self.leg_capacity < 0).any():
                raise ValueError("leg capacities must not be negative (0 means no limit)")
            if (self.leg_cost < 0).any():
                raise ValueError("leg costs must not be negative")
        if k:
            for name in ("cons_origin", "cons_destination"):
                a = getattr(self, name)
                if ((a < 0) | (a >= n)).any():
                    raise ValueError(f"{name} names an unknown node")
            if ((self.cons_ready < 0) | (self.cons_ready > self.horizon)).any():
                raise ValueError("ready days must lie within 0..horizon")
            if not np.isin(self.cons_priority, PRIORITIES).all():
                raise ValueError("priorities must be 1..4")
            if (self.cons_size < 0).any():
                raise ValueError("consignment sizes must not be negative")

    # --- the rule, unit by unit ------------------------------------------------------------------
    def late_days(self, cons: np.ndarray, arrival: np.ndarray) -> np.ndarray:
        """Days late of units of consignments ``cons`` arriving on ``arrival`` (-1: undelivered)."""
        cons, arrival = _ints(cons), _ints(arrival)
        need = self.cons_need_by[cons]
        late = np.maximum(0, arrival - need)
        undelivered = np.maximum(1, self.horizon + 1 - need)
        return np.where(arrival < 0, undelivered, late)


@dataclass
class Part:
    """``quantity`` units of one consignment travel ``legs`` departing on ``departures``."""

    quantity: int
    legs: np.ndarray
    departures: np.ndarray

    @property
    def route(self) -> list[tuple[int, int]]:
        return [(int(leg), int(day)) for leg, day in zip(self.legs, self.departures, strict=True)]


@dataclass
class RoutingObjective:
    weighted_lateness: int
    cost: int
    units_late: int
    units_undelivered: int

    def key(self) -> tuple[int, int]:
        """Smaller is better, compared lexicographically."""
        return (self.weighted_lateness, self.cost)

    def as_dict(self) -> dict[str, int]:
        return {
            "weighted_lateness": self.weighted_lateness,
            "cost": self.cost,
            "units_late": self.units_late,
            "units_undelivered": self.units_undelivered,
        }


@dataclass
class RoutingResult:
    parts: list[list[Part]]  # per consignment
    arrival: np.ndarray  # per consignment: day its last delivered unit arrives, -1 if none
    days_late: np.ndarray  # per consignment: of its latest unit (undelivered ones as the rule)
    undelivered: np.ndarray  # per consignment: units not delivered within the horizon
    reachable: np.ndarray  # per consignment: some route arrives by the horizon, capacities aside
    objective: RoutingObjective
    bound: tuple[float, float]  # proven lower bounds of (weighted lateness, cost | lateness)
    status: str  # "optimal" or "feasible"
    gap: float
    timings: dict[str, float]
    stats: dict[str, int] = field(default_factory=dict)
    # per level: the lateness's relative gap to its bound, and the cost's among plans of that
    # lateness (None while the lateness is not proven optimal or level 2 has no bound yet)
    level_gaps: tuple[float, float | None] = (0.0, None)


# --- network --------------------------------------------------------------------------------------


class _Network:
    """The time-expanded network: (leg, day) arcs and (node, day) handling, as flat ids."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.p = problem
        self.H = problem.horizon
        self.T = problem.horizon + 1
        self.N = problem.n_nodes
        self.M = problem.n_legs
        order = np.lexsort((problem.leg_to, problem.leg_from))
        self.order = order  # legs sorted by tail node
        self.frm = problem.leg_from[order]
        self.to = problem.leg_to[order]
        self.tau = problem.leg_transit[order]
        self.cost = problem.leg_cost[order]
        self.cap = problem.leg_capacity[order]
        # node x's legs out: node_start[x]:node_end[x] in sorted order
        self.node_start = np.searchsorted(self.frm, np.arange(self.N), "left").astype(I64)
        self.node_end = np.searchsorted(self.frm, np.arange(self.N), "right").astype(I64)
        self.node_cap = problem.node_capacity
        self.max_path_cost = float(self.cost.max()) * max(self.H, 1) if self.M else 0.0

    def leg_day(self, legs: np.ndarray, days: np.ndarray) -> np.ndarray:
        return legs * self.T + days

    def node_day(self, nodes: np.ndarray, days: np.ndarray) -> np.ndarray:
        return nodes * self.T + days


@dataclass
class _Column:
    lot: int
    legs: np.ndarray  # sorted-leg indices
    deps: np.ndarray
    arrival: int  # -1: the undelivered column
    late: int  # per unit: weight * days late
    cost: int  # per unit
    leg_rows: np.ndarray  # capacitated (leg, day) flat ids
    node_rows: np.ndarray  # capacitated (node, day) flat ids
    keys: np.ndarray  # the master's row keys of both: leg rows as they are, node rows + M * T


class _Lots:
    def __init__(self, problem: RoutingProblem) -> None:
        keys = np.stack(
            [
                problem.cons_origin,
                problem.cons_destination,
                problem.cons_ready,
                problem.cons_need_by,
                problem.cons_priority,
            ],
            axis=1,
        )
        active = (problem.cons_size > 0) & (problem.cons_origin != problem.cons_destination)
        self.cons = np.flatnonzero(active)
        if len(self.cons):
            uniq, inverse = np.unique(keys[self.cons], axis=0, return_inverse=True)
        else:
            uniq, inverse = np.zeros((0, 5), dtype=I64), np.zeros(0, dtype=I64)
        self.of_cons = inverse.reshape(-1)
        self.origin, self.dest, self.ready, self.need, self.prio = (uniq[:, i] for i in range(5))
        self.size = np.bincount(self.of_cons, problem.cons_size[self.cons], len(uniq)).astype(I64)
        self.weight = LATE_WEIGHT[self.prio]
        self.n = len(uniq)
        H = problem.horizon
        self.undelivered_late = self.weight * np.maximum(1, H + 1 - self.need)


# --- pricing: best route of every lot by dynamic programming -----------------------------------


@functools.cache
def _pricing_pool() -> ThreadPoolExecutor:
    """The threads that run the pricing programme's other parts (``PRICING_THREADS``), started
    once per process."""
    return ThreadPoolExecutor(max_workers=PRICING_THREADS - 1, thread_name_prefix="routing-price")


class _Pricer:
    def __init__(self, net: _Network, lots: _Lots | _Demand) -> None:
        self.net, self.lots = net, lots
        self.dests = np.unique(lots.dest)
        self.by_dest = {int(d): np.flatnonzero(lots.dest == d) for d in self.dests}
        origins = np.unique(lots.origin)
        self.origins = origins
        self.origin_pos = np.full(net.N, -1, dtype=I64)
        self.origin_pos[origins] = np.arange(len(origins))
        self._arrays: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def price(
        self,
        leg_dual: np.ndarray,
        node_dual: np.ndarray,
        alpha: float,
        beta: float,
        lot_dual: np.ndarray,
        want: float,
        among: np.ndarray,
    ) -> tuple[np.ndarray, _Routes]:
        """Minimum reduced cost per lot (``inf``: unreachable) and routes of lots below ``want``.

        ``leg_dual`` (M, T) and ``node_dual`` (N, T) are the capacity rows' duals (<= 0) by sorted
        leg / node and day; the arc price is ``alpha * cost - leg_dual - node_dual[head, arrival]``
        and the origin's handling ``-node_dual[origin, departure]``; the lateness is weighted by
        ``beta``; ``lot_dual`` is subtracted. Only lots flagged in ``among`` are priced (the
        others get ``inf``). Routes come in lot order, one per lot, in the flat arrays of
        ``_Routes`` (legs sorted).
        """
        net, lots = self.net, self.lots
        T, M, H = net.T, net.M, net.H
        days = np.arange(T, dtype=I64)
        head_day = days[None, :] + net.tau[:, None]  # (M, T)
        ok = head_day <= H
        price = alpha * net.cost[:, None] - leg_dual
        price = price - np.where(ok, node_dual[net.to[:, None], np.minimum(head_day, H)], 0.0)
        price = np.where(ok, price, INF)
        tt = np.where(ok, head_day, T)  # day layer of the head (T: an all-inf layer)
        reduced = np.full(lots.n, INF)
        found_lots: list[np.ndarray] = []
        found_legs: list[np.ndarray] = []
        found_deps: list[np.ndarray] = []
        found_hops: list[np.ndarray] = []
        # all destinations at once: value at (day, node, destination, arrival day) of arriving
        # there on that day, and of leaving the origin on that day
        dests = [d for d in self.dests.tolist() if among[self.by_dest[d]].any()]
        D = len(dests)
        if not D:
            return reduced, _Routes(net, lots, *(np.zeros(0, dtype=I64) for _ in range(4)))
        # the destinations in parts, each with its own arrays, the parts' programmes on as many
        # threads (the kernels release the GIL; a destination's programme is its own)
        n_parts = min(PRICING_THREADS, D)
        cut = [D * i // n_parts for i in range(n_parts + 1)]
        arrays = [self._buffers(i) for i in range(n_parts)]
        node_dual = np.ascontiguousarray(node_dual, dtype=float)

        def programme(i: int) -> None:
            V, suffix, lead, dep = arrays[i]
            backward(
                price,
                tt,
                net.to,
                net.node_start,
                net.node_end,
                self.origins,
                node_dual,
                np.array(dests[cut[i] : cut[i + 1]], dtype=I64),
                V,
                suffix,
                lead,
                dep,
            )

        if M:  # without legs no lot is reachable: ``suffix`` stays inf
            others = [_pricing_pool().submit(programme, i) for i in range(1, n_parts)]
            programme(0)
            for other in others:
                other.result()
        members = np.concatenate([self.by_dest[d] for d in dests])
        place = np.repeat(np.arange(D), [len(self.by_dest[d]) for d in dests])
        keep = among[members]
        members, place = members[keep], place[keep]
        part_of = np.searchsorted(cut[1:], np.arange(D), side="right")  # by destination place
        part = part_of[place]
        best, best_a = np.full(len(members), INF), np.zeros(len(members), dtype=I64)
        for i in range(n_parts):
            mine = np.flatnonzero(part == i)
            its = members[mine]
            best[mine], best_a[mine] = arrive(
                arrays[i][1],
                place[mine] - cut[i],
                self.origin_pos[lots.origin[its]],
                lots.ready[its],
                lots.need[its],
                lots.weight[its],
                float(beta),
            )
        reduced[members] = best - lot_dual[members]
        picked = reduced[members] < want
        for k, d in enumerate(dests):
            pick = np.flatnonzero(picked & (place == k))
            if len(pick):
                chosen = members[pick]
                i = int(part_of[k])
                V, _suffix, lead, _dep = arrays[i]
                legs, deps, hops, _arrival = walk(
                    V,
                    lead,
                    price,
                    tt,
                    net.to,
                    net.tau,
                    net.node_start,
                    net.node_end,
                    k - cut[i],
                    d,
                    lots.origin[chosen],
                    self.origin_pos,
                    lots.ready[chosen],
                    best_a[pick],
                )
                if (hops < 0).any():
                    raise RuntimeError("routing: route reconstruction did not terminate")
                total = int(hops.sum())
                found_lots.append(chosen)
                found_legs.append(legs[:total])
                found_deps.append(deps[:total])
                found_hops.append(hops)
        if not found_lots:
            return reduced, _Routes(net, lots, *(np.zeros(0, dtype=I64) for _ in range(4)))
        lot_a = np.concatenate(found_lots)
        leg_a, dep_a = np.concatenate(found_legs), np.concatenate(found_deps)
        hops_a = np.concatenate(found_hops)
        # in lot order, each route's legs and departures moved with it
        order = np.argsort(lot_a, kind="stable")
        hops_o = hops_a[order]
        start = (np.cumsum(hops_a) - hops_a)[order]  # where each route's entries were
        idx = _spans(start, hops_o)
        return reduced, _Routes(net, lots, lot_a[order], leg_a[idx], dep_a[idx], hops_o)

    def _buffers(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Part ``i``'s arrays of the dynamic programme (see ``_routing_kernels``), kept between
        calls (about 130 MB in all on 60 nodes and 90 days: allocating them anew each round cost
        a tenth of a second); the part's destinations take the first places of their axis."""
        net = self.net
        T, N = net.T, net.N
        while len(self._arrays) <= i:
            n_orig = len(self.origins)
            n_dest = -(-len(self.dests) // PRICING_THREADS)  # a part's most destinations
            self._arrays.append(
                (
                    np.full((T + 1, N, n_dest, T), INF),
                    np.full((T + 1, n_orig, n_dest, T), INF),
                    np.zeros((T + 1, n_orig, n_dest, T), dtype=I64),
                    np.full((N, n_dest, T), INF),
                )
            )
        return self._arrays[i]


# --- master LP -----------------------------------------------------------------------------------


class _Master:
    """The restricted master LP (HiGHS through highspy), with only the rows and lots that matter.

    A capacity row enters when the plan overloads it (rows never overloaded cannot bind). A lot
    enters when pricing finds it a route better, at the duals, than the routes it is fixed on
    (``fix``: the first plan's); until then its units stay on those routes, whose load is taken
    off the capacity of the rows in. At convergence every lot outside has all its fixed routes at
    the best reduced cost of all its routes, so the duals are feasible for the whole master and
    the LP optimum is that of every lot in. After a solve, ``eject`` puts the lots kept whole on
    one route back outside on it.

    Rows and columns are added to the one HiGHS model, which keeps its basis: each solve starts
    from the last optimal basis, by primal simplex after a round that added a few columns
    (``PRIMAL_ROUND``), or any number after lots entered (``WARM_PRIMAL``), and no capacity row
    the last values overload, else by dual simplex; after a round of more than ``IPM_ROUND``
    new columns, by the interior point method, whose crossover leaves the basis that the next
    solve starts from. HiGHS drops its basis when rows or columns
    are deleted, so ``eject`` hands it back the basis left (``_keep_basis``), and a lot entering
    starts with its largest fixed route basic at its units and its row at its bound: the point
    of the last solve, primal feasible when the lot is whole on one route. New columns are
    buffered and passed in one call.

    Row keys are flat: a (leg, day) row is ``leg * T + day``, a (node, day) row ``M * T + node *
    T + day``. The columns' keys are kept together (``_ptr``, ``_keys``: each column's keys in
    one array), so that loads, reduced costs and the columns crossing a row are array operations.
    """

    def __init__(self, net: _Network, lots: _Lots) -> None:
        self.net, self.lots = net, lots
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.inf = float(highspy.kHighsInf)
        self.n_keys = net.M * net.T + net.N * net.T
        self.cap_flat = np.concatenate(
            [np.repeat(net.cap, net.T), np.repeat(net.node_cap, net.T)]
        ).astype(float)
        self.lot_rows: dict[int, int] = {}  # lot -> row index
        self.rows: dict[int, int] = {}  # capacity row key -> row index
        self.row_of = np.full(self.n_keys, -1, dtype=I64)  # the same, by key (-1: not in)
        self.columns: list[_Column] = []
        self.vars = np.zeros(0, dtype=I64)  # column -> LP column index, -1 while its lot is out
        self.col_lot = np.zeros(0, dtype=I64)
        self.col_cost = np.zeros(0)
        self.col_late = np.zeros(0)
        self._ptr = np.zeros(1, dtype=I64)  # column j's keys: _keys[_ptr[j]:_ptr[j + 1]]
        self._keys = np.zeros(0, dtype=I64)
        self._key_col = np.zeros(0, dtype=I64)  # the column of each entry of _keys
        self.by_lot: list[list[int]] = [[] for _ in range(lots.n)]
        self.fixed: list[list[tuple[int, int]]] = [[] for _ in range(lots.n)]  # outside: (col, qty)
        self.whole_on = np.full(lots.n, -1, dtype=I64)  # the column a lot outside is whole on
        self.fixed_x = np.zeros(0)  # units fixed on each column (lots outside)
        self.out_load = np.zeros(self.n_keys)  # load of the lots outside per row key
        self.out_cost = self.out_late = 0.0  # their cost and lateness
        self.late_row = -1
        self.late_cap = 0.0
        self.alpha, self.beta = 0.0, 1.0
        self.n_rows = self.n_vars = 0
        # buffered columns: (costs, entries per column, row indices, values)
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        # level 2 on level 1's optimal face (``enter_face``): the weight K of level 1's objective,
        # its optimal duals by row key and its least reduced cost per lot; rows at capacity
        self.face: tuple[float, np.ndarray, np.ndarray] | None = None
        self.tight = np.zeros(self.n_keys, dtype=bool)
        self.x = np.zeros(0)  # LP column values and row duals of the last solve
        self.y = np.zeros(0)
        self.solved_shape = (0, 0)  # capacity rows and columns at the last solve
        self.entered: list[tuple[int, list[tuple[int, int]]]] = []  # lots in since, their routes
        self.good_x = np.zeros(0)  # the values of the last solve that overloaded no row
        self.to_basic: list[tuple[int, int]] = []  # (lot row, LP column) entering the basis
        self.violated = False  # rows the last solve's values overload were added since
        self.warm_primal = False  # a round of columns after lots entered runs primal simplex

    # -- the basis --

    def _get_basis(self, cols: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
        """The basis' column and row statuses (the columns' left empty unless ``cols``)."""
        basis = self.highs.getBasis()
        if not basis.valid:
            return None
        return (
            np.fromiter(map(int, basis.col_status), dtype=np.int8) if cols else np.zeros(0),
            np.fromiter(map(int, basis.row_status), dtype=np.int8),
        )

    def _set_basis(self, col: np.ndarray, row: np.ndarray) -> None:
        basis = highspy.HighsBasis()
        basis.col_status = [_STATUS[s] for s in col.tolist()]
        basis.row_status = [_STATUS[s] for s in row.tolist()]
        self.highs.setBasis(basis)

    # -- columns and their keys --

    def _gather(self, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The keys of columns ``js`` and, for each, its position in ``js``."""
        js = np.asarray(js, dtype=I64)
        starts = self._ptr[js]
        lengths = self._ptr[js + 1] - starts
        return self._keys[_spans(starts, lengths)], np.repeat(np.arange(len(js)), lengths)

    def reduced(self, js: np.ndarray, alpha: float, beta: float, dual: np.ndarray) -> np.ndarray:
        """The reduced costs of columns ``js`` at the rows' duals ``dual`` (by key), their lots'
        duals aside."""
        keys, pos = self._gather(js)
        cost = alpha * self.col_cost[js] + beta * self.col_late[js]
        return _less_duals(cost, keys, pos, dual)

    def add_many(self, cols: list[_Column]) -> np.ndarray:
        """Add columns (in the LP at once for lots in it); returns their indices."""
        j0 = len(self.columns)
        js = np.arange(j0, j0 + len(cols), dtype=I64)
        if not cols:
            return js
        self.columns.extend(cols)
        lengths = np.fromiter((len(c.keys) for c in cols), dtype=I64, count=len(cols))
        self._keys = np.concatenate([self._keys, *(c.keys for c in cols)])
        self._ptr = np.concatenate([self._ptr, self._ptr[-1] + np.cumsum(lengths)])
        self._key_col = np.concatenate([self._key_col, np.repeat(js, lengths)])
        lot = np.fromiter((c.lot for c in cols), dtype=I64, count=len(cols))
        self.col_lot = np.concatenate([self.col_lot, lot])
        self.col_cost = np.concatenate(
            [self.col_cost, np.fromiter((c.cost for c in cols), dtype=float, count=len(cols))]
        )
        self.col_late = np.concatenate(
            [self.col_late, np.fromiter((c.late for c in cols), dtype=float, count=len(cols))]
        )
        self.vars = np.concatenate([self.vars, np.full(len(cols), -1, dtype=I64)])
        self.fixed_x = np.concatenate([self.fixed_x, np.zeros(len(cols))])
        for j, c in zip(js.tolist(), cols, strict=True):
            self.by_lot[c.lot].append(j)
        inside = np.fromiter((c.lot in self.lot_rows for c in cols), dtype=bool, count=len(cols))
        if inside.any():
            self._vars(js[inside])
        return js

    def _vars(self, js: np.ndarray, held: np.ndarray | None = None) -> None:
        """Columns ``js`` (of lots in the LP) into the LP, buffered. On level 1's optimal face
        a column off it (not at level 1's least reduced cost) is held at 0, unless ``held`` (its
        units are on it)."""
        js = np.asarray(js, dtype=I64)
        if not len(js):
            return
        n = len(js)
        self.vars[js] = self.n_vars + np.arange(n)
        self.n_vars += n
        keys, pos = self._gather(js)
        row = self.row_of[keys]
        keep = row >= 0
        parts_pos = [np.arange(n), pos[keep]]
        parts_row = [
            np.fromiter((self.lot_rows[lot] for lot in self.col_lot[js].tolist()), I64, n),
            row[keep],
        ]
        parts_val = [np.ones(n), np.ones(int(keep.sum()))]
        if self.late_row >= 0:
            parts_pos.append(np.arange(n))
            parts_row.append(np.full(n, self.late_row, dtype=I64))
            parts_val.append(self.col_late[js])
        p_all = np.concatenate(parts_pos)
        order = np.argsort(p_all, kind="stable")
        count = np.bincount(p_all, minlength=n)
        cost = self.alpha * self.col_cost[js] + self.beta * self.col_late[js]
        upper = np.full(n, self.inf)
        if self.face is not None:
            off = ~self.on_face(js)
            if held is not None:
                off &= ~held
            upper[off] = 0.0
        self.pending.append(
            (cost, count, np.concatenate(parts_row)[order], np.concatenate(parts_val)[order], upper)
        )

    def on_face(self, js: np.ndarray) -> np.ndarray:
        """Whether columns ``js`` have level 1's least reduced cost (to 1e-6)."""
        assert self.face is not None
        return self.face_gap(self.reduced(js, 0.0, 1.0, self.face[1]), self.col_lot[js]) <= 1e-6

    def face_gap(self, reduced1: np.ndarray, lot: Any) -> np.ndarray:
        """Level 1's reduced costs ``reduced1`` of routes of lots ``lot`` (lot duals aside) above
        each lot's least."""
        assert self.face is not None
        return reduced1 - self.face[2][lot]

    def enter_face(self, weight: float, dual1: np.ndarray, mu1: np.ndarray, cap: float) -> None:
        """Level 2 on level 1's optimal face: columns off it held at 0, rows with a level-1 dual
        kept at capacity, no lateness row (every plan on the face is as late as level 1's
        optimum); the duals then read ``weight`` x level 1's plus the master's own."""
        self._flush()
        self.face = (weight, dual1, mu1)
        self.late_cap = cap
        self.tight = dual1 < -1e-9
        js = self._in_lp()
        if len(js):
            value = self.x[self.vars[js]] if len(self.x) == self.n_vars else np.zeros(len(js))
            off = js[~self.on_face(js) & (value <= 1e-9)]
            if len(off):
                idx = self.vars[off].astype(np.int32)
                self.highs.changeColsBounds(len(idx), idx, np.zeros(len(idx)), np.zeros(len(idx)))
        self._refresh_bounds(np.fromiter(self.rows, dtype=I64, count=len(self.rows)))

    def _flush(self) -> None:
        """Pass the buffered columns to HiGHS in one call."""
        if not self.pending:
            return
        cost = np.concatenate([c for c, _n, _r, _v, _u in self.pending])
        count = np.concatenate([n for _c, n, _r, _v, _u in self.pending])
        index = np.concatenate([r for _c, _n, r, _v, _u in self.pending]).astype(np.int32)
        value = np.concatenate([v for _c, _n, _r, v, _u in self.pending]).astype(float)
        upper = np.concatenate([u for _c, _n, _r, _v, u in self.pending])
        n = len(cost)
        starts = (np.cumsum(count) - count).astype(np.int32)
        self.highs.addCols(n, cost, np.zeros(n), upper, len(index), starts, index, value)
        self.pending = []

    # -- lots outside --

    def cap_of(self, keys: np.ndarray) -> np.ndarray:
        """The capacity of rows left to the lots in (the lots outside take theirs first)."""
        return self.cap_flat[keys] - self.out_load[keys]

    def _place(self, placed: list[tuple[int, list[tuple[int, int]]]], sign: int) -> np.ndarray:
        """Lots outside on their routes, ``(lot, [(column, units)])``, or (``sign`` -1) taken
        off them: their ``fixed`` routes and the load of the lots outside change together.
        Returns the row keys of the routes."""
        js = [j for _lot, dist in placed for j, _q in dist]
        qty = np.array([sign * q for _lot, dist in placed for _j, q in dist], dtype=float)
        size = self.lots.size
        for lot, dist in placed:
            self.fixed[lot] = dist if sign > 0 else []
            whole = sign > 0 and len(dist) == 1 and dist[0][1] == size[lot]
            self.whole_on[lot] = dist[0][0] if whole else -1
        ja = np.array(js, dtype=I64)
        keys, pos = self._gather(ja)
        np.add.at(self.out_load, keys, qty[pos])
        self.out_cost += float(qty @ self.col_cost[ja])
        self.out_late += float(qty @ self.col_late[ja])
        np.add.at(self.fixed_x, ja, qty)
        return keys

    def fix(self, lot: int, dist: list[tuple[int, int]]) -> None:
        """Put a lot outside with ``qty`` units on each column (before any row is in)."""
        self._place([(lot, dist)], 1)

    def fix_all(self, dists: list[list[tuple[int, int]]]) -> None:
        """``fix`` every lot (``dists`` in lot order) at once."""
        self._place(list(enumerate(dists)), 1)

    def settled(self, best: np.ndarray) -> np.ndarray:
        """Lots outside whole on their column ``best[lot]``, which crosses no row in."""
        out = np.zeros(self.lots.n, dtype=bool)
        w = np.flatnonzero(self.whole_on == best)  # (a lot in the LP is fixed on nothing)
        if len(w):
            keys, pos = self._gather(best[w])
            crossing = np.bincount(pos, self.row_of[keys] >= 0, len(w)) > 0
            out[w[~crossing]] = True
        return out

    def settle(self, lot: int, j: int) -> None:
        """Move a lot outside whole onto column ``j`` if the capacity the other lots outside leave
        allows (before any row is in)."""
        dist, size = self.fixed[lot], int(self.lots.size[lot])
        if dist == [(j, size)]:
            return
        self._place([(lot, dist)], -1)
        keys = self.columns[j].keys
        fits = bool((self.cap_flat[keys] - self.out_load[keys] >= size).all())
        self.fix(lot, [(j, size)] if fits else dist)

    def activate_lots(self, lots: list[int]) -> None:
        """Bring lots outside into the LP, their rows in one call: each with its fixed and its
        undelivered routes, whose load comes back off the lots outside."""
        new = [lot for lot in dict.fromkeys(lots) if lot not in self.lot_rows]
        if not new:
            return
        self._flush()
        sizes = self.lots.size[new].astype(float)
        none = np.zeros(0, dtype=np.int32)
        self.highs.addRows(
            len(new), sizes, sizes, 0, np.zeros(len(new), dtype=np.int32), none, np.zeros(0)
        )
        back = [(lot, self.fixed[lot]) for lot in new]
        for i, lot in enumerate(new):
            self.lot_rows[lot] = self.n_rows + i
        self.entered.extend(back)
        self.n_rows += len(new)
        self._refresh_bounds(self._place(back, -1))
        for lot, dist in back:  # the lot's largest fixed route basic: the same point
            j = max(dist, key=lambda jq: jq[1])[0] if dist else lot
            self.to_basic.append((self.lot_rows[lot], j))
        js = [
            j
            for lot, dist in back
            for j in sorted({lot, *(j for j, _q in dist)})  # undelivered and fixed columns
        ]
        fixed = {j for _lot, dist in back for j, q in dist if q > 0}
        self._vars(np.array(js, dtype=I64), np.array([j in fixed for j in js], dtype=bool))

    def relocate(self, found: _Routes, pick: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Lots outside moved whole onto new routes ``pick`` of ``found`` (one per lot, in this
        order), each where the new one has room for its units on every row besides the plan
        ``x`` and the moves before it, and every row in the LP that its fixed routes or the new
        one cross has a basic slack (so a zero dual) and is not held at capacity (``tight``):
        the LP's basis stays optimal, its values and duals as they are. Not with a lateness row
        (the lots outside would change its bound). Returns whether each moved (those are added
        as columns)."""
        n = len(pick)
        moved = np.zeros(n, dtype=bool)
        if self.late_row >= 0 or not n:
            return moved
        free = np.ones(self.n_keys, dtype=bool)  # rows a move may cross
        if self.rows:
            basis = self._get_basis(cols=False)
            keys = np.fromiter(self.rows, dtype=I64, count=len(self.rows))
            if basis is None:
                free[keys] = False
            else:
                free[keys] = (basis[1][self.row_of[keys]] == _BASIC) & ~self.tight[keys]
        cap, size = self.cap_flat, self.lots.size
        price = self.alpha * self.col_cost + self.beta * self.col_late
        # the tests that need no load, for all at once: lot outside, rows free, whole cost falls
        lot = found.lot[pick]
        dists = [self.fixed[k] for k in lot.tolist()]
        outside = np.array(
            [bool(d) and k not in self.lot_rows for k, d in zip(lot.tolist(), dists, strict=True)]
        )
        k_first, k_end = found.k_first[pick], found.k_end[pick]
        count = k_end - k_first
        new_pos = np.repeat(np.arange(n), count)
        new_keys = found.keys[_spans(k_first, count)]
        blocked = np.bincount(new_pos, ~free[new_keys], n) > 0
        old_js = np.array([c for d in dists for c, _q in d], dtype=I64)
        old_of = np.repeat(np.arange(n), [len(d) for d in dists])
        old_q = np.array([q for d in dists for _c, q in d], dtype=float)
        # the fixed routes' keys, each lot's together (in the order of ``pick``), and their units
        old_keys, pos = self._gather(old_js)
        old_units = old_q[pos]
        old_end = np.cumsum(np.bincount(old_of[pos], minlength=n))
        blocked |= np.bincount(old_of[pos], ~free[old_keys], n) > 0
        before = np.bincount(old_of, old_q * price[old_js], n)
        after = size[lot] * (self.alpha * found.cost[pick] + self.beta * found.late[pick])
        # a lot split over routes may gain less than its dearest route
        maybe = np.flatnonzero(outside & ~blocked & (after < before - 1e-9))
        if not len(maybe):
            return moved
        used = np.flatnonzero(x > 1e-9)
        load = self._load(used, x[used])
        for i in maybe.tolist():
            lo, hi = (old_end[i - 1] if i else 0), old_end[i]
            old, qty = old_keys[lo:hi], old_units[lo:hi]
            np.subtract.at(load, old, qty)
            units = float(size[lot[i]])
            new = found.keys[k_first[i] : k_end[i]]
            if (load[new] + units <= cap[new] + 1e-9).all():
                load[new] += units
                moved[i] = True
            else:
                np.add.at(load, old, qty)
        chosen = found.columns(pick[moved])
        if chosen:
            keys = self._place([(col.lot, self.fixed[col.lot]) for col in chosen], -1)
            js = self.add_many(chosen).tolist()
            placed = [
                (col.lot, [(j, int(size[col.lot]))]) for col, j in zip(chosen, js, strict=True)
            ]
            self._refresh_bounds(np.concatenate([keys, self._place(placed, 1)]))
        return moved

    def fixed_reduced(
        self, lots: np.ndarray, alpha: float, beta: float, dual: np.ndarray
    ) -> np.ndarray:
        """Per lot of ``lots`` (outside), the largest reduced cost (lot dual aside) of its fixed
        columns; 0 for the other lots."""
        out = np.zeros(self.lots.n)
        picked = np.flatnonzero(lots)
        on = self.whole_on[picked]
        whole = picked[on >= 0]  # most: whole on one column, which is theirs
        if len(whole):
            out[whole] = self.reduced(on[on >= 0], alpha, beta, dual)
        chosen = picked[on < 0].tolist()
        js = [j for lot in chosen for j, _q in self.fixed[lot]]
        owner = [lot for lot in chosen for _j in self.fixed[lot]]
        if js:
            out[chosen] = -INF
            np.maximum.at(
                out, np.array(owner, dtype=I64), self.reduced(np.array(js), alpha, beta, dual)
            )
        return out

    # -- rows --

    def add_rows(self, keys: list[int], violated: bool = True) -> None:
        """Capacity rows into the LP, each with the columns in the LP that cross it (not
        ``violated``: the last solve's values keep them, so its basis stays primal feasible)."""
        new = np.array(sorted({k for k in keys if self.row_of[k] < 0}), dtype=I64)
        if not len(new):
            return
        self.violated |= violated
        self._flush()
        hit = np.flatnonzero(np.isin(self._keys, new))
        col = self._key_col[hit]
        var = self.vars[col]
        inside = var >= 0
        key, var = self._keys[hit][inside], var[inside]
        order = np.lexsort((var, key))
        key, var = key[order], var[order]
        count = np.bincount(np.searchsorted(new, key), minlength=len(new))
        starts = (np.cumsum(count) - count).astype(np.int32)
        upper = self.cap_of(new)
        self.highs.addRows(
            len(new),
            np.full(len(new), -self.inf),
            upper,
            len(var),
            starts,
            var.astype(np.int32),
            np.ones(len(var)),
        )
        for i, k in enumerate(new.tolist()):
            self.rows[k] = self.n_rows + i
        self.row_of[new] = self.n_rows + np.arange(len(new))
        self.n_rows += len(new)

    def outside(self) -> np.ndarray:
        out = np.ones(self.lots.n, dtype=bool)
        out[list(self.lot_rows)] = False
        return out

    def _refresh_bounds(self, keys: np.ndarray) -> None:
        """After lots moved in or out: the bounds of the rows in among ``keys``, and of the
        lateness cap, to what the lots outside now leave."""
        keys = np.unique(keys)
        keys = keys[self.row_of[keys] >= 0]
        cap = self.cap_of(keys)
        lower = np.where(self.tight[keys], cap, -self.inf)
        for row, lo, hi in zip(
            self.row_of[keys].tolist(), lower.tolist(), cap.tolist(), strict=True
        ):
            self.highs.changeRowBounds(row, lo, hi)
        if self.late_row >= 0:
            self.highs.changeRowBounds(self.late_row, -self.inf, self.late_cap - self.out_late)

    def _in_lp(self) -> np.ndarray:
        return np.flatnonzero(self.vars >= 0)

    def set_objective(self, alpha: float, beta: float) -> None:
        self._flush()
        self.alpha, self.beta = alpha, beta
        js = self._in_lp()
        if len(js):
            cost = alpha * self.col_cost[js] + beta * self.col_late[js]
            self.highs.changeColsCost(len(js), self.vars[js].astype(np.int32), cost)

    def cap_lateness(self, cap: float) -> None:
        self._flush()
        self.late_cap = cap
        js = self._in_lp()
        index = self.vars[js].astype(np.int32)
        self.highs.addRow(-self.inf, cap - self.out_late, len(index), index, self.col_late[js])
        self.late_row = self.n_rows
        self.n_rows += 1

    # -- solving --

    def solve(self, time_limit: float = INF) -> float | None:
        """The LP's optimum over all lots (those outside at their fixed value).

        Stopped after ``time_limit`` seconds: then ``None``, and the master is back at the values
        of its last ``commit`` (the lots that entered since back outside on their routes) and
        solves no more.
        """
        self._flush()
        rows, cols = self.solved_shape
        new_cols = self.n_vars - cols
        warm = False
        if self.to_basic:
            basis = self._get_basis()
            if basis is not None:
                col, row = basis
                lot_row, js = zip(*self.to_basic, strict=True)
                row[list(lot_row)] = _UPPER
                col[self.vars[list(js)]] = _BASIC
                self._set_basis(col, row)
                warm = True
            self.to_basic = []
        no_row = len(self.rows) == rows
        columns_only = new_cols > 0 and (
            (no_row and new_cols <= PRIMAL_ROUND)
            or (warm and self.warm_primal and (no_row or not self.violated))
        )
        self.violated = False
        self.highs.setOptionValue("simplex_strategy", 4 if columns_only else 1)
        # a big round: interior point with crossover, whatever the basis (``IPM_ROUND``)
        self.highs.setOptionValue("solver", "ipm" if new_cols > IPM_ROUND else "simplex")
        if self.lot_rows:
            for again in (False, True):
                if again:  # numerical trouble: once more from scratch
                    self.highs.clearSolver()
                # HiGHS compares its time limit with the object's run time over all runs
                limit = self.highs.getRunTime() + max(time_limit, 0.0)
                self.highs.setOptionValue("time_limit", limit)
                start = time.perf_counter()
                self.highs.run()
                time_limit -= time.perf_counter() - start
                status = self.highs.getModelStatus()
                if status == highspy.HighsModelStatus.kTimeLimit:
                    self.x = self.good_x
                    for lot, dist in self.entered:
                        del self.lot_rows[lot]
                        self.fix(lot, dist)
                    self.entered = []
                    return None
                if status == highspy.HighsModelStatus.kOptimal:
                    break
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"routing: master LP not solved ({status})")
            solution = self.highs.getSolution()
            self.solved_shape = (len(self.rows), self.n_vars)
            self.x = np.asarray(solution.col_value, dtype=float)
            self.y = np.asarray(solution.row_dual, dtype=float)
            z = float(self.highs.getInfo().objective_function_value)
        else:
            z = 0.0
        return z + self.alpha * self.out_cost + self.beta * self.out_late

    def commit(self) -> None:
        """The last solve overloads no row: its values are the ones to fall back on."""
        self.good_x = self.x
        self.entered = []

    def eject(self) -> int:
        """Put every lot that the last solve keeps whole on one route back outside, on that
        route; returns how many. The lots left in keep their values and the LP its optimum (the
        ejected lots' load comes off the rows' capacity). HiGHS drops its basis on a deletion, so
        the basis left is handed back to it (``_keep_basis``)."""
        self._flush()
        js = self._in_lp()
        if not len(js):
            return 0
        value = self.x[self.vars[js]]
        used = value > 1e-9
        lot_of = self.col_lot[js]
        n_used = np.bincount(lot_of[used], minlength=self.lots.n)
        on = np.full(self.lots.n, -1, dtype=I64)
        on[lot_of[used]] = js[used]
        amount = np.zeros(self.lots.n)
        amount[lot_of[used]] = value[used]
        size = self.lots.size
        whole = [
            lot
            for lot in self.lot_rows
            if n_used[lot] == 1 and abs(amount[lot] - size[lot]) <= 1e-9 * size[lot]
        ]
        if not whole:
            return 0
        w = np.array(whole, dtype=I64)
        basis = self._get_basis()
        gone_rows = [self.lot_rows.pop(lot) for lot in whole]
        placed = [
            (lot, [(j, int(size[lot]))]) for lot, j in zip(whole, on[w].tolist(), strict=True)
        ]
        self._refresh_bounds(self._place(placed, 1))
        leaving = js[np.isin(lot_of, w)]
        gone_vars = self.vars[leaving]
        self.vars[leaving] = -1
        keep_var = np.ones(self.n_vars, dtype=bool)
        keep_var[gone_vars] = False
        keep_row = np.ones(self.n_rows, dtype=bool)
        keep_row[gone_rows] = False
        self.highs.deleteCols(len(gone_vars), np.sort(gone_vars).astype(np.int32))
        self.highs.deleteRows(len(gone_rows), np.sort(np.array(gone_rows, dtype=np.int32)))
        new_var = np.cumsum(keep_var) - 1
        new_row = np.cumsum(keep_row) - 1
        inside = self.vars >= 0
        self.vars[inside] = new_var[self.vars[inside]]
        self.lot_rows = {lot: int(new_row[r]) for lot, r in self.lot_rows.items()}
        self.rows = {key: int(new_row[r]) for key, r in self.rows.items()}
        keys = np.fromiter(self.rows, dtype=I64, count=len(self.rows))
        self.row_of[keys] = np.fromiter(self.rows.values(), dtype=I64, count=len(self.rows))
        if self.late_row >= 0:
            self.late_row = int(new_row[self.late_row])
        self.x, self.good_x = self.x[keep_var], self.good_x[keep_var]
        self.y = self.y[keep_row]
        self.n_vars, self.n_rows = int(keep_var.sum()), int(keep_row.sum())
        self.solved_shape = (len(self.rows), self.n_vars)
        if basis is not None:
            self._keep_basis(basis[0][keep_var], basis[1][keep_row])
        return len(gone_rows)

    def _keep_basis(self, col: np.ndarray, row: np.ndarray) -> None:
        """After a deletion: the basis left, square again. Each lot ejected took its row and its
        basic columns (one at its units, others degenerate at 0); for each of the latter a row
        at its bound with a zero dual (the least in magnitude) gets a basic slack, so that the
        primal values and the duals stay those of the optimum."""
        deficit = self.n_rows - int((col == _BASIC).sum() + (row == _BASIC).sum())
        if deficit < 0:
            return
        if deficit > 0:
            rows_out = np.flatnonzero(row != _BASIC)
            pick = rows_out[np.argsort(np.abs(self.y[rows_out]), kind="stable")[:deficit]]
            row = row.copy()
            row[pick] = _BASIC
        self._set_basis(col, row)

    def duals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        net = self.net
        flat = np.zeros(self.n_keys)
        if self.lot_rows and self.rows:
            keys = np.fromiter(self.rows, dtype=I64, count=len(self.rows))
            flat[keys] = self.y[self.row_of[keys]]
        lot = np.full(self.lots.n, np.nan)
        for i, row in self.lot_rows.items():
            lot[i] = self.y[row]
        late = float(self.y[self.late_row]) if self.late_row >= 0 and self.lot_rows else 0.0
        if self.face is not None:  # level 1's duals, weighted, plus the face's own
            weight, dual1, mu1 = self.face
            flat = weight * dual1 + flat
            lot = lot + weight * mu1
            late = -weight
        # duals of <= rows in a minimisation are <= 0 (any such are a valid point for the
        # Lagrangian bound); clip numerical noise
        flat = np.minimum(flat, 0.0)
        MT = net.M * net.T
        return (
            flat[:MT].reshape(net.M, net.T),
            flat[MT:].reshape(net.N, net.T),
            lot,
            min(late, 0.0),
        )

    def plan_key(self, qty: np.ndarray) -> tuple[float, float]:
        """The rule's (lateness, cost) of whole units ``qty`` on the first ``len(qty)`` columns."""
        n = len(qty)
        return float(qty @ self.col_late[:n]), float(qty @ self.col_cost[:n])

    def values(self) -> np.ndarray:
        x = np.zeros(len(self.columns))
        idx = self.vars
        solved = (idx >= 0) & (idx < len(self.x))
        x[solved] = self.x[idx[solved]]
        fixed = self.fixed_x > 0
        x[fixed] = self.fixed_x[fixed]
        return x

    def _load(self, js: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """Load per row key of ``qty`` units on each of columns ``js``."""
        keys, pos = self._gather(js)
        return np.bincount(keys, qty[pos].astype(float), self.n_keys)

    def _over(self, load: np.ndarray) -> list[int]:
        """Row keys not in the LP that ``load`` overloads."""
        cap = self.cap_flat
        return np.flatnonzero((cap > 0) & (load > cap + 1e-6) & (self.row_of < 0)).tolist()

    def at_risk(self, x: np.ndarray, js: np.ndarray) -> list[int]:
        """Row keys not in the LP that columns ``js`` cross and would overload if each took its
        lot's units on top of the plan ``x``."""
        used = np.flatnonzero(x > 1e-9)
        return self._over(
            self._load(used, x[used]) + self._load(js, self.lots.size[self.col_lot[js]])
        )

    def overloaded(self, x: np.ndarray) -> list[int]:
        """Row keys not in the LP that the plan ``x`` overloads."""
        used = np.flatnonzero(x > 1e-9)
        return self._over(self._load(used, x[used])) if len(used) else []


class _Routes:
    """Routes of lots ``lot`` (one each, a lot at most once) end to end: route ``i`` has
    ``hops[i]`` legs (sorted indices; none: its lot's undelivered column), ``leg`` and ``dep``
    from ``ptr[i]``. Their columns' values and row keys are computed for all at once, so that
    reduced costs are array operations and only the routes kept become ``_Column`` objects."""

    def __init__(
        self,
        net: _Network,
        lots: _Lots | _Demand,
        lot: np.ndarray,
        leg: np.ndarray,
        dep: np.ndarray,
        hops: np.ndarray,
    ) -> None:
        n = len(lot)
        self.n = n
        T, MT = net.T, net.M * net.T
        self.lot = lot_a = np.asarray(lot, dtype=I64)
        self.leg = leg = np.asarray(leg, dtype=I64)
        self.dep = dep = np.asarray(dep, dtype=I64)
        hops = np.asarray(hops, dtype=I64)
        owner = np.repeat(np.arange(n), hops)
        end = np.cumsum(hops)
        first = end - hops
        self.ptr = np.concatenate([np.zeros(1, dtype=I64), end])
        has = hops > 0
        arrival = np.full(n, -1, dtype=I64)
        last = end[has] - 1
        arrival[has] = dep[last] + net.tau[leg[last]]
        self.arrival = arrival
        if isinstance(lots, _Lots):
            late = np.where(
                has,
                lots.weight[lot_a] * np.maximum(0, arrival - lots.need[lot_a]),
                lots.undelivered_late[lot_a],
            )
        else:
            late = np.zeros(n, dtype=I64)
        self.late = late
        self.cost = np.bincount(owner, net.cost[leg], n).round().astype(I64)
        # capacitated rows, each column's leg rows then its node rows (origin first), contiguous
        capped = net.cap[leg] > 0
        with_legs = np.flatnonzero(has)
        node = np.concatenate([lots.origin[lot_a[with_legs]], net.to[leg]])
        nday = np.concatenate([dep[first[with_legs]], dep + net.tau[leg]])
        n_owner = np.concatenate([with_legs, owner])
        n_capped = net.node_cap[node] > 0
        key_owner = np.concatenate([owner[capped], n_owner[n_capped]])
        key_val = np.concatenate(
            [leg[capped] * T + dep[capped], MT + node[n_capped] * T + nday[n_capped]]
        )
        order = np.argsort(key_owner, kind="stable")
        self.keys = key_val[order]
        self.key_pos = key_owner[order]  # the route of each key
        count = np.bincount(key_owner, minlength=n)
        self.k_end = np.cumsum(count)
        self.k_first = self.k_end - count
        self.k_node = self.k_first + np.bincount(owner[capped], minlength=n)  # first node row
        self.MT = MT

    def reduced(self, alpha: float, beta: float, dual: np.ndarray) -> np.ndarray:
        """The routes' reduced costs at the rows' duals ``dual`` (by key), their lots' aside."""
        cost = alpha * self.cost.astype(float) + beta * self.late.astype(float)
        return _less_duals(cost, self.keys, self.key_pos, dual)

    def columns(self, pick: np.ndarray | None = None) -> list[_Column]:
        """The columns of routes ``pick`` (all if None), in that order."""
        chosen = np.arange(self.n) if pick is None else np.asarray(pick, dtype=I64)
        leg, dep, keys, MT = self.leg, self.dep, self.keys, self.MT
        ptr = self.ptr
        return [
            _Column(
                lot,
                leg[ptr[i] : ptr[i + 1]],
                dep[ptr[i] : ptr[i + 1]],
                arr,
                late,
                cost,
                keys[c:f],
                keys[f:e] - MT,
                keys[c:e],
            )
            for i, lot, arr, late, cost, c, e, f in zip(
                chosen.tolist(),
                self.lot[chosen].tolist(),
                self.arrival[chosen].tolist(),
                self.late[chosen].tolist(),
                self.cost[chosen].tolist(),
                self.k_first[chosen].tolist(),
                self.k_end[chosen].tolist(),
                self.k_node[chosen].tolist(),
                strict=True,
            )
        ]

    def by_lot(self) -> dict[int, tuple[np.ndarray, np.ndarray, int]]:
        """The routes by lot: (sorted legs, departures, arrival day)."""
        ptr = self.ptr
        return {
            lot: (self.leg[a:b], self.dep[a:b], arr)
            for lot, a, b, arr in zip(
                self.lot.tolist(),
                ptr[:-1].tolist(),
                ptr[1:].tolist(),
                self.arrival.tolist(),
                strict=True,
            )
        }


def _columns(
    net: _Network,
    lots: _Lots,
    lot_ids: Sequence[int],
    legs: Sequence[np.ndarray],
    deps: Sequence[np.ndarray],
) -> list[_Column]:
    """The columns of routes (sorted legs, departure days) of the lots ``lot_ids``, built
    together; a route without legs is its lot's undelivered column."""
    if not len(lot_ids):
        return []
    hops = np.fromiter((len(x) for x in legs), dtype=I64, count=len(lot_ids))
    leg = np.concatenate([np.zeros(0, I64), *legs]).astype(I64)
    dep = np.concatenate([np.zeros(0, I64), *deps]).astype(I64)
    return _Routes(net, lots, np.asarray(lot_ids, dtype=I64), leg, dep, hops).columns()


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + lengths[i] - 1`` of every span, end to end."""
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(
        int(lengths.sum())
    )


def _less_duals(
    cost: np.ndarray, keys: np.ndarray, pos: np.ndarray, dual: np.ndarray
) -> np.ndarray:
    """Reduced costs: each column's ``cost`` less the duals of its row ``keys`` (``pos``: the
    column of each key), its lot's dual aside."""
    return cost - np.bincount(pos, dual[keys], len(cost))


def _fix_plan(master: _Master, parts: list[list[Part]], undelivered: np.ndarray) -> None:
    """Add the routes of a plan as columns of the lots they serve (each route once) and fix
    every lot outside on them, with its undelivered units on its undelivered column (the first
    ``lots.n`` columns, in lot order)."""
    net, lots = master.net, master.lots
    sorted_leg = np.empty(net.M, dtype=I64)
    sorted_leg[net.order] = np.arange(net.M)
    lot_of = np.full(net.p.n_cons, -1, dtype=I64)
    lot_of[lots.cons] = lots.of_cons
    dist: list[dict[int, int]] = [{} for _ in range(lots.n)]
    seen: dict[tuple[int, bytes, bytes], int] = {}
    routes: list[tuple[int, np.ndarray, np.ndarray]] = []
    uses: list[tuple[int, int, int]] = []  # (lot, route, quantity)
    for k, ps in enumerate(parts):
        lot = int(lot_of[k])
        if lot < 0:
            continue
        if undelivered[k]:
            dist[lot][lot] = dist[lot].get(lot, 0) + int(undelivered[k])
        for q in ps:
            key = (lot, q.legs.tobytes(), q.departures.tobytes())
            if key not in seen:
                seen[key] = len(routes)
                routes.append((lot, sorted_leg[q.legs], q.departures.copy()))
            uses.append((lot, seen[key], q.quantity))
    js = master.add_many(
        _columns(net, lots, [r[0] for r in routes], [r[1] for r in routes], [r[2] for r in routes])
    ).tolist()
    for lot, r, qty in uses:
        j = js[r]
        dist[lot][j] = dist[lot].get(j, 0) + qty
    master.fix_all([sorted(d.items()) for d in dist])


# --- integer plan ---------------------------------------------------------------------------------


def _integer_plan(
    master: _Master, x: np.ndarray, time_left: float, cost: bool = True
) -> tuple[np.ndarray, bool]:
    """Whole units per column: the relaxation rounded down, the rest by a MILP on its columns,
    lateness first, then (``cost``) the cost with that lateness.

    Only the first ``len(x)`` columns are read (the master's columns and its lots' lists of them
    only grow), so that it can run beside column generation (``_Roundings``)."""
    net, lots = master.net, master.lots
    n = len(x)
    cols = master.columns[:n]
    q = np.floor(x + 1e-7).astype(I64)
    lot_of = master.col_lot[:n]
    used = np.bincount(lot_of, q, lots.n)
    over = used > lots.size  # never more than a lot's size (noise)
    if over.any():
        q[np.isin(lot_of, np.flatnonzero(over))] = 0
        used = np.bincount(lot_of, q, lots.n)
    rest = (lots.size - used).astype(I64)
    if not rest.any():
        return q, True
    leg_load = np.zeros(net.M * net.T, dtype=I64)
    node_load = np.zeros(net.N * net.T, dtype=I64)
    for j in np.flatnonzero(q).tolist():
        c = cols[j]
        np.add.at(leg_load, c.leg_rows, q[j])
        np.add.at(node_load, c.node_rows, q[j])
    open_lots = np.flatnonzero(rest)
    var_cols = [j for lot in open_lots.tolist() for j in master.by_lot[lot] if j < n]
    nv = len(var_cols)
    lot_index = {lot: i for i, lot in enumerate(open_lots.tolist())}
    rows: list[int] = []
    cidx: list[int] = []
    leg_ids: dict[int, int] = {}
    node_ids: dict[int, int] = {}
    n_lot = len(open_lots)
    for v, j in enumerate(var_cols):
        c = cols[j]
        rows.append(lot_index[c.lot])
        cidx.append(v)
        for rid in c.leg_rows.tolist():
            rows.append(n_lot + leg_ids.setdefault(rid, len(leg_ids)))
            cidx.append(v)
    n_leg = len(leg_ids)
    for v, j in enumerate(var_cols):
        for rid in cols[j].node_rows.tolist():
            rows.append(n_lot + n_leg + node_ids.setdefault(rid, len(node_ids)))
            cidx.append(v)
    n_rows = n_lot + n_leg + len(node_ids)
    A = csc_matrix((np.ones(len(rows)), (rows, cidx)), shape=(n_rows, nv))
    leg_rid = np.fromiter(leg_ids, dtype=I64, count=n_leg)
    node_rid = np.fromiter(node_ids, dtype=I64, count=len(node_ids))
    upper = np.concatenate(
        [
            rest[open_lots],
            np.maximum(net.cap[leg_rid // net.T] - leg_load[leg_rid], 0),
            np.maximum(net.node_cap[node_rid // net.T] - node_load[node_rid], 0),
        ]
    ).astype(float)
    lower = np.concatenate([rest[open_lots], np.full(n_rows - n_lot, -np.inf)])
    late = np.array([cols[j].late for j in var_cols], dtype=float)
    cost_of = np.array([cols[j].cost for j in var_cols], dtype=float)
    vb = Bounds(np.zeros(nv), rest[lot_of[var_cols]].astype(float))
    integ = np.ones(nv)
    deadline = time.perf_counter() + max(time_left, 1.0)
    cons = [LinearConstraint(A, lower, upper)]
    res1 = milp(
        late,
        constraints=cons,
        integrality=integ,
        bounds=vb,
        options={"time_limit": max(deadline - time.perf_counter(), 0.5)},
    )
    if res1.x is None:  # cannot happen (undelivered columns are always feasible)
        raise RuntimeError("routing: rounding MILP found no plan")
    best = res1.x
    proven = res1.status == 0
    level1 = float(np.rint(late @ np.rint(best)))
    if not cost:  # level 1's plan asked for only
        pass
    elif deadline - time.perf_counter() < 0.3:  # no time left for the cost: level 1's plan stands
        proven = False
    else:
        cons2 = [*cons, LinearConstraint(late.reshape(1, -1), -np.inf, level1 + 0.5)]
        res2 = milp(
            cost_of,
            constraints=cons2,
            integrality=integ,
            bounds=vb,
            options={"time_limit": deadline - time.perf_counter()},
        )
        if res2.x is not None:
            best = res2.x
            proven = proven and res2.status == 0
    q[var_cols] += np.rint(best).astype(I64)
    return q, proven


class _Roundings:
    """Integer plans of level 2's relaxations made on the second core while column generation
    goes on (with a time limit only), in a worker thread (the MILPs release the GIL): a safety
    net for the integer step at the end, whose lateness MILP may not be proven in the time it
    has; the best plan by the rule stands.

    ``launch`` rounds the values of a solve (level 1's MILP only) when no rounding is under way
    and at least ``ROUNDING_TIME`` is left before ``deadline``, where a rounding is cut (the
    integer step's own deadline: the last rounding runs beside it, on the other core)."""

    def __init__(self, master: _Master, deadline: float) -> None:
        self.master, self.deadline = master, deadline
        self.pool: ThreadPoolExecutor | None = None
        self.future: Future[np.ndarray] | None = None
        self.best: tuple[tuple[float, float], np.ndarray] | None = None
        self.made = 0

    def _collect(self, wait: bool = False) -> None:
        if self.future is not None and (wait or self.future.done()):
            qty = self.future.result()
            self.future = None
            self.made += 1
            key = self.master.plan_key(qty)
            if self.best is None or key < self.best[0]:
                self.best = (key, qty)

    def _round(self, x: np.ndarray) -> np.ndarray:
        return _integer_plan(self.master, x, self.deadline - time.perf_counter(), cost=False)[0]

    def launch(self, x: np.ndarray) -> None:
        self._collect()
        if self.future is None and time.perf_counter() + ROUNDING_TIME <= self.deadline:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="routing-round")
            self.future = self.pool.submit(self._round, x)

    def close(self) -> None:
        """Start no more roundings; one under way ends by its time limit, in its thread."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def finish(self) -> list[np.ndarray]:
        """Wait for the rounding under way; the best plan, over all columns (none: none made)."""
        self._collect(wait=True)
        if self.pool is not None:
            self.pool.shutdown()
        if self.best is None:
            return []
        qty = np.zeros(len(self.master.columns), dtype=I64)
        qty[: len(self.best[1])] = self.best[1]
        return [qty]


# --- routing on the capacity a plan leaves -------------------------------------------------------


def _residual(problem: RoutingProblem, parts: list[list[Part]]) -> tuple[np.ndarray, np.ndarray]:
    """Capacity left per (leg, day) and (node, day) by a plan (a huge number where unlimited)."""
    T = problem.horizon + 1
    leg = np.zeros((problem.n_legs, T), dtype=I64)
    node = np.zeros((problem.n_nodes, T), dtype=I64)
    for k, ps in enumerate(parts):
        for q in ps:
            if len(q.legs):
                np.add.at(leg, (q.legs, q.departures), q.quantity)
                node[problem.cons_origin[k], q.departures[0]] += q.quantity
                heads = problem.leg_to[q.legs]
                np.add.at(node, (heads, q.departures + problem.leg_transit[q.legs]), q.quantity)
    unlimited = np.iinfo(I64).max // 4
    leg_cap = np.where(problem.leg_capacity > 0, problem.leg_capacity, unlimited)
    node_cap = np.where(problem.node_capacity > 0, problem.node_capacity, unlimited)
    return leg_cap[:, None] - leg, node_cap[:, None] - node


def earliest_fill(
    problem: RoutingProblem,
    parts: list[list[Part]],
    undelivered: np.ndarray,
    order: np.ndarray | None = None,
) -> tuple[list[list[Part]], np.ndarray]:
    """Route undelivered units on the capacity the plan ``parts`` leaves, consignment by
    consignment in ``order`` (default: earliest need-by first, then the higher priority), each on
    its earliest-arriving route, as many units as that route can take, again until none is left
    or no route arrives by the horizon. Returns new parts and undelivered units.

    With free waiting, arriving earlier at a node never leaves fewer departures, so the earliest
    arrival is found by Dijkstra over the nodes (labels: arrival day, then cost, so that of two
    equally early ways into a node the cheaper is kept; not the cheapest earliest route overall).
    The searches run compiled (``_routing_kernels.earliest``: 0.09 s for the first plan of 10k
    consignments, against 0.77 s as Python with the same plan).
    """
    leg_left, node_left = _residual(problem, parts)
    parts = [list(ps) for ps in parts]
    if order is None:
        order = np.lexsort((problem.cons_priority, problem.cons_need_by))
    units = _ints(undelivered).copy()
    out_legs = np.argsort(problem.leg_from, kind="stable").astype(I64)
    out_start = np.searchsorted(problem.leg_from[out_legs], np.arange(problem.n_nodes + 1))
    cons, qty, hops, legs, deps = earliest(
        _ints(order),
        units,
        _ints(problem.cons_origin),
        _ints(problem.cons_destination),
        _ints(problem.cons_ready),
        out_start.astype(I64),
        out_legs,
        _ints(problem.leg_to),
        _ints(problem.leg_transit),
        _ints(problem.leg_cost),
        leg_left,
        node_left,
        int(problem.horizon),
    )
    ends = np.cumsum(hops)
    for k, q, e, h in zip(cons.tolist(), qty.tolist(), ends.tolist(), hops.tolist(), strict=True):
        parts[k].append(Part(q, legs[e - h : e].copy(), deps[e - h : e].copy()))
    return parts, units


class _Left:
    """The capacity a plan leaves per (leg, day) and (node, day), as plain lists:
    ``cheaper_routes`` reads and takes single cells, which NumPy scalars make several times
    slower."""

    def __init__(self, problem: RoutingProblem, parts: list[list[Part]]) -> None:
        leg, node = _residual(problem, parts)
        self.leg_arr, self.node_arr = leg, node
        self.leg: list[list[int]] = leg.tolist()
        self.node: list[list[int]] = node.tolist()
        self.to, self.tau = problem.leg_to.tolist(), problem.leg_transit.tolist()

    def room(self, origin: int, legs: list[int], deps: list[int]) -> int:
        """The units a route (input legs, departure days) can still take: the least capacity
        left on its legs, at its origin on departure and at its other nodes on arrival."""
        room = self.node[origin][deps[0]]
        for leg, s in zip(legs, deps, strict=True):
            room = min(room, self.leg[leg][s], self.node[self.to[leg]][s + self.tau[leg]])
        return room

    def carry(self, origin: int, legs: list[int], deps: list[int], qty: int) -> None:
        """Take the capacity ``qty`` units use along a route (negative: give it back)."""
        self.node[origin][deps[0]] -= qty
        for leg, s in zip(legs, deps, strict=True):
            self.leg[leg][s] -= qty
            self.node[self.to[leg]][s + self.tau[leg]] -= qty


@dataclass
class _Demand:
    """What the pricer reads of lots, for other units to route (``cheaper_routes``' parts)."""

    origin: np.ndarray
    dest: np.ndarray
    ready: np.ndarray
    need: np.ndarray
    weight: np.ndarray

    @property
    def n(self) -> int:
        return len(self.origin)


def cheaper_routes(
    problem: RoutingProblem, parts: list[list[Part]], passes: int = 2, deadline: float = INF
) -> list[list[Part]]:
    """Move units of a plan to cheaper routes on the capacity it leaves, never later than they
    arrive now where they are late, nor later than their need-by day where they are on time: the
    weighted lateness cannot rise, the cost only falls.

    Each pass prices every part at once (the pricer's dynamic programme, unit cost per leg, rows
    with no capacity left closed, the part's deadline as its need-by day with a prohibitive
    lateness weight), then moves parts onto their cheaper routes, the largest saving per unit
    first, as many units as the capacity left along the new route takes. For a plan whose cost
    level was cut short (the last pass of column generation is what proves the cheapest plan).
    A pass after the first starts only if, as long as the one before, it ends by ``deadline``
    (``time.perf_counter()``)."""
    parts = [list(ps) for ps in parts]
    net = _Network(problem)
    origins = problem.cons_origin.tolist()
    took = 0.0
    for _ in range(passes):
        start = time.perf_counter()
        if took and start + took > deadline:  # another pass as long as the last: too late
            break
        flat = [(k, i, q) for k, ps in enumerate(parts) for i, q in enumerate(ps) if len(q.legs)]
        if not flat:
            break
        cons = np.array([k for k, _i, _q in flat], dtype=I64)
        arrival = np.array([_arrival(problem, k, q) for k, _i, q in flat], dtype=I64)
        now_cost = np.array([int(problem.leg_cost[q.legs].sum()) for _k, _i, q in flat])
        demand = _Demand(
            origin=problem.cons_origin[cons],
            dest=problem.cons_destination[cons],
            ready=problem.cons_ready[cons],
            need=np.maximum(arrival, problem.cons_need_by[cons]),
            weight=np.ones(len(flat), dtype=I64),
        )
        left = _Left(problem, parts)
        closed_leg = np.where((left.leg_arr[net.order] < 1) & (net.cap[:, None] > 0), -INF, 0.0)
        closed_node = np.where((left.node_arr < 1) & (net.node_cap[:, None] > 0), -INF, 0.0)
        reduced, found = _Pricer(net, demand).price(
            closed_leg,
            closed_node,
            1.0,
            1e9,
            now_cost.astype(float),
            -0.5,
            np.ones(len(flat), bool),
        )
        routes = found.by_lot()
        moved = 0
        for i in sorted(routes, key=lambda i: (reduced[i], i)):
            k, j, q = flat[i]
            legs_s, deps_a, _a = routes[i]
            legs, deps = net.order[legs_s].tolist(), deps_a.tolist()
            o = origins[k]
            take = min(q.quantity, left.room(o, legs, deps))
            if take <= 0:
                continue
            left.carry(o, legs, deps, take)
            left.carry(o, q.legs.tolist(), q.departures.tolist(), -take)
            parts[k][j] = Part(q.quantity - take, q.legs, q.departures)
            parts[k].append(Part(take, np.array(legs, dtype=I64), deps_a.copy()))
            moved += take
        parts = [[q for q in ps if q.quantity] for ps in parts]
        took = time.perf_counter() - start
        if not moved:
            break
    return parts


def first_plan(problem: RoutingProblem) -> tuple[list[list[Part]], np.ndarray]:
    """``earliest_fill`` from nothing, by need-by advanced two days per doubling of the lateness
    weight (priority 1 as if due 6 days earlier than priority 4), then priority. Consignments
    already there arrive on their ready day."""
    parts: list[list[Part]] = [[] for _ in range(problem.n_cons)]
    _home(problem, parts)
    waiting = np.where(problem.cons_origin != problem.cons_destination, problem.cons_size, 0)
    urgency = _urgency(problem.cons_need_by, problem.cons_priority)
    return earliest_fill(problem, parts, waiting, np.lexsort((problem.cons_priority, urgency)))


def _urgency(need_by: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Need-by advanced two days per doubling of the lateness weight."""
    return need_by - 2 * np.log2(LATE_WEIGHT[priority]).astype(I64)


# --- the solver -----------------------------------------------------------------------------------


def solve(
    problem: RoutingProblem,
    *,
    time_limit: float | None = None,
    progress: Progress | None = None,
    trace: Callable[[int, float, float, int, int], Any] | None = None,
) -> RoutingResult:
    """Route the consignments by the rule of the module docstring (see there for the method).

    ``time_limit`` (seconds) stops column generation early (``CUT``: no new round after 85% of it
    in level 1 and 86% in level 2, a master solve cut at 90% and 91%, the relaxation then the
    last one that overloaded no row) and bounds the integer step (to 94% of it, ``FILL_SHARE``)
    and the roundings beside level 2 (``ROUNDING_FROM``: from 60% of it, each cut there too);
    the plan is then "feasible" with the gap its bound proves.

    ``trace``, if given, is called after each column round with the level (1, 2), the master's
    optimum, the level's bound so far, the new routes and the lots in the LP (for benchmarks).
    """
    started: list[_Roundings] = []
    try:
        return _solve(problem, time_limit, progress, trace, started)
    finally:  # on an error too: no rounding left to start, the one under way left to end
        for roundings in started:
            roundings.close()


def _solve(
    problem: RoutingProblem,
    time_limit: float | None,
    progress: Progress | None,
    trace: Callable[[int, float, float, int, int], Any] | None,
    started: list[_Roundings],
) -> RoutingResult:
    t0 = time.perf_counter()
    c0 = time.process_time()
    limit = INF if time_limit is None else float(time_limit)
    timings: dict[str, float] = {}

    def say(pct: int, msg: str) -> None:
        if progress is not None:
            progress(pct, msg)

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - t0 - sum(timings.values())

    net = _Network(problem)
    lots = _Lots(problem)
    pricer = _Pricer(net, lots)
    master = _Master(net, lots)
    none = np.zeros(0, dtype=I64)
    # column ``lot``: the lot's units undelivered
    master.add_many(_columns(net, lots, range(lots.n), [none] * lots.n, [none] * lots.n))
    best = np.arange(lots.n, dtype=I64)  # each lot's own best route (unreachable: undelivered)
    total_units = float(lots.size.sum())
    # level 1 breaks ties by a tiny cost so that routes make no idle detours
    alpha1 = 1e-4 / max(net.max_path_cost * max(total_units, 1.0), 1.0)
    zero_leg = np.zeros((net.M, net.T))
    zero_node = np.zeros((net.N, net.T))
    everyone = np.ones(lots.n, dtype=bool)
    reduced, found = pricer.price(zero_leg, zero_node, alpha1, 1.0, np.zeros(lots.n), INF, everyone)
    reachable_lot = np.isfinite(reduced)
    best[found.lot] = master.add_many(found.columns())
    # a first plan, earliest need-by first on the capacity left: every lot starts outside the
    # master on its routes (moved whole to its own best route where the capacity the others
    # leave allows), and it stands as the answer if column generation is cut short
    greedy = first_plan(problem)
    greedy_key = evaluate(problem, *greedy).key()
    _fix_plan(master, *greedy)
    # rows likely to bind from the start: those the first plan fills (each found later would
    # cost a master solve of its own); lots whose own best route crosses none move to it
    leg_left, node_left = _residual(problem, greedy[0])
    full_leg = (leg_left[net.order] <= 0) & (net.cap[:, None] > 0)
    full_node = (node_left <= 0) & (net.node_cap[:, None] > 0)
    full = np.concatenate([full_leg.reshape(-1), full_node.reshape(-1)])
    for lot in np.lexsort((lots.prio, _urgency(lots.need, lots.prio))).tolist():
        if not full[master.columns[int(best[lot])].keys].any():
            master.settle(lot, int(best[lot]))
    master.add_rows(np.flatnonzero(full).tolist())
    lap("build")
    say(5, "routes")

    stats = {"lots": lots.n, "iterations": 0, "ejected": 0}
    # the capacity-free bound: every lot on its own best route (the Lagrangian bound at zero
    # duals), valid from the start whatever column generation reaches within the time limit
    alone = np.minimum(np.where(reachable_lot, reduced, INF), lots.undelivered_late)
    tie_break = alpha1 * net.max_path_cost * total_units  # the most level 1's cost term adds
    floor = float(alone @ lots.size) - tie_break
    bounds = [floor, -INF]
    best_cost = np.array([master.columns[j].cost for j in best.tolist()], dtype=float)
    best_late = np.array([master.columns[j].late for j in best.tolist()], dtype=float)
    converged = [False, False]
    room = False  # level 2: the lateness cap above level 1's relaxation
    level1_duals = (zero_leg, zero_node)  # level 1's last master duals
    leg_cap = net.cap.astype(float)[:, None]
    node_cap = net.node_cap.astype(float)[:, None]
    # with a time limit, level 2's relaxations rounded beside column generation
    roundings = _Roundings(master, t0 + limit * (1 - FILL_SHARE)) if limit < INF else None
    if roundings is not None:
        started.append(roundings)
    rounding_from = ROUNDING_FROM * limit
    for phase in (0, 1):
        alpha, beta = (alpha1, 1.0) if phase == 0 else (1.0, 0.0)
        master.warm_primal = WARM_PRIMAL[phase]
        if phase == 1:
            if not converged[0]:
                break
            master.set_objective(alpha, beta)
            late_cap = math.ceil(bounds[0] - 1e-6 * max(1.0, abs(bounds[0])))
            face = _face(pricer, lots, level1_duals, late_cap, leg_cap, node_cap, net, total_units)
            if face is None or not FACE:
                master.cap_lateness(late_cap)
            else:
                master.enter_face(face[0], *face[1:], float(late_cap))
                stats["face"] = 1
            # the cap leaves no room when level 1's relaxation is integral (to its tolerance):
            # then every route level 2 may use has level 1's least reduced cost, and a lot
            # settled on its own best route (the cheapest of its least late) stays best
            tolerance = 2 * tie_break + 1e-6 * max(1.0, abs(bounds[0]))
            room = late_cap - bounds[0] > tolerance
        slack = tie_break if phase == 0 else 0.0
        center: tuple[np.ndarray, np.ndarray, float] | None = None  # dual stability centre
        # (the last pricing point, or the duals of the best bound: ``MOVING``)
        ejected_at = INF  # the master's optimum when lots were last ejected
        while True:
            solved = master.solve(t0 + CUT[phase][1] * limit - time.perf_counter())
            if solved is None:  # out of time: the last committed values stand
                break
            z = solved
            stats["iterations"] += 1
            x = master.values()
            over = master.overloaded(x)
            if over:  # rows that bind and were not in: add them and solve again
                master.add_rows(over)
                continue
            master.commit()
            if phase and roundings is not None and time.perf_counter() - t0 >= rounding_from:
                roundings.launch(x)
            tol = 1e-9 * max(1.0, abs(z))
            # only while the optimum falls (no cycle of in and out), in level 2 by a share of it
            if z < ejected_at - max(tol, EJECT_FALL[phase] * abs(z)):
                stats["ejected"] += master.eject()
                ejected_at = z
            leg_dual, node_dual, lot_dual, late_dual = master.duals()
            if phase == 0:
                level1_duals = (leg_dual, node_dual)
            dual = np.concatenate([leg_dual.reshape(-1), node_dual.reshape(-1)])
            # lots outside whole on their own best route, which crosses no row in: no dual can
            # make another route (or leaving units undelivered) better, so they are not priced.
            # In level 2 only while the lateness cap leaves no room: with room, a cheaper route
            # later by a fraction of a unit could use it (at a low price of lateness, the cap's
            # dual, it would also beat the best route in the bound), so then every lot is priced
            settled = (
                master.settled(best) if phase == 0 or not room else np.zeros(lots.n, dtype=bool)
            )
            priced = ~settled
            # a lot outside is priced against the dearest of the routes it is fixed on
            outside = np.isnan(lot_dual)
            fixed = master.fixed_reduced(outside & priced, alpha, beta - late_dual, dual)
            mu = np.where(outside, fixed, lot_dual)
            # lots outside whose units would rather stay undelivered
            stay_undelivered = (beta - late_dual) * lots.undelivered_late
            leave = priced & outside & (stay_undelivered < mu - tol)
            smooth = SMOOTHING[phase] if center is not None else 0.0
            while True:
                if smooth and center is not None:  # between the centre and the master's duals
                    pl = smooth * center[0] + (1 - smooth) * leg_dual
                    pn = smooth * center[1] + (1 - smooth) * node_dual
                    pt = smooth * center[2] + (1 - smooth) * late_dual
                else:
                    pl, pn, pt = leg_dual, node_dual, late_dual
                reduced, found = pricer.price(pl, pn, alpha, beta - pt, mu, -tol, priced)
                # the Lagrangian bound at the priced duals (valid whatever they are)
                value = np.where(np.isfinite(reduced), reduced + mu, INF)
                value = np.minimum(value, (beta - pt) * lots.undelivered_late)
                value[settled] = (alpha * best_cost + (beta - pt) * best_late)[settled]
                lb = (
                    float(value @ lots.size)
                    + float((pl * leg_cap).sum() + (pn * node_cap).sum())
                    + pt * master.late_cap
                    - slack
                )
                if lb > bounds[phase]:
                    bounds[phase] = lb
                    center = (pl, pn, pt)
                elif center is None or MOVING[phase]:
                    center = (pl, pn, pt)
                # the routes that improve the master at its own duals (priced there: all)
                at_master = found.reduced(alpha, beta - late_dual, dual) - mu[found.lot]
                pick = np.flatnonzero(at_master < -tol) if smooth else np.arange(found.n)
                if len(pick) or leave.any() or not smooth:
                    break
                smooth = 0.0  # mispricing: price at the master's own duals
            if master.face is not None and len(pick):  # on level 1's optimal face only
                reduced1 = found.reduced(0.0, 1.0, master.face[1])[pick]
                pick = pick[master.face_gap(reduced1, found.lot[pick]) <= 1e-6]
            # how much each route improves the master
            gain = at_master[pick] * lots.size[found.lot[pick]]
            if RELOCATE[phase] and len(pick):  # lots outside that can move without the LP
                order = np.argsort(gain, kind="stable")
                moved = master.relocate(found, pick[order], x)
                stats["relocated"] = stats.get("relocated", 0) + int(moved.sum())
                stay = np.sort(order[~moved])
                pick, gain = pick[stay], gain[stay]
            if ROUND_COLUMNS[phase] and len(pick) > ROUND_COLUMNS[phase]:  # the best only
                keep = np.argsort(gain, kind="stable")[: ROUND_COLUMNS[phase]]
                pick = pick[np.sort(keep)]
            cols = found.columns(pick)  # (only the routes kept become columns)
            if trace is not None:
                trace(phase + 1, z, bounds[phase], len(cols), len(master.lot_rows))
            if not (cols or leave.any()) or z - bounds[phase] <= tol + slack:
                converged[phase] = True
                break
            if time.perf_counter() - t0 > CUT[phase][0] * limit:
                break  # keep the solved master's values
            master.activate_lots([*np.flatnonzero(leave).tolist(), *(col.lot for col in cols)])
            js = master.add_many(cols)
            if AT_RISK[phase]:
                master.add_rows(master.at_risk(x, js), violated=False)
            say(min(80, 5 + 35 * phase + stats["iterations"]), f"level {phase + 1}")
        lap(f"lp{phase + 1}")
    stats["columns"] = len(master.columns)
    stats["rows"] = len(master.rows)
    stats["lots_in_lp"] = len(master.lot_rows)
    x = master.values()
    say(85, "integer plan")
    # the integer step leaves FILL_SHARE of the limit to the fill and the cost polish after it
    # (beside the last rounding, on the other core)
    left = limit * (1 - FILL_SHARE) - (time.perf_counter() - t0)
    plans = [_integer_plan(master, x, max(left, 1.0))[0]]
    if roundings is not None:
        plans += roundings.finish()
        stats["roundings"] = roundings.made
    qty = min(plans, key=master.plan_key)
    lap("integer")
    result = _assemble(problem, net, lots, master, qty, reachable_lot)
    # units the integer plan leaves undelivered go by the earliest route the capacity left allows
    if result.undelivered.any():
        filled = earliest_fill(problem, result.parts, result.undelivered)
        if evaluate(problem, *filled).key() < result.objective.key():
            result = _summary(problem, *filled, result.reachable)
    if greedy_key < result.objective.key():
        result = _summary(problem, *greedy, result.reachable)
    if not converged[1] and problem.n_legs:  # the cost level was cut short: cheaper routes
        # a second pass only if it ends 0.5 s before the limit (the summary after it)
        parts = cheaper_routes(problem, result.parts, deadline=t0 + limit - 0.5)
        result = _summary(problem, parts, result.undelivered, result.reachable)
    lap("fill")
    # bounds and status
    obj = result.objective
    lb_late = max(0, math.ceil(bounds[0] - 1e-6 * max(1.0, abs(bounds[0]))))
    lb_cost = (
        math.ceil(bounds[1] - 1e-6 * max(1.0, abs(bounds[1])))
        if converged[0] and obj.weighted_lateness == lb_late and bounds[1] > -INF
        else -INF
    )
    late_gap = max(0, obj.weighted_lateness - lb_late) / max(obj.weighted_lateness, 1)
    cost_gap = None if lb_cost == -INF else max(0, obj.cost - lb_cost) / max(obj.cost, 1)
    result.level_gaps = (late_gap, cost_gap)
    # the stated gap: the first level's not proven (an unbounded cost counts as 100%)
    gap = late_gap if late_gap > 0 else 1.0 if cost_gap is None else cost_gap
    result.bound = (float(max(lb_late, 0)), float(max(lb_cost, 0)) if lb_cost > -INF else 0.0)
    result.status, result.gap = ("optimal" if gap == 0 else "feasible"), gap
    timings["total"] = time.perf_counter() - t0
    timings["cpu"] = time.process_time() - c0
    result.timings = timings
    result.stats = stats
    say(100, "done")
    return result


def _face(
    pricer: _Pricer,
    lots: _Lots,
    duals: tuple[np.ndarray, np.ndarray],
    late_cap: int,
    leg_cap: np.ndarray,
    node_cap: np.ndarray,
    net: _Network,
    total_units: float,
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Level 2 on level 1's optimal face, when level 1's duals allow it: (K, the duals by row
    key, each lot's least reduced cost at them), else None.

    With level 1's duals y1 and each lot's least reduced cost mu1 at them, the Lagrangian bound
    of level 2 at capacity duals K y1 + y2 and lateness price K is ``sum over lots of units x min
    over routes (K (late - y1.r - mu1) + cost - y2.r) + y2.cap - K (cap - B1)`` with ``B1 =
    sum units x mu1 + y1.cap``, level 1's bound at y1: valid for any y2 (the sum clipped <= 0).
    With K large, the minimum is over routes at level 1's least reduced cost (the face: by
    complementary slackness every plan as late as level 1's optimum uses only those and fills
    the rows with a level-1 dual), and the last term costs K x (cap - B1). K is the largest that
    keeps that term within 1e-7 of the dearest plan, and must price a route off the face by
    0.01 of a reduced cost above the dearest route; else None."""
    leg1, node1 = duals
    everyone = np.ones(lots.n, dtype=bool)
    red1, _ = pricer.price(leg1, node1, 0.0, 1.0, np.zeros(lots.n), -INF, everyone)
    mu1 = np.minimum(np.where(np.isfinite(red1), red1, INF), lots.undelivered_late)
    if not np.isfinite(mu1).all():
        return None
    b1 = float(mu1 @ lots.size) + float((leg1 * leg_cap).sum() + (node1 * node_cap).sum())
    delta = max(late_cap - b1, 0.0)
    dearest = max(net.max_path_cost, 1.0)
    weight = min(FACE_WEIGHT, 1e-7 * dearest * max(total_units, 1.0) / max(delta, 1e-300))
    if weight < 1e2 * dearest:
        return None
    dual1 = np.concatenate([leg1.reshape(-1), node1.reshape(-1)])
    return weight, dual1, mu1


def _home(problem: RoutingProblem, parts: list[list[Part]]) -> None:
    """Consignments already at their destination arrive whole on their ready day."""
    home = (problem.cons_origin == problem.cons_destination) & (problem.cons_size > 0)
    for k in np.flatnonzero(home).tolist():
        parts[k].append(Part(int(problem.cons_size[k]), np.zeros(0, I64), np.zeros(0, I64)))


def _assemble(
    problem: RoutingProblem,
    net: _Network,
    lots: _Lots,
    master: _Master,
    qty: np.ndarray,
    reachable_lot: np.ndarray,
) -> RoutingResult:
    K = problem.n_cons
    parts: list[list[Part]] = [[] for _ in range(K)]
    undelivered = np.zeros(K, dtype=I64)
    reachable = np.ones(K, dtype=bool)
    # consignments already there
    _home(problem, parts)
    # lots: consignments in index order take the lot's columns in column order
    members: list[list[int]] = [[] for _ in range(lots.n)]
    for k, lot in zip(lots.cons.tolist(), lots.of_cons.tolist(), strict=True):
        members[lot].append(k)
    reachable[lots.cons] = reachable_lot[lots.of_cons]
    orig_leg = net.order
    for lot in range(lots.n):
        pool = [(j, int(qty[j])) for j in master.by_lot[lot] if qty[j] > 0]
        pool.sort(key=lambda jq: (master.columns[jq[0]].arrival < 0, jq[0]))
        ci = 0
        for k in members[lot]:
            need = int(problem.cons_size[k])
            while need:
                j, have = pool[ci]
                take = min(have, need)
                col = master.columns[j]
                if col.arrival < 0:
                    undelivered[k] += take
                else:
                    parts[k].append(Part(take, orig_leg[col.legs], col.deps.copy()))
                need -= take
                have -= take
                if have:
                    pool[ci] = (j, have)
                else:
                    ci += 1
    return _summary(problem, parts, undelivered, reachable)


def _arrival(problem: RoutingProblem, k: int, part: Part) -> int:
    """The day a part of consignment ``k`` arrives (its ready day when it has no legs)."""
    if len(part.legs):
        return int(part.departures[-1] + problem.leg_transit[part.legs[-1]])
    return int(problem.cons_ready[k])


def _summary(
    problem: RoutingProblem,
    parts: list[list[Part]],
    undelivered: np.ndarray,
    reachable: np.ndarray,
) -> RoutingResult:
    """A result (bound and status still to set) of a plan given as parts and undelivered units."""
    H = problem.horizon
    arrival = np.full(problem.n_cons, -1, dtype=I64)
    for k, ps in enumerate(parts):
        for q in ps:
            arrival[k] = max(arrival[k], _arrival(problem, k, q))
    need_by = problem.cons_need_by
    days_late = np.where(arrival >= 0, np.maximum(0, arrival - need_by), 0)
    days_late = np.where(undelivered > 0, np.maximum(1, H + 1 - need_by), days_late)
    days_late = np.where(problem.cons_size > 0, days_late, 0)
    objective = evaluate(problem, parts, undelivered)
    return RoutingResult(
        parts=parts,
        arrival=arrival,
        days_late=days_late.astype(I64),
        undelivered=undelivered,
        reachable=reachable,
        objective=objective,
        bound=(0.0, 0.0),
        status="feasible",
        gap=1.0,
        timings={},
    )


def evaluate(
    problem: RoutingProblem, parts: list[list[Part]], undelivered: np.ndarray
) -> RoutingObjective:
    """Every level of the rule for a plan given as parts and undelivered units per consignment."""
    weighted = cost = late_units = 0
    H = problem.horizon
    for k, ps in enumerate(parts):
        w = int(LATE_WEIGHT[problem.cons_priority[k]])
        need = int(problem.cons_need_by[k])
        for p in ps:
            cost += p.quantity * int(problem.leg_cost[p.legs].sum())
            late = max(0, _arrival(problem, k, p) - need)
            weighted += p.quantity * w * late
            late_units += p.quantity if late > 0 else 0
        weighted += int(undelivered[k]) * w * max(1, H + 1 - need)
    return RoutingObjective(weighted, cost, late_units, int(np.asarray(undelivered).sum()))
