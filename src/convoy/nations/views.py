from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from convoy.core.registry import ModelSpec, register

from . import services
from .forms import (
    CoalitionFilter,
    CoalitionForm,
    NationFilter,
    NationForm,
    OrganisationFilter,
    OrganisationForm,
)
from .models import Coalition, Nation, Organisation

NATION = register(
    ModelSpec(
        key="nation",
        plural="nations",
        model=Nation,
        verbose=_("nation"),
        verbose_plural=_("nations"),
        columns=[("code", _("code")), ("name", _("name")), ("get_kind_display", _("kind"))],
        form=NationForm,
        filterset=NationFilter,
        create=services.nation_create,
        update=services.nation_update,
        delete=services.nation_delete,
        search_fields=["code", "name"],
        menu="reference",
        sortable=["code", "name", "kind"],
    )
)
COALITION = register(
    ModelSpec(
        key="coalition",
        plural="coalitions",
        model=Coalition,
        verbose=_("coalition"),
        verbose_plural=_("coalitions"),
        columns=[
            ("name", _("name")),
            ("get_area_display", _("area")),
            ("lead_nations", _("lead nations")),
        ],
        form=CoalitionForm,
        filterset=CoalitionFilter,
        create=services.coalition_create,
        update=services.coalition_update,
        delete=services.coalition_delete,
        search_fields=["name"],
        prefetch=["lead_nations"],
        menu="reference",
        sortable=["name", "area"],
    )
)
ORGANISATION = register(
    ModelSpec(
        key="organisation",
        plural="organisations",
        model=Organisation,
        verbose=_("organisation"),
        verbose_plural=_("organisations"),
        columns=[
            ("name", _("name")),
            ("nation__code", _("nation")),
            ("get_kind_display", _("kind")),
        ],
        form=OrganisationForm,
        filterset=OrganisationFilter,
        create=services.organisation_create,
        update=services.organisation_update,
        delete=services.organisation_delete,
        search_fields=["name", "nation__code"],
        select_related=["nation"],
        menu="reference",
        sortable=["name", "nation__code", "kind"],
    )
)
