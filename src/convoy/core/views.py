"""Generic pages built from the registry: list (search, filter, sort, paginate, CSV export),
detail (with history and lifecycle buttons), add, edit, delete, and lifecycle actions.
Every read starts from ``restrict``; every write calls the model's service."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .access import restrict
from .audit import history_of
from .concurrency import PreconditionFailed, expecting, parse_form_version
from .errors import DomainError, Forbidden, apply_to_form
from .imports import import_columns, import_rows, parse_csv
from .registry import REGISTRY, ModelSpec, addable, require_addable, resolve
from .services import refuse

PAGE_SIZE = 25


def search_q(spec: ModelSpec, text: str) -> Q:
    q = Q()
    for term in text.split():
        term_q = Q()
        for f in spec.search_fields:
            term_q |= Q(**{f"{f}__icontains": term})
        q &= term_q
    return q


def list_queryset(spec: ModelSpec, request: HttpRequest) -> tuple[QuerySet[Any], Any]:
    qs = restrict(spec.model._default_manager.all(), request.user, "view")
    if spec.select_related:
        qs = qs.select_related(*spec.select_related)
    if spec.prefetch:
        qs = qs.prefetch_related(*spec.prefetch)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(search_q(spec, text))
    filterset = spec.filterset(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound:
        # an invalid filter shows its error and filters out everything, never the whole list
        qs = filterset.qs if filterset.is_valid() else qs.none()
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in spec.sortable:
        qs = qs.order_by(sort, "pk")
    elif spec.ordering:
        qs = qs.order_by(*spec.ordering)
    return qs, filterset


class SpecView(LoginRequiredMixin, View):
    spec: ModelSpec = cast(ModelSpec, None)  # set by as_view(spec=...)

    def get_object(self, pk: Any, action: str = "view") -> Any:
        """The record if ``action`` is allowed on it; 403 if it is visible but the action is
        not allowed; 404 if it is not visible (a refusal is recorded if the record exists)."""
        return object_or_refuse(self.spec, self.request.user, pk, action)

    def ctx(self, **extra: Any) -> dict[str, Any]:
        return {"spec": self.spec, **extra}


def object_or_refuse(spec: ModelSpec, user: Any, pk: Any, action: str) -> Any:
    qs = restrict(spec.model._default_manager.all(), user, action)
    if spec.select_related:
        qs = qs.select_related(*spec.select_related)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        refuse(spec.model, user, pk, action)
    return obj


class ListView(SpecView):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs, filterset = list_queryset(self.spec, request)
        paginator = Paginator(qs, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        rows = [
            (obj, [resolve(obj, accessor) for accessor, _label in self.spec.columns])
            for obj in page.object_list
        ]
        context = self.ctx(
            page=page,
            rows=rows,
            filterset=filterset,
            q=request.GET.get("q", ""),
            sort=request.GET.get("sort", ""),
            querystring=params.urlencode(),
            can_add=addable(self.spec, request.user),
        )
        template = "core/_table.html" if request.headers.get("HX-Request") else "core/list.html"
        return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


class ExportView(SpecView):
    """CSV of the filtered list, through the same choke point (streams any size)."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        qs, _f = list_queryset(self.spec, request)
        writer = csv.writer(_Echo())
        columns = self.spec.columns

        def rows() -> Any:
            yield writer.writerow(["id", *[str(label) for _a, label in columns]])
            for obj in qs.iterator(chunk_size=2000):
                yield writer.writerow([obj.pk, *[_csv(resolve(obj, a)) for a, _l in columns]])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.spec.plural}.csv"'
        return response


