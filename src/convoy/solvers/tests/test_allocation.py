"""Correctness of the allocation solver against an independent LP formulation (``oracle``).

Random small instances (hypothesis, derandomised so CI is reproducible) cover ties (duplicated
lines, requirements and sites), zero quantities, substitutes, category-level needs, capability
and destination conditions, lines without a depot, late pairs and fixed allocations. No database.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convoy.solvers.allocation import Problem, Result, objective_of, solve
from convoy.solvers.tests import oracle

# A few European cities (ties come from duplicates), plus random points in the same region.
CITIES = [
    (50.45, 30.52),
    (49.84, 24.03),
    (52.23, 21.01),
    (50.06, 19.94),
    (44.43, 26.10),
    (52.52, 13.40),
    (48.85, 2.35),
]


def examples(n: int) -> settings:
    """Reproducible runs of ``n`` examples (no deadline: the first solve imports OR-Tools)."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Bytes:
    """Reads small numbers off one hypothesis-drawn byte string.

    Hypothesis costs a fraction of a millisecond per draw, and an instance has a hundred-odd
    numbers: one ``st.binary`` draw decoded here keeps generation cheap, and still shrinks
    (towards zero bytes: first items, zero quantities, no conditions).
    """

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

    def qty(self, max_qty: int) -> int:
        """Zero about a fifth of the time, else 1..max_qty."""
        return 0 if self.chance(20) else self.between(1, max_qty)

    def option(self, percent: int, lo: int, hi: int) -> int:
        """-1 (none) unless the chance hits, then lo..hi."""
        return self.between(lo, hi) if self.chance(percent) else -1


@st.composite
def problems(
    draw: st.DrawFn,
    max_lines: int = 8,
    max_reqs: int = 10,
    max_qty: int = 12,
    max_fixed: int = 3,
) -> Problem:
    n_sites = draw(st.integers(2, 6))
    n_cats = draw(st.integers(1, 3))
    n_items = draw(st.integers(1, 5))
    n_lines = draw(st.integers(1, max_lines))
    n_reqs = draw(st.integers(1, max_reqs))
    day0 = draw(st.sampled_from([0, 738_000, -20]))  # small, date.toordinal()-like or negative
    km_per_day = draw(st.sampled_from([250.0, 500.0, 1000.0]))
    handling_days = draw(st.integers(0, 3))
    b = Bytes(draw(st.binary(min_size=400, max_size=400)))

    sites = []
    for _ in range(n_sites):
        if b.chance(60):  # a city: duplicates make ties
            sites.append(CITIES[b.between(0, len(CITIES) - 1)])
        else:  # a point in the same region
            sites.append((43.0 + b.byte() * 13 / 255, -5.0 + b.byte() * 40 / 255))
    item_category = [b.between(0, n_cats - 1) for _ in range(n_items)]

    lines: list[tuple[int, int, int, int, int, frozenset[int] | None]] = []
    while len(lines) < n_lines:
        if lines and b.chance(15):  # an exact duplicate of an earlier line
            lines.append(lines[b.between(0, len(lines) - 1)])
            continue
        dests = frozenset(b.between(0, n_sites - 1) for _ in range(b.between(0, 3)))
        lines.append(
            (
                b.between(0, n_items - 1),
                b.option(90, 0, n_sites - 1),  # -1: no depot
                b.between(0, 8),  # available
                b.qty(max_qty),
                b.option(25, 0, 1),  # capability condition
                dests if b.chance(25) else None,  # destination condition
            )
        )
    reqs: list[tuple[int, int, int, int, int, int, int]] = []
    while len(reqs) < n_reqs:
        if reqs and b.chance(15):
            reqs.append(reqs[b.between(0, len(reqs) - 1)])
            continue
        reqs.append(
            (
                b.option(75, 0, n_items - 1),  # -1: category-level
                b.between(0, n_cats - 1),
                b.between(0, n_sites - 1),
                b.between(0, 16),  # needed by
                b.between(1, 4),
                b.qty(max_qty),
                b.option(50, 0, 1),
            )
        )
    substitutes = [
        (b.between(0, n_items - 1), b.between(0, n_items - 1)) for _ in range(b.between(0, 4))
    ]

    problem = Problem(
        site_lat=np.array([s[0] for s in sites]),
        site_lon=np.array([s[1] for s in sites]),
        item_category=np.array(item_category),
        line_item=np.array([ln[0] for ln in lines]),
        line_depot=np.array([ln[1] for ln in lines]),
        line_available=np.array([day0 + ln[2] for ln in lines]),
        line_qty=np.array([ln[3] for ln in lines]),
        line_capability=np.array([ln[4] for ln in lines]),
        line_destinations={i: ln[5] for i, ln in enumerate(lines) if ln[5] is not None},
        req_item=np.array([r[0] for r in reqs]),
        req_category=np.array([r[1] for r in reqs]),
        req_destination=np.array([r[2] for r in reqs]),
        req_needed_by=np.array([day0 + r[3] for r in reqs]),
        req_priority=np.array([r[4] for r in reqs]),
        req_qty=np.array([r[5] for r in reqs]),
        req_capability=np.array([r[6] for r in reqs]),
        substitutes=np.array(substitutes, dtype=np.int64).reshape(-1, 2),
        km_per_day=km_per_day,
        handling_days=handling_days,
    )
    # fixed allocations on compatible pairs, within what is left on both sides
    supply, demand = [int(q) for q in problem.line_qty], [int(q) for q in problem.req_qty]
    pairs = [(c.line, c.req) for c in oracle.candidates(problem)]
    fixed: list[tuple[int, int, int]] = []
    for _ in range(b.between(0, max_fixed) if pairs else 0):
        p, r = pairs[b.between(0, len(pairs) - 1)]
        room = min(supply[p], demand[r])
        if room > 0:
            q = b.between(1, room)
            fixed.append((p, r, q))
            supply[p] -= q
            demand[r] -= q
    if fixed:
        problem.fixed_line = np.array([f[0] for f in fixed], dtype=np.int64)
        problem.fixed_req = np.array([f[1] for f in fixed], dtype=np.int64)
        problem.fixed_qty = np.array([f[2] for f in fixed], dtype=np.int64)
        problem.validate()
    return problem


