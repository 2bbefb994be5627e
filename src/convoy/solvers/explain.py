"""Why the plan is what it is: reasons for shortfalls and for every allocation.

No Django here. :func:`explain` takes a :class:`~convoy.solvers.allocation.Problem` and the
:class:`~convoy.solvers.allocation.Result` of solving it (or any plan in that shape) and returns
plain data (ints, strings, lists, dicts: :meth:`Explanations.as_dict` is JSON-ready).

Terms, for a requirement ``r`` (see the rule in :mod:`convoy.solvers.allocation`):

* *compatible* line: its item covers the need (exact item, substitute, or an item of the asked
  category), ignoring donor conditions and depots;
* *allowed* line: compatible, the donor's conditions (capability, destinations) admit ``r``, and
  it has a source depot;
* *on time*: the line arrives (available day + transit) on or before ``r``'s needed-by day.

Requirements (every one with a quantity that is not fully covered on time) get a code:

``no_compatible``
    no pledge line offers the item, a substitute, or (for a category need) an item of it;
``donor_condition``
    compatible lines exist, but donor conditions exclude every one that has a depot;
``no_depot``
    the compatible lines the conditions admit have no source depot;
``taken``
    allowed lines exist but are used in full, by other requirements (named, higher priority
    first; under the rule they are of equal or higher priority unless their allocation is fixed),
    or, for late units, the allowed lines that would arrive on time are used in full;
``only_late``
    covered (in part) but no allowed line arrives by the needed-by day (the earliest is given);
``fixed``
    the late units come from fixed allocations although an on-time line had units left;
``spare``
    an allowed line still has units it could have given: the plan does not follow the rule (a
    plan edited by hand, or a solver fault); never produced for an optimal plan.

Several causes can combine (``also``): e.g. some compatible lines restricted by a donor condition
and the rest taken; or units short because lines are taken, and the covered units late.

Allocations get ``fixed`` (manual or locked), ``best`` (no allowed line is better for the
requirement by (late, substitute, km)) or ``next_best`` (a better line exists: it is named, with
who used it). ``rank`` is 1 + the number of allowed lines strictly better by (late, substitute,
km).

Everything is vectorised per (target, destination) bucket of lines; Python loops run once per
explained requirement or allocation row only, never per (line, requirement) pair.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

from convoy.solvers.allocation import NONE, Problem, Result

I64 = np.int64
MAX_LINES = 10  # lines named per requirement
MAX_TAKERS = 5  # other requirements named per requirement
_KM_BITS = 1 << 20  # key2 = substitute * _KM_BITS + km (km < 20040)

REQUIREMENT_CODES = (
    "no_compatible",
    "donor_condition",
    "no_depot",
    "taken",
    "only_late",
    "fixed",
    "spare",
)
ALLOCATION_CODES = ("fixed", "best", "next_best")


class Taker(NamedTuple):
    """An allocation row of another requirement on a line this one could have used."""

    line: int
    req: int
    qty: int
    priority: int
    fixed: bool


@dataclass(slots=True)
class ReqExplanation:
    req: int
    code: str
    also: list[str]
    open: int  # the requirement's quantity
    covered: int
    covered_on_time: int
    text: str
    lines: list[int]  # lines of the main cause (at most MAX_LINES, best first)
    n_lines: int  # how many lines the main cause involves in all
    restricted: list[tuple[int, str]]  # (line, "capability" | "destination" | both)
    takers: list[Taker]  # at most MAX_TAKERS, higher priority first
    needed_by: int
    earliest: int | None  # earliest arrival of an allowed compatible line

    @property
    def short(self) -> int:
        return self.open - self.covered

    @property
    def late(self) -> int:
        return self.covered - self.covered_on_time


@dataclass(slots=True)
class AllocExplanation:
    code: str
    text: str
    rank: int | None  # None when the line is not allowed for the requirement (fixed rows)
    better_line: int | None = None  # the best allowed line, when this one is not
    better_by: int | None = None  # the requirement that used it (higher priority first), if any


@dataclass
class Explanations:
    requirements: dict[int, ReqExplanation] = field(default_factory=dict)
    allocations: list[AllocExplanation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: requirement keys become strings, tuples lists."""
        return {
            "requirements": {str(k): asdict(v) for k, v in self.requirements.items()},
            "allocations": [asdict(a) for a in self.allocations],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


# --- small vector helpers ------------------------------------------------------------------


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For segments (start, count): (owner index, position) of every element, in order."""
    counts = counts.astype(I64)
    owner = np.repeat(np.arange(len(counts), dtype=I64), counts)
    return owner, _positions(starts, counts)


def _positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions of segments (start, count), concatenated."""
    counts = counts.astype(I64)
    shift = starts.astype(I64) - (np.cumsum(counts) - counts)
    return np.arange(int(counts.sum()), dtype=I64) + np.repeat(shift, counts)


def _segment_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive segments of ``values`` with the given lengths."""
    cum = np.concatenate([[0], np.cumsum(values, dtype=I64)])
    ends = np.cumsum(counts.astype(I64))
    return (cum[ends] - cum[ends - counts]).astype(I64)


def _csr(keys: np.ndarray, n: int) -> np.ndarray:
    """Segment starts of sorted ``keys`` over 0..n-1 (length n + 1)."""
    return np.searchsorted(keys, np.arange(n + 1, dtype=I64)).astype(I64)


def _km_transit(
    P: Problem, lines: np.ndarray, buckets: np.ndarray, b_dest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(km, transit days) from each line's depot to its bucket's destination.

    Computed once per (depot, destination) pair: a dense table when it is small, else per
    distinct pair. ``P.km`` itself does the arithmetic, so the values are the solver's.
    """
    if not len(lines):
        return np.zeros(0, dtype=I64), np.zeros(0, dtype=I64)
    depots = P.line_depot[lines]
    u_dep, u_dst = np.unique(depots), np.unique(b_dest)
    if len(u_dep) * len(u_dst) <= 4_000_000:
        km_tab = P.km(np.repeat(u_dep, len(u_dst)), np.tile(u_dst, len(u_dep)))
        tr_tab = P.transit_days(km_tab)
        dep_i = np.searchsorted(u_dep, depots) * len(u_dst)
        cell = dep_i + np.searchsorted(u_dst, b_dest)[buckets]
        return km_tab[cell], tr_tab[cell]
    n_sites = len(P.site_lat)
    uniq, inv = np.unique(depots * n_sites + b_dest[buckets], return_inverse=True)
    km = P.km(uniq // n_sites, uniq % n_sites)
    return km[inv.reshape(-1)], P.transit_days(km)[inv.reshape(-1)]


def _label(labels: Sequence[str] | None, prefix: str) -> Callable[[int], str]:
    if labels is None:
        return lambda i: f"{prefix} {i}"
    return lambda i: str(labels[i])


def _names(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- the index: compatible lines per target, lines per (target, destination) bucket ------------


class _Clock:
    """Seconds per phase, accumulated under a name."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


class _Index:
    def __init__(self, P: Problem, result: Result, relevant: np.ndarray, tick: _Clock) -> None:
        self.P = P
        n_lines, n_reqs, n_items = P.n_lines, P.n_reqs, len(P.item_category)
        n_sites = len(P.site_lat)
        n_cats = int(max(P.item_category.max(initial=-1), P.req_category.max(initial=-1))) + 1
        self.n_items = n_items
        self.n_targets = n_targets = n_items + n_cats
        # target of every requirement: its item, or n_items + its category
        self.req_target = np.where(P.req_item == NONE, n_items + P.req_category, P.req_item)
        self.req_target = self.req_target.astype(I64)

        # compatible (target, line, substitute) pairs, sorted by (target, line)
        lines = np.arange(n_lines, dtype=I64)
        subs = P.substitutes
        if len(subs):
            ok = (subs[:, 0] != subs[:, 1]) & (subs >= 0).all(axis=1) & (subs < n_items).all(axis=1)
            subs = np.unique(subs[ok], axis=0)
        by_item = np.argsort(P.line_item, kind="stable").astype(I64)
        item_start = _csr(P.line_item[by_item], n_items)
        owner, pos = _expand(item_start[subs[:, 0]], np.diff(item_start)[subs[:, 0]])
        t = np.concatenate(
            [P.line_item, n_items + P.item_category[P.line_item], subs[owner, 1]]
        ).astype(I64)
        ln = np.concatenate([lines, lines, by_item[pos]]).astype(I64)
        sb = np.concatenate([np.zeros(2 * n_lines, I64), np.ones(len(pos), I64)])
        order = np.lexsort((ln, t))
        self.c_target, self.c_line, self.c_sub = t[order], ln[order], sb[order]
        self.c_start = _csr(self.c_target, n_targets)
        has_depot = P.line_depot != NONE
        self.has_depot = has_depot
        dep = has_depot[self.c_line]
        self.n_nodepot = np.bincount(self.c_target[~dep], minlength=n_targets).astype(I64)
        # the same, lines with a depot only
        self.d_target, self.d_line, self.d_sub = (
            self.c_target[dep],
            self.c_line[dep],
            self.c_sub[dep],
        )
        self.d_start = _csr(self.d_target, n_targets)

        # plan facts
        self.used = result.used_by_line(n_lines)
        self.spare = (self.used < P.line_qty) & has_depot

        tick("index.compatible")
        # buckets: (target, destination) of the relevant requirements
        bkey = self.req_target[relevant] * n_sites + P.req_destination[relevant]
        buckets = np.unique(bkey)
        self.req_bucket = np.full(n_reqs, -1, dtype=I64)
        self.req_bucket[relevant] = np.searchsorted(buckets, bkey)
        b_target, b_dest = buckets // n_sites, buckets % n_sites
        owner, pos = _expand(
            self.d_start[b_target], self.d_start[b_target + 1] - self.d_start[b_target]
        )
        e_b, e_line, e_sub = owner, self.d_line[pos], self.d_sub[pos]
        e_km, e_transit = _km_transit(P, e_line, e_b, b_dest)
        e_arr = P.line_available[e_line] + e_transit
        # one sentinel entry past the last bucket keeps every gather in bounds
        pad = np.array([int(e_arr.min()) if len(e_arr) else 0], dtype=I64)
        e_b = np.append(e_b, len(buckets)).astype(I64)
        e_line, e_sub = np.append(e_line, 0).astype(I64), np.append(e_sub, 0).astype(I64)
        e_km, e_arr = np.append(e_km, 0).astype(I64), np.append(e_arr, pad).astype(I64)
        self.e_b, self.e_line, self.e_sub, self.e_km, self.e_arr = e_b, e_line, e_sub, e_km, e_arr
        self.e_key2 = e_sub * _KM_BITS + e_km
        self.b_start = _csr(e_b, len(buckets))
        # lookup of (bucket, line) -> entry: entries are sorted that way already
        self.l_keys = e_b * n_lines + e_line
        tick("index.buckets")
        # arrival order within buckets
        self.amin = int(e_arr.min()) if len(e_arr) else 0
        self.aspan = (int(e_arr.max()) - self.amin + 2) if len(e_arr) else 2
        # entries are in (bucket, line) order: a stable sort keeps lines in order on ties
        self.oa = np.argsort(e_b * self.aspan + (e_arr - self.amin), kind="stable").astype(I64)
        self.a_keys = e_b[self.oa] * self.aspan + (e_arr[self.oa] - self.amin)
        e_spare = np.append(self.spare[e_line[:-1]], False)
        self.cum_spare_a = np.concatenate([[0], np.cumsum(e_spare[self.oa])]).astype(I64)
        # (substitute, km) order within buckets
        k_keys = e_b * (2 * _KM_BITS) + self.e_key2
        self.ok = np.argsort(k_keys, kind="stable").astype(I64)
        self.k_keys = k_keys[self.ok]
        self.ok_arr = e_arr[self.ok]  # arrival, in (substitute, km) order

        tick("index.orders")
        # donor-condition exclusions for the relevant requirements
        cap = P.line_capability
        assert cap is not None and P.req_capability is not None
        restricted = np.zeros(n_lines, dtype=bool)
        allowed_keys = np.zeros(0, dtype=I64)
        if P.line_destinations:
            rl = np.fromiter(P.line_destinations, dtype=I64, count=len(P.line_destinations))
            rl = rl[(rl >= 0) & (rl < n_lines)]
            restricted[rl] = True
            allowed_keys = np.sort(
                np.fromiter(
                    (
                        int(k) * n_sites + int(d)
                        for k in rl.tolist()
                        for d in P.line_destinations[int(k)]
                    ),
                    dtype=I64,
                )
            )
        self.cond = cond = (cap != NONE) | restricted
        cc = cond[self.c_line]
        cc_target, cc_line = self.c_target[cc], self.c_line[cc]
        cc_start = _csr(cc_target, n_targets)
        rt = self.req_target[relevant]
        owner, pos = _expand(cc_start[rt], cc_start[rt + 1] - cc_start[rt])
        x_r, x_l = relevant[owner], cc_line[pos]
        capfail = (cap[x_l] != NONE) & (cap[x_l] != P.req_capability[x_r])
        destfail = np.zeros(len(x_l), dtype=bool)
        if restricted.any() and len(x_l):
            rows = np.nonzero(restricted[x_l])[0]
            k = x_l[rows] * n_sites + P.req_destination[x_r[rows]]
            hit = np.searchsorted(allowed_keys, k)
            found = (hit < len(allowed_keys)) & (
                allowed_keys[np.minimum(hit, max(len(allowed_keys) - 1, 0))] == k
            )
            destfail[rows] = ~found
        bad = capfail | destfail
        self.x_r, self.x_l = x_r[bad], x_l[bad]
        self.x_reason = (capfail[bad].astype(I64) + 2 * destfail[bad]).astype(I64)
        self.x_start = _csr(self.x_r, n_reqs)
        self.x_keys = self.x_r * n_lines + self.x_l  # sorted: by requirement, then line
        self.x_dep = has_depot[self.x_l]
        # arrival and key2 of excluded lines that have a depot, at their requirement's bucket
        self.x_arr = np.zeros(len(self.x_l), dtype=I64)
        self.x_key2 = np.zeros(len(self.x_l), dtype=I64)
        xe = self.entry(self.req_bucket[self.x_r[self.x_dep]], self.x_l[self.x_dep])
        self.x_arr[self.x_dep] = e_arr[xe]
        self.x_key2[self.x_dep] = self.e_key2[xe]

        tick("index.exclusions")
        # allocation rows by target (rows on lines with a depot), higher priority first
        rows = np.nonzero(has_depot[result.line])[0] if len(result) else np.zeros(0, I64)
        by_line = np.argsort(self.c_line, kind="stable")
        cl_sorted = self.c_line[by_line]
        l_start = _csr(cl_sorted, n_lines)
        rl_ = result.line[rows]
        owner, pos = _expand(l_start[rl_], l_start[rl_ + 1] - l_start[rl_])
        tr_row, tr_t = rows[owner], self.c_target[by_line[pos]]
        prio = P.req_priority[result.req[tr_row]]
        order = np.lexsort(
            (result.req[tr_row], result.line[tr_row], -result.qty[tr_row], prio, tr_t)
        )
        self.tr_row = tr_row[order]
        self.tr_start = _csr(tr_t[order], n_targets)
        tick("index.rows")

    def entry(self, buckets: np.ndarray, lines: np.ndarray) -> np.ndarray:
        """Entry index of (bucket, line) pairs known to exist."""
        return np.searchsorted(self.l_keys, buckets * self.P.n_lines + lines).astype(I64)

    def find_entry(self, buckets: np.ndarray, lines: np.ndarray) -> np.ndarray:
        """Entry index of (bucket, line) pairs, -1 where the line is not in the bucket."""
        if not len(self.l_keys):
            return np.full(len(lines), -1, dtype=I64)
        k = buckets * self.P.n_lines + lines
        hit = np.minimum(np.searchsorted(self.l_keys, k), len(self.l_keys) - 1)
        return np.where((self.l_keys[hit] == k) & (buckets >= 0), hit, -1).astype(I64)

    def arrival_pos(self, buckets: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Position in arrival order just past the bucket's lines arriving on or before ``days``."""
        v = np.clip(days - self.amin, -1, self.aspan - 2)
        return np.searchsorted(self.a_keys, buckets * self.aspan + v, side="right").astype(I64)

    def is_excluded(self, reqs: np.ndarray, lines: np.ndarray) -> np.ndarray:
        """Whether a donor condition excludes each (requirement, line) pair."""
        out = np.zeros(len(lines), dtype=bool)
        if not len(self.x_keys):
            return out
        rows = np.flatnonzero(self.cond[lines])  # only lines with a condition can be excluded
        k = reqs[rows] * self.P.n_lines + lines[rows]
        hit = np.minimum(np.searchsorted(self.x_keys, k), len(self.x_keys) - 1)
        out[rows] = self.x_keys[hit] == k
        return out


# --- picking the first few qualifying elements of many segments at once ------------------------


def _pick(
    starts: np.ndarray,
    stops: np.ndarray,
    keep: Callable[[np.ndarray, np.ndarray], np.ndarray],
    k: int,
    budget: np.ndarray | int,
) -> tuple[np.ndarray, np.ndarray]:
    """For each segment ``[starts[o], stops[o])``: the first ``k`` positions where ``keep``.

    ``keep(owner, pos)`` says which positions qualify. Looks at ``budget`` positions per segment
    first, and again with a larger budget only for segments that fell short. Returns ``(offsets,
    positions)``: segment ``o`` got ``positions[offsets[o]:offsets[o + 1]]``, in order.
    """
    n = len(starts)
    starts, stops = starts.astype(I64), stops.astype(I64)
    seen = np.zeros(n, dtype=I64)  # positions already looked at, per segment
    found = np.zeros(n, dtype=I64)
    got_o: list[np.ndarray] = []
    got_p: list[np.ndarray] = []
    todo = np.arange(n, dtype=I64)
    want = np.broadcast_to(np.asarray(budget, dtype=I64), (n,)).copy()
    while len(todo):
        begin = starts[todo] + seen[todo]
        count = np.minimum(stops[todo] - begin, want[todo])
        owner_local, pos = _expand(begin, np.maximum(count, 0))
        owner = todo[owner_local]
        ok = keep(owner, pos) if len(pos) else np.zeros(0, dtype=bool)
        owner, pos = owner[ok], pos[ok]
        # at most k - found per segment, in order
        rank = np.arange(len(owner), dtype=I64) - np.searchsorted(owner, owner)
        sel = rank < (k - found[owner])
        got_o.append(owner[sel])
        got_p.append(pos[sel])
        found += np.bincount(owner[sel], minlength=n)
        seen[todo] += np.maximum(count, 0)
        more = (found[todo] < k) & (starts[todo] + seen[todo] < stops[todo])
        todo = todo[more]
        want[todo] *= 4
    owner = np.concatenate(got_o) if got_o else np.zeros(0, I64)
    pos = np.concatenate(got_p) if got_p else np.zeros(0, I64)
    order = np.lexsort((pos, owner))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n))]).astype(I64)
    return offsets, pos[order]


