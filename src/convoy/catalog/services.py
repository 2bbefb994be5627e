"""Writes on the catalogue: categories, items (NSN normalised), capabilities and components."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from convoy.core.audit import audit, snapshot
from convoy.core.errors import DomainError
from convoy.core.services import crud_services, lock_for

from .models import Capability, CapabilityComponent, Category, Item

category_create, category_update, category_delete = crud_services(Category, "category")
item_create, item_update, item_delete = crud_services(Item, "item")
capability_create, capability_update, capability_delete = crud_services(Capability, "capability")


@transaction.atomic
def capability_set_component(
    *, actor: Any, capability: Capability, item: Item, quantity: int, reason: str = ""
) -> Capability:
    """Set how many of ``item`` one unit of the capability needs (0 removes the component)."""
    locked = lock_for(Capability, actor, "change", capability.pk)
    if quantity < 0:
        raise DomainError(_("The quantity cannot be negative."), field="quantity")
    before = {"components": {str(c.item_id): c.quantity for c in locked.components.all()}}
    if quantity == 0:
        locked.components.filter(item=item).delete()
    else:
        CapabilityComponent.objects.update_or_create(
            capability=locked, item=item, defaults={"quantity": quantity}
        )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    after = snapshot(locked)
    after["components"] = {str(c.item_id): c.quantity for c in locked.components.all()}
    audit(
        actor=actor,
        action="capability.set_component",
        obj=locked,
        before=before,
        after=after,
        reason=reason,
    )
    return locked
