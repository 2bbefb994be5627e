from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convoy.core.access import restrict
from convoy.core.errors import DomainError
from convoy.core.views import object_or_refuse

from . import services
from .models import Item
from .views import CAPABILITY


@login_required
@require_POST
def set_component(request: HttpRequest, pk: int) -> HttpResponse:
    cap = object_or_refuse(CAPABILITY, request.user, pk, "change")
    item = (
        restrict(Item.objects.all(), request.user, "view")
        .filter(pk=request.POST.get("item") or 0)
        .first()
    )
    raw = request.POST.get("quantity", "").strip()
    if item is None or not raw.isdigit():
        messages.error(request, _("Choose an item and a whole-number quantity (0 removes it)."))
    else:
        try:
            services.capability_set_component(
                actor=request.user, capability=cap, item=item, quantity=int(raw)
            )
            messages.success(request, _("Components updated."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("capability_detail", args=[pk]))


urlpatterns = [
    path("capabilities/<int:pk>/components/", set_component, name="capability_set_component"),
]
