"""Exchange rates: a list, detail and edit pages and an API, like any other reference record."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .api import ServiceSerializer, SpecViewSet
from .forms import SearchFilterSet, ServiceForm
from .models import ExchangeRate
from .registry import ModelSpec, register
from .services import crud_services

rate_create, rate_update, rate_delete = crud_services(ExchangeRate, "exchange_rate")


class ExchangeRateForm(ServiceForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "eur_per_unit"]


class ExchangeRateFilter(SearchFilterSet):
    class Meta:
        model = ExchangeRate
        fields = {"currency": ["exact"], "date": ["gte", "lte"]}


RATE = register(
    ModelSpec(
        key="exchangerate",
        plural="exchange-rates",
        model=ExchangeRate,
        verbose=_("exchange rate"),
        verbose_plural=_("exchange rates"),
        columns=[
            ("currency", _("currency")),
            ("date", _("date")),
            ("eur_per_unit", _("EUR per unit")),
        ],
        form=ExchangeRateForm,
        filterset=ExchangeRateFilter,
        create=rate_create,
        update=rate_update,
        delete=rate_delete,
        search_fields=["currency"],
        menu="reference",
        ordering=["currency", "-date"],
        sortable=["currency", "date", "eur_per_unit"],
    )
)


class ExchangeRateSerializer(ServiceSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "eur_per_unit", "version"]
        read_only_fields = ["version"]


class ExchangeRateViewSet(SpecViewSet):
    spec = RATE
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["currency", "date"]
