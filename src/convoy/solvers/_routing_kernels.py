"""The routing pricer's dynamic programme and route walk, compiled by Numba.

Pricing (``routing._Pricer``) finds every lot's cheapest route at the master's duals by a
backward dynamic programme over days, nodes, destinations and arrival days. Written with NumPy
arrays it gathered, added and reduced a (legs x destinations x arrival days) block per day, and
took 9.4 of the 21 s of level 1 on 10k consignments; these loops do the same arithmetic in the
same order (so the same values and the same routes, ties included), touching only the cells that
can be finite. Compiled once per installation (``cache=True`` keeps the machine code beside this
file; ``make install`` makes the first call, about 5 s; later processes load it in about 0.3 s).

Arrays: ``V`` (days + 1, nodes, destinations, arrival days): the least price of reaching
destination ``k`` on arrival day ``a`` from a node on a day (the last day layer all ``inf``);
``suffix`` and ``lead`` (days + 1, origins, destinations, arrival days): the least price of leaving
an origin on or after a day, and the first day achieving it. Only cells with arrival day >= day are
ever written, so the others stay ``inf``, as the programme needs; buffers are reused between calls.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True, nogil=True)
def backward(
    price: np.ndarray,
    tt: np.ndarray,
    to: np.ndarray,
    node_start: np.ndarray,
    node_end: np.ndarray,
    origins: np.ndarray,
    node_dual: np.ndarray,
    dests: np.ndarray,
    V: np.ndarray,
    suffix: np.ndarray,
    lead: np.ndarray,
    dep: np.ndarray,
) -> None:
    """Fill ``V``, ``suffix`` and ``lead`` for the destinations ``dests`` (node ids, in the order
    of the arrays' destination axis). ``price`` (legs, days): a leg's price leaving on a day, its
    head's handling on arrival included (``inf`` where it arrives after the horizon); ``tt``: the
    day layer of its head (days + 1: the all-``inf`` layer); legs sorted by tail, node ``x``'s
    legs ``node_start[x]:node_end[x]``; ``node_dual`` (nodes, days): an origin's handling on its
    departure day; ``dep`` (nodes, destinations, arrival days): scratch."""
    T = price.shape[1]
    N = V.shape[1]
    D = len(dests)
    for t in range(T - 1, -1, -1):
        for x in range(N):
            for k in range(D):
                for a in range(t, T):
                    dep[x, k, a] = INF
            for m in range(node_start[x], node_end[x]):
                p = price[m, t]
                h = tt[m, t]
                if h >= T:
                    continue
                y = to[m]
                for k in range(D):
                    for a in range(h, T):
                        dep[x, k, a] = min(dep[x, k, a], p + V[h, y, k, a])
            for k in range(D):
                for a in range(t, T):
                    V[t, x, k, a] = min(V[t + 1, x, k, a], dep[x, k, a])
        for i in range(len(origins)):
            o = origins[i]
            nd = node_dual[o, t]
            for k in range(D):
                for a in range(t, T):
                    leave = dep[o, k, a] - nd
                    later = suffix[t + 1, i, k, a]
                    if leave <= later:
                        suffix[t, i, k, a] = leave
                        lead[t, i, k, a] = t
                    else:
                        suffix[t, i, k, a] = later
                        lead[t, i, k, a] = lead[t + 1, i, k, a]
        for k in range(D):
            d = dests[k]
            for a in range(t, T):
                V[t, d, k, a] = INF
            V[t, d, k, t] = 0.0


@njit(cache=True, nogil=True)
def walk(
    V: np.ndarray,
    lead: np.ndarray,
    price: np.ndarray,
    tt: np.ndarray,
    to: np.ndarray,
    tau: np.ndarray,
    node_start: np.ndarray,
    node_end: np.ndarray,
    k: int,
    dest: int,
    origin: np.ndarray,
    origin_pos: np.ndarray,
    ready: np.ndarray,
    arrive: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The routes of lots (from ``origin`` with ready day ``ready``, bound for ``dest``, the
    ``k``-th destination of ``V``) arriving on days ``arrive``, walked along ``V``: each leaves
    its origin on the first day that achieves its best value (``lead``), waits at a node while
    waiting keeps the value, and takes the first of the node's legs (in sorted order) that
    achieves it. Returns the legs and departure days of all routes end to end, each route's
    number of legs (-1: the walk did not end, a programme out of step with ``V``) and its
    arrival day."""
    T = price.shape[1]
    n = len(origin)
    hops = np.zeros(n, dtype=np.int64)
    arrival = np.zeros(n, dtype=np.int64)
    cap = 16 * n + 16
    legs = np.empty(cap, dtype=np.int64)
    deps = np.empty(cap, dtype=np.int64)
    used = 0
    for i in range(n):
        x = origin[i]
        a = arrive[i]
        t = lead[ready[i], origin_pos[x], k, a]
        step = 0
        while x != dest:
            if step > T or node_start[x] == node_end[x]:
                hops[i] = -1
                break
            if step:  # wait while waiting keeps the value
                while t < T - 1 and not (V[t, x, k, a] < V[t + 1, x, k, a]):
                    t += 1
            best_m = node_start[x]
            best = price[best_m, t] + V[tt[best_m, t], to[best_m], k, a]
            for m in range(node_start[x] + 1, node_end[x]):
                v = price[m, t] + V[tt[m, t], to[m], k, a]
                if v < best:
                    best, best_m = v, m
            if used == cap:
                cap *= 2
                legs2 = np.empty(cap, dtype=np.int64)
                deps2 = np.empty(cap, dtype=np.int64)
                legs2[:used] = legs[:used]
                deps2[:used] = deps[:used]
                legs, deps = legs2, deps2
            legs[used] = best_m
            deps[used] = t
            used += 1
            x = to[best_m]
            t = t + tau[best_m]
            step += 1
            hops[i] = step
        arrival[i] = t
    return legs[:used], deps[:used], hops, arrival


@njit(cache=True, nogil=True)
def arrive(
    suffix: np.ndarray,
    k: np.ndarray,
    o: np.ndarray,
    ready: np.ndarray,
    need: np.ndarray,
    weight: np.ndarray,
    beta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per lot (its destination's place ``k``, its origin's ``o``, ready day, need-by day and
    lateness weight): the least value over arrival days of leaving its origin on or after its
    ready day (``suffix``) plus ``beta`` x its weighted days late, and the first arrival day
    achieving it (0 where none is finite)."""
    T = suffix.shape[3]
    n = len(k)
    best = np.full(n, INF)
    day = np.zeros(n, dtype=np.int64)
    for i in range(n):
        row = suffix[ready[i], o[i], k[i]]
        for a in range(ready[i], T):
            v = row[a] + beta * (weight[i] * max(0, a - need[i]))
            if v < best[i]:
                best[i] = v
                day[i] = a
    return best, day


@njit(cache=True, nogil=True)
def earliest(
    order: np.ndarray,
    units: np.ndarray,
    origins: np.ndarray,
    dests: np.ndarray,
    readies: np.ndarray,
    out_start: np.ndarray,
    out_legs: np.ndarray,
    to: np.ndarray,
    tau: np.ndarray,
    cost: np.ndarray,
    leg_left: np.ndarray,
    node_left: np.ndarray,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``routing.earliest_fill``'s searches: consignment by consignment in ``order``, each on its
    earliest-arriving route (Dijkstra over the nodes, labels (arrival day, cost), the heap
    ordered by (day, cost, node), a node's legs out in index order), as many units as the route
    can take, again until none is left or no route arrives by ``horizon``. ``units``,
    ``leg_left`` and ``node_left`` are updated in place. Returns the parts: consignment,
    quantity, and the number of legs of each, and their legs and departure days one after the
    other."""
    n_nodes = node_left.shape[0]
    label_t = np.empty(n_nodes, dtype=np.int64)
    label_c = np.empty(n_nodes, dtype=np.int64)
    pred_x = np.empty(n_nodes, dtype=np.int64)
    pred_leg = np.empty(n_nodes, dtype=np.int64)
    pred_s = np.empty(n_nodes, dtype=np.int64)
    done = np.zeros(n_nodes, dtype=np.bool_)
    part_k = [np.int64(0) for _ in range(0)]
    part_q = [np.int64(0) for _ in range(0)]
    part_h = [np.int64(0) for _ in range(0)]
    flat_l = [np.int64(0) for _ in range(0)]
    flat_s = [np.int64(0) for _ in range(0)]
    route_l = np.empty(n_nodes, dtype=np.int64)
    route_s = np.empty(n_nodes, dtype=np.int64)
    for k in order:
        o, d = origins[k], dests[k]
        if units[k] == 0 or o == d:
            continue
        ready = readies[k]
        while units[k] > 0:
            label_t[:] = horizon + 1
            label_c[:] = 0
            done[:] = False
            label_t[o] = ready
            heap = [(ready, np.int64(0), o)]
            while len(heap):
                t, c, x = heapq.heappop(heap)
                if done[x]:
                    continue
                done[x] = True
                if x == d:
                    break
                for i in range(out_start[x], out_start[x + 1]):
                    leg = out_legs[i]
                    y, tr = to[leg], tau[leg]
                    if done[y]:
                        continue
                    s = t
                    while s + tr <= horizon and not (
                        leg_left[leg, s] > 0
                        and node_left[y, s + tr] > 0
                        and (x != o or node_left[o, s] > 0)
                    ):
                        s += 1
                    if s + tr > horizon:
                        continue
                    nt, nc = s + tr, c + cost[leg]
                    if nt < label_t[y] or (nt == label_t[y] and nc < label_c[y]):
                        label_t[y], label_c[y] = nt, nc
                        pred_x[y], pred_leg[y], pred_s[y] = x, leg, s
                        heapq.heappush(heap, (nt, nc, y))
            if not done[d]:
                break
            hops = 0
            y = d
            while y != o:
                route_l[hops], route_s[hops] = pred_leg[y], pred_s[y]
                hops += 1
                y = pred_x[y]
            route_l[:hops] = route_l[:hops][::-1].copy()
            route_s[:hops] = route_s[:hops][::-1].copy()
            room = node_left[o, route_s[0]]
            for i in range(hops):
                leg, s = route_l[i], route_s[i]
                room = min(room, leg_left[leg, s], node_left[to[leg], s + tau[leg]])
            take = min(units[k], room)
            node_left[o, route_s[0]] -= take
            for i in range(hops):
                leg, s = route_l[i], route_s[i]
                leg_left[leg, s] -= take
                node_left[to[leg], s + tau[leg]] -= take
                flat_l.append(leg)
                flat_s.append(s)
            part_k.append(np.int64(k))
            part_q.append(take)
            part_h.append(np.int64(hops))
            units[k] -= take
    return (
        _array(part_k),
        _array(part_q),
        _array(part_h),
        _array(flat_l),
        _array(flat_s),
    )


@njit(cache=True, nogil=True)
def _array(values: list[np.int64]) -> np.ndarray:
    out = np.empty(len(values), dtype=np.int64)
    for i in range(len(values)):
        out[i] = values[i]
    return out