def _split(offsets: np.ndarray, values: np.ndarray) -> list[list[Any]]:
    flat, off = values.tolist(), offsets.tolist()
    return [flat[a:b] for a, b in pairwise(off)]


# --- requirements ------------------------------------------------------------------------------


_REASON = {1: "capability", 2: "destination", 3: "capability and destination"}


@dataclass
class _Names:
    line: Callable[[int], str]
    req: Callable[[int], str]
    item: Callable[[int], str]
    category: Callable[[int], str]
    day: Callable[[int], str]

    def lines(self, lines: Sequence[int], total: int) -> str:
        shown = [self.line(ln) for ln in lines[:3]]
        if total > len(shown):
            shown.append(f"{total - len(shown)} more")
        return _names(shown)


def explain(
    problem: Problem,
    result: Result,
    *,
    line_labels: Sequence[str] | None = None,
    req_labels: Sequence[str] | None = None,
    item_labels: Sequence[str] | None = None,
    category_labels: Sequence[str] | None = None,
    day_label: Callable[[int], str] | None = None,
) -> Explanations:
    """Reasons for every requirement not fully covered on time, and for every allocation row.

    Texts name lines, requirements, items and categories by index unless labels are given
    (sequences indexed like the problem's arrays); ``day_label`` renders day numbers.
    """
    P = problem
    n_reqs = P.n_reqs
    covered = result.covered_by_req(n_reqs)
    on_time = np.bincount(
        result.req, result.qty * ~result.late.astype(bool), minlength=n_reqs
    ).astype(I64)
    explained = np.nonzero(on_time < P.req_qty)[0].astype(I64)
    relevant = np.unique(np.concatenate([explained, result.req.astype(I64)]))
    tick = _Clock()
    ix = _Index(P, result, relevant, tick)
    names = _Names(
        _label(line_labels, "line"),
        _label(req_labels, "requirement"),
        _label(item_labels, "item"),
        _label(category_labels, "category"),
        day_label or (lambda d: f"day {d}"),
    )
    reqs = _requirements(P, result, ix, explained, covered, on_time, names, tick)
    allocations = _allocations(P, result, ix, names, tick)
    return Explanations(reqs, allocations, tick.timings)


