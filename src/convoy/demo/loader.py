"""The demo scenario: public reference data (``data.py``) plus a few hundred requirements and
pledges across their lifecycles, reproducible from a seed.

Every record is written through the services as the demo command staff, so the demo carries a
full audit trail like any import. Loading again reuses what exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from convoy.catalog import services as catalog
from convoy.catalog.models import Capability, Category, Item
from convoy.core.audit import audit
from convoy.core.models import ExchangeRate
from convoy.logistics import services as logistics
from convoy.logistics.models import Leg, Node
from convoy.nations import services as nations
from convoy.nations.models import Coalition, Membership, Nation, Organisation
from convoy.pledges import services as pledges
from convoy.pledges.models import Pledge
from convoy.requirements import services as requirements
from convoy.requirements.models import Requirement

from . import data

User = get_user_model()
Progress = Callable[[str], None]

CURRENCY_OF = {
    "USA": "USD", "GBR": "GBP", "POL": "PLN", "NOR": "NOK", "SWE": "SEK", "DNK": "DKK",
    "CAN": "CAD", "CZE": "CZK", "JPN": "JPY", "AUS": "AUD", "ROU": "RON", "HUN": "HUF",
}  # fmt: skip
# Rough shares of military aid by donor (Kiel Institute tracker order of magnitude).
DONOR_WEIGHTS = {
    "USA": 30, "DEU": 14, "GBR": 9, "DNK": 6, "NLD": 6, "SWE": 4, "POL": 4, "CAN": 3, "NOR": 3,
    "FRA": 3, "FIN": 2, "ITA": 2, "BEL": 2, "CZE": 2, "ESP": 1, "LTU": 1, "EST": 1, "LVA": 1,
    "PRT": 1, "AUS": 1, "ROU": 1, "SVK": 1, "HRV": 1, "GRC": 1, "JPN": 1,
}  # fmt: skip
PRIORITY_WEIGHTS = [(1, 20), (2, 30), (3, 30), (4, 20)]
REQ_STATUS_WEIGHTS = [
    ("draft", 8), ("submitted", 14), ("validated", 66), ("fulfilled", 6), ("cancelled", 6),
]  # fmt: skip


def _weighted(rng: random.Random, pairs: Iterable[tuple[Any, int]]) -> Any:
    items = list(pairs)
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]


def _quiet(_msg: str) -> None:
    return None


def bootstrap_admin() -> Any:
    """The command pseudo-nation and its first admin: the one write no service can make, since
    services need an actor with a nation. Audited as ``system.bootstrap``."""
    code = settings.CONVOY_COMMAND_NATION
    user = User.objects.filter(username="admin").first()
    if user is not None and Membership.objects.filter(user=user).exists():
        return user
    with transaction.atomic():
        command, _ = Nation.objects.get_or_create(
            code=code,
            defaults={
                "name": "NATO Security Assistance and Training for Ukraine",
                "kind": Nation.Kind.COMMAND,
            },
        )
        user = User.objects.create_user(
            "admin", password="convoy-demo-2024", is_staff=True, is_superuser=True
        )
        Membership.objects.create(
            user=user, nation=command, roles=["admin", "coordinator", "approver"], time_zone="UTC"
        )
        audit(actor=user, action="system.bootstrap", obj=command, reason="first administrator")
    return user


def _missing(model: type[Any], field: str, rows: Iterable[Any], key: Callable[[Any], str]) -> list:
    """The rows whose ``key`` is not yet a value of ``model.field`` (what a reload must add)."""
    have = set(model.objects.values_list(field, flat=True))
    return [r for r in rows if key(r) not in have]


def _name(row: Any) -> str:
    return str(row["name"])


def load_reference(actor: Any, progress: Progress = _quiet) -> None:
    """Nations, coalitions, organisations, categories, items, capabilities, nodes, rates, users."""
    for code, name, kind in _missing(Nation, "code", data.NATIONS, lambda r: r[0]):
        nations.nation_create(actor=actor, data={"code": code, "name": name, "kind": kind})
    by_code = {n.code: n for n in Nation.objects.all()}
    progress("nations")

    for c in _missing(Coalition, "name", data.COALITIONS, _name):
        nations.coalition_create(
            actor=actor,
            data={
                "name": c["name"],
                "area": c["area"],
                "lead_nations": [by_code[x] for x in c["leads"]],
                "members": [by_code[x] for x in c["members"]],
            },
        )
    for o in _missing(Organisation, "name", data.ORGANISATIONS, _name):
        nations.organisation_create(
            actor=actor,
            data={"name": o["name"], "nation": by_code[o["nation"]], "kind": o["kind"]},
        )
    progress("coalitions and organisations")

    for code, name in _missing(Category, "code", data.CATEGORIES, lambda r: r[0]):
        catalog.category_create(actor=actor, data={"code": code, "name": name})
    cats = {c.code: c for c in Category.objects.all()}
    for i in _missing(Item, "name", data.ITEMS, _name):
        catalog.item_create(
            actor=actor,
            data={
                "name": i["name"],
                "category": cats[i["category"]],
                "unit": i["unit"],
                "unit_value_eur": Decimal(i["unit_value_eur"]),
                "nsn": i["nsn"] or "",
                "description": i["description"],
            },
        )
    items = {i.name: i for i in Item.objects.prefetch_related("substitutes", "consumes")}
    for i in data.ITEMS:
        item = items[i["name"]]
        subs = {items[n].pk for n in i["substitutes"]}
        cons = {items[n].pk for n in i["consumes"]}
        if subs != {s.pk for s in item.substitutes.all()} or cons != {
            c.pk for c in item.consumes.all()
        }:
            catalog.item_update(
                actor=actor,
                obj=item,
                data={"substitutes": list(subs), "consumes": list(cons)},
            )
    progress("catalogue")

    coalitions = {c.name: c for c in Coalition.objects.all()}
    for cap in _missing(Capability, "name", data.CAPABILITIES, _name):
        obj = catalog.capability_create(
            actor=actor,
            data={
                "name": cap["name"],
                "coalition": coalitions.get(cap["coalition"]),
                "description": cap["description"],
            },
        )
        for item_name, qty in cap["components"]:
            catalog.capability_set_component(
                actor=actor, capability=obj, item=items[item_name], quantity=qty
            )
    progress("capabilities")

    orgs = {o.name: o for o in Organisation.objects.all()}
    for n in _missing(Node, "name", data.NODES, _name):
        logistics.node_create(
            actor=actor,
            data={
                "name": n["name"],
                "kind": n["kind"],
                "nation": by_code[n["nation"]],
                "organisation": orgs.get(n["organisation"] or ""),
                "latitude": Decimal(str(n["lat"])).quantize(Decimal("0.00001")),
                "longitude": Decimal(str(n["lon"])).quantize(Decimal("0.00001")),
                "daily_capacity": n["capacity"],
            },
        )
    progress("nodes")
    _load_legs(actor)
    progress("legs")

    load_rates(actor)
    progress("exchange rates")
    load_users(actor, by_code)
    progress("users")


def load_rates(actor: Any) -> None:
    have = set(ExchangeRate.objects.values_list("currency", "date"))
    rows = [
        ExchangeRate(currency=c, date=dt.date.fromisoformat(d), eur_per_unit=Decimal(r))
        for c, d, r in data.EXCHANGE_RATES
        if (c, dt.date.fromisoformat(d)) not in have
    ]
    if rows:
        with transaction.atomic():
            ExchangeRate.objects.bulk_create(rows)
            audit(
                actor=actor,
                action="exchange_rate.import",
                object_type="core.exchangerate",
                object_id="*",
                after={"rows": len(rows), "currencies": sorted({r.currency for r in rows})},
                reason="demo reference rates",
            )


def load_users(actor: Any, by_code: dict[str, Nation]) -> None:
    from convoy.nations.services import membership_set, user_save

    for u in data.DEMO_USERS:
        user = User.objects.filter(username=u["username"]).first()
        if user is None:
            user = User(
                username=u["username"],
                first_name=u["full_name"].split(" ")[0],
                last_name=" ".join(u["full_name"].split(" ")[1:]),
            )
            user.set_password(u["password"])
            user = user_save(actor=actor, user=user, reason="demo account")
        membership_set(
            actor=actor,
            user=user,
            nation=by_code[u["nation"]],
            roles=list(u["roles"]),
            time_zone=u["time_zone"],
        )


def load_scenario(actor: Any, *, seed: int = 2024, progress: Progress = _quiet) -> dict[str, int]:
    """A few hundred requirements of the partner and pledges of donors, across all states."""
    if Requirement.objects.filter(notes__startswith="[demo]").exists():
        return {"requirements": 0, "pledges": 0}
    rng = random.Random(seed)
    by_code = {n.code: n for n in Nation.objects.all()}
    partner = by_code[settings.CONVOY_PARTNER_NATION]
    donors = [n for n in by_code.values() if n.kind in (Nation.Kind.ALLY, Nation.Kind.CONTRIBUTOR)]
    destinations = list(Node.objects.filter(kind=Node.Kind.DESTINATION))
    depots_by_nation: dict[int, list[Node]] = {}
    for node in Node.objects.filter(kind=Node.Kind.DEPOT):
        depots_by_nation.setdefault(node.nation_id, []).append(node)
    items = list(Item.objects.select_related("category"))
    capabilities = list(Capability.objects.select_related("coalition"))
    cap_items: dict[int, list[Capability]] = {}
    for cap in capabilities:
        for comp in cap.components.all():
            cap_items.setdefault(comp.item_id, []).append(cap)
    categories = list(Category.objects.all())
    coalitions = list(Coalition.objects.prefetch_related("members"))
    today = dt.date(2026, 11, 1)

    def quantity_for(unit_value: Decimal) -> int:
        target = Decimal(str(rng.lognormvariate(16.5, 1.0)))  # median about EUR 15 M
        return max(1, min(200_000, int(target / max(unit_value, Decimal(1)))))

    # --- requirements -------------------------------------------------------------------
    n_req = 260
    requested: list[Item] = []
    open_needs: dict[int, list[list[Any]]] = {}  # item -> [requirement, still open], validated
    for k in range(n_req):
        category_level = rng.random() < 0.12
        priority = _weighted(rng, PRIORITY_WEIGHTS)
        needed_by = today + dt.timedelta(days=rng.randint(20, 600))
        if category_level:
            cat = rng.choice(categories)
            mean = [i.unit_value_eur for i in items if i.category_id == cat.pk]
            if not mean:
                continue
            unit_value = Decimal(sum(mean)) / len(mean)
            values: dict[str, Any] = {
                "title": f"{cat.name}: any suitable type",
                "category": cat,
            }
            caps: list[Capability] = []
        else:
            item = rng.choice(items)
            requested.append(item)
            unit_value = item.unit_value_eur
            values = {"title": item.name, "item": item}
            caps = cap_items.get(item.pk, [])
        release = rng.random()
        released_to: list[Nation] = []
        released_c: list[Coalition] = []
        if release < 0.8:
            released_to = donors
        elif release < 0.95 and caps and caps[0].coalition:
            released_c = [caps[0].coalition]
        values.update(
            quantity=quantity_for(unit_value),
            priority=priority,
            needed_by=needed_by,
            destination=rng.choice(destinations),
            capability=rng.choice(caps) if caps else None,
            notes="[demo] generated from public reporting patterns",
            owner=partner,
            released_to=released_to,
            released_to_coalitions=released_c,
        )
        req = requirements.requirement_create(actor=actor, data=values)
        status = _weighted(rng, REQ_STATUS_WEIGHTS)
        path = {
            "draft": [],
            "submitted": ["submit"],
            "validated": ["submit", "validate"],
            "fulfilled": ["submit", "validate", "fulfil"],
            "cancelled": ["submit", "cancel"],
        }[status]
        for step in path:
            req = requirements.requirement_transition(
                actor=actor,
                requirement=req,
                transition=step,
                reason="withdrawn by the partner" if step == "cancel" else "",
            )
        if status == "validated" and req.item_id:
            open_needs.setdefault(req.item_id, []).append([req, req.quantity])
        if k % 50 == 0:
            progress(f"requirements {k}/{n_req}")

    # --- pledges ------------------------------------------------------------------------
    n_pledges = 140
    donor_codes = [c for c in DONOR_WEIGHTS if c in by_code]
    for k in range(n_pledges):
        donor = by_code[_weighted(rng, ((c, DONOR_WEIGHTS[c]) for c in donor_codes))]
        pledged_on = dt.date(2024, 7, 1) + dt.timedelta(days=rng.randint(0, 850))
        member_of = [c for c in coalitions if donor in c.members.all()]
        pledge = pledges.pledge_create(
            actor=actor,
            data={
                "title": f"{donor.name} package {pledged_on:%B %Y}",
                "kind": Pledge.Kind.IN_KIND,
                "pledged_on": pledged_on,
                "notes": "[demo]",
                "owner": donor,
                "released_to": [partner],
                "released_to_coalitions": [rng.choice(member_of)]
                if member_of and rng.random() < 0.5
                else [],
            },
        )
        for _ in range(rng.randint(1, 4)):
            item = rng.choice(requested) if rng.random() < 0.85 and requested else rng.choice(items)
            qty = max(1, int(quantity_for(item.unit_value_eur) * rng.uniform(0.2, 0.9)))
            currency = CURRENCY_OF.get(donor.code, "EUR")
            stated = None
            if rng.random() < 0.3:
                rate = ExchangeRate.objects.filter(currency=currency).order_by("-date").first()
                per = rate.eur_per_unit if rate and currency != "EUR" else Decimal(1)
                stated = (
                    item.unit_value_eur * qty * Decimal(rng.uniform(0.7, 1.2)) / per
                ).quantize(Decimal("0.01"))
            depots = depots_by_nation.get(donor.pk, [])
            line = pledges.pledge_line_add(
                actor=actor,
                pledge=pledge,
                data={
                    "item": item,
                    "quantity": qty,
                    "available_from": pledged_on + dt.timedelta(days=rng.randint(14, 240)),
                    "source_depot": rng.choice(depots) if depots else None,
                    "stated_value": stated,
                    "stated_currency": currency if stated is not None else "EUR",
                },
            )
            _advance_line(actor, line, rng, open_needs)
        if k % 20 == 0:
            progress(f"pledges {k}/{n_pledges}")
    return {"requirements": n_req, "pledges": n_pledges}


LAND_HUBS = ("Rzeszów", "Przemyśl", "Suceava", "Constanța", "Košice")


def _km(a: Node, b: Node) -> int:
    from convoy.solvers.allocation import haversine_km

    return int(
        haversine_km(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )


def _load_legs(actor: Any) -> None:
    """Road and rail from every depot to its two nearest land hubs, road from every land hub to
    every destination, and the air bridge through Ramstein (only when there are no legs yet)."""
    if Leg.objects.exists():
        return
    nodes = list(Node.objects.all())
    hubs = [n for n in nodes if n.kind == Node.Kind.HUB and n.name.startswith(LAND_HUBS)]
    destinations = [n for n in nodes if n.kind == Node.Kind.DESTINATION]

    def leg(a: Node, b: Node, mode: str, per_day: int, slow: int = 0) -> None:
        km = _km(a, b)
        days = 1 + slow + (km + 499) // 500 if mode != "air" else 1
        logistics.leg_create(
            actor=actor,
            data={
                "origin": a,
                "destination": b,
                "mode": mode,
                "transit_days": days,
                "daily_capacity": per_day,
                "km": km,
            },
        )

    for depot in (n for n in nodes if n.kind == Node.Kind.DEPOT):
        for hub in sorted(hubs, key=lambda h: _km(depot, h))[:2]:
            leg(depot, hub, "road", 120)
            leg(depot, hub, "rail", 400, slow=1)
    for hub in hubs:
        for dest in destinations:
            leg(hub, dest, "road", 150)
    ramstein = next((n for n in nodes if n.name.startswith("Ramstein")), None)
    dover = next((n for n in nodes if n.name.startswith("Dover")), None)
    rzeszow = next((h for h in hubs if h.name.startswith("Rzeszów")), None)
    if ramstein and dover and rzeszow:
        leg(dover, ramstein, "air", 60)
        leg(ramstein, rzeszow, "air", 80)


def _advance_line(
    actor: Any, line: Any, rng: random.Random, open_needs: dict[int, list[list[Any]]]
) -> None:
    """Move parts of a line along its lifecycle, as happens over months, as the command and the
    hubs do it: a manual allocation to a validated requirement for the item that still needs it
    (none left: the line stays accepted); then a consignment from the line's depot through the
    nearest hub to the requirement's destination, dispatched, tracked and received (now and then
    with a damaged or missing unit), as far as the dates allow."""
    from convoy.planning import services as planning

    stage = rng.random()
    chain = ["accept", "allocate", "dispatch", "deliver"]
    depth = (
        0 if stage < 0.25 else 1 if stage < 0.45 else 2 if stage < 0.6 else 3 if stage < 0.75 else 4
    )
    if rng.random() < 0.05:
        pledges.pledge_line_move(
            actor=actor, line=line, move="withdraw", quantity=line.offered, reason="superseded"
        )
        return
    consignment = None
    for move in chain[:depth]:
        if move == "accept":
            qty = line.offered if rng.random() < 0.7 else max(1, line.offered // 2)
            line = pledges.pledge_line_move(actor=actor, line=line, move=move, quantity=qty)
        elif move == "allocate":
            qty = line.accepted if rng.random() < 0.7 else max(1, line.accepted // 2)
            need = next((n for n in open_needs.get(line.item_id, []) if n[1] > 0), None)
            if need is None or not qty:
                return
            take = min(qty, need[1])
            planning.allocation_create(
                actor=actor,
                data={"pledge_line": line, "requirement": need[0], "quantity": take},
                reason="agreed at the coordination meeting",
            )
            need[1] -= take
            destination = need[0].destination
            line.refresh_from_db()
        elif move == "dispatch":
            leaves = dt.datetime.combine(line.available_from, dt.time(6), tzinfo=dt.UTC)
            if line.source_depot is None:
                return
            consignment = logistics.consignment_create(
                actor=actor,
                data={
                    "origin": line.source_depot,
                    "destination": destination,
                    "ready_on": line.available_from,
                    "lines": [{"pledge_line": line, "quantity": line.allocated}],
                },
            )
            if leaves > DEMO_NOW - dt.timedelta(days=12):
                return  # not ready yet: planned, for the routing planner
            legs = _legs(consignment)
            if legs is not None:
                hub_day = line.available_from + dt.timedelta(days=legs[0].transit_days + 1)
                logistics.consignment_set_route(
                    actor=actor,
                    consignment=consignment,
                    steps=[(legs[0], line.available_from), (legs[1], hub_day)],
                )
            consignment = logistics.consignment_dispatch(
                actor=actor, consignment=consignment, occurred_at=leaves
            )
        elif move == "deliver" and consignment is not None:
            _deliver(actor, consignment, rng)


DEMO_NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


def _legs(c: Any) -> tuple[Leg, Leg] | None:
    """The quickest way through one hub: a leg to it and one on to the destination."""
    first = (
        Leg.objects.filter(origin=c.origin, destination__legs_out__destination=c.destination)
        .order_by("transit_days", "km")
        .first()
    )
    if first is None:
        return None
    second = Leg.objects.filter(origin=first.destination, destination=c.destination).first()
    return (first, second) if second is not None else None


def _deliver(actor: Any, c: Any, rng: random.Random) -> None:
    """Along its route through the hub, to the receipt."""
    legs = _legs(c)
    if legs is None:
        return
    first, second = legs
    t = c.dispatched_at + dt.timedelta(days=first.transit_days)
    c = logistics.consignment_track(
        actor=actor, consignment=c, kind="arrived", node=first.destination, occurred_at=t
    )
    t += dt.timedelta(hours=rng.randint(8, 40))
    c = logistics.consignment_track(actor=actor, consignment=c, kind="departed", occurred_at=t)
    t += dt.timedelta(days=second.transit_days)
    c = logistics.consignment_track(
        actor=actor, consignment=c, kind="arrived", node=c.destination, occurred_at=t
    )
    t += dt.timedelta(hours=2)
    c = logistics.consignment_track(actor=actor, consignment=c, kind="handed_over", occurred_at=t)
    counts = {}
    for cl in c.lines.all():
        bad = 1 if cl.quantity > 1 and rng.random() < 0.2 else 0
        kind = "damaged" if rng.random() < 0.5 else "short"
        counts[cl.pk] = {"received": cl.quantity - bad, kind: bad}
    logistics.consignment_receive(
        actor=actor, consignment=c, lines=counts, occurred_at=t + dt.timedelta(hours=3)
    )


def load_demo(*, seed: int = 2024, progress: Progress = _quiet) -> dict[str, int]:
    admin = bootstrap_admin()
    load_reference(admin, progress)
    command = User.objects.get(username="command")
    counts = load_scenario(command, seed=seed, progress=progress)
    # one allocation plan, ready for review (runs here, not on the worker, so it is there at once)
    from convoy.planning import services as planning
    from convoy.planning.models import Plan

    counts["plans"] = 0
    if not Plan.objects.exists():
        progress("allocation plan")
        plan = planning.plan_request(actor=command, title="Demo: first allocation run")
        planning.plan_compute(plan_id=plan.pk)
        counts["plans"] = 1
    # and one routing plan over the consignments still planned
    from convoy.logistics import routing_plans
    from convoy.logistics.models import RoutingPlan

    counts["routing_plans"] = 0
    if not RoutingPlan.objects.exists():
        progress("routing plan")
        rplan = routing_plans.routing_request(actor=command, title="Demo: first routing run")
        routing_plans.routing_compute(plan_id=rplan.pk)
        counts["routing_plans"] = 1
    return counts
