from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from convoy.core.errors import DomainError, apply_to_form
from convoy.core.registry import ModelSpec, register

from . import selectors, services
from .forms import (
    ApiTokenForm,
    CoalitionFilter,
    CoalitionForm,
    NationFilter,
    NationForm,
    OrganisationFilter,
    OrganisationForm,
    RevokeForm,
)
from .models import ApiToken, Coalition, Nation, Organisation

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


# --- the account's API tokens ---------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens and a form to make one; a new key is shown in this answer only."""
    form = ApiTokenForm(request.POST or None)
    new_token: ApiToken | None = None
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "nations/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_of(actor=request.user).select_related("revoked_by"),
            "new_token": new_token,
            "new_key": new_key,
            "max_days": settings.CONVOY_API_TOKEN_MAX_DAYS,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then revoke one of the user's own tokens."""
    token = selectors.api_token_or_404(
        selectors.api_tokens_of(actor=request.user), actor=request.user, pk=pk, action="change"
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.api_token_revoke(
                actor=request.user, token=token, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("account_tokens")
    return render(request, "nations/token_revoke.html", {"token": token, "form": form})
