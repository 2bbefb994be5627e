"""Records made through the services, as a user would make them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from convoy.catalog.models import Category, Item
from convoy.core.models import ExchangeRate
from convoy.logistics.models import Node
from convoy.nations.models import Coalition, Membership, Nation
from convoy.pledges import services as pledges
from convoy.pledges.models import Pledge, PledgeLine
from convoy.requirements import services as requirements
from convoy.requirements.models import Requirement

PASSWORD = "pw-for-tests-1"


@dataclass
class World:
    nations: dict[str, Nation]
    users: dict[str, Any]
    coalition: Coalition
    categories: dict[str, Category]
    items: dict[str, Item]
    destination: Node
    depot: Node


def make_user(username: str, nation: Nation, roles: list[str], tz: str = "UTC") -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, nation=nation, roles=roles, time_zone=tz)
    return user


def build_world() -> World:
    n = {
        code: Nation.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("NSATU", "NATO Security Assistance and Training for Ukraine", "command"),
            ("UKR", "Ukraine", "partner"),
            ("DEU", "Germany", "ally"),
            ("POL", "Poland", "ally"),
            ("FRA", "France", "ally"),
            ("NLD", "Netherlands", "ally"),
        ]
    }
    coalition = Coalition.objects.create(name="Armoured Capability Coalition", area="armour")
    coalition.lead_nations.set([n["DEU"], n["POL"]])
    coalition.members.set([n["DEU"], n["POL"], n["NLD"]])
    cats = {
        code: Category.objects.create(code=code, name=name)
        for code, name in [("armour", "Armour"), ("ammunition", "Ammunition")]
    }
    items = {
        "leo": Item.objects.create(
            name="Leopard 1A5", category=cats["armour"], unit_value_eur=Decimal("1000000.00")
        ),
        "leo2": Item.objects.create(
            name="Leopard 2A4", category=cats["armour"], unit_value_eur=Decimal("3000000.00")
        ),
        "shell": Item.objects.create(
            name="155 mm HE M795",
            category=cats["ammunition"],
            unit="round",
            unit_value_eur=Decimal("4000.00"),
            nsn="1320-01-234-5678",
        ),
    }
    destination = Node.objects.create(
        name="Lviv", kind="destination", nation=n["UKR"], latitude=49.84, longitude=24.03
    )
    depot = Node.objects.create(
        name="Pirmasens depot", kind="depot", nation=n["DEU"], latitude=49.2, longitude=7.6
    )
    ExchangeRate.objects.create(currency="USD", date=dt.date(2025, 1, 1), eur_per_unit="0.90")
    ExchangeRate.objects.create(currency="USD", date=dt.date(2025, 6, 1), eur_per_unit="0.80")
    users = {
        "command": make_user("command", n["NSATU"], ["coordinator", "approver"], "Europe/Berlin"),
        "ukr": make_user("ukr", n["UKR"], ["editor"], "Europe/Kyiv"),
        "deu": make_user("deu", n["DEU"], ["editor"]),
        "deu_viewer": make_user("deu_viewer", n["DEU"], ["viewer"]),
        "deu_approver": make_user("deu_approver", n["DEU"], ["approver", "editor"]),
        "pol": make_user("pol", n["POL"], ["editor"]),
        "nld": make_user("nld", n["NLD"], ["editor"]),
        "fra": make_user("fra", n["FRA"], ["editor"]),
    }
    return World(n, users, coalition, cats, items, destination, depot)


def requirement(world: Any, *, actor: Any = None, **overrides: Any) -> Requirement:
    data: dict[str, Any] = {
        "title": "Tanks for a brigade",
        "item": world.items["leo"],
        "quantity": 10,
        "priority": 1,
        "needed_by": dt.date(2027, 3, 1),
        "destination": world.destination,
        "released_to": [world.nations["DEU"]],
    }
    data.update(overrides)
    return requirements.requirement_create(actor=actor or world.users["ukr"], data=data)


def pledge(world: Any, *, actor: Any = None, **overrides: Any) -> Pledge:
    data: dict[str, Any] = {
        "title": "German package",
        "kind": "in_kind",
        "pledged_on": dt.date(2025, 3, 1),
        "released_to": [world.nations["UKR"]],
    }
    data.update(overrides)
    return pledges.pledge_create(actor=actor or world.users["deu"], data=data)


def line(world: Any, pledge_obj: Pledge, *, actor: Any = None, **overrides: Any) -> PledgeLine:
    data: dict[str, Any] = {
        "item": world.items["leo"],
        "quantity": 10,
        "available_from": dt.date(2026, 1, 1),
    }
    data.update(overrides)
    return pledges.pledge_line_add(actor=actor or world.users["deu"], pledge=pledge_obj, data=data)
