from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from convoy.catalog import services
from convoy.catalog.models import Item
from convoy.catalog.nsn import normalise_nsn
from convoy.core.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1005-12-345-6789", "1005-12-345-6789"),
        ("1005123456789", "1005-12-345-6789"),
        ("6515 01 521 7976", "6515-01-521-7976"),
        ("1320-00-000-0001", "1320-00-000-0001"),
    ],
)
def test_valid_nsn(raw: str, expected: str) -> None:
    assert normalise_nsn(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1005-12-345-678",  # 12 digits
        "1005-12-345-67890",  # 14 digits
        "ABCD-12-345-6789",
        "0905-12-345-6789",  # group below 10
        "1005-12-000-0000",  # zero serial
        "1005/12/345/6789",
    ],
)
def test_invalid_nsn(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_nsn(raw)


@pytest.mark.django_db
def test_item_service_normalises_and_refuses(world: Any) -> None:
    item = services.item_create(
        actor=world.users["command"],
        data={
            "name": "IRIS-T SLM launcher",
            "category": world.categories["armour"],
            "unit_value_eur": "14000000.00",
            "nsn": "1440123456789",
        },
    )
    assert item.nsn == "1440-12-345-6789"
    with pytest.raises(DomainError) as exc:
        services.item_create(
            actor=world.users["command"],
            data={
                "name": "Bad",
                "category": world.categories["armour"],
                "unit_value_eur": "1.00",
                "nsn": "12-34",
            },
        )
    assert "nsn" in exc.value.errors
    assert not Item.objects.filter(name="Bad").exists()
