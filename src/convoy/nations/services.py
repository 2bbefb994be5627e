"""Writes on nations, coalitions and organisations (reference data)."""

from __future__ import annotations

from convoy.core.services import crud_services

from .models import Coalition, Nation, Organisation

nation_create, nation_update, nation_delete = crud_services(Nation, "nation")
coalition_create, coalition_update, coalition_delete = crud_services(Coalition, "coalition")
organisation_create, organisation_update, organisation_delete = crud_services(
    Organisation, "organisation"
)
