"""Coverage and valuation, derived from what the actor may see (never stored by hand).

Coverage (OCHA FTS style), in EUR:

* A requirement counts while it is submitted, validated or fulfilled. Its value is its quantity x
  the item's catalogue unit value; a category-level requirement uses the mean catalogue unit value
  of the category's items.
* Supply per item: *committed* = accepted + allocated + in transit + delivered quantities of the
  visible pledge lines; *pledged* = still offered (not yet committed). Withdrawn counts nowhere.
* Each item's committed quantity covers that item's requirements in priority order (1 first), then
  its pledged quantity does. What remains of every item of a category then covers the category's
  category-level requirements, again priority first, committed before pledged.
* unmet = required - committed - pledged; coverage % = committed / required.

Valuation (Kiel Institute style): a pledge line is worth the donor's stated value converted to EUR
at the rate of the pledge date, else quantity x catalogue unit value. Withdrawn quantities are
excluded; a stated value is split over committed and offered quantities pro rata.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext as _

from convoy.catalog.models import Category, Item
from convoy.core.access import restrict
from convoy.core.errors import DomainError
from convoy.core.money import RateTable, eur
from convoy.nations.models import Nation
from convoy.pledges.models import PledgeLine
from convoy.requirements.models import Priority, Requirement

COUNTED_STATUSES = (
    Requirement.Status.SUBMITTED,
    Requirement.Status.VALIDATED,
    Requirement.Status.FULFILLED,
)
ZERO = Decimal("0.00")
PCT_ZERO = Decimal("0.0")


@dataclass
class CoverageRow:
    key: Any
    label: str
    required_qty: int = 0
    committed_qty: int = 0
    pledged_qty: int = 0
    required: Decimal = ZERO
    committed: Decimal = ZERO
    pledged: Decimal = ZERO

    @property
    def unmet_qty(self) -> int:
        return self.required_qty - self.committed_qty - self.pledged_qty

    @property
    def unmet(self) -> Decimal:
        return eur(self.required - self.committed - self.pledged)

    @property
    def coverage_pct(self) -> Decimal:
        if not self.required:
            return PCT_ZERO
        return (self.committed * 100 / self.required).quantize(Decimal("0.1"))

    @property
    def pledged_pct(self) -> Decimal:
        if not self.required:
            return PCT_ZERO
        return (self.pledged * 100 / self.required).quantize(Decimal("0.1"))

    def add(self, qty: int, committed: int, pledged: int, unit_value: Decimal) -> None:
        self.required_qty += qty
        self.committed_qty += committed
        self.pledged_qty += pledged
        self.required += qty * unit_value
        self.committed += committed * unit_value
        self.pledged += pledged * unit_value

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "required_qty": self.required_qty,
            "committed_qty": self.committed_qty,
            "pledged_qty": self.pledged_qty,
            "unmet_qty": self.unmet_qty,
            "required_eur": str(eur(self.required)),
            "committed_eur": str(eur(self.committed)),
            "pledged_eur": str(eur(self.pledged)),
            "unmet_eur": str(self.unmet),
            "coverage_pct": str(self.coverage_pct),
        }


@dataclass
class Coverage:
    by_priority: list[CoverageRow]
    by_category: list[CoverageRow]
    total: CoverageRow
    requirement_count: int = 0
    counted_count: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def _take(supply: dict[Any, int], key: Any, want: int) -> int:
    got = min(supply.get(key, 0), want)
    if got:
        supply[key] -= got
    return got


def coverage(*, actor: Any) -> Coverage:
    reqs = restrict(Requirement.objects.all(), actor, "view")
    statuses = {s: 0 for s in Requirement.Status.values}
    for status, n in reqs.order_by().values_list("status").annotate(n=Count("pk")):
        statuses[status] = n
    counted = reqs.filter(status__in=COUNTED_STATUSES)
    demand = list(
        counted.values_list("item_id", "category_id", "priority")
        .annotate(qty=Sum("quantity"))
        .order_by("priority")
    )
    lines = restrict(PledgeLine.objects.all(), actor, "view")
    supply_rows = (
        lines.order_by()
        .values("item_id")
        .annotate(
            accepted=Sum("accepted"),
            allocated=Sum("allocated"),
            in_transit=Sum("in_transit"),
            delivered=Sum("delivered"),
            offered=Sum("offered"),
        )
    )
    committed: dict[int, int] = {}
    pledged: dict[int, int] = {}
    for row in supply_rows:
        committed[row["item_id"]] = (
            row["accepted"] + row["allocated"] + row["in_transit"] + row["delivered"]
        )
        pledged[row["item_id"]] = row["offered"]

    catalogue = restrict(Item.objects.all(), actor, "view")
    items = {
        pk: (cat, value)
        for pk, cat, value in catalogue.values_list("pk", "category_id", "unit_value_eur")
    }
    cat_mean = {
        row["category_id"]: eur(row["v"] or 0)
        for row in catalogue.order_by().values("category_id").annotate(v=Avg("unit_value_eur"))
    }
    categories = dict(restrict(Category.objects.all(), actor, "view").values_list("pk", "name"))

    by_priority = {p: CoverageRow(p, str(label)) for p, label in Priority.choices}
    by_category: dict[int, CoverageRow] = {}
    total = CoverageRow("total", "total")

    def record(priority: int, cat: int, qty: int, c: int, p: int, value: Decimal) -> None:
        by_priority[priority].add(qty, c, p, value)
        row = by_category.setdefault(cat, CoverageRow(cat, categories.get(cat, "?")))
        row.add(qty, c, p, value)
        total.add(qty, c, p, value)

    # 1. item-level requirements, priority first (demand is ordered by priority)
    for item_id, _cat, priority, qty in demand:
        if item_id is None:
            continue
        cat, value = items[item_id]
        c = _take(committed, item_id, qty)
        p = _take(pledged, item_id, qty - c)
        record(priority, cat, qty, c, p, value)
    # 2. what is left of each item covers its category's category-level requirements
    left_c: dict[int, int] = defaultdict(int)
    left_p: dict[int, int] = defaultdict(int)
    for item_id, qty in committed.items():
        if item_id in items:
            left_c[items[item_id][0]] += qty
    for item_id, qty in pledged.items():
        if item_id in items:
            left_p[items[item_id][0]] += qty
    for item_id, cat, priority, qty in demand:
        if item_id is not None:
            continue
        c = _take(left_c, cat, qty)
        p = _take(left_p, cat, qty - c)
        record(priority, cat, qty, c, p, cat_mean.get(cat, ZERO))

    return Coverage(
        by_priority=[by_priority[p] for p in sorted(by_priority)],
        by_category=sorted(by_category.values(), key=lambda r: -r.required),
        total=total,
        requirement_count=sum(statuses.values()),
        counted_count=sum(statuses[s] for s in COUNTED_STATUSES),
        statuses=statuses,
    )


@dataclass
class DonorTotal:
    code: str
    name: str
    committed: Decimal = ZERO
    pledged: Decimal = ZERO
    delivered: Decimal = ZERO
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return self.committed + self.pledged

    def as_dict(self) -> dict[str, Any]:
        return {
            "nation": self.code,
            "name": self.name,
            "committed_eur": str(eur(self.committed)),
            "pledged_eur": str(eur(self.pledged)),
            "delivered_eur": str(eur(self.delivered)),
            "total_eur": str(eur(self.total)),
            "lines": self.lines,
        }


def donor_totals(*, actor: Any) -> list[DonorTotal]:
    """Totals by donor in EUR: committed (accepted and beyond), pledged (offered), delivered."""
    rates = RateTable.load()
    unit_values = dict(
        restrict(Item.objects.all(), actor, "view").values_list("pk", "unit_value_eur")
    )
    names = dict(restrict(Nation.objects.all(), actor, "view").values_list("code", "name"))
    totals: dict[str, DonorTotal] = {}
    rows = (
        restrict(PledgeLine.objects.all(), actor, "view")
        .values(
            "item_id",
            "quantity",
            "offered",
            "accepted",
            "allocated",
            "in_transit",
            "delivered",
            "withdrawn",
            "stated_value",
            "stated_currency",
            "pledge__pledged_on",
            "pledge__owner__code",
        )
        .iterator(chunk_size=5000)
    )
    for row in rows:
        code = row["pledge__owner__code"]
        t = totals.setdefault(code, DonorTotal(code, names.get(code, code)))
        quantity = row["quantity"]
        live = quantity - row["withdrawn"]
        t.lines += 1
        if live <= 0:
            continue
        if row["stated_value"] is not None:
            whole = rates.to_eur_amount(
                row["stated_value"], row["stated_currency"], row["pledge__pledged_on"]
            )
            per_unit = whole / quantity
        else:
            per_unit = unit_values[row["item_id"]]
        committed = row["accepted"] + row["allocated"] + row["in_transit"] + row["delivered"]
        t.committed += eur(per_unit * committed)
        t.pledged += eur(per_unit * row["offered"])
        t.delivered += eur(per_unit * row["delivered"])
    return sorted(totals.values(), key=lambda t: (-t.total, t.code))


# --- allocation planning: the inputs of a run, read through the choke point -----------------


@dataclass
class PlanningInputs:
    """A solver ``Problem`` and the database ids behind its indices."""

    problem: Any
    line_ids: list[int]
    req_ids: list[int]
    category_ids: list[int]
    kept_ids: list[int]  # allocations kept (manual or locked), parallel to problem.fixed_*
    released_ids: list[int]  # active planned allocations a new plan may redo
    snapshot: dict[str, Any]
    line_labels: list[str] = field(default_factory=list)  # "<pledge reference>/line <id>"
    req_labels: list[str] = field(default_factory=list)  # requirement references


def planning_inputs(*, actor: Any, parameters: dict[str, Any] | None = None) -> PlanningInputs:
    """Validated requirements and committed pledge lines the actor may see, as solver arrays.

    Plannable supply of a line = accepted + what active planned (not kept) allocations hold,
    since a new plan may redo those; kept (manual or locked) allocations become fixed.
    """
    import numpy as np

    from convoy.logistics.models import Node
    from convoy.solvers.allocation import Problem

    from .models import Allocation

    params = parameters or {}
    reqs = list(
        restrict(Requirement.objects.all(), actor, "view")
        .filter(status=Requirement.Status.VALIDATED)
        .order_by("priority", "needed_by", "reference")
        .values_list(
            "pk",
            "item_id",
            "category_id",
            "destination_id",
            "needed_by",
            "priority",
            "capability_id",
            "quantity",
            "reference",
        )
    )
    req_index = {r[0]: i for i, r in enumerate(reqs)}
    allocs = list(
        restrict(Allocation.objects.all(), actor, "view")
        .filter(status=Allocation.Status.ACTIVE)
        .values_list("pk", "pledge_line_id", "requirement_id", "quantity", "kind", "locked")
    )
    redo: dict[int, int] = defaultdict(int)
    kept = []
    released_ids = []
    for pk, line_id, req_id, qty, kind, locked in allocs:
        if kind == Allocation.Kind.MANUAL or locked:
            kept.append((pk, line_id, req_id, qty))
        else:
            redo[line_id] += qty
            released_ids.append(pk)
    kept_lines = {k[1] for k in kept}
    lines = list(
        restrict(PledgeLine.objects.all(), actor, "view")
        .filter(Q(accepted__gt=0) | Q(pk__in=list(redo)) | Q(pk__in=list(kept_lines)))
        .order_by("pk")
        .values_list(
            "pk",
            "item_id",
            "source_depot_id",
            "available_from",
            "accepted",
            "condition_capability_id",
            "pledge__reference",
        )
    )
    line_index = {row[0]: i for i, row in enumerate(lines)}
    kept_qty: dict[int, int] = defaultdict(int)
    fixed = []
    kept_ids = []
    for pk, line_id, req_id, qty in kept:
        if line_id in line_index and req_id in req_index:
            kept_qty[line_id] += qty
            fixed.append((line_index[line_id], req_index[req_id], qty))
            kept_ids.append(pk)
    over: dict[int, int] = defaultdict(int)
    for _line, r, qty in fixed:
        over[r] += qty
    for r, total in over.items():
        if total > reqs[r][7]:
            raise DomainError(
                _(
                    "Kept allocations to %(req)s add up to %(total)s, more than its quantity "
                    "(%(qty)s): release or change them, then run the planner again."
                )
                % {"req": reqs[r][8], "total": total, "qty": reqs[r][7]}
            )
    through = PledgeLine.condition_destinations.through
    dest_conditions: dict[int, set[int]] = defaultdict(set)
    for line_id, node_id in through.objects.filter(pledgeline_id__in=list(line_index)).values_list(
        "pledgeline_id", "node_id"
    ):
        dest_conditions[line_id].add(node_id)

    items = list(restrict(Item.objects.all(), actor, "view").values_list("pk", "category_id"))
    item_index = {pk: i for i, (pk, _c) in enumerate(items)}
    cat_ids = sorted({c for _pk, c in items} | {r[2] for r in reqs if r[2] is not None})
    cat_index = {c: i for i, c in enumerate(cat_ids)}
    subs = [
        (item_index[a], item_index[b])
        for a, b in Item.substitutes.through.objects.values_list("from_item_id", "to_item_id")
        if a in item_index and b in item_index
    ]
    site_rows = list(
        restrict(Node.objects.all(), actor, "view")
        .filter(pk__in={r[3] for r in reqs} | {row[2] for row in lines if row[2]})
        .values_list("pk", "latitude", "longitude")
    )
    site_index = {pk: i for i, (pk, _a, _b) in enumerate(site_rows)}
    cap_ids = sorted({r[6] for r in reqs if r[6]} | {row[5] for row in lines if row[5]})
    cap_index = {c: i for i, c in enumerate(cap_ids)}

    def cap(value: int | None) -> int:
        return cap_index[value] if value else -1

    problem = Problem(
        site_lat=np.array([float(s[1]) for s in site_rows]),
        site_lon=np.array([float(s[2]) for s in site_rows]),
        item_category=np.array([cat_index[c] for _pk, c in items], dtype=np.int64),
        substitutes=np.array(subs, dtype=np.int64).reshape(-1, 2),
        line_item=np.array([item_index[row[1]] for row in lines], dtype=np.int64),
        line_depot=np.array(
            [site_index.get(row[2], -1) if row[2] else -1 for row in lines], dtype=np.int64
        ),
        line_available=np.array([row[3].toordinal() for row in lines], dtype=np.int64),
        line_qty=np.array(
            [row[4] + redo.get(row[0], 0) + kept_qty.get(row[0], 0) for row in lines],
            dtype=np.int64,
        ),
        line_capability=np.array([cap(row[5]) for row in lines], dtype=np.int64),
        line_destinations={
            line_index[lid]: frozenset(site_index[n] for n in nodes if n in site_index)
            for lid, nodes in dest_conditions.items()
        },
        req_item=np.array([item_index[r[1]] if r[1] else -1 for r in reqs], dtype=np.int64),
        req_category=np.array([cat_index[r[2]] if r[2] else -1 for r in reqs], dtype=np.int64),
        req_destination=np.array([site_index[r[3]] for r in reqs], dtype=np.int64),
        req_needed_by=np.array([r[4].toordinal() for r in reqs], dtype=np.int64),
        req_priority=np.array([r[5] for r in reqs], dtype=np.int64),
        req_capability=np.array([cap(r[6]) for r in reqs], dtype=np.int64),
        req_qty=np.array([r[7] for r in reqs], dtype=np.int64),
        fixed_line=np.array([f[0] for f in fixed], dtype=np.int64),
        fixed_req=np.array([f[1] for f in fixed], dtype=np.int64),
        fixed_qty=np.array([f[2] for f in fixed], dtype=np.int64),
        km_per_day=float(params.get("km_per_day", 500)),
        handling_days=int(params.get("handling_days", 2)),
    )
    snapshot = {
        "requirements": len(reqs),
        "pledge_lines": len(lines),
        "kept_allocations": len(kept_ids),
        "redone_allocations": len(released_ids),
        "required_units": int(sum(r[7] for r in reqs)),
        "plannable_units": int(problem.line_qty.sum()),
        # per record: (id, quantity the plan saw) so approval can tell a stale plan
        "lines": [[row[0], int(problem.line_qty[i])] for i, row in enumerate(lines)],
        "reqs": [[r[0], r[7]] for r in reqs],
        "kept": kept_ids,
        "redo": released_ids,
    }
    return PlanningInputs(
        problem=problem,
        line_ids=[row[0] for row in lines],
        req_ids=[r[0] for r in reqs],
        category_ids=cat_ids,
        kept_ids=kept_ids,
        released_ids=released_ids,
        snapshot=snapshot,
        line_labels=[f"{row[6]}/line {row[0]}" for row in lines],
        req_labels=[r[8] for r in reqs],
    )
