"""Form and filter bases: related choices come through the choke point, dates are ISO inputs."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models

from .access import actor_context, restrict


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceForm(forms.ModelForm):
    """A ModelForm whose cleaned data goes to a service (never ``form.save()``)."""

    owner_field = "owner"

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                qs = field.queryset
                if qs is not None:
                    field.queryset = restrict(qs, actor, "view")
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
        if self.owner_field in self.fields:
            ctx = actor_context(actor)
            if not ctx.is_coordinator:
                del self.fields[self.owner_field]
            else:
                self.fields[self.owner_field].required = False

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def _post_clean(self) -> None:
        # Model validation runs in the service, inside its transaction; but keep field-level
        # model validators (NSN, ranges) here too so the user sees them next to the input.
        opts = self._meta
        exclude = self._get_validation_exclusions()  # type: ignore[attr-defined]
        try:
            self.instance = forms.models.construct_instance(
                self, self.instance, opts.fields, opts.exclude
            )
        except forms.ValidationError as e:
            self._update_errors(e)  # type: ignore[attr-defined]
        try:
            self.instance.clean_fields(exclude=exclude)
        except forms.ValidationError as e:
            self._update_errors(e)  # type: ignore[attr-defined]


class SearchFilterSet(django_filters.FilterSet):
    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for f in self.filters.values():
            qs = f.extra.get("queryset")
            if isinstance(qs, models.QuerySet):
                f.extra["queryset"] = restrict(qs, user, "view")