def _csv(value: Any) -> Any:
    """Empty for nothing; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class DetailView(SpecView):
    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, "core/detail.html", self.detail_context(obj))

    def detail_context(self, obj: Any) -> dict[str, Any]:
        user = self.request.user
        model = self.spec.model
        names = self.spec.detail_fields or [
            f.name
            for f in model._meta.get_fields()
            if f.concrete and not f.auto_created and f.name not in ("version",)
        ]
        fields = []
        for name in names:
            f = model._meta.get_field(name)
            if getattr(f, "choices", None):
                value: Any = getattr(obj, f"get_{name}_display")()
            elif f.many_to_many:
                value = ", ".join(str(v) for v in getattr(obj, name).all()) or "—"
            else:
                value = getattr(obj, name)
            fields.append((getattr(f, "verbose_name", name), value))
        manager = model._default_manager
        can_change = (
            self.spec.update is not None
            and restrict(manager.all(), user, "change").filter(pk=obj.pk).exists()
        )
        can_delete = (
            self.spec.delete is not None
            and restrict(manager.all(), user, "delete").filter(pk=obj.pk).exists()
        )
        allowed = {
            a: restrict(manager.all(), user, a).filter(pk=obj.pk).exists()
            for a in {b.permission for b in self.spec.actions}
        }
        buttons = [
            b.offer(obj) for b in self.spec.actions if allowed.get(b.permission) and b.shown(obj)
        ]
        history = history_of(obj)[:50]
        extra = self.spec.detail_extra(self.request, obj) if self.spec.detail_extra else {}
        return self.ctx(
            **extra,
            obj=obj,
            fields=fields,
            can_change=can_change,
            can_delete=can_delete,
            buttons=buttons,
            history=history,
        )


class FormView(SpecView):
    """Add (pk is None) or edit a record through its service; keep the input on refusal."""

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self.get_object(pk, "change") if pk is not None else None
        self._check_add(obj)
        initial = {k: v for k, v in request.GET.items() if k in self.spec.form.base_fields}
        form = self.spec.form(instance=obj, actor=request.user, initial=initial)
        version = getattr(obj, "version", None)
        return render(request, "core/form.html", self.ctx(form=form, obj=obj, version=version))

    def _check_add(self, obj: Any) -> None:
        if obj is None:
            require_addable(self.spec, self.request.user)
        elif self.spec.update is None or self.spec.form is None:
            raise Forbidden(_("Records of this kind are not edited."))

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self.get_object(pk, "change") if pk is not None else None
        self._check_add(obj)
        form = self.spec.form(request.POST, instance=obj, actor=request.user)
        opened = parse_form_version(request.POST.get("_version"))
        version = opened
        status = 400
        if form.is_valid():
            data = form.service_data()
            try:
                if obj is None:
                    assert self.spec.create is not None
                    obj = self.spec.create(actor=request.user, data=data)
                    messages.success(request, _("%(obj)s created.") % {"obj": obj})
                else:
                    assert self.spec.update is not None
                    with expecting(self.spec.model, obj.pk, opened):
                        obj = self.spec.update(actor=request.user, obj=obj, data=data)
                    messages.success(request, _("%(obj)s saved.") % {"obj": obj})
                return HttpResponseRedirect(reverse(f"{self.spec.key}_detail", args=[obj.pk]))
            except PreconditionFailed as exc:
                # keep the user's input; saving again overwrites the other change knowingly
                form.add_error(
                    None,
                    exc.message
                    + " "
                    + _("Your input is kept below: check their change, then save again."),
                )
                version, status = exc.current_version, 409
            except DomainError as exc:
                apply_to_form(form, exc)
        context = self.ctx(form=form, obj=obj, version=version)
        return render(request, "core/form.html", context, status=status)


class DeleteView(SpecView):
    def get_object(self, pk: Any, action: str = "delete") -> Any:
        obj = super().get_object(pk, action)
        if self.spec.delete is None:
            raise Forbidden(_("Records of this kind are not deleted."))
        return obj

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object(pk, "delete")
        return render(request, "core/confirm_delete.html", self.ctx(obj=obj))

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object(pk, "delete")
        assert self.spec.delete is not None
        try:
            self.spec.delete(actor=request.user, obj=obj, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse(f"{self.spec.key}_detail", args=[pk]))
        messages.success(request, _("%(obj)s deleted.") % {"obj": obj})
        return HttpResponseRedirect(reverse(f"{self.spec.key}_list"))


class ActionView(SpecView):
    """POST a lifecycle action; a refusal changes nothing and is shown as a message."""

    def post(self, request: HttpRequest, pk: Any, action: str) -> HttpResponse:
        button = next((b for b in self.spec.actions if b.name == action), None)
        if button is None:
            raise Http404
        obj = self.get_object(pk, button.permission)
        redirect = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            redirect, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) or not redirect.startswith("/"):
            redirect = reverse(f"{self.spec.key}_detail", args=[pk])
        quantity: int | None = None
        if button.needs_quantity:
            raw = request.POST.get("quantity", "").strip()
            if not raw.isdigit() or int(raw) < 1:
                messages.error(request, _("The quantity must be a positive whole number."))
                return HttpResponseRedirect(redirect)
            quantity = int(raw)
        try:
            with expecting(self.spec.model, pk, parse_form_version(request.POST.get("_version"))):
                button.run(
                    actor=request.user,
                    obj=obj,
                    quantity=quantity,
                    reason=request.POST.get("reason", ""),
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(action)s: done.") % {"action": button.label})
        return HttpResponseRedirect(redirect)


class ImportView(SpecView):
    """Upload a CSV: every row valid and created, or nothing written and the errors by row."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_addable(self.spec, request.user)
        columns = import_columns(self.spec, request.user)
        return render(request, "core/import.html", self.ctx(columns=columns))

    def post(self, request: HttpRequest) -> HttpResponse:
        require_addable(self.spec, request.user)
        columns = import_columns(self.spec, request.user)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
            return render(request, "core/import.html", self.ctx(columns=columns), status=400)
        try:
            result = import_rows(self.spec, request.user, parse_csv(upload.read()))
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "core/import.html", self.ctx(columns=columns), status=400)
        if not result.ok:
            return render(
                request,
                "core/import.html",
                self.ctx(columns=columns, errors=result.errors),
                status=400,
            )
        messages.success(request, _("Imported %(n)s records.") % {"n": len(result.created)})
        return HttpResponseRedirect(reverse(f"{self.spec.key}_list"))