class _Takers:
    """Rows of other requirements on the lines a requirement may use, higher priority first."""

    def __init__(self, P: Problem, result: Result, ix: _Index) -> None:
        self.P, self.result, self.ix = P, result, ix

    def pick(self, reqs: np.ndarray, days: np.ndarray | None) -> list[list[Taker]]:
        """Up to MAX_TAKERS rows per requirement; with ``days``, on lines on time by then."""
        ix, res = self.ix, self.result
        t = ix.req_target[reqs]

        def keep(owner: np.ndarray, pos: np.ndarray) -> np.ndarray:
            row = ix.tr_row[pos]
            r = reqs[owner]
            line = res.line[row]
            ok = (res.req[row] != r) & ~ix.is_excluded(r, line)
            if days is not None:
                ent = ix.find_entry(ix.req_bucket[r], line)
                ok &= (ent >= 0) & (ix.e_arr[np.maximum(ent, 0)] <= days[owner])
            return ok

        off, pos = _pick(ix.tr_start[t], ix.tr_start[t + 1], keep, MAX_TAKERS, MAX_TAKERS + 3)
        row = ix.tr_row[pos]
        fields = zip(
            res.line[row].tolist(),
            res.req[row].tolist(),
            res.qty[row].tolist(),
            self.P.req_priority[res.req[row]].tolist(),
            res.fixed[row].astype(bool).tolist(),
            strict=True,
        )
        new = tuple.__new__
        flat = [new(Taker, f) for f in fields]
        o = off.tolist()
        return [flat[a:b] for a, b in pairwise(o)]


