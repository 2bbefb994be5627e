"""Seeded, realistic routing instances for benchmarks and tests (no Django).

``generate_routing(n_cons, seed=...)`` returns a :class:`~convoy.solvers.routing.RoutingProblem`
shaped like the mission's supply lines: 40 donor depots across Europe, 8 logistic hubs near the
Ukrainian border (Rzeszów, Lublin, Suceava, ...) and 12 destinations in Ukraine, 60 nodes in all,
and about 200 directed legs: every depot by road to its three nearest hubs (600 km a day) and by
rail to one or two (400 km a day, a day of loading, cheaper, carrying more), hubs to each other,
and every hub by road (and a few by rail) to the destinations within reach. Transit is whole days
from great-circle km (x1.25 for roads); cost is km per unit (rail 60% of road). Hubs handle 250 to
500 units a day and border legs carry 25 to 80 a day, so peaks queue at the border; depots and
destinations have no limit, bar two destinations near the front (throughput 120).

Consignments: ready days spread over the horizon (a surge in the second month), need-by 4 to 25
days after ready (a few already impossible), priorities 1..4 (10/20/40/30%), sizes 1..20 pallets
(most small), origins weighted towards the big depots; a few come from a depot with no legs out
(unreachable, to be reported) and a few from the hubs themselves.
"""

from __future__ import annotations

import numpy as np

from convoy.solvers.routing import RoutingProblem

DEPOTS = (
    ("Warsaw", 52.23, 21.01),
    ("Kraków", 50.06, 19.94),
    ("Gdańsk", 54.35, 18.65),
    ("Poznań", 52.41, 16.93),
    ("Wrocław", 51.11, 17.04),
    ("Berlin", 52.52, 13.40),
    ("Hamburg", 53.55, 9.99),
    ("Munich", 48.14, 11.58),
    ("Frankfurt", 50.11, 8.68),
    ("Cologne", 50.94, 6.96),
    ("Leipzig", 51.34, 12.37),
    ("Prague", 50.08, 14.44),
    ("Brno", 49.20, 16.61),
    ("Bratislava", 48.15, 17.11),
    ("Vienna", 48.21, 16.37),
    ("Budapest", 47.50, 19.04),
    ("Debrecen", 47.53, 21.63),
    ("Bucharest", 44.43, 26.10),
    ("Cluj-Napoca", 46.77, 23.59),
    ("Sofia", 42.70, 23.32),
    ("Varna", 43.21, 27.91),
    ("Constanța", 44.18, 28.63),
    ("Vilnius", 54.69, 25.28),
    ("Kaunas", 54.90, 23.90),
    ("Riga", 56.95, 24.11),
    ("Tallinn", 59.44, 24.75),
    ("Helsinki", 60.17, 24.94),
    ("Stockholm", 59.33, 18.07),
    ("Copenhagen", 55.68, 12.57),
    ("Oslo", 59.91, 10.75),
    ("Amsterdam", 52.37, 4.90),
    ("Brussels", 50.85, 4.35),
    ("Paris", 48.86, 2.35),
    ("Lyon", 45.76, 4.84),
    ("Rome", 41.90, 12.50),
    ("Milan", 45.46, 9.19),
    ("Madrid", 40.42, -3.70),
    ("Lisbon", 38.72, -9.14),
    ("London", 51.51, -0.13),
    ("Athens", 37.98, 23.73),
)
HUBS = (
    ("Rzeszów", 50.04, 22.00),
    ("Lublin", 51.25, 22.57),
    ("Przemyśl", 49.78, 22.77),
    ("Chełm", 51.14, 23.47),
    ("Košice", 48.72, 21.26),
    ("Suceava", 47.65, 26.26),
    ("Iași", 47.16, 27.59),
    ("Chișinău", 47.01, 28.86),
)
DESTINATIONS = (
    ("Kyiv", 50.45, 30.52),
    ("Lviv", 49.84, 24.03),
    ("Kharkiv", 49.99, 36.23),
    ("Odesa", 46.48, 30.72),
    ("Dnipro", 48.46, 35.05),
    ("Zaporizhzhia", 47.84, 35.14),
    ("Mykolaiv", 46.98, 31.99),
    ("Poltava", 49.59, 34.55),
    ("Vinnytsia", 49.23, 28.47),
    ("Rivne", 50.62, 26.25),
    ("Kramatorsk", 48.72, 37.56),
    ("Zhytomyr", 50.25, 28.66),
)
FRONT = ("Kharkiv", "Kramatorsk")
UKRAINE_RAIL = (
    ("Lviv", "Kyiv"),
    ("Kyiv", "Poltava"),
    ("Poltava", "Kharkiv"),
    ("Kyiv", "Dnipro"),
    ("Dnipro", "Zaporizhzhia"),
    ("Dnipro", "Kramatorsk"),
    ("Odesa", "Mykolaiv"),
    ("Kyiv", "Vinnytsia"),
    ("Vinnytsia", "Odesa"),
)
EARTH_KM = 6371.0


