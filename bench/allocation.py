"""Benchmark: the allocation solver vs the same problem in PuLP/CBC vs a greedy spreadsheet rule.

    .venv/bin/python bench/allocation.py [--sizes 1000,10000,100000] [--seed 0]

Side by side in one process, on seeded instances from ``convoy.solvers.generate`` (N requirement
lines, 20% as many pledge lines, 500 items in 20 categories, 20 destinations, 40 depots):

* **solver**: ``convoy.solvers.allocation.solve`` (build + solve; best of three runs, as the
  machine may be shared, or one run when it takes more than ten seconds);
* **PuLP/CBC**: the plain formulation, one integer variable per compatible (line, requirement)
  pair, one constraint per pledge line and per requirement, and the lexicographic objective as a
  sequence of seven solves (coverage of priority 1, 2, 3, 4, priority-weighted late units,
  substitute units, unit-km), each fixing the previous level at its optimum by a constraint. CBC
  runs single-threaded, quietly. A size is skipped when the earlier sizes' timings extrapolate to
  more than ten minutes (said so in the table), and stopped at ten minutes all the same;
* **greedy**: what a spreadsheet does: requirements by priority, then needed-by day, each filled
  in turn from its compatible lines, on time first, then exact items, then nearest.

Compatibility, lateness and distances for PuLP and the greedy are enumerated here, pair by pair,
from the rule in the solver's docstring (``pair_terms`` gives each pair's late/substitute/km); the
time for that enumeration is counted in both. Every solution's objective tuple is evaluated by
``objective_of`` (fixed allocations included): PuLP's must equal the solver's, and the greedy's
shortfall in covered units by priority is reported against it. Targets (issue): 100k x 20k solved
optimally in <= 2 s solver time, >= 100x faster than PuLP/CBC at the largest size it finishes,
identical objective.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from convoy.solvers.allocation import (
    NONE,
    PRIORITIES,
    Objective,
    Problem,
    Result,
    objective_of,
    pair_terms,
    solve,
)
from convoy.solvers.generate import generate

BUDGET_S = 600.0  # PuLP/CBC: skip or stop beyond ten minutes
LATE_WEIGHT = np.array([0, 8, 4, 2, 1], dtype=np.int64)


@dataclass
class Pairs:
    """Every compatible (line, requirement) pair of the lines and requirements still open."""

    line: np.ndarray
    req: np.ndarray
    late: np.ndarray
    sub: np.ndarray
    km: np.ndarray
    supply: np.ndarray  # per line, after fixed allocations (0 for lines without a depot)
    demand: np.ndarray  # per requirement, after fixed allocations
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.line)


def compatible_pairs(P: Problem) -> Pairs:
    t0 = time.perf_counter()
    supply = P.line_qty - np.bincount(P.fixed_line, P.fixed_qty, minlength=P.n_lines)
    supply[P.line_depot == NONE] = 0
    demand = P.req_qty - np.bincount(P.fixed_req, P.fixed_qty, minlength=P.n_reqs)
    live_p = np.nonzero(supply > 0)[0]
    live_r = np.nonzero(demand > 0)[0]
    # what each line can serve: its item, its category, the items it substitutes
    span = len(P.item_category) + int(P.item_category.max()) + 2
    subs = np.unique(P.substitutes[P.substitutes[:, 0] != P.substitutes[:, 1]], axis=0)
    by_item = np.argsort(subs[:, 0], kind="stable")
    subs = subs[by_item]
    items = P.line_item[live_p]
    lo = np.searchsorted(subs[:, 0], items, "left")
    n_sub = np.searchsorted(subs[:, 0], items, "right") - lo
    sub_line = np.repeat(live_p, n_sub)
    sub_target = subs[_ranges(lo, n_sub), 1]
    key_line = np.concatenate([live_p, live_p, sub_line])
    key = np.concatenate([items, span + P.item_category[items], sub_target])  # item | category
    key_sub = np.concatenate([np.zeros(2 * len(live_p), bool), np.ones(len(sub_line), bool)])
    order = np.argsort(key, kind="stable")
    key, key_line, key_sub = key[order], key_line[order], key_sub[order]
    # what each requirement asks for
    asks = np.where(P.req_item[live_r] == NONE, span + P.req_category[live_r], P.req_item[live_r])
    lo = np.searchsorted(key, asks, "left")
    n = np.searchsorted(key, asks, "right") - lo
    at = _ranges(lo, n)
    line, req, sub = key_line[at], np.repeat(live_r, n), key_sub[at]
    # donor conditions
    assert P.line_capability is not None and P.req_capability is not None
    cap = P.line_capability[line]
    ok = (cap == NONE) | (cap == P.req_capability[req])
    if P.line_destinations:
        allowed = np.array(
            [p * len(P.site_lat) + d for p, ds in P.line_destinations.items() for d in ds]
        )
        restricted = np.isin(line, list(P.line_destinations))
        ok[restricted] &= np.isin(
            line[restricted] * len(P.site_lat) + P.req_destination[req[restricted]], allowed
        )
    line, req, sub = line[ok], req[ok], sub[ok]
    late, sub2, km = pair_terms(P, line, req)
    assert (sub == sub2).all(), "substitute flags disagree with pair_terms"
    return Pairs(line, req, late, sub, km, supply, demand, time.perf_counter() - t0)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + c)`` for each start and count."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - offsets + np.repeat(starts, counts)


def with_fixed(P: Problem, line: Any, req: Any, qty: Any) -> Objective:
    return objective_of(
        P,
        np.concatenate([P.fixed_line, line]),
        np.concatenate([P.fixed_req, req]),
        np.concatenate([P.fixed_qty, qty]),
    )


# --- greedy: the spreadsheet ---------------------------------------------------------------


def greedy(P: Problem, pairs: Pairs) -> tuple[Objective, float]:
    t0 = time.perf_counter()
    rank = np.empty(P.n_reqs, dtype=np.int64)
    rank[np.lexsort((np.arange(P.n_reqs), P.req_needed_by, P.req_priority))] = np.arange(P.n_reqs)
    order = np.lexsort((pairs.km, pairs.sub, pairs.late, rank[pairs.req]))
    line = pairs.line[order].tolist()
    req = pairs.req[order].tolist()
    left = pairs.supply.tolist()
    need = pairs.demand.tolist()
    out_l: list[int] = []
    out_r: list[int] = []
    out_q: list[int] = []
    for p, r in zip(line, req, strict=True):
        n, s = need[r], left[p]
        if n and s:
            q = n if n < s else s
            need[r] = n - q
            left[p] = s - q
            out_l.append(p)
            out_r.append(r)
            out_q.append(q)
    seconds = time.perf_counter() - t0 + pairs.seconds
    return with_fixed(P, out_l, out_r, out_q), seconds


# --- PuLP/CBC: the plain formulation ---------------------------------------------------------


@dataclass
class PulpRun:
    objective: Objective | None = None
    seconds: float = 0.0
    note: str = ""
    levels: list[float] = field(default_factory=list)


def pulp_cbc(P: Problem, pairs: Pairs) -> PulpRun:
    import pulp

    t0 = time.perf_counter()
    deadline = t0 + BUDGET_S
    prob = pulp.LpProblem("allocation", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", lowBound=0, cat="Integer") for i in range(len(pairs))]

    def total(rows: np.ndarray, coef: np.ndarray | None = None) -> pulp.LpAffineExpression:
        if coef is None:
            return pulp.LpAffineExpression([(x[i], 1) for i in rows.tolist()])
        return pulp.LpAffineExpression(
            [(x[i], c) for i, c in zip(rows.tolist(), coef[rows].tolist(), strict=True) if c]
        )

    for owner, cap, name in ((pairs.line, pairs.supply, "line"), (pairs.req, pairs.demand, "req")):
        order = np.argsort(owner, kind="stable")
        cut = np.nonzero(np.diff(owner[order]))[0] + 1
        for rows in np.split(order, cut):
            if len(rows):
                k = int(owner[rows[0]])
                prob += total(rows) <= int(cap[k]), f"{name}{k}"
    prio = P.req_priority[pairs.req]
    everything = np.arange(len(pairs))
    levels: list[tuple[str, int, pulp.LpAffineExpression]] = [
        (f"cover p{k}", pulp.LpMaximize, total(np.nonzero(prio == k)[0])) for k in PRIORITIES
    ]
    levels += [
        ("late", pulp.LpMinimize, total(everything, pairs.late * LATE_WEIGHT[prio])),
        ("substitutes", pulp.LpMinimize, total(everything, pairs.sub.astype(np.int64))),
        ("unit-km", pulp.LpMinimize, total(everything, pairs.km)),
    ]
    run = PulpRun()
    for name, sense, expr in levels:
        left = deadline - time.perf_counter()
        if left <= 0:
            run.note = f"stopped at {BUDGET_S / 60:.0f} min (before {name})"
            break
        prob.sense = sense
        prob.setObjective(expr)
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, int(left))))
        if pulp.LpStatus[status] != "Optimal" or time.perf_counter() > deadline:
            run.note = f"stopped at {BUDGET_S / 60:.0f} min ({name}: {pulp.LpStatus[status]})"
            break
        best = round(pulp.value(expr) or 0)
        run.levels.append(best)
        prob += (expr >= best) if sense == pulp.LpMaximize else (expr <= best), f"fix {name}"
    run.seconds = time.perf_counter() - t0 + pairs.seconds
    if not run.note:
        qty = np.array([round(v.varValue or 0) for v in x], dtype=np.int64)
        keep = qty > 0
        run.objective = with_fixed(P, pairs.line[keep], pairs.req[keep], qty[keep])
    return run


def estimate_pulp(history: list[tuple[int, float]], n_pairs: int) -> float:
    """Seconds, extrapolated in the number of pairs from the runs so far (at least linear)."""
    (n0, t0), *rest = history[-2:]
    alpha = 1.0
    if rest and rest[0][0] > n0 and rest[0][1] > t0:
        alpha = max(1.0, math.log(rest[0][1] / t0) / math.log(rest[0][0] / n0))
    n1, t1 = history[-1]
    return t1 * (n_pairs / n1) ** alpha


# --- the table -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000", help="requirement lines")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} at start (timings are wall clock)")
    rows: list[dict[str, Any]] = []
    history: list[tuple[int, float]] = []
    for n in sizes:
        P = generate(n, seed=args.seed)
        solver_s, result = timed_solve(P)
        best = result.objective
        pairs = compatible_pairs(P)
        check_solution(P, pairs, result)
        g_obj, g_s = greedy(P, pairs)
        if g_obj.key() > best.key():
            print(f"  MISMATCH at {n:,}: the greedy beats the solver: {g_obj} vs {best}")
        row: dict[str, Any] = {
            "n": n,
            "lines": P.n_lines,
            "pairs": len(pairs),
            "graph": result.graph,
            "solver": solver_s,
            "greedy": g_s,
            "short": [b - g for b, g in zip(best.covered, g_obj.covered, strict=True)],
            "req": best.required,
            "best": best,
            "timings": result.timings,
        }
        estimate = estimate_pulp(history, len(pairs)) if history else 0.0
        if estimate > BUDGET_S:
            row["pulp"] = None
            row["note"] = f"PuLP skipped: ~{estimate / 60:.0f} min estimated (> 10)"
        else:
            run = pulp_cbc(P, pairs)
            row["pulp"] = run.seconds if run.objective else None
            if run.objective is None:
                row["note"] = f"PuLP {run.note}"
            else:
                history.append((len(pairs), run.seconds))
                row["same"] = run.objective.key() == best.key()
                if not row["same"]:
                    row["note"] = f"PuLP {run.objective.as_dict()} vs solver {best.as_dict()}"
        rows.append(row)
        print(f"  {n:,} done: solver {solver_s:.2f}s, pulp {row['pulp']}, greedy {g_s:.2f}s")
    print_table(rows)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


def timed_solve(P: Problem) -> tuple[float, Result]:
    """Best of three runs (one if a run takes more than ten seconds)."""
    best: tuple[float, Result] | None = None
    for _ in range(3):
        t0 = time.perf_counter()
        result = solve(P)
        seconds = time.perf_counter() - t0
        if best is None or seconds < best[0]:
            best = (seconds, result)
        if seconds > 10:
            break
    assert best is not None
    return best


def check_solution(P: Problem, pairs: Pairs, result: Result) -> None:
    """The solver's plan respects the quantities and uses only compatible pairs."""
    free = ~result.fixed
    assert (result.used_by_line(P.n_lines) <= P.line_qty).all(), "a line over-allocated"
    assert (result.covered_by_req(P.n_reqs) <= P.req_qty).all(), "a requirement over-covered"
    width = P.n_reqs + 1
    known = np.isin(result.line[free] * width + result.req[free], pairs.line * width + pairs.req)
    assert known.all(), f"{int((~known).sum())} allocations on pairs the rule does not allow"