def _allowed_lines(
    ix: _Index,
    reqs: np.ndarray,
    stops: np.ndarray,
    k: int,
    spare_only: bool = False,
) -> tuple[list[list[int]], list[list[int]]]:
    """First ``k`` allowed lines per requirement in arrival order (before ``stops``), with days."""
    b = ix.req_bucket[reqs]

    def keep(owner: np.ndarray, pos: np.ndarray) -> np.ndarray:
        line = ix.e_line[ix.oa[pos]]
        ok = ~ix.is_excluded(reqs[owner], line)
        return ok & ix.spare[line] if spare_only else ok

    off, pos = _pick(ix.b_start[b], stops, keep, k, k + 2)
    return _split(off, ix.e_line[ix.oa[pos]]), _split(off, ix.e_arr[ix.oa[pos]])


def _nodepot_lines(ix: _Index, reqs: np.ndarray) -> list[list[int]]:
    t = ix.req_target[reqs]

    def keep(owner: np.ndarray, pos: np.ndarray) -> np.ndarray:
        line = ix.c_line[pos]
        return ~ix.has_depot[line] & ~ix.is_excluded(reqs[owner], line)

    off, pos = _pick(ix.c_start[t], ix.c_start[t + 1], keep, MAX_LINES, 2 * MAX_LINES)
    return _split(off, ix.c_line[pos])


