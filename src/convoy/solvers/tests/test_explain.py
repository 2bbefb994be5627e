"""Explanations of a plan: hand-made cases per reason, and a property check on random instances
against a brute-force reading of the rule (pair by pair). No database."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convoy.solvers.allocation import NONE, Problem, Result, pair_terms, solve
from convoy.solvers.explain import (
    ALLOCATION_CODES,
    REQUIREMENT_CODES,
    Explanations,
    explain,
)

# sites: 0 Kyiv (destination), 1 Lviv (~470 km), 2 Warsaw (~690 km from Kyiv), 3 Paris (far)
LAT = [50.45, 49.84, 52.23, 48.85]
LON = [30.52, 24.03, 21.01, 2.35]


def problem(lines: list[dict[str, Any]], reqs: list[dict[str, Any]], **kw: Any) -> Problem:
    """Lines: item, depot (1), available (0), qty; requirements: item (or category), dest (0),
    needed_by (100), priority (1), qty."""
    fields: dict[str, Any] = dict(
        site_lat=LAT,
        site_lon=LON,
        item_category=kw.pop("item_category", [0, 0, 1, 1]),
        line_item=[ln["item"] for ln in lines],
        line_depot=[ln.get("depot", 1) for ln in lines],
        line_available=[ln.get("available", 0) for ln in lines],
        line_qty=[ln["qty"] for ln in lines],
        req_item=[r.get("item", NONE) for r in reqs],
        req_category=[r.get("category", 0) for r in reqs],
        req_destination=[r.get("dest", 0) for r in reqs],
        req_needed_by=[r.get("needed_by", 100) for r in reqs],
        req_priority=[r.get("priority", 1) for r in reqs],
        req_qty=[r["qty"] for r in reqs],
        line_capability=[ln.get("capability", NONE) for ln in lines],
        req_capability=[r.get("capability", NONE) for r in reqs],
        **kw,
    )
    return Problem(**fields)


def run(P: Problem, **kw: Any) -> tuple[Result, Explanations]:
    result = solve(P)
    ex = explain(P, result, **kw)
    json.dumps(ex.as_dict())  # plain data
    check(P, result, ex)
    return result, ex


# --- one case per reason --------------------------------------------------------------------


def test_no_compatible_line() -> None:
    # item 1 is asked; line offers item 0, and (1, 0) means item 1 substitutes 0, not the reverse
    P = problem([{"item": 0, "qty": 5}], [{"item": 1, "qty": 3}], substitutes=[(1, 0)])
    _, ex = run(P)
    e = ex.requirements[0]
    assert (e.code, e.also, e.covered, e.lines) == ("no_compatible", [], 0, [])
    assert e.text == "3 of 3 units not covered: no pledge line offers item 1 or a substitute."


def test_category_need_without_lines_of_its_category() -> None:
    P = problem([{"item": 0, "qty": 5}], [{"category": 1, "qty": 3}])
    _, ex = run(P, category_labels=["Food", "Shelter"])
    assert ex.requirements[0].code == "no_compatible"
    assert "an item of Shelter" in ex.requirements[0].text


def test_donor_condition_capability_and_destination() -> None:
    P = problem(
        [
            {"item": 0, "qty": 5, "capability": 7},
            {"item": 0, "qty": 5},
        ],
        [{"item": 0, "qty": 3, "capability": 2}],
        line_destinations={1: frozenset({2})},
    )
    _, ex = run(P)
    e = ex.requirements[0]
    assert e.code == "donor_condition"
    assert e.restricted == [(0, "capability"), (1, "destination")]
    assert e.lines == [0, 1]
    assert "all 2 compatible lines are restricted by a donor condition" in e.text


def test_no_depot() -> None:
    P = problem([{"item": 0, "qty": 5, "depot": NONE}], [{"item": 0, "qty": 3}])
    _, ex = run(P)
    e = ex.requirements[0]
    assert (e.code, e.lines) == ("no_depot", [0])
    assert "no source depot" in e.text


def test_taken_by_higher_priority_named() -> None:
    P = problem(
        [{"item": 0, "qty": 5}],
        [
            {"item": 0, "qty": 5, "priority": 2},
            {"item": 0, "qty": 5, "priority": 1},
        ],
    )
    _, ex = run(P, req_labels=["REQ-A", "REQ-B"], line_labels=["PL-1"])
    assert list(ex.requirements) == [0]
    e = ex.requirements[0]
    assert (e.code, e.lines, e.covered) == ("taken", [0], 0)
    assert [(t.line, t.req, t.qty, t.priority) for t in e.takers] == [(0, 1, 5, 1)]
    assert "REQ-B (priority 1, higher)" in e.text and "PL-1" in e.text


def test_taken_and_donor_condition_combine() -> None:
    P = problem(
        [{"item": 0, "qty": 4}, {"item": 0, "qty": 9, "capability": 1}],
        [{"item": 0, "qty": 4, "priority": 1}, {"item": 0, "qty": 6, "priority": 1}],
    )
    _, ex = run(P)
    (r, e) = next(iter(ex.requirements.items()))
    assert e.code == "taken" and e.also == ["donor_condition"]
    assert e.lines == [0] and e.restricted == [(1, "capability")]
    assert e.takers[0].req == 1 - r and e.takers[0].priority == 1
    assert "(priority 1, same)" in e.text


def test_only_late() -> None:
    # Lviv -> Kyiv ~470 km: 2 handling days + 1 day on the road; available on day 50
    P = problem([{"item": 0, "qty": 5, "available": 50}], [{"item": 0, "qty": 3, "needed_by": 40}])
    _, ex = run(P)
    e = ex.requirements[0]
    assert (e.code, e.covered, e.covered_on_time, e.earliest) == ("only_late", 3, 0, 53)
    assert e.text == (
        "3 units late: no allowed compatible line arrives by day 40; the earliest, line 0, "
        "arrives on day 53 (13 days late)."
    )


def test_late_because_on_time_line_taken() -> None:
    P = problem(
        [{"item": 0, "qty": 3}, {"item": 0, "qty": 3, "available": 98}],
        [{"item": 0, "qty": 3, "priority": 1}, {"item": 0, "qty": 3, "priority": 2}],
    )
    _, ex = run(P)
    e = ex.requirements[1]
    assert (e.code, e.lines, e.covered_on_time) == ("taken", [0], 0)
    assert e.takers[0].req == 0
    assert "arriving on time" in e.text


def test_fixed_late_allocation() -> None:
    P = problem(
        [{"item": 0, "qty": 3}, {"item": 0, "qty": 3, "available": 98}],
        [{"item": 0, "qty": 3, "priority": 1}],
        fixed_line=[1],
        fixed_req=[0],
        fixed_qty=[3],
    )
    _, ex = run(P)
    assert ex.requirements[0].code == "fixed"
    assert ex.allocations[0].code == "fixed" and ex.allocations[0].rank == 2


def test_shortfall_of_supply_used_by_itself() -> None:
    P = problem([{"item": 0, "qty": 2}], [{"item": 0, "qty": 5}])
    _, ex = run(P)
    e = ex.requirements[0]
    assert e.code == "taken" and e.takers == []
    assert "used in full, by this requirement" in e.text


# --- allocations ------------------------------------------------------------------------------


def test_allocation_best_and_next_best() -> None:
    P = problem(
        [{"item": 0, "qty": 2, "depot": 1}, {"item": 0, "qty": 9, "depot": 2}],
        [{"item": 0, "qty": 2, "priority": 1}, {"item": 0, "qty": 2, "priority": 2}],
    )
    result, ex = run(P)
    by = {(int(result.line[i]), int(result.req[i])): a for i, a in enumerate(ex.allocations)}
    best, nxt = by[(0, 0)], by[(1, 1)]
    assert (best.code, best.rank) == ("best", 1)
    assert best.text.startswith("The nearest on-time exact-item line (")
    assert (nxt.code, nxt.rank, nxt.better_line) == ("next_best", 2, 0)
    assert nxt.better_by == 0
    assert "the nearer line 0" in nxt.text and "requirement 0 (priority 1)" in nxt.text


def test_allocation_substitute_best() -> None:
    P = problem([{"item": 1, "qty": 5}], [{"item": 0, "qty": 2}], substitutes=[(1, 0)])
    result, ex = run(P, item_labels=["tent", "tarp", "rice", "flour"])
    a = ex.allocations[0]
    assert a.code == "best" and bool(result.substitute[0])
    assert "tarp substituting tent" in a.text
    assert "no allowed exact-item line arrives on time" in a.text


# --- the property: against the rule, pair by pair -------------------------------------------


def compatible(P: Problem, p: int, r: int) -> bool:
    item, line_item = int(P.req_item[r]), int(P.line_item[p])
    if item == NONE:
        return int(P.item_category[line_item]) == int(P.req_category[r])
    subs = {(int(a), int(b)) for a, b in P.substitutes}
    return line_item == item or (line_item, item) in subs


def donor_ok(P: Problem, p: int, r: int) -> bool:
    assert P.line_capability is not None and P.req_capability is not None
    cap = int(P.line_capability[p])
    if cap != NONE and cap != int(P.req_capability[r]):
        return False
    dests = P.line_destinations.get(p)
    return dests is None or int(P.req_destination[r]) in dests


def check(P: Problem, result: Result, ex: Explanations) -> None:
    """Every claim of the explanations, read against the rule pair by pair."""
    n_reqs = P.n_reqs
    cov = result.covered_by_req(n_reqs)
    on = np.bincount(result.req, result.qty * ~result.late, minlength=n_reqs)
    used = result.used_by_line(P.n_lines)
    assert set(ex.requirements) == {r for r in range(n_reqs) if on[r] < P.req_qty[r]}
    assert len(ex.allocations) == len(result)
    for r, e in ex.requirements.items():
        assert e.code in REQUIREMENT_CODES and all(c in REQUIREMENT_CODES for c in e.also)
        assert e.code != "spare", e.text  # the solver follows the rule
        assert (e.covered, e.covered_on_time, e.open) == (cov[r], on[r], P.req_qty[r])
        assert e.text
        comp = [p for p in range(P.n_lines) if compatible(P, p, r)]
        allowed = [p for p in comp if donor_ok(P, p, r) and P.line_depot[p] != NONE]
        if allowed:
            late, _sub, _km = pair_terms(P, np.array(allowed), np.full(len(allowed), r))
            on_time = [p for p, lt in zip(allowed, late, strict=True) if not lt]
        else:
            on_time = []
        if e.code == "no_compatible":
            assert not comp
        if not comp:  # nothing to cover it but fixed allocations
            assert e.code in ("no_compatible", "fixed")
        if e.code == "donor_condition":
            assert not [p for p in allowed]
        for p, _why in e.restricted:
            assert p in comp and not donor_ok(P, p, r)
        if e.code == "no_depot":
            assert all(P.line_depot[p] == NONE for p in e.lines)
        if "taken" in [e.code, *e.also]:
            assert e.lines and all(p in allowed and used[p] == P.line_qty[p] for p in e.lines)
            for t in e.takers:
                assert t.req != r and t.line in allowed
                if e.covered < e.open:  # short: coverage by priority puts them first
                    assert t.priority <= P.req_priority[r] or t.fixed
                assert t.priority == P.req_priority[t.req]
        if e.code == "only_late":
            assert not on_time and e.covered > e.covered_on_time
        if allowed:
            late, _sub, km = pair_terms(P, np.array(allowed), np.full(len(allowed), r))
            arrivals = P.line_available[allowed] + P.transit_days(km)
            assert e.earliest == int(arrivals.min())
        else:
            assert e.earliest is None
    for i, a in enumerate(ex.allocations):
        assert a.code in ALLOCATION_CODES and a.text
        p, r = int(result.line[i]), int(result.req[i])
        assert (a.code == "fixed") == bool(result.fixed[i])
        allowed = [
            q
            for q in range(P.n_lines)
            if compatible(P, q, r) and donor_ok(P, q, r) and P.line_depot[q] != NONE
        ]
        if p not in allowed:
            assert a.rank is None and a.code == "fixed"
            continue
        late, sub, km = pair_terms(P, np.array(allowed), np.full(len(allowed), r))
        keys = {
            q: (bool(lt), bool(sb), int(k))
            for q, lt, sb, k in zip(allowed, late, sub, km, strict=True)
        }
        rank = 1 + sum(keys[q] < keys[p] for q in allowed)
        assert a.rank == rank
        if a.code != "fixed":
            assert (a.code == "best") == (rank == 1)
        if a.code == "next_best":
            assert a.better_line is not None and keys[a.better_line] == min(keys.values())
            assert used[a.better_line] == P.line_qty[a.better_line]
            if a.better_by is not None:
                assert a.better_by != r
                assert ((result.line == a.better_line) & (result.req == a.better_by)).any()


def random_problem(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    n_sites, n_items = 4, 4
    n_lines, n_reqs = int(rng.integers(0, 9)), int(rng.integers(1, 9))
    lat = rng.uniform(45, 53, n_sites)
    lon = rng.uniform(15, 35, n_sites)
    subs = [(int(a), int(b)) for a in range(n_items) for b in range(n_items) if rng.random() < 0.15]
    line_dests = {
        p: frozenset(int(d) for d in rng.choice(n_sites, int(rng.integers(1, 3))))
        for p in range(n_lines)
        if rng.random() < 0.15
    }
    line_qty = rng.integers(0, 8, n_lines)
    req_qty = rng.integers(0, 8, n_reqs)
    fixed: list[tuple[int, int, int]] = []
    if n_lines and rng.random() < 0.3:
        p, r = int(rng.integers(n_lines)), int(rng.integers(n_reqs))
        q = int(min(line_qty[p], req_qty[r]))
        if q > 0:
            fixed.append((p, r, int(rng.integers(1, q + 1))))
    return Problem(
        site_lat=lat,
        site_lon=lon,
        item_category=rng.integers(0, 2, n_items),
        line_item=rng.integers(0, n_items, n_lines),
        line_depot=np.where(rng.random(n_lines) < 0.1, NONE, rng.integers(0, n_sites, n_lines)),
        line_available=rng.integers(0, 10, n_lines),
        line_qty=line_qty,
        req_item=np.where(rng.random(n_reqs) < 0.25, NONE, rng.integers(0, n_items, n_reqs)),
        req_category=rng.integers(0, 2, n_reqs),
        req_destination=rng.integers(0, n_sites, n_reqs),
        req_needed_by=rng.integers(0, 12, n_reqs),
        req_priority=rng.integers(1, 5, n_reqs),
        req_qty=req_qty,
        substitutes=np.array(subs, dtype=np.int64).reshape(-1, 2),
        line_capability=np.where(rng.random(n_lines) < 0.2, rng.integers(0, 2, n_lines), NONE),
        req_capability=np.where(rng.random(n_reqs) < 0.5, rng.integers(0, 2, n_reqs), NONE),
        line_destinations=line_dests,
        fixed_line=np.array([f[0] for f in fixed], dtype=np.int64),
        fixed_req=np.array([f[1] for f in fixed], dtype=np.int64),
        fixed_qty=np.array([f[2] for f in fixed], dtype=np.int64),
        km_per_day=300.0,
        handling_days=1,
    )


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.integers(0, 2**32 - 1))
def test_explanations_agree_with_the_rule(seed: int) -> None:
    P = random_problem(seed)
    result = solve(P)
    check(P, result, explain(P, result))
