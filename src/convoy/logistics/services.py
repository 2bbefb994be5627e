"""Writes on nodes."""

from __future__ import annotations

from convoy.core.services import crud_services

from .models import Node

node_create, node_update, node_delete = crud_services(Node, "node")