def as_tuple(result: Result) -> oracle.ObjectiveTuple:
    o = result.objective
    return (*o.covered, o.late_weighted, o.substitute_units, o.unit_km)


def rows(result: Result) -> list[tuple[int, int, int]]:
    return [
        (int(p), int(r), int(q))
        for p, r, q in zip(result.line, result.req, result.qty, strict=True)
    ]


def check_feasible(problem: Problem, result: Result) -> None:
    """Quantities within bounds, only allowed pairs, fixed allocations kept as given."""
    n_lines, n_reqs = problem.n_lines, problem.n_reqs
    assert len(result.line) == len(result.req) == len(result.qty) == len(result.fixed)
    assert (result.qty > 0).all()
    assert (result.used_by_line(n_lines) <= problem.line_qty).all()
    assert (result.covered_by_req(n_reqs) <= problem.req_qty).all()
    fixed = Counter(oracle.fixed_rows(problem))
    kept = Counter(r for r, f in zip(rows(result), result.fixed, strict=True) if f)
    assert kept == fixed
    for (p, r, _q), is_fixed, late, sub, km in zip(
        rows(result), result.fixed, result.late, result.substitute, result.km, strict=True
    ):
        if not is_fixed:
            assert oracle.compatible(problem, p, r), (p, r)
        facts = oracle.pair(problem, p, r)
        assert (bool(late), bool(sub), int(km)) == (facts.late, facts.substitute, facts.km)
    assert as_tuple(result) == oracle.evaluate(problem, rows(result))
    required = tuple(int(problem.req_qty[problem.req_priority == k].sum()) for k in (1, 2, 3, 4))
    assert result.objective.required == required


# --- the solver against the oracle -------------------------------------------------------------


@examples(1200)
@given(problems())
def test_objective_matches_lp(problem: Problem) -> None:
    result = solve(problem)
    assert result.status == "optimal"
    assert as_tuple(result) == oracle.solve_lp(problem).objective


@examples(600)
@given(problems(max_lines=8, max_reqs=10, max_qty=3))
def test_objective_matches_lp_small_quantities(problem: Problem) -> None:
    """Unit quantities make many ties between equally good pairs."""
    assert as_tuple(solve(problem)) == oracle.solve_lp(problem).objective