def print_table(rows: list[dict[str, Any]]) -> None:
    print()
    head = (
        f"{'requirements x lines':>20} {'pairs':>11} {'graph arcs':>11} {'solver':>8} "
        f"{'PuLP/CBC':>9} {'ratio':>7} {'greedy':>8} {'objective':>10}   "
        f"greedy shortfall, units (% of required): p1 / p2 / p3 / p4"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        pulp_s = f"{r['pulp']:.2f}s" if r["pulp"] is not None else "skipped"
        ratio = f"{r['pulp'] / r['solver']:.0f}x" if r["pulp"] is not None else "-"
        same = {True: "identical", False: "DIFFERS"}.get(r.get("same"), "-")
        short = " / ".join(
            f"{s:,} ({100 * s / q:.1f}%)" if q else "0"
            for s, q in zip(r["short"], r["req"], strict=True)
        )
        print(
            f"{r['n']:>10,} x {r['lines']:>7,} {r['pairs']:>11,} {r['graph']['arcs']:>11,} "
            f"{r['solver']:>7.2f}s {pulp_s:>9} {ratio:>7} {r['greedy']:>7.2f}s {same:>10}   {short}"
        )
    print()
    for r in rows:
        b = r["best"]
        t = ", ".join(f"{k} {v:.2f}" for k, v in r["timings"].items() if k != "total")
        print(
            f"{r['n']:>10,}: optimum covers {list(b.covered)} of {list(b.required)}, "
            f"{b.late_units:,} late units, {b.substitute_units:,} substitute units, "
            f"{b.unit_km:,} unit-km; solver stages (s): {t}"
        )
        if r.get("note"):
            print(f"{'':>12}{r['note']}")
    last = rows[-1]
    done = [r for r in rows if r["pulp"] is not None]
    print("\ntargets:")
    print(
        f"  {last['n']:,} x {last['lines']:,} in <= 2 s solver time: {last['solver']:.2f} s "
        + (
            f"({'met' if last['solver'] <= 2 else 'not met'})"
            if last["n"] >= 100_000
            else "(the target is for 100k; not run)"
        )
    )
    if done:
        r = done[-1]
        ratio = r["pulp"] / r["solver"]
        print(
            f"  >= 100x faster than PuLP/CBC at the largest size it finishes ({r['n']:,}): "
            f"{ratio:.0f}x ({'met' if ratio >= 100 else 'not met'})"
        )
    same = all(r.get("same") for r in done)
    print(f"  identical objective: {'yes' if done and same else 'NO'} ({len(done)} sizes compared)")


if __name__ == "__main__":
    main()
