"""Benchmark: one allocation plan run end to end, as the background job runs it.

    .venv/bin/python bench/allocation_e2e.py [--size 100000] [--seed 0] [--db sqlite|postgres]
                                             [--repeat 1]

A fresh throwaway database (a temporary SQLite file, or a scratch PostgreSQL database
``convoy_bench`` on ``--pg-url``, dropped afterwards) is migrated and filled in bulk (not timed)
with the scenario of ``convoy.solvers.generate.generate(size, seed)``: its 500 items in 20
categories with their substitutes, its destinations and depots as nodes, its requirements
(validated; item or category level; priority, needed-by day, quantity, capability), its pledge
lines (accepted; depot, availability, quantity, donor conditions) in pledges of about five lines
by the depot's nation, its fixed allocations as manual ones, and a coordinator of the command
nation.

Then ``plan_request`` + ``plan_compute`` run for real and the phases come from ``plan.timings``:
reading the inputs and labels through ``restrict()`` (``planning_inputs``), the solve, the
explanations, storing rows, gaps and the audited plan update (``_store``), the summary. Wall
clock per phase; the run's CPU seconds (this process and the solver's finished worker
processes; on PostgreSQL the server's work is not in it) next to its wall clock, as the machine
may be shared. ``--repeat`` runs the plan again on the same data (each run is a new plan).
Checks: the stored objective equals a direct ``solve()`` of the Problem read again from the
database, and that of the generated Problem itself (the database round trip loses nothing).
Target: <= 15 s wall for 100k requirement lines x 20k pledge lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from convoy.solvers.allocation import NONE, Problem, solve
from convoy.solvers.generate import DEPOTS, DESTINATIONS, N_CAPABILITIES, generate

TARGET_S = 15.0
BATCH = 5000
LINES_PER_PLEDGE = 5
PG_DB = "convoy_bench"

# the generator's categories: the demo's thirteen, then seven more
EXTRA_CATEGORIES = (
    ("fuel", "Fuel and lubricants"),
    ("spares", "Spare parts"),
    ("ew", "Electronic warfare"),
    ("isr", "Surveillance and reconnaissance"),
    ("protection", "Personal protection"),
    ("bridging", "Bridging"),
    ("power", "Power generation"),
)
# depot cities' nations (the donors whose pledges ship from them)
DEPOT_NATION = {
    "Rzeszów": "POL", "Warsaw": "POL", "Kraków": "POL", "Lublin": "POL", "Gdańsk": "POL",
    "Poznań": "POL", "Wrocław": "POL", "Suceava": "ROU", "Constanța": "ROU", "Bucharest": "ROU",
    "Cluj-Napoca": "ROU", "Košice": "SVK", "Bratislava": "SVK", "Chișinău": "ROU",
    "Berlin": "DEU", "Hamburg": "DEU", "Munich": "DEU", "Frankfurt": "DEU", "Cologne": "DEU",
    "Leipzig": "DEU", "Prague": "CZE", "Brno": "CZE", "Vienna": "AUT", "Budapest": "HUN",
    "Debrecen": "HUN", "Sofia": "BGR", "Varna": "BGR", "Vilnius": "LTU", "Kaunas": "LTU",
    "Riga": "LVA", "Tallinn": "EST", "Helsinki": "FIN", "Stockholm": "SWE", "Copenhagen": "DNK",
    "Oslo": "NOR", "Amsterdam": "NLD", "Brussels": "BEL", "Paris": "FRA", "Rome": "ITA",
    "Madrid": "ESP",
}  # fmt: skip
NO_DEPOT_DONORS = ("USA", "GBR", "CAN")  # lines not yet routed: overseas donors


# --- the database -------------------------------------------------------------------------------


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup(db: str, pg_url: str) -> str:
    """A fresh database, migrated; returns a description of it."""
    if db == "postgres":
        _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg_admin(pg_url, f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        os.environ.pop("DATABASE_URL", None)
    from scratch import scratch_django

    folder = scratch_django()
    from django.conf import settings

    settings.DEBUG = False  # as the worker runs: no query log
    return f"PostgreSQL {PG_DB}" if db == "postgres" else f"SQLite {folder}"


def teardown(db: str, pg_url: str) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    folder = Path(settings.VAR_DIR)
    if folder.name.startswith("convoy-bench-"):  # the scratch folder of scratch_django only
        shutil.rmtree(folder, ignore_errors=True)
    if db == "postgres":
        _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def populate(P: Problem) -> Any:
    """The generated instance as database rows (bulk); returns the coordinator."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from convoy.catalog.models import Capability, Category, Item
    from convoy.demo import data
    from convoy.logistics.models import Node
    from convoy.nations.models import Membership, Nation
    from convoy.planning.models import Allocation
    from convoy.pledges.models import Pledge, PledgeLine
    from convoy.requirements.models import Requirement

    assert P.line_capability is not None and P.req_capability is not None
    with transaction.atomic():
        names = {code: name for code, name, _kind in data.NATIONS}
        codes = sorted(set(DEPOT_NATION.values()) | set(NO_DEPOT_DONORS))
        nations = {
            code: Nation.objects.create(code=code, name=names.get(code, code), kind="ally")
            for code in codes
        }
        command = Nation.objects.create(
            code=settings.CONVOY_COMMAND_NATION, name="NATO command", kind="command"
        )
        partner = Nation.objects.create(
            code=settings.CONVOY_PARTNER_NATION, name="Ukraine", kind="partner"
        )
        user = get_user_model().objects.create_user("coordinator", password="bench-only-1")
        Membership.objects.create(user=user, nation=command, roles=["coordinator", "approver"])

        n_cats = int(P.item_category.max()) + 1
        cat_rows = (list(data.CATEGORIES) + list(EXTRA_CATEGORIES))[:n_cats]
        cats = Category.objects.bulk_create(
            [Category(code=code, name=name) for code, name in cat_rows]
        )
        values = np.exp(np.random.default_rng(7).normal(10.0, 2.0, len(P.item_category)))
        items = Item.objects.bulk_create(
            [
                Item(
                    name=f"{cats[c].name} type {i:03d}",
                    category_id=cats[c].pk,
                    unit_value_eur=Decimal(f"{max(values[i], 1.0):.2f}"),
                )
                for i, c in enumerate(P.item_category.tolist())
            ]
        )
        item_pk = [it.pk for it in items]
        Subs = Item.substitutes.through
        Subs.objects.bulk_create(
            [Subs(from_item_id=item_pk[a], to_item_id=item_pk[b]) for a, b in P.substitutes]
        )
        caps = Capability.objects.bulk_create(
            [Capability(name=c["name"]) for c in data.CAPABILITIES[:N_CAPABILITIES]]
        )
        nodes = Node.objects.bulk_create(
            [
                Node(
                    name=name,
                    kind="destination" if s < len(DESTINATIONS) else "depot",
                    nation=partner if s < len(DESTINATIONS) else nations[DEPOT_NATION[name]],
                    latitude=Decimal(f"{lat:.5f}"),
                    longitude=Decimal(f"{lon:.5f}"),
                    daily_capacity=200,
                )
                for s, (name, lat, lon) in enumerate(DESTINATIONS + DEPOTS)
            ]
        )
        node_pk = [n.pk for n in nodes]

        # requirements, in a shuffled order of references (the planner sorts them itself)
        req_pks: list[int] = []
        day = dt.date.fromordinal
        for start in range(0, P.n_reqs, BATCH):
            stop = min(start + BATCH, P.n_reqs)
            rows = zip(
                range(start, stop),
                P.req_item[start:stop].tolist(),
                P.req_category[start:stop].tolist(),
                P.req_destination[start:stop].tolist(),
                P.req_needed_by[start:stop].tolist(),
                P.req_priority[start:stop].tolist(),
                P.req_capability[start:stop].tolist(),
                P.req_qty[start:stop].tolist(),
                strict=True,
            )
            batch = [
                Requirement(
                    reference=f"REQ-2026-{r + 1:06d}",
                    title=f"{items[it].name if it != NONE else cats[c].name} for "
                    f"{DESTINATIONS[d][0]}",
                    item_id=item_pk[it] if it != NONE else None,
                    category_id=cats[c].pk if it == NONE else None,
                    quantity=q,
                    priority=p,
                    needed_by=day(nb),
                    destination_id=node_pk[d],
                    capability_id=caps[cp].pk if cp != NONE else None,
                    status=Requirement.Status.VALIDATED,
                    owner_id=partner.pk,
                )
                for r, it, c, d, nb, p, cp, q in rows
            ]
            req_pks += [x.pk for x in Requirement.objects.bulk_create(batch)]

        # pledges: the lines of one donor, about five to a pledge
        donor = [
            DEPOT_NATION[DEPOTS[d - len(DESTINATIONS)][0]]
            if d != NONE
            else NO_DEPOT_DONORS[k % len(NO_DEPOT_DONORS)]
            for k, d in enumerate(P.line_depot.tolist())
        ]
        by_donor: dict[str, list[int]] = {}
        for k, code in enumerate(donor):
            by_donor.setdefault(code, []).append(k)
        groups = [
            (code, ks[i : i + LINES_PER_PLEDGE])
            for code, ks in sorted(by_donor.items())
            for i in range(0, len(ks), LINES_PER_PLEDGE)
        ]
        pledges = Pledge.objects.bulk_create(
            [
                Pledge(
                    reference=f"PLG-{code}-{g + 1:05d}",
                    title=f"{code} package {g + 1}",
                    kind=Pledge.Kind.IN_KIND,
                    pledged_on=dt.date(2025, 11, 1) + dt.timedelta(days=g % 60),
                    owner_id=nations[code].pk,
                )
                for g, (code, _ks) in enumerate(groups)
            ],
            batch_size=BATCH,
        )
        Released = Pledge.released_to.through
        Released.objects.bulk_create(
            [Released(pledge_id=p.pk, nation_id=partner.pk) for p in pledges], batch_size=BATCH
        )
        pledge_of = np.zeros(P.n_lines, dtype=np.int64)
        for p, (_code, ks) in zip(pledges, groups, strict=True):
            pledge_of[ks] = p.pk

        fixed = np.bincount(P.fixed_line, P.fixed_qty, minlength=P.n_lines).astype(np.int64)
        line_pks: list[int] = []
        for start in range(0, P.n_lines, BATCH):
            stop = min(start + BATCH, P.n_lines)
            rows2 = zip(
                range(start, stop),
                P.line_item[start:stop].tolist(),
                P.line_depot[start:stop].tolist(),
                P.line_available[start:stop].tolist(),
                P.line_qty[start:stop].tolist(),
                P.line_capability[start:stop].tolist(),
                strict=True,
            )
            batch2 = [
                PledgeLine(
                    pledge_id=int(pledge_of[k]),
                    item_id=item_pk[it],
                    quantity=q,
                    accepted=q - int(fixed[k]),
                    allocated=int(fixed[k]),
                    available_from=day(av),
                    source_depot_id=node_pk[d] if d != NONE else None,
                    condition_capability_id=caps[cp].pk if cp != NONE else None,
                    conditions=(
                        f"only for {caps[cp].name}"
                        if cp != NONE
                        else "only to named destinations"
                        if k in P.line_destinations
                        else ""
                    ),
                )
                for k, it, d, av, q, cp in rows2
            ]
            line_pks += [x.pk for x in PledgeLine.objects.bulk_create(batch2)]
        Dest = PledgeLine.condition_destinations.through
        Dest.objects.bulk_create(
            [
                Dest(pledgeline_id=line_pks[k], node_id=node_pk[d])
                for k, ds in sorted(P.line_destinations.items())
                for d in sorted(ds)
            ]
        )
        Allocation.objects.bulk_create(
            [
                Allocation(
                    pledge_line_id=line_pks[ln],
                    requirement_id=req_pks[r],
                    quantity=q,
                    kind=Allocation.Kind.MANUAL,
                    locked=True,
                    reason="allocated by hand",
                )
                for ln, r, q in zip(
                    P.fixed_line.tolist(), P.fixed_req.tolist(), P.fixed_qty.tolist(), strict=True
                )
            ]
        )
    return user