@examples(800)
@given(problems())
def test_result_is_feasible_and_reports_its_objective(problem: Problem) -> None:
    result = solve(problem)
    check_feasible(problem, result)
    recomputed = objective_of(problem, result.line, result.req, result.qty)
    assert recomputed == result.objective
    again = solve(problem)  # ties are broken deterministically
    assert rows(again) == rows(result)


@examples(600)
@given(problems(max_lines=3, max_reqs=3, max_qty=3, max_fixed=1))
def test_oracle_matches_brute_force(problem: Problem) -> None:
    """The LP formulation itself, on instances small enough to enumerate every plan."""
    expected = oracle.brute_force(problem)
    assert oracle.solve_lp(problem).objective == expected
    assert as_tuple(solve(problem)) == expected


# --- hand-made examples that pin the rule --------------------------------------------------------

KYIV, LVIV, WARSAW, PARIS = 0, 1, 2, 3


def make(**kw: Any) -> Problem:
    """A problem over four sites and items 0 (category 0), 1 (category 0), 2 (category 1)."""
    base: dict[str, Any] = {
        "site_lat": [50.45, 49.84, 52.23, 48.85],
        "site_lon": [30.52, 24.03, 21.01, 2.35],
        "item_category": [0, 0, 1],
        "line_item": [0],
        "line_depot": [WARSAW],
        "line_available": [0],
        "line_qty": [1],
        "req_item": [0],
        "req_category": [0],
        "req_destination": [KYIV],
        "req_needed_by": [30],
        "req_priority": [1],
        "req_qty": [1],
    }
    base.update(kw)
    return Problem(**base)


def plan(problem: Problem) -> dict[tuple[int, int], int]:
    result = solve(problem)
    check_feasible(problem, result)
    assert as_tuple(result) == oracle.solve_lp(problem).objective
    out: dict[tuple[int, int], int] = Counter()
    for p, r, q in rows(result):
        out[(p, r)] += q
    return dict(out)


def test_one_unit_of_priority_1_beats_any_amount_of_priority_2() -> None:
    # line 0 (1 unit) can serve either; line 1 (100 units) only the priority-2 need, but
    # giving line 0 to priority 2 would not add anything: 1 unit of p1 wins over 1 of p2
    p = make(
        line_item=[0],
        line_depot=[WARSAW],
        line_available=[0],
        line_qty=[1],
        req_item=[0, 0],
        req_category=[0, 0],
        req_destination=[KYIV, KYIV],
        req_needed_by=[30, 30],
        req_priority=[2, 1],
        req_qty=[100, 1],
    )
    assert plan(p) == {(0, 1): 1}
    # and with 100 units only p1 would get its 1 unit and p2 the rest
    p = make(
        line_qty=[100],
        req_item=[0, 0],
        req_category=[0, 0],
        req_destination=[KYIV, KYIV],
        req_needed_by=[30, 30],
        req_priority=[2, 1],
        req_qty=[100, 1],
    )
    assert plan(p) == {(0, 0): 99, (0, 1): 1}
    assert solve(p).objective.covered == (1, 99, 0, 0)


def test_late_coverage_counts_but_loses_to_on_time() -> None:
    # one line, arrives on day 0 + 2 + ceil(~690 km / 500) = 4 at Kyiv
    on_time = make(req_needed_by=[4])
    late = make(req_needed_by=[3])
    assert solve(on_time).objective.late_weighted == 0
    assert solve(late).objective.covered == (1, 0, 0, 0)  # late, but covered
    assert solve(late).objective.late_weighted == 8
    # two lines, one arrives in time: that one is used
    p = make(
        line_item=[0, 0],
        line_depot=[WARSAW, WARSAW],
        line_available=[5, 0],
        line_qty=[1, 1],
        req_needed_by=[4],
    )
    assert plan(p) == {(1, 0): 1}
    # the late unit goes to the lower priority (a late p1 unit weighs 8, a late p4 unit 1)
    p = make(
        line_item=[0, 0],
        line_depot=[WARSAW, WARSAW],
        line_available=[5, 0],
        line_qty=[1, 1],
        req_item=[0, 0],
        req_category=[0, 0],
        req_destination=[KYIV, KYIV],
        req_needed_by=[4, 4],
        req_priority=[4, 1],
        req_qty=[1, 1],
    )
    assert plan(p) == {(1, 1): 1, (0, 0): 1}