def _requirements(
    P: Problem,
    result: Result,
    ix: _Index,
    E: np.ndarray,
    covered: np.ndarray,
    on_time: np.ndarray,
    nm: _Names,
    tick: _Clock,
) -> dict[int, ReqExplanation]:
    n_reqs = P.n_reqs
    T = ix.req_target[E]
    b = ix.req_bucket[E]
    need = P.req_needed_by[E]
    qty, cov, cot = P.req_qty[E], covered[E], on_time[E]
    short, late = qty - cov, cov - cot
    n_c = ix.c_start[T + 1] - ix.c_start[T]
    xr = ix.x_r
    n_xd = np.bincount(xr, minlength=n_reqs)[E]
    n_xd_dep = np.bincount(xr[ix.x_dep], minlength=n_reqs)[E]
    n_xn = ix.n_nodepot[T] - (n_xd - n_xd_dep)
    n_a = n_c - n_xd - n_xn
    x_on = ix.x_dep & (ix.x_arr <= P.req_needed_by[xr])
    x_spare = ix.spare[ix.x_l]
    bs, be = ix.b_start[b], ix.b_start[b + 1]
    pos_on = ix.arrival_pos(b, need)
    n_on = pos_on - bs - np.bincount(xr[x_on], minlength=n_reqs)[E]
    cum = ix.cum_spare_a
    n_spare_on = cum[pos_on] - cum[bs] - np.bincount(xr[x_on & x_spare], minlength=n_reqs)[E]
    n_spare = cum[be] - cum[bs] - np.bincount(xr[ix.x_dep & x_spare], minlength=n_reqs)[E]
    late_fixed = np.bincount(
        result.req, result.qty * (result.late & result.fixed), minlength=n_reqs
    )[E]

    tick("requirements.counts")
    # what each case needs, picked for all requirements at once
    sh, lt = short > 0, late > 0
    short_taken = sh & (n_a > 0) & (n_spare == 0)
    short_spare = sh & (n_a > 0) & (n_spare > 0)
    late_taken = lt & (n_on > 0) & (n_spare_on == 0)
    late_spare = lt & (n_on > 0) & (n_spare_on > 0)
    need_nodepot = sh & (n_xn > 0)
    takers = _Takers(P, result, ix)

    def per(mask: np.ndarray, fn: Callable[[np.ndarray], list[Any]]) -> dict[int, Any]:
        idx = np.nonzero(mask)[0]
        return dict(zip(idx.tolist(), fn(idx), strict=True)) if len(idx) else {}

    def first_of(i: np.ndarray) -> list[tuple[int, int] | None]:
        lines, days = _allowed_lines(ix, E[i], be[i], 1)
        return [(a[0], d[0]) if a else None for a, d in zip(lines, days, strict=True)]

    first = per(n_a > 0, first_of)
    lines_all = per(short_taken, lambda i: _allowed_lines(ix, E[i], be[i], MAX_LINES)[0])
    lines_on = per(late_taken, lambda i: _allowed_lines(ix, E[i], pos_on[i], MAX_LINES)[0])
    spare_all = per(short_spare, lambda i: _allowed_lines(ix, E[i], be[i], MAX_LINES, True)[0])
    spare_on = per(late_spare, lambda i: _allowed_lines(ix, E[i], pos_on[i], MAX_LINES, True)[0])
    nodepot = per(need_nodepot, lambda i: _nodepot_lines(ix, E[i]))
    takers_all = per(short_taken, lambda i: takers.pick(E[i], None))
    takers_on = per(late_taken, lambda i: takers.pick(E[i], need[i]))
    x_lines, x_why = ix.x_l.tolist(), ix.x_reason.tolist()
    x_start = ix.x_start.tolist()

    tick("requirements.picks")
    out: dict[int, ReqExplanation] = {}
    cols = (E, qty, cov, cot, need, n_c, n_xd, n_xn, n_a, n_on, n_spare, n_spare_on, late_fixed)
    for i, row in enumerate(zip(*(c.tolist() for c in cols), strict=True)):
        r, q, cv, ct, nd, nc, nxd, nxn, na, non, nsp, nspon, lfix = row
        s, e = x_start[r], x_start[r + 1]
        restricted = [(x_lines[j], _REASON[x_why[j]]) for j in range(s, min(e, s + MAX_LINES))]
        fl = first.get(i)
        w = _Why(nm, r, int(P.req_priority[r]), restricted, nxd)
        if q - cv > 0:
            head = f"{q - cv} of {q} units not covered"
            if nc == 0:
                w.no_compatible(head, P, r)
            elif na == 0:
                w.unreachable(head, nc, nxn, nodepot.get(i, []))
            elif nsp > 0:
                w.spare(head, spare_all[i], nsp, "allowed compatible")
            else:
                w.taken(
                    head,
                    lines_all[i],
                    na,
                    takers_all[i],
                    cv,
                    ("allowed compatible line", "allowed compatible lines"),
                )
                if nxd:
                    w.restricted(f"{_plural(nxd, 'more line')} restricted", "donor_condition")
                if nxn:
                    shown = nm.lines(nodepot.get(i, []), nxn)
                    w.add(
                        "no_depot",
                        f"{_plural(nxn, 'more line')} without a source depot ({shown})",
                        [],
                    )
        if cv - ct > 0:
            head = f"{_plural(cv - ct, 'unit')} late"
            if na == 0:  # only fixed allocations can cover it
                w.add("fixed", f"{head}, by fixed allocations: no allowed compatible line", [])
            elif non == 0:
                w.only_late(head, nd, fl)
            elif nspon > 0:
                if lfix >= cv - ct:
                    w.add(
                        "fixed",
                        f"{head}, by fixed allocations although on-time "
                        f"{nm.lines(spare_on[i], nspon)} still {_has(nspon)} units left",
                        spare_on[i],
                        nspon,
                    )
                else:
                    w.spare(head, spare_on[i], nspon, "on-time")
            else:
                w.taken(
                    head,
                    lines_on[i],
                    non,
                    takers_on[i],
                    0,
                    ("allowed line arriving on time", "allowed lines arriving on time"),
                )
        codes = list(dict.fromkeys(w.codes))
        out[r] = ReqExplanation(
            req=r,
            code=codes[0] if codes else "spare",
            also=codes[1:],
            open=q,
            covered=cv,
            covered_on_time=ct,
            text=w.text(),
            lines=w.lines,
            n_lines=w.n_lines,
            restricted=restricted,
            takers=w.takers,
            needed_by=nd,
            earliest=fl[1] if fl else None,
        )
    tick("requirements.texts")
    return out


