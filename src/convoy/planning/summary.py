"""What a plan changes: coverage by priority, by category and by donor, before and after."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from convoy.catalog.models import Category
from convoy.core.access import restrict
from convoy.pledges.models import PledgeLine
from convoy.requirements.models import Priority

from .models import Allocation, Plan


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _rows(keys: list[Any], labels: dict[Any, str], req: Any, before: Any, after: Any) -> list:
    out = []
    for k in keys:
        r, b, a = int(req.get(k, 0)), int(before.get(k, 0)), int(after.get(k, 0))
        out.append(
            {
                "key": k,
                "label": labels.get(k, str(k)),
                "required": r,
                "before": b,
                "after": a,
                "before_pct": _pct(b, r),
                "after_pct": _pct(a, r),
            }
        )
    return out


def plan_summary(*, plan: Plan, actor: Any, inputs: Any, result: Any) -> dict[str, Any]:
    """Coverage in units of the requirements the plan considered, before (active allocations
    now) and after (the plan); units allocated per donor nation, before and after."""
    P = inputs.problem
    n_reqs = P.n_reqs
    req_index = {pk: i for i, pk in enumerate(inputs.req_ids)}
    before_req = np.zeros(n_reqs, dtype=np.int64)
    donor_before: dict[str, int] = defaultdict(int)
    active = (
        restrict(Allocation.objects.all(), actor, "view")
        .filter(status=Allocation.Status.ACTIVE, requirement_id__in=inputs.req_ids)
        .values_list("requirement_id", "quantity", "pledge_line__pledge__owner__code")
    )
    for req_id, qty, donor in active:
        before_req[req_index[req_id]] += qty
        donor_before[donor] += qty
    after_req = result.covered_by_req(n_reqs)
    cat_of_req = np.where(
        P.req_item >= 0, P.item_category[np.maximum(P.req_item, 0)], P.req_category
    )
    prio = P.req_priority

    def by(keys: Any, values: Any) -> dict[Any, int]:
        out: dict[Any, int] = defaultdict(int)
        for k, v in zip(keys.tolist(), values.tolist(), strict=True):
            out[k] += v
        return out

    prio_labels = {p: str(label) for p, label in Priority.choices}
    cat_names = dict(Category.objects.filter(pk__in=inputs.category_ids).values_list("pk", "name"))
    cat_labels = {i: cat_names.get(pk, "?") for i, pk in enumerate(inputs.category_ids)}
    req_p, bef_p, aft_p = by(prio, P.req_qty), by(prio, before_req), by(prio, after_req)
    req_c, bef_c, aft_c = (
        by(cat_of_req, P.req_qty),
        by(cat_of_req, before_req),
        by(cat_of_req, after_req),
    )
    donors = dict(
        PledgeLine.objects.filter(pk__in=inputs.line_ids).values_list("pk", "pledge__owner__code")
    )
    donor_after: dict[str, int] = defaultdict(int)
    for line, qty in zip(result.line.tolist(), result.qty.tolist(), strict=True):
        donor_after[donors[inputs.line_ids[line]]] += qty
    donor_keys = sorted(set(donor_before) | set(donor_after), key=lambda d: -donor_after.get(d, 0))
    total_req, total_before, total_after = (
        int(P.req_qty.sum()),
        int(before_req.sum()),
        int(after_req.sum()),
    )
    on_time = int(result.qty[~result.late].sum()) if len(result) else 0
    return {
        "by_priority": _rows(sorted(req_p), prio_labels, req_p, bef_p, aft_p),
        "by_category": sorted(
            _rows(sorted(req_c), cat_labels, req_c, bef_c, aft_c), key=lambda r: -r["required"]
        ),
        "by_donor": [
            {"key": d, "label": d, "before": donor_before.get(d, 0), "after": donor_after.get(d, 0)}
            for d in donor_keys
        ],
        "total": {
            "required": total_req,
            "before": total_before,
            "after": total_after,
            "before_pct": _pct(total_before, total_req),
            "after_pct": _pct(total_after, total_req),
            "on_time": on_time,
            "on_time_pct": _pct(on_time, total_req),
        },
        "allocations": len(result),
        "gaps": plan.gaps.count(),
    }
