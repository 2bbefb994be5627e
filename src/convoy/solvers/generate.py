"""Seeded, realistic allocation instances for benchmarks and tests (no Django).

``generate(n_reqs, seed=...)`` returns a :class:`~convoy.solvers.allocation.Problem` shaped like a
busy mission: 500 items in 20 categories (a few popular items carry most lines), some substitute
relations within a category, about 10% category-level requirements, 20 partner destinations at
Ukrainian cities (the front-line ones busier) and 40 donor depots across Europe (the hubs near the
border busier), available and needed-by days spread over a year so that a real share of pairs is
late, priorities 1..4, quantities like real lines (requirements 1..60, pledge lines 1..200, most
of them small), about 5% of pledge lines with a donor condition (capability or destinations), a
few lines without a depot and a few fixed allocations. Pledge lines default to 20% as many as
requirements, so supply is short and priorities matter.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from convoy.solvers.allocation import NONE, Problem

# (name, lat, lon): partner destinations, then donor depots
DESTINATIONS = (
    ("Kyiv", 50.45, 30.52),
    ("Kharkiv", 49.99, 36.23),
    ("Odesa", 46.48, 30.72),
    ("Dnipro", 48.46, 35.05),
    ("Lviv", 49.84, 24.03),
    ("Zaporizhzhia", 47.84, 35.14),
    ("Mykolaiv", 46.98, 31.99),
    ("Kherson", 46.64, 32.62),
    ("Poltava", 49.59, 34.55),
    ("Sumy", 50.91, 34.80),
    ("Chernihiv", 51.50, 31.29),
    ("Zhytomyr", 50.25, 28.66),
    ("Vinnytsia", 49.23, 28.47),
    ("Rivne", 50.62, 26.25),
    ("Lutsk", 50.75, 25.33),
    ("Ternopil", 49.55, 25.59),
    ("Ivano-Frankivsk", 48.92, 24.71),
    ("Uzhhorod", 48.62, 22.29),
    ("Kropyvnytskyi", 48.51, 32.26),
    ("Kramatorsk", 48.72, 37.56),
)
FRONT = ("Kharkiv", "Dnipro", "Zaporizhzhia", "Kramatorsk", "Kherson", "Mykolaiv", "Sumy")
DEPOTS = (
    ("Rzeszów", 50.04, 22.00),
    ("Warsaw", 52.23, 21.01),
    ("Kraków", 50.06, 19.94),
    ("Lublin", 51.25, 22.57),
    ("Suceava", 47.65, 26.26),
    ("Košice", 48.72, 21.26),
    ("Constanța", 44.18, 28.63),
    ("Chișinău", 47.01, 28.86),
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
    ("Rome", 41.90, 12.50),
    ("Madrid", 40.42, -3.70),
)
HUBS = 8  # the first depots, near the border, ship most lines
N_CAPABILITIES = 8
START_DAY = dt.date(2026, 1, 1).toordinal()


def _log_uniform(rng: np.random.Generator, high: int, n: int) -> np.ndarray:
    """Integers 1..high, most of them small (as real quantities are)."""
    return np.minimum(np.exp(rng.uniform(0.0, np.log(high + 1), n)).astype(np.int64), high)


def _popularity(rng: np.random.Generator, n: int) -> np.ndarray:
    """A Zipf-like share per item, in a random order."""
    p = 1.0 / (np.arange(n) + 10.0)
    return rng.permutation(p / p.sum())


def generate(
    n_reqs: int,
    n_lines: int | None = None,
    *,
    seed: int = 0,
    n_items: int = 500,
    n_categories: int = 20,
) -> Problem:
    """A seeded instance of ``n_reqs`` requirements and ``n_lines`` (default 20%) pledge lines."""
    rng = np.random.default_rng(seed)
    n_lines = max(1, n_reqs // 5) if n_lines is None else n_lines
    n_dest = len(DESTINATIONS)
    sites = DESTINATIONS + DEPOTS
    site_lat = np.array([s[1] for s in sites])
    site_lon = np.array([s[2] for s in sites])

    # items: every category has some, the rest spread unevenly
    item_category = np.concatenate(
        [
            np.arange(n_categories),
            rng.choice(
                n_categories, n_items - n_categories, p=rng.dirichlet(np.full(n_categories, 2.0))
            ),
        ]
    )
    item_category = np.sort(item_category)
    pop = _popularity(rng, n_items)
    line_pop = 0.8 * pop + 0.2 / n_items  # donors offer what is asked, and some odd things

    # substitutes: ~15% of items can be replaced by one or two items of their category
    pairs: set[tuple[int, int]] = set()
    for b in rng.choice(n_items, n_items * 15 // 100, replace=False):
        same = np.nonzero(item_category == item_category[b])[0]
        same = same[same != b]
        if len(same):
            for a in rng.choice(same, min(len(same), int(rng.integers(1, 3))), replace=False):
                pairs.add((int(a), int(b)))  # a line of item a may serve a need for item b
    substitutes = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)

    # requirements
    dest_w = np.array([3.0 if name in FRONT else 1.0 for name, _, _ in DESTINATIONS])
    req_item = rng.choice(n_items, n_reqs, p=pop)
    req_category = item_category[req_item]
    is_cat = rng.random(n_reqs) < 0.10
    req_item = np.where(is_cat, NONE, req_item)
    req_destination = rng.choice(n_dest, n_reqs, p=dest_w / dest_w.sum())
    req_needed_by = START_DAY + rng.integers(20, 380, n_reqs)
    req_priority = rng.choice([1, 2, 3, 4], n_reqs, p=[0.10, 0.25, 0.40, 0.25])
    req_qty = _log_uniform(rng, 60, n_reqs)
    req_capability = np.where(
        rng.random(n_reqs) < 0.6, rng.integers(0, N_CAPABILITIES, n_reqs), NONE
    )

    # pledge lines
    depot_w = np.array([6.0] * HUBS + [1.0] * (len(DEPOTS) - HUBS))
    line_item = rng.choice(n_items, n_lines, p=line_pop / line_pop.sum())
    line_depot = n_dest + rng.choice(len(DEPOTS), n_lines, p=depot_w / depot_w.sum())
    line_depot[rng.random(n_lines) < 0.002] = NONE  # not yet routed: left out
    line_available = START_DAY + rng.integers(0, 365, n_lines)
    line_qty = _log_uniform(rng, 200, n_lines)
    condition = rng.random(n_lines)
    line_capability = np.where(
        condition < 0.025, rng.integers(0, N_CAPABILITIES, n_lines), NONE
    ).astype(np.int64)
    line_destinations: dict[int, frozenset[int]] = {}
    for p in np.nonzero((condition >= 0.025) & (condition < 0.05))[0]:
        k = int(rng.integers(1, 4))
        chosen = rng.choice(n_dest, k, replace=False, p=dest_w / dest_w.sum())
        line_destinations[int(p)] = frozenset(int(d) for d in chosen)

    # a few fixed allocations (manual or locked), each on a plain exact-item pair
    n_fixed = max(3, n_reqs // 2000)
    fixed_line: list[int] = []
    fixed_req: list[int] = []
    fixed_qty: list[int] = []
    plain = np.nonzero(
        (line_depot != NONE)
        & (line_capability == NONE)
        & ~np.isin(np.arange(n_lines), list(line_destinations))
    )[0]
    used: set[int] = set()
    for r in rng.permutation(np.nonzero(req_item != NONE)[0]):
        if len(fixed_req) == n_fixed:
            break
        free = [int(q) for q in plain[line_item[plain] == req_item[r]] if int(q) not in used]
        if not free:
            continue
        line = free[0]
        used.add(line)
        fixed_line.append(line)
        fixed_req.append(int(r))
        fixed_qty.append(int(min(line_qty[line], req_qty[r]) + 1) // 2)

    return Problem(
        site_lat=site_lat,
        site_lon=site_lon,
        item_category=item_category,
        line_item=line_item,
        line_depot=line_depot,
        line_available=line_available,
        line_qty=line_qty,
        req_item=req_item,
        req_category=req_category,
        req_destination=req_destination,
        req_needed_by=req_needed_by,
        req_priority=req_priority,
        req_qty=req_qty,
        substitutes=substitutes,
        line_capability=line_capability,
        line_destinations=line_destinations,
        req_capability=req_capability,
        fixed_line=np.array(fixed_line, dtype=np.int64),
        fixed_req=np.array(fixed_req, dtype=np.int64),
        fixed_qty=np.array(fixed_qty, dtype=np.int64),
    )


__all__ = ["DEPOTS", "DESTINATIONS", "generate"]