def test_exact_item_before_substitute() -> None:
    # line 0 offers item 1 (substitutes item 0) from nearer Lviv; line 1 the exact item
    p = make(
        line_item=[1, 0],
        line_depot=[LVIV, WARSAW],
        line_available=[0, 0],
        line_qty=[1, 1],
        substitutes=[(1, 0)],
    )
    assert plan(p) == {(1, 0): 1}
    assert solve(p).objective.substitute_units == 0
    # without the exact item, the substitute covers
    p = make(line_item=[1], line_depot=[LVIV], substitutes=[(1, 0)])
    assert plan(p) == {(0, 0): 1}
    assert solve(p).objective.substitute_units == 1
    # substitution is one way: item 0 does not stand in for item 1
    p = make(line_item=[0], req_item=[1], substitutes=[(1, 0)])
    assert plan(p) == {}
    # a category-level need takes any item of the category, as exact
    p = make(line_item=[1], req_item=[-1], req_category=[0])
    assert plan(p) == {(0, 0): 1}
    assert solve(p).objective.substitute_units == 0
    p = make(line_item=[2], req_item=[-1], req_category=[0])
    assert plan(p) == {}


def test_nearer_depot_first() -> None:
    p = make(
        line_item=[0, 0, 0],
        line_depot=[PARIS, LVIV, WARSAW],
        line_available=[0, 0, 0],
        line_qty=[1, 1, 1],
        req_needed_by=[100],
    )
    assert plan(p) == {(1, 0): 1}
    assert solve(p).objective.unit_km == oracle.pair(p, 1, 0).km


def test_donor_conditions() -> None:
    # the nearer line may only go to Warsaw; the farther one serves Kyiv
    p = make(
        line_item=[0, 0],
        line_depot=[LVIV, PARIS],
        line_available=[0, 0],
        line_qty=[1, 1],
        line_destinations={0: frozenset({WARSAW})},
        req_needed_by=[100],
    )
    assert plan(p) == {(1, 0): 1}
    p = make(
        line_item=[0, 0],
        line_depot=[LVIV, PARIS],
        line_available=[0, 0],
        line_qty=[1, 1],
        line_destinations={0: frozenset({WARSAW, KYIV})},
        req_needed_by=[100],
    )
    assert plan(p) == {(0, 0): 1}
    # a capability condition: the line is for capability 7 only
    p = make(line_capability=[7], req_capability=[3])
    assert plan(p) == {}
    p = make(line_capability=[7], req_capability=[7])
    assert plan(p) == {(0, 0): 1}
    # a requirement's capability does not restrict lines without a condition
    p = make(line_capability=[-1], req_capability=[3])
    assert plan(p) == {(0, 0): 1}


def test_line_without_depot_is_not_used() -> None:
    p = make(
        line_item=[0, 0],
        line_depot=[-1, PARIS],
        line_available=[0, 0],
        line_qty=[5, 1],
        req_qty=[3],
    )
    assert plan(p) == {(1, 0): 1}
    assert plan(make(line_depot=[-1])) == {}


def test_fixed_allocations_stay_and_count() -> None:
    # a locked allocation from the far depot stays; the rest comes from the near one
    p = make(
        line_item=[0, 0],
        line_depot=[PARIS, LVIV],
        line_available=[0, 0],
        line_qty=[2, 5],
        req_qty=[4],
        req_needed_by=[100],
        fixed_line=[0],
        fixed_req=[0],
        fixed_qty=[2],
    )
    result = solve(p)
    assert plan(p) == {(0, 0): 2, (1, 0): 2}
    assert result.fixed.sum() == 1
    far, near = oracle.pair(p, 0, 0).km, oracle.pair(p, 1, 0).km
    assert result.objective.unit_km == 2 * far + 2 * near


def test_ties_and_zero_quantities() -> None:
    p = make(
        line_item=[0, 0, 0],
        line_depot=[WARSAW, WARSAW, WARSAW],
        line_available=[0, 0, 0],
        line_qty=[0, 2, 2],
        req_item=[0, 0, 0],
        req_category=[0, 0, 0],
        req_destination=[KYIV, KYIV, KYIV],
        req_needed_by=[30, 30, 30],
        req_priority=[3, 3, 3],
        req_qty=[1, 0, 2],
    )
    result = solve(p)
    assert result.objective.covered == (0, 0, 3, 0)
    assert (result.used_by_line(3)[0], result.covered_by_req(3)[1]) == (0, 0)
    assert plan(p)  # feasible and optimal


