"""Benchmark: synthetic generation (bulk) vs the same requirements written one by one through
the audited services, and the dashboard selectors at that scale. One run, side by side.

    .venv/bin/python bench/generate.py [--requirements 100000] [--sample 1000]

Runs on a fresh SQLite file in a temporary folder (or on DATABASE_URL if set: use a scratch
database). Target (issue #2): 100k requirements generate in under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from scratch import scratch_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requirements", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000, help="records via services")
    args = parser.parse_args()

    tmp = scratch_django()
    from django.contrib.auth import get_user_model

    from convoy.catalog.models import Item
    from convoy.demo.generate import generate
    from convoy.demo.loader import bootstrap_admin, load_reference
    from convoy.logistics.models import Node
    from convoy.nations.models import Nation
    from convoy.planning.selectors import coverage, donor_totals
    from convoy.requirements import services

    t0 = time.perf_counter()
    load_reference(bootstrap_admin())
    t_ref = time.perf_counter() - t0

    n = args.requirements
    t0 = time.perf_counter()
    generate(requirements=n, pledges=n // 5, items=500, seed=1)
    t_bulk = time.perf_counter() - t0

    actor = get_user_model().objects.get(username="command")
    ukr = Nation.objects.get(code="UKR")
    dest = Node.objects.filter(kind="destination").first()
    items = list(Item.objects.all()[:50])
    t0 = time.perf_counter()
    for k in range(args.sample):
        services.requirement_create(
            actor=actor,
            data={
                "title": f"bench {k}",
                "item": items[k % len(items)],
                "quantity": 1 + k % 40,
                "priority": 1 + k % 4,
                "needed_by": dt.date(2027, 1, 1),
                "destination": dest,
                "owner": ukr,
            },
        )
    t_service = time.perf_counter() - t0
    per_service = t_service / args.sample
    per_bulk = t_bulk / (n + 2 * (n // 5))

    t0 = time.perf_counter()
    cov = coverage(actor=actor)
    t_cov = time.perf_counter() - t0
    t0 = time.perf_counter()
    donor_totals(actor=actor)
    t_don = time.perf_counter() - t0
    pol = get_user_model().objects.get(username="pol")
    t0 = time.perf_counter()
    coverage(actor=pol)
    t_cov_pol = time.perf_counter() - t0

    print()
    print(f"Convoy generate benchmark: {n:,} requirements + {n // 5:,} pledges (1 line each)")
    print(f"database: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'SQLite ' + tmp}")
    print()
    print(f"{'what':<52} {'time':>10} {'per record':>12}")
    print(f"{'reference data (services, once per database)':<52} {t_ref:>9.1f}s {'':>12}")
    print(f"{'generate (bulk, one audit event)':<52} {t_bulk:>9.1f}s {per_bulk * 1e6:>10.0f}us")
    print(
        f"{f'requirement_create via services (sample {args.sample:,})':<52} "
        f"{t_service:>9.1f}s {per_service * 1e6:>10.0f}us"
    )
    print(f"{'  ratio services / bulk, per record':<52} {per_service / per_bulk:>9.0f}x")
    print(f"{f'  {n:,} requirements via services (extrapolated)':<52} {per_service * n:>9.0f}s")
    print(f"{'coverage selector, command (sees all)':<52} {t_cov:>9.2f}s")
    print(f"{'coverage selector, POL (restricted)':<52} {t_cov_pol:>9.2f}s")
    print(f"{'donor totals, command':<52} {t_don:>9.2f}s")
    print()
    target = t_ref + t_bulk
    print(
        f"target: {n:,} requirements in < 60 s end to end: {target:.1f} s "
        f"({'met' if target < 60 else 'MISSED'}); coverage {cov.total.coverage_pct} %"
    )


if __name__ == "__main__":
    main()