def _has(n: int) -> str:
    return "has" if n == 1 else "have"


class _Why:
    """Collects the causes (code, clause, lines, takers) of one requirement's explanation."""

    def __init__(
        self,
        nm: _Names,
        r: int,
        priority: int,
        restricted: list[tuple[int, str]],
        n_restricted: int,
    ) -> None:
        self.nm, self.r, self.priority = nm, r, priority
        self.restricted_lines, self.n_restricted = restricted, n_restricted
        self.codes: list[str] = []
        self.clauses: list[str] = []
        self.lines: list[int] = []
        self.n_lines = 0
        self.takers: list[Taker] = []

    def add(self, code: str, clause: str, lines: list[int], n_lines: int = 0) -> None:
        self.codes.append(code)
        self.clauses.append(clause)
        if not self.lines and lines:
            self.lines, self.n_lines = list(lines), max(n_lines, len(lines))

    def text(self) -> str:
        text = "; ".join(self.clauses)
        return text[:1].upper() + text[1:] + "." if text else ""

    def restricted(self, lead: str, code: str) -> None:
        shown = ", ".join(f"{self.nm.line(ln)} ({why})" for ln, why in self.restricted_lines[:3])
        if self.n_restricted > 3:
            shown += f" and {self.n_restricted - 3} more"
        lines = [ln for ln, _ in self.restricted_lines]
        self.add(code, f"{lead} by a donor condition: {shown}", lines, self.n_restricted)

    def no_compatible(self, head: str, P: Problem, r: int) -> None:
        item = int(P.req_item[r])
        if item == NONE:
            what = f"an item of {self.nm.category(int(P.req_category[r]))}"
        else:
            what = f"{self.nm.item(item)} or a substitute"
        self.add("no_compatible", f"{head}: no pledge line offers {what}", [])

    def unreachable(self, head: str, nc: int, nxn: int, nodepot: list[int]) -> None:
        nxd = self.n_restricted
        if nxd:
            every = (
                "the only compatible line is"
                if nc == 1
                else f"all {nc} compatible lines are"
                if nxn == 0
                else f"{nxd} of {nc} compatible lines are"
            )
            self.restricted(f"{head}: {every} restricted", "donor_condition")
        if nxn:
            lead = "" if nxd else f"{head}: "
            which = (
                "the only compatible line has"
                if nc == 1
                else (f"{_plural(nxn, 'compatible line')} {'has' if nxn == 1 else 'have'}")
            )
            self.add(
                "no_depot",
                f"{lead}{which} no source depot ({self.nm.lines(nodepot, nxn)})",
                nodepot,
                nxn,
            )

    def spare(self, head: str, lines: list[int], n: int, kind: str) -> None:
        self.add(
            "spare",
            f"{head} although {kind} {self.nm.lines(lines, n)} still {_has(n)} units left: "
            "the plan does not follow the rule here",
            lines,
            n,
        )

    def taken(
        self,
        head: str,
        lines: list[int],
        n: int,
        takers: list[Taker],
        own: int,
        what: tuple[str, str],
    ) -> None:
        one, many = what
        which = f"the only {one} is" if n == 1 else f"all {n} {many} are"
        if takers:
            by = f"used in full, by {self.taker_text(takers)}"
        elif own:
            by = "used in full, by this requirement"
        else:
            by = "empty"
        self.add("taken", f"{head}: {which} {by} ({self.nm.lines(lines, n)})", lines, n)
        if not self.takers:
            self.takers = takers

    def taker_text(self, takers: list[Taker]) -> str:
        parts: dict[int, str] = {}
        for tk in takers:
            if tk.req in parts:
                continue
            rel = (
                "higher"
                if tk.priority < self.priority
                else "same"
                if tk.priority == self.priority
                else "lower, fixed"
                if tk.fixed
                else "lower: its coverage comes before lateness"
            )
            fixed = ", fixed" if tk.fixed and not rel.endswith("fixed") else ""
            parts[tk.req] = f"{self.nm.req(tk.req)} (priority {tk.priority}, {rel}{fixed})"
        return _names(parts.values())

    def only_late(self, head: str, need: int, first: tuple[int, int] | None) -> None:
        assert first is not None
        line, day = first
        self.add(
            "only_late",
            f"{head}: no allowed compatible line arrives by {self.nm.day(need)}; the earliest, "
            f"{self.nm.line(line)}, arrives on {self.nm.day(day)} "
            f"({_plural(day - need, 'day')} late)",
            [line],
            1,
        )


