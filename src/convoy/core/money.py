"""Money: a Decimal amount with its currency, converted to EUR at the rate of its date."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .errors import DomainError

CENT = Decimal("0.01")
CURRENCIES = (
    "EUR", "USD", "GBP", "PLN", "NOK", "SEK", "DKK", "CAD", "CZK", "CHF", "JPY", "AUD", "RON",
    "HUF",
)  # fmt: skip


def eur(value: Decimal | int | str) -> Decimal:
    """Round to whole cents, half up (never a float)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("money is never a float")


class RateTable:
    """All rates in memory, for totals over many records: the rate on or before a date
    (or the earliest one after it when the date precedes every rate)."""

    def __init__(self, rows: list[tuple[str, dt.date, Decimal]]) -> None:
        by_currency: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for currency, date, rate in rows:
            by_currency[currency].append((date, rate))
        self._dates: dict[str, list[dt.date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, pairs in by_currency.items():
            pairs.sort()
            self._dates[currency] = [d for d, _r in pairs]
            self._rates[currency] = [r for _d, r in pairs]

    @classmethod
    def load(cls) -> RateTable:
        from .models import ExchangeRate

        return cls(list(ExchangeRate.objects.values_list("currency", "date", "eur_per_unit")))

    def rate(self, currency: str, on: dt.date) -> Decimal:
        if currency == "EUR":
            return Decimal(1)
        dates = self._dates.get(currency)
        if not dates:
            raise DomainError(
                _("No exchange rate for %(currency)s.") % {"currency": currency},
                field="currency",
            )
        i = bisect.bisect_right(dates, on) - 1
        return self._rates[currency][max(i, 0)]

    def to_eur(self, money: Money, on: dt.date) -> Decimal:
        return eur(money.amount * self.rate(money.currency, on))

    def to_eur_amount(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        """Unrounded EUR value (round once, at the end of a sum)."""
        return amount * self.rate(currency, on)
