from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone

register = template.Library()


@register.filter
def cell(value: Any) -> Any:
    """How a value reads in a table: dashes for nothing, grouped digits, local times."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@register.filter
def eur(value: Any) -> str:
    """Whole euros with thousands separators."""
    if value is None:
        return "—"
    return "€ " + intcomma(f"{Decimal(value):.0f}")


@register.filter
def meur(value: Any) -> str:
    """Millions of euros with one decimal."""
    if value is None:
        return "—"
    return "€ " + intcomma(f"{Decimal(value) / Decimal(1_000_000):.1f}") + " M"


@register.filter
def percent(fraction: Any) -> str:
    """A fraction as a percentage, to four decimals at most (a solver's gap: 0.0123 -> 1.23)."""
    if fraction is None:
        return "—"
    text = f"{100 * float(fraction):.4f}".rstrip("0").rstrip(".")
    return "<0.0001" if text == "0" and fraction > 0 else text


@register.filter
def changes(event: Any) -> str:
    before, after = event.before or {}, event.after or {}
    if not before:
        return "created"
    if not after:
        return "deleted"
    diffs = [
        f"{k}: {before.get(k)} → {after.get(k)}"
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k) and k not in ("updated_at", "version")
    ]
    return "; ".join(diffs)


@register.simple_tag
def sort_query(querystring: str, accessor: str, current: str) -> str:
    params = [(k, v) for k, v in parse_qsl(querystring) if k not in ("sort", "page")]
    params.append(("sort", f"-{accessor}" if current == accessor else accessor))
    return urlencode(params)
