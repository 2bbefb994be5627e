"""Synthetic scenarios of any size, reproducible by seed (for benchmarks and load tests).

Bulk-inserts for speed (100k requirements in seconds); the whole generation is one audited write
(``scenario.generate``) rather than one event per synthetic row.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction

from convoy.catalog.models import Category, Item
from convoy.core.audit import audit
from convoy.core.errors import DomainError
from convoy.logistics.models import Node
from convoy.nations.models import Coalition, Nation
from convoy.pledges.models import Pledge, PledgeLine
from convoy.requirements.models import Requirement

from .loader import bootstrap_admin, load_reference

BATCH = 5000
START = dt.date(2026, 12, 1)


def _ensure_items(n: int, rng: np.random.Generator) -> list[Item]:
    items = list(Item.objects.all())
    missing = n - len(items)
    if missing > 0:
        cats = list(Category.objects.all())
        values = np.exp(rng.normal(11.0, 2.5, size=missing)).round(2)
        new = [
            Item(
                name=f"Synthetic {cats[k % len(cats)].code} type {len(items) + k + 1:05d}",
                category=cats[k % len(cats)],
                unit="each",
                unit_value_eur=Decimal(str(max(float(values[k]), 1.0))).quantize(Decimal("0.01")),
                description="synthetic catalogue entry",
            )
            for k in range(missing)
        ]
        Item.objects.bulk_create(new, batch_size=BATCH)
        items = list(Item.objects.all())
    return items[:n] if n > 0 else items


def generate(
    *,
    requirements: int,
    pledges: int,
    lines_per_pledge: int = 1,
    items: int = 500,
    seed: int = 1,
    progress: Callable[[int], Any] = lambda n: None,
) -> dict[str, int]:
    if requirements < 0 or pledges < 0 or lines_per_pledge < 1 or items < 1:
        raise DomainError("Counts must be positive (lines per pledge at least 1).")
    prefix = f"SYN{seed}-"
    if Requirement.objects.filter(reference__startswith=prefix).exists() or (
        Pledge.objects.filter(reference__startswith=prefix).exists()
    ):
        raise DomainError(
            f"A synthetic scenario with seed {seed} exists already; choose another seed."
        )
    admin = bootstrap_admin()
    load_reference(admin)
    # separate streams: whether items had to be created must not shift the scenario's draws
    catalogue = _ensure_items(items, np.random.default_rng([seed, 1]))
    rng = np.random.default_rng([seed, 2])
    item_ids = np.array([i.pk for i in catalogue])
    item_values = np.array([float(i.unit_value_eur) for i in catalogue])
    partner = Nation.objects.get(code=settings.CONVOY_PARTNER_NATION)
    donors = list(
        Nation.objects.filter(kind__in=[Nation.Kind.ALLY, Nation.Kind.CONTRIBUTOR]).values_list(
            "pk", flat=True
        )
    )
    destinations = list(
        Node.objects.filter(kind=Node.Kind.DESTINATION).values_list("pk", flat=True)
    )
    depots = list(Node.objects.filter(kind=Node.Kind.DEPOT).values_list("pk", "nation_id"))
    coalitions = list(Coalition.objects.values_list("pk", flat=True))

    def quantities(k: int, idx: np.ndarray) -> np.ndarray:
        target = np.exp(rng.normal(15.5, 1.2, size=k))
        return np.clip((target / np.maximum(item_values[idx], 1.0)).astype(np.int64), 1, 500_000)

    with transaction.atomic():
        # requirements
        idx = rng.integers(0, len(catalogue), size=requirements)
        qty = quantities(requirements, idx)
        prio = rng.choice([1, 2, 3, 4], p=[0.2, 0.3, 0.3, 0.2], size=requirements)
        days = rng.integers(0, 720, size=requirements)
        dest = rng.integers(0, len(destinations), size=requirements)
        status = rng.choice(
            ["validated", "submitted", "draft", "fulfilled", "cancelled"],
            p=[0.7, 0.12, 0.08, 0.05, 0.05],
            size=requirements,
        )
        coal = rng.integers(0, len(coalitions), size=requirements)
        ReleasedC = Requirement.released_to_coalitions.through
        for start in range(0, requirements, BATCH):
            stop = min(start + BATCH, requirements)
            batch = [
                Requirement(
                    reference=f"{prefix}R{k:07d}",
                    title=f"Synthetic requirement {k}",
                    item_id=int(item_ids[idx[k]]),
                    quantity=int(qty[k]),
                    priority=int(prio[k]),
                    needed_by=START + dt.timedelta(days=int(days[k])),
                    destination_id=destinations[int(dest[k])],
                    status=str(status[k]),
                    owner_id=partner.pk,
                )
                for k in range(start, stop)
            ]
            created = Requirement.objects.bulk_create(batch)
            release_rows = [
                ReleasedC(requirement_id=r.pk, coalition_id=coalitions[int(coal[start + j])])
                for j, r in enumerate(created)
            ]
            ReleasedC.objects.bulk_create(release_rows)
            progress(stop - start)

        # pledges and lines
        n_lines = pledges * lines_per_pledge
        donor_idx = rng.integers(0, len(donors), size=pledges)
        pledged = rng.integers(0, 700, size=pledges)
        lidx = rng.integers(0, len(catalogue), size=n_lines)
        lqty = np.maximum((quantities(n_lines, lidx) * rng.uniform(0.2, 1.0, n_lines)), 1)
        lqty = lqty.astype(np.int64)
        stage = rng.choice(6, p=[0.3, 0.35, 0.1, 0.1, 0.1, 0.05], size=n_lines)
        avail = rng.integers(0, 365, size=n_lines)
        depots_of: dict[int, list[int]] = {}
        for pk, nation in depots:
            depots_of.setdefault(nation, []).append(pk)
        ReleasedN = Pledge.released_to.through
        for start in range(0, pledges, BATCH):
            stop = min(start + BATCH, pledges)
            batch_p = [
                Pledge(
                    reference=f"{prefix}P{k:07d}",
                    title=f"Synthetic pledge {k}",
                    kind=Pledge.Kind.IN_KIND,
                    pledged_on=dt.date(2025, 1, 1) + dt.timedelta(days=int(pledged[k])),
                    owner_id=donors[int(donor_idx[k])],
                )
                for k in range(start, stop)
            ]
            created_p = Pledge.objects.bulk_create(batch_p)
            ReleasedN.objects.bulk_create(
                [ReleasedN(pledge_id=p.pk, nation_id=partner.pk) for p in created_p]
            )
            lines = []
            for j, p in enumerate(created_p):
                k = start + j
                for m in range(lines_per_pledge):
                    n = k * lines_per_pledge + m
                    q = int(lqty[n])
                    counts = _split_states(q, int(stage[n]))
                    own_depots = depots_of.get(donors[int(donor_idx[k])], [])
                    lines.append(
                        PledgeLine(
                            pledge_id=p.pk,
                            item_id=int(item_ids[lidx[n]]),
                            quantity=q,
                            available_from=p.pledged_on + dt.timedelta(days=int(avail[n])),
                            source_depot_id=own_depots[n % len(own_depots)] if own_depots else None,
                            **counts,
                        )
                    )
            PledgeLine.objects.bulk_create(lines, batch_size=BATCH)
            progress((stop - start) * (1 + lines_per_pledge))
        audit(
            actor=admin,
            action="scenario.generate",
            object_type="scenario",
            object_id=prefix.rstrip("-"),
            after={
                "requirements": requirements,
                "pledges": pledges,
                "lines": n_lines,
                "items": len(catalogue),
                "seed": seed,
            },
            reason="synthetic scenario",
        )
    return {
        "requirements": requirements,
        "pledges": pledges,
        "lines": pledges * lines_per_pledge,
        "items": len(catalogue),
    }


def _split_states(q: int, stage: int) -> dict[str, int]:
    """Spread a line's quantity over states by stage: 0 offered .. 4 delivered, 5 withdrawn."""
    states = {s: 0 for s in ("offered", "accepted", "allocated", "in_transit", "delivered")}
    states["withdrawn"] = 0
    if stage == 5:
        states["withdrawn"] = q
        return states
    order = ["offered", "accepted", "allocated", "in_transit", "delivered"]
    head = math.ceil(q / 2) if stage > 0 else q
    states[order[stage]] = head
    states[order[max(stage - 1, 0)]] += q - head
    return states