# --- the run ------------------------------------------------------------------------------------

PHASES = (
    ("read", "read: planning_inputs through restrict()"),
    ("solve", "solve (incl. job progress writes)"),
    ("explain", "explain"),
    ("store", "store: rows, gaps, plan update, audit"),
    ("summary", "summary: coverage before/after"),
)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the solver's workers)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_once(user: Any) -> tuple[Any, float, float]:
    """One plan, as the job runs it; returns (plan, wall s, CPU s)."""
    from convoy.planning.services import plan_compute, plan_request

    plan = plan_request(actor=user, title="bench", parameters={})
    w0, c0 = time.perf_counter(), cpu_seconds()
    plan = plan_compute(plan_id=plan.pk)
    return plan, time.perf_counter() - w0, cpu_seconds() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="requirement lines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=1, help="plan runs on the same data")
    args = parser.parse_args()

    where = setup(args.db, args.pg_url)
    try:
        _bench(args, where)
    finally:
        teardown(args.db, args.pg_url)


def _bench(args: argparse.Namespace, where: str) -> None:
    from convoy.planning.models import PlanGap, PlanRow
    from convoy.planning.selectors import planning_inputs

    P = generate(args.size, seed=args.seed)
    t0 = time.perf_counter()
    user = populate(P)
    t_fill = time.perf_counter() - t0
    print(
        f"\nConvoy allocation plan end to end: {P.n_reqs:,} requirement lines x "
        f"{P.n_lines:,} pledge lines, {len(P.item_category)} items, seed {args.seed}"
    )
    print(f"{where}; populated in {t_fill:.1f} s (not timed)")

    runs = []
    for _ in range(max(1, args.repeat)):
        runs.append(run_once(user))
    plan = runs[-1][0]

    width = 44
    head = f"{'phase':<{width}}" + "".join(f"{f'run {k + 1}':>10}" for k in range(len(runs)))
    print()
    print(head)
    print("-" * len(head))
    for key, label in PHASES:
        cells = "".join(f"{run[0].timings.get(key, float('nan')):>10.2f}" for run in runs)
        print(f"{label:<{width}}{cells}")
    print("-" * len(head))
    print(f"{'total wall (plan_compute)':<{width}}" + "".join(f"{w:>10.2f}" for _p, w, _c in runs))
    print(
        f"{'total CPU (process + solver workers)':<{width}}"
        + "".join(f"{c:>10.2f}" for _p, _w, c in runs)
    )
    solver = {
        k: v
        for k, v in plan.timings.items()
        if k not in dict(PHASES) and k not in ("run", "run_cpu")
    }
    print(f"\nsolver phases (last run): {', '.join(f'{k} {v:.2f}' for k, v in solver.items())}")
    print(
        f"rows {PlanRow.objects.filter(plan=plan).count():,}, "
        f"gaps {PlanGap.objects.filter(plan=plan).count():,}, "
        f"kept {plan.inputs['kept_allocations']}"
    )

    # checks: the stored objective is the solver's, on the database's Problem and the generated one
    stored = {k: v for k, v in plan.objective.items() if k != "graph"}
    again = solve(planning_inputs(actor=user, parameters=plan.parameters).problem)
    direct = solve(P)
    ok_db = again.objective.as_dict() == stored
    ok_gen = direct.objective.as_dict() == stored
    print(f"objective {stored}")
    print(f"= direct solve of the Problem read again: {ok_db}; of the generated Problem: {ok_gen}")
    best = min(w for _p, w, _c in runs)
    verdict = "meets" if best <= TARGET_S else "MISSES"
    print(f"best wall {best:.2f} s: {verdict} the target of <= {TARGET_S:.0f} s")
    if not (ok_db and ok_gen):
        raise SystemExit("objective mismatch")


if __name__ == "__main__":
    main()