class ImportTemplateView(SpecView):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_addable(self.spec, request.user)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.spec.plural}-import-template.csv"'
        )
        csv.writer(response).writerow(import_columns(self.spec, request.user))
        return response


def spec_urls(spec: ModelSpec) -> list[Any]:
    def bind(view: type[SpecView]) -> Any:
        return view.as_view(spec=spec)

    p = spec.plural
    return [
        path(f"{p}/", bind(ListView), name=f"{spec.key}_list"),
        path(f"{p}/export.csv", bind(ExportView), name=f"{spec.key}_export"),
        path(f"{p}/add/", bind(FormView), name=f"{spec.key}_add"),
        path(f"{p}/import/", bind(ImportView), name=f"{spec.key}_import"),
        path(f"{p}/import-template.csv", bind(ImportTemplateView), name=f"{spec.key}_template"),
        path(f"{p}/<int:pk>/", bind(DetailView), name=f"{spec.key}_detail"),
        path(f"{p}/<int:pk>/edit/", bind(FormView), name=f"{spec.key}_edit"),
        path(f"{p}/<int:pk>/delete/", bind(DeleteView), name=f"{spec.key}_delete"),
        path(f"{p}/<int:pk>/do/<slug:action>/", bind(ActionView), name=f"{spec.key}_action"),
    ]


def registry_urls() -> list[Any]:
    urls: list[Any] = []
    for spec in REGISTRY.values():
        urls += spec_urls(spec)
    return urls


def start_run(
    request: HttpRequest,
    *,
    form: Any,
    queue: Callable[..., Any],
    enqueue: Callable[[Any], None],
    template: str,
    detail: str,
) -> HttpResponse:
    """An optimiser's run page: on a valid POST, ``queue(actor=, title=, parameters=)`` makes
    the plan, ``enqueue`` hands it to the worker once the request commits, and the plan's page
    (url name ``detail``) shows its progress; bad parameters come back with their errors."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = queue(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    parameters=form.cleaned_data,
                )
            except DomainError as exc:
                apply_to_form(form, exc)
                status = exc.status
            else:
                enqueue(plan)
                return redirect(detail, plan.pk)
        else:
            status = 400
    return render(request, template, {"form": form}, status=status)
