"""Coverage and valuation arithmetic against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from convoy.core.tests import factories
from convoy.planning.selectors import coverage, donor_totals
from convoy.pledges import services as pledges
from convoy.requirements import services as requirements

pytestmark = pytest.mark.django_db
M = Decimal(1_000_000)


def _req(world: Any, status: str, **kw: Any) -> Any:
    req = factories.requirement(world, **kw)
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "validated": ["submit", "validate"],
        "cancelled": ["cancel"],
    }[status]
    for step in steps:
        req = requirements.requirement_transition(
            actor=world.users["command"], requirement=req, transition=step, reason="r"
        )
    return req


def _line(world: Any, pledge: Any, accept: int = 0, withdraw: int = 0, **kw: Any) -> Any:
    line = factories.line(world, pledge, **kw)
    if accept:
        line = pledges.pledge_line_accept(actor=world.users["command"], line=line, quantity=accept)
    if withdraw:
        line = pledges.pledge_line_move(
            actor=world.users["deu"], line=line, move="withdraw", quantity=withdraw
        )
    return line


@pytest.fixture
def scenario(world: Any) -> Any:
    i = world.items  # leo EUR 1 M, leo2 EUR 3 M (armour mean 2 M), shell EUR 4,000
    _req(world, "validated", item=i["leo"], quantity=10, priority=1)
    _req(world, "submitted", item=i["leo"], quantity=5, priority=2)
    _req(world, "validated", item=None, category=world.categories["armour"], quantity=4, priority=3)
    _req(world, "validated", item=i["shell"], quantity=1000, priority=1)
    _req(world, "draft", item=i["leo"], quantity=100, priority=1)  # not counted
    _req(world, "cancelled", item=i["leo"], quantity=100, priority=1)  # not counted
    p = factories.pledge(world, pledged_on=dt.date(2025, 3, 1))
    _line(world, p, item=i["leo"], quantity=12, accept=9)
    _line(world, p, item=i["leo2"], quantity=2, accept=2)
    _line(
        world,
        p,
        item=i["shell"],
        quantity=500,
        stated_value=Decimal("1000000.00"),
        stated_currency="USD",
    )
    _line(world, p, item=i["leo"], quantity=1, withdraw=1)
    return world


def test_coverage_by_priority(scenario: Any) -> None:
    cov = coverage(actor=scenario.users["command"])
    p1, p2, p3, p4 = cov.by_priority
    # P1: 10 leo (9 committed, 1 pledged) + 1000 shells (500 pledged)
    assert (p1.required, p1.committed, p1.pledged, p1.unmet) == (14 * M, 9 * M, 3 * M, 2 * M)
    # P2: 5 leo; committed leo already taken by P1; 2 offered leo left
    assert (p2.required, p2.committed, p2.pledged, p2.unmet) == (5 * M, 0, 2 * M, 3 * M)
    # P3: 4 armour of any type at the category mean (2 M); 2 spare Leopard 2 committed
    assert (p3.required, p3.committed, p3.pledged, p3.unmet) == (8 * M, 4 * M, 0, 4 * M)
    assert p4.required == 0 and p4.coverage_pct == 0
    assert (cov.total.required, cov.total.committed, cov.total.pledged) == (27 * M, 13 * M, 5 * M)
    assert cov.total.coverage_pct == Decimal("48.1")
    assert (p1.required_qty, p1.committed_qty, p1.pledged_qty, p1.unmet_qty) == (1010, 9, 501, 500)
    assert cov.requirement_count == 6
    assert cov.statuses["draft"] == 1 and cov.statuses["cancelled"] == 1


def test_coverage_by_category(scenario: Any) -> None:
    cov = coverage(actor=scenario.users["command"])
    rows = {r.label: r for r in cov.by_category}
    armour, ammo = rows["Armour"], rows["Ammunition"]
    assert (armour.required, armour.committed, armour.pledged) == (23 * M, 13 * M, 3 * M)
    assert (ammo.required, ammo.committed, ammo.pledged) == (4 * M, 0, 2 * M)
    assert [r.label for r in cov.by_category] == ["Armour", "Ammunition"]  # by size


def test_coverage_only_counts_what_the_actor_sees(scenario: Any) -> None:
    # France sees neither the requirements (released to DEU) nor the pledge (released to UKR)
    cov = coverage(actor=scenario.users["fra"])
    assert cov.total.required == 0 and cov.requirement_count == 0
    # Germany sees the requirements and its own pledge: the same figures as the command
    assert coverage(actor=scenario.users["deu"]).total.committed == 13 * M


def test_donor_totals(scenario: Any) -> None:
    (deu,) = donor_totals(actor=scenario.users["command"])
    # leo 9 committed + 3 offered at 1 M; leo2 2 committed at 3 M; shells stated
    # USD 1,000,000 at the 2025-01-01 rate 0.90 = EUR 900,000, all offered; withdrawn line: 0
    assert deu.code == "DEU"
    assert deu.committed == 15 * M
    assert deu.pledged == Decimal("3900000.00")
    assert deu.delivered == 0 and deu.lines == 4
    assert donor_totals(actor=scenario.users["fra"]) == []


def test_stated_value_uses_the_rate_of_the_pledge_date(world: Any) -> None:
    p = factories.pledge(world, pledged_on=dt.date(2025, 7, 15))  # rate 0.80 from 2025-06-01
    _line(
        world,
        p,
        item=world.items["shell"],
        quantity=100,
        accept=40,
        stated_value=Decimal("100000.00"),
        stated_currency="USD",
    )
    (deu,) = donor_totals(actor=world.users["command"])
    assert (deu.committed, deu.pledged) == (Decimal("32000.00"), Decimal("48000.00"))
    early = factories.pledge(world, pledged_on=dt.date(2024, 1, 1))  # before any rate: earliest
    _line(
        world,
        early,
        item=world.items["shell"],
        quantity=1,
        stated_value=Decimal("10"),
        stated_currency="USD",
    )
    (deu,) = donor_totals(actor=world.users["command"])
    assert deu.pledged == Decimal("48009.00")


def test_money_is_never_a_float() -> None:
    from convoy.core.money import Money, eur

    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    assert eur("2.005") == Decimal("2.01")