def _km(a: tuple[str, float, float], b: tuple[str, float, float]) -> float:
    p1, p2 = np.radians(a[1]), np.radians(b[1])
    dl = np.radians(b[2] - a[2])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_KM * np.arcsin(np.sqrt(min(1.0, h))))


def generate_routing(
    n_cons: int, *, seed: int = 0, horizon: int = 90, load: float = 1.0
) -> RoutingProblem:
    """A seeded instance of ``n_cons`` consignments over ``horizon`` days.

    ``load`` scales the consignment sizes (1.0: peaks just above what the border can take).
    """
    rng = np.random.default_rng(seed)
    nodes = DEPOTS + HUBS + DESTINATIONS
    n_dep, n_hub = len(DEPOTS), len(HUBS)
    hub0, dest0 = n_dep, n_dep + n_hub
    node_capacity = np.zeros(len(nodes), dtype=np.int64)
    node_capacity[hub0:dest0] = rng.integers(250, 501, n_hub)
    for name in FRONT:
        node_capacity[dest0 + [d[0] for d in DESTINATIONS].index(name)] = 120

    legs: dict[tuple[int, int], tuple[int, int, int]] = {}  # (from, to) -> transit, cap, cost

    def road(a: int, b: int, cap: int) -> None:
        km = _km(nodes[a], nodes[b]) * 1.25
        legs.setdefault((a, b), (max(1, int(np.ceil(km / 600))), cap, round(km)))

    def rail(a: int, b: int, cap: int) -> None:
        km = _km(nodes[a], nodes[b]) * 1.1
        transit = 1 + max(1, int(np.ceil(km / 400)))
        legs[(a, b)] = (transit, cap, round(0.6 * km))

    silent = n_dep - 1  # one depot has no legs out: its consignments are unreachable
    for dep in range(n_dep - 1):
        by_km = sorted(range(hub0, dest0), key=lambda h: _km(nodes[dep], nodes[h]))
        for h in by_km[:3]:
            road(dep, h, int(rng.integers(20, 61)))
        for h in by_km[: int(rng.integers(1, 3))]:
            rail(dep, h, int(rng.integers(60, 161)))
    for h in range(hub0, dest0):
        for g in range(hub0, dest0):
            if h != g and _km(nodes[h], nodes[g]) < 450:
                road(h, g, 60)
        by_km = sorted(range(dest0, len(nodes)), key=lambda d: _km(nodes[h], nodes[d]))
        for d in by_km[:4]:
            road(h, d, int(rng.integers(25, 81)))
        for d in by_km[:2]:
            rail(h, d, int(rng.integers(40, 101)))
    for d in range(dest0, len(nodes)):  # every destination from its three nearest hubs
        by_km = sorted(range(hub0, dest0), key=lambda h: _km(nodes[h], nodes[d]))
        for h in by_km[:3]:
            road(h, d, int(rng.integers(25, 81)))
    names = [n[0] for n in nodes]
    for a, b in UKRAINE_RAIL:  # forwarding inside Ukraine, both ways
        rail(names.index(a), names.index(b), 80)
        rail(names.index(b), names.index(a), 80)
    pairs = sorted(legs)
    leg_from = np.array([p[0] for p in pairs], dtype=np.int64)
    leg_to = np.array([p[1] for p in pairs], dtype=np.int64)
    leg_transit = np.array([legs[p][0] for p in pairs], dtype=np.int64)
    leg_capacity = np.array([legs[p][1] for p in pairs], dtype=np.int64)
    leg_cost = np.array([legs[p][2] for p in pairs], dtype=np.int64)

    # consignments
    depot_weight = rng.pareto(1.5, n_dep) + 0.2
    depot_weight[silent] = 0.02 * depot_weight.sum()
    origin = rng.choice(n_dep, n_cons, p=depot_weight / depot_weight.sum())
    from_hub = rng.random(n_cons) < 0.05
    origin[from_hub] = rng.integers(hub0, dest0, int(from_hub.sum()))
    dest_weight = rng.uniform(0.5, 2.0, len(DESTINATIONS))
    destination = dest0 + rng.choice(len(DESTINATIONS), n_cons, p=dest_weight / dest_weight.sum())
    surge = rng.random(n_cons) < 0.3
    last = max(horizon - 10, 1)
    ready = np.where(
        surge,
        rng.integers(min(30, last), min(60, last) + 1, n_cons),
        rng.integers(0, last + 1, n_cons),
    )
    need_by = ready + rng.integers(4, 26, n_cons)
    priority = rng.choice(np.arange(1, 5), n_cons, p=[0.1, 0.2, 0.4, 0.3])
    size = np.minimum(np.exp(rng.uniform(0, np.log(21), n_cons)).astype(np.int64), 20)
    size = np.maximum(1, np.rint(size * load)).astype(np.int64)
    return RoutingProblem(
        node_capacity=node_capacity,
        leg_from=leg_from,
        leg_to=leg_to,
        leg_transit=leg_transit,
        leg_capacity=leg_capacity,
        leg_cost=leg_cost,
        cons_origin=origin,
        cons_destination=destination,
        cons_ready=ready,
        cons_need_by=need_by,
        cons_priority=priority,
        cons_size=size,
        horizon=horizon,
    )