# --- allocations -------------------------------------------------------------------------------


def _allocations(
    P: Problem, result: Result, ix: _Index, nm: _Names, tick: _Clock
) -> list[AllocExplanation]:
    n = len(result)
    if not n:
        return []
    r = result.req.astype(I64)
    line = result.line.astype(I64)
    b = ix.req_bucket[r]
    need = P.req_needed_by[r]
    ent = ix.find_entry(b, line)
    allowed = (ent >= 0) & ~ix.is_excluded(r, line)
    e = np.maximum(ent, 0)
    late0 = ix.e_arr[e] > need
    k0 = ix.e_key2[e]
    bs = ix.b_start[b]
    c_on = ix.arrival_pos(b, need) - bs
    c_key = np.searchsorted(ix.k_keys, b * (2 * _KM_BITS) + k0, side="left") - bs
    c_key = np.where(allowed, c_key, 0)
    # lines better by (substitute, km) that also arrive on time: expand those (short) prefixes
    both = ix.ok_arr[_positions(bs, c_key)] <= np.repeat(need, c_key)
    c_both = _segment_sums(both, c_key)
    better = np.where(late0, c_on + c_key - c_both, c_both)
    # excluded lines of the same requirement must not count
    owner, pos = _expand(ix.x_start[r], ix.x_start[r + 1] - ix.x_start[r])
    if len(owner):
        x_on = ix.x_arr[pos] <= need[owner]
        x_key = ix.x_key2[pos] < k0[owner]
        x_better = ix.x_dep[pos] & np.where(late0[owner], x_on | x_key, x_on & x_key)
        better = better - np.bincount(owner[x_better], minlength=n)
    rank = np.where(allowed, better + 1, 0)
    tick("allocations.rank")

    # the best allowed line of each requirement with a worse row
    nb_rows = np.nonzero(allowed & (rank > 1) & ~result.fixed)[0]
    reqs = np.unique(r[nb_rows])
    rb = ix.req_bucket[reqs]
    x_on_all = ix.x_dep & (ix.x_arr <= P.req_needed_by[ix.x_r])
    n_on = (
        ix.arrival_pos(rb, P.req_needed_by[reqs])
        - ix.b_start[rb]
        - np.bincount(ix.x_r[x_on_all], minlength=P.n_reqs)[reqs]
    )

    def keep(owner: np.ndarray, pos: np.ndarray) -> np.ndarray:
        ent = ix.ok[pos]
        ok = ~ix.is_excluded(reqs[owner], ix.e_line[ent])
        on = ix.e_arr[ent] <= P.req_needed_by[reqs[owner]]
        return ok & (on | (n_on[owner] == 0))

    _off, pos = _pick(ix.b_start[rb], ix.b_start[rb + 1], keep, 1, 8)
    best_ent = np.full(P.n_reqs, -1, dtype=I64)
    best_ent[reqs] = ix.ok[pos]
    be = best_ent[r]
    bl = np.where(be >= 0, ix.e_line[np.maximum(be, 0)], -1)
    # who used the best line: its rows, higher priority first; the first not of r itself
    prio = P.req_priority[r]
    order = np.lexsort((r, -result.qty, prio, line))
    l_start = _csr(line[order], P.n_lines)
    first = np.where(bl >= 0, l_start[np.maximum(bl, 0)], 0)
    count = np.where(bl >= 0, l_start[np.maximum(bl, 0) + 1] - first, 0)
    j0 = order[np.minimum(first, n - 1)]
    j1 = order[np.minimum(first + 1, n - 1)]
    mine0 = result.req[j0] == r
    taker_row = np.where(mine0, np.where(count > 1, j1, -1), np.where(count > 0, j0, -1))
    own = (mine0 & (count > 0)) | ((count > 1) & (result.req[j1] == r))

    tick("allocations.best")
    out: list[AllocExplanation] = []
    cols = (
        r,
        line,
        result.fixed,
        allowed,
        rank,
        result.late,
        result.substitute,
        result.km,
        bl,
        ix.e_arr[np.maximum(be, 0)] > need,
        ix.e_sub[np.maximum(be, 0)],
        ix.e_km[np.maximum(be, 0)],
        taker_row,
        own,
    )
    lists = [np.asarray(c).tolist() for c in cols]
    kinds = P.req_item[r] == NONE
    t_req_a = result.req[np.maximum(taker_row, 0)]
    t_req, t_prio = t_req_a.tolist(), P.req_priority[t_req_a].tolist()
    t_fixed = result.fixed[np.maximum(taker_row, 0)].tolist()
    texts = _AllocText(P, result, nm)
    for i, row in enumerate(zip(*lists, strict=True)):
        rr, ln, fx, ok, rk, lt, sb, km, bline, b_late, b_sub, b_km, trow, mine = row
        desc = texts.describe(rr, ln, lt, sb, km) if sb else f"{_WHEN[lt]}, {km} km"
        if fx:
            note = "" if ok else "; the line is not allowed for this requirement by the rule"
            out.append(
                AllocExplanation(
                    "fixed", f"Fixed allocation (manual or locked): {desc}{note}.", rk or None
                )
            )
        elif not ok:  # never for the solver's own rows
            out.append(
                AllocExplanation(
                    "next_best", f"{desc.capitalize()}; the line is not allowed.", None
                )
            )
        elif rk == 1:
            out.append(AllocExplanation("best", texts.best(bool(kinds[i]), lt, sb, km, desc), 1))
        else:
            if lt and not b_late:
                why = f"the on-time {nm.line(bline)} ({b_km} km)"
            elif sb and not b_sub:
                why = f"the exact-item {nm.line(bline)} ({b_km} km)"
            else:
                why = f"the nearer {nm.line(bline)} ({b_km} km)"
            if ix.spare[bline]:
                by = "still has units left (the plan does not follow the rule here)"
            elif trow >= 0:
                fixed = ", fixed" if t_fixed[i] else ""
                by = f"was used by {nm.req(t_req[i])} (priority {t_prio[i]}{fixed})"
            elif mine:
                by = "is used in full by this requirement"
            else:
                by = "has nothing to plan"
            text = f"{desc}: {why} {by}."
            better_by = t_req[i] if trow >= 0 else None
            out.append(
                AllocExplanation("next_best", text[:1].upper() + text[1:], rk, bline, better_by)
            )
    tick("allocations.texts")
    return out


_WHEN = {False: "on time", True: "late"}


class _AllocText:
    def __init__(self, P: Problem, result: Result, nm: _Names) -> None:
        self.P, self.result, self.nm = P, result, nm

    def describe(self, r: int, line: int, late: bool, sub: bool, km: int) -> str:
        parts = ["late" if late else "on time"]
        if sub:
            item, asked = int(self.P.line_item[line]), int(self.P.req_item[r])
            parts.append(f"{self.nm.item(item)} substituting {self.nm.item(asked)}")
        parts.append(f"{km} km")
        return ", ".join(parts)

    def best(self, category: bool, late: bool, sub: bool, km: int, desc: str) -> str:
        kind = "in-category" if category else "exact-item"
        if not late and not sub:
            return f"The nearest on-time {kind} line ({km} km)."
        if not late:
            return f"The nearest on-time line ({desc}): no allowed exact-item line arrives on time."
        return f"The best line ({desc}): no allowed compatible line arrives on time."


__all__ = [
    "ALLOCATION_CODES",
    "REQUIREMENT_CODES",
    "AllocExplanation",
    "Explanations",
    "ReqExplanation",
    "Taker",
    "explain",
]