def test_empty_problem() -> None:
    p = make(line_item=[], line_depot=[], line_available=[], line_qty=[])
    assert len(solve(p)) == 0
    assert solve(p).objective.covered == (0, 0, 0, 0)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"line_qty": [1, 2]}, "line_qty has 2 entries, not 1"),
        ({"req_priority": [1, 1]}, "req_priority has 2 entries, not 1"),
        ({"site_lon": [0.0]}, "site_lat and site_lon differ in length"),
        ({"line_qty": [-1]}, "quantities must not be negative"),
        ({"req_qty": [-3]}, "quantities must not be negative"),
        ({"req_priority": [5]}, "priorities must be 1..4"),
        ({"req_priority": [0]}, "priorities must be 1..4"),
        ({"line_item": [3]}, "unknown item"),
        ({"line_depot": [4]}, "unknown depot"),
        ({"req_destination": [-1]}, "unknown destination"),
        ({"req_item": [-1], "req_category": [-1]}, "category-level requirement needs a category"),
        (
            {"fixed_line": [0], "fixed_req": [0], "fixed_qty": [2]},
            "fixed allocations exceed pledge line 0's quantity",
        ),
        (
            {"line_qty": [5], "fixed_line": [0], "fixed_req": [0], "fixed_qty": [2]},
            "fixed allocations exceed requirement 0's quantity",
        ),
        ({"fixed_line": [0], "fixed_req": [0], "fixed_qty": [0]}, "positive quantity"),
        ({"fixed_line": [0, 0], "fixed_req": [0], "fixed_qty": [1]}, "differ in length"),
        ({"fixed_line": [1], "fixed_req": [0], "fixed_qty": [1]}, "unknown pledge line"),
        ({"km_per_day": 0.0}, "km_per_day must be positive"),
    ],
)
def test_bad_input_is_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        make(**kw)


def test_haversine_agrees_with_oracle() -> None:
    from convoy.solvers.allocation import haversine_km

    pts = CITIES
    for a in pts:
        for b in pts:
            assert int(haversine_km(a[0], a[1], b[0], b[1])) == oracle.great_circle_km(*a, *b)
    assert oracle.great_circle_km(50.45, 30.52, 52.23, 21.01) == 689


# --- how it is solved: parts, processes, and the level-by-level fallback ------------------------


@examples(300)
@given(problems())
def test_levels_one_by_one_agree_with_the_weighted_flow(problem: Problem) -> None:
    """The fallback for weights too near the 64-bit range: same optimum, every level."""
    from convoy.solvers import allocation

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocation, "BIG_M_LIMIT", 0)
        staged = solve(problem)
    assert as_tuple(staged) == oracle.solve_lp(problem).objective
    check_feasible(problem, staged)


def test_parts_never_share_a_compatible_pair() -> None:
    from convoy.solvers.allocation import _components
    from convoy.solvers.generate import generate

    problem = generate(2000, seed=3)
    lines = np.flatnonzero(problem.line_qty > 0)
    reqs = np.flatnonzero(problem.req_qty > 0)
    parts = _components(problem, lines, reqs)
    assert len(parts) > 1  # categories are independent unless a substitute joins them
    part_of_line = {int(p): k for k, (ls, _) in enumerate(parts) for p in ls}
    part_of_req = {int(r): k for k, (_, rs) in enumerate(parts) for r in rs}
    assert len(part_of_line) == sum(len(ls) for ls, _ in parts)  # disjoint
    assert len(part_of_req) == sum(len(rs) for _, rs in parts)
    for p in range(0, problem.n_lines, 7):
        for r in range(0, problem.n_reqs, 13):
            if oracle.compatible(problem, p, r):
                assert part_of_line.get(p) == part_of_req.get(r) is not None, (p, r)


def test_processes_give_the_same_plan_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from convoy.solvers import allocation
    from convoy.solvers.generate import generate

    problem = generate(3000, seed=5)
    one = solve(problem, workers=1)
    monkeypatch.setattr(allocation, "PARALLEL_FROM", 0)
    steps: list[int] = []
    two = solve(problem, workers=2, progress=lambda pct, _name: steps.append(pct))
    assert two.graph["workers"] == 2
    assert rows(two) == rows(one)
    assert two.objective == one.objective
    assert steps == sorted(steps) and steps[-1] == 100
