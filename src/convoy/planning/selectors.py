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

from django.db.models import Avg, Count, Sum

from convoy.catalog.models import Category, Item
from convoy.core.access import restrict
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
