"""Generic writes shared by every app: create, update and delete a record, audited.

Apps wrap these in their own typed services (``item_create``, ``requirement_update``...) and add
their domain rules; views, the API, imports and the CLI call the app services, never ``save()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, NamedTuple, NoReturn, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .access import actor_context, can_add, policy_of, restrict
from .audit import audit, snapshot
from .concurrency import check_version
from .errors import DomainError, Forbidden
from .security import note_refusal

M = TypeVar("M", bound=models.Model)


def _split(model: type[models.Model], data: Mapping[str, Any]) -> tuple[dict[str, Any], dict]:
    m2m_names = {f.name for f in model._meta.many_to_many}
    scalars = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return scalars, m2m


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc


def _ensure_in_scope(actor: Any, obj: models.Model) -> None:
    """Re-check inside the transaction: the result must stay within the actor's write scope."""
    if not restrict(type(obj)._default_manager.all(), actor, "change").filter(pk=obj.pk).exists():
        raise Forbidden(_("The result would leave your nation's scope."))


def lock_for(model: type[M], actor: Any, action: str, pk: Any) -> M:
    """Fetch and lock a record the actor may act on; invisible answers 404, visible but not
    permitted 403. A version the caller expects (``concurrency.expecting``) is checked here."""
    qs = restrict(model._default_manager.all(), actor, action)
    try:
        locked = qs.select_for_update().get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        refuse(model, actor, pk, action, cause=exc)
    check_version(locked)
    return locked


def refuse(
    model: type[models.Model], actor: Any, pk: Any, action: str, cause: Exception | None = None
) -> NoReturn:
    """``actor`` may not ``action`` record ``pk``: 403 if they may see it, else 404 (so that
    its existence does not leak); the refusal is recorded either way (``core.security``)."""
    from django.http import Http404

    note_refusal(actor, model, pk, action)
    if (
        action != "view"
        and restrict(model._default_manager.all(), actor, "view").filter(pk=pk).exists()
    ):
        raise Forbidden(_("You may not %(action)s this record.") % {"action": _(action)}) from cause
    raise Http404(_("No such record.")) from cause


@transaction.atomic
def create_record(
    *, actor: Any, model: type[M], data: Mapping[str, Any], action: str, reason: str = ""
) -> M:
    if not can_add(actor, model):
        raise Forbidden(_("You may not add records of this kind."))
    scalars, m2m = _split(model, data)
    ctx = actor_context(actor)
    if policy_of(model) == "owned":
        owner = scalars.get("owner")
        if owner is None:
            scalars["owner_id"] = ctx.nation_id
            scalars.pop("owner", None)
        elif not ctx.is_coordinator and owner.pk != ctx.nation_id:
            raise DomainError(_("You can only create records owned by your nation."), field="owner")
    obj = model(**scalars)
    _full_clean(obj)
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise DomainError(_("A record with these values already exists.")) from exc
    for name, values in m2m.items():
        getattr(obj, name).set(values)
    _ensure_in_scope(actor, obj)
    audit(actor=actor, action=action, obj=obj, before=None, reason=reason)
    return obj


@transaction.atomic
def update_record(
    *, actor: Any, obj: M, data: Mapping[str, Any], action: str, reason: str = ""
) -> M:
    model = type(obj)
    locked = lock_for(model, actor, "change", obj.pk)
    before = snapshot(locked)
    scalars, m2m = _split(model, data)
    ctx = actor_context(actor)
    if "owner" in scalars and not ctx.is_coordinator:
        owner = scalars["owner"]
        if owner is not None and owner.pk != getattr(locked, "owner_id", None):
            raise DomainError(_("Only command staff may change the owner nation."), field="owner")
    for name, value in scalars.items():
        setattr(locked, name, value)
    if hasattr(locked, "version"):
        locked.version += 1
    _full_clean(locked)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise DomainError(_("A record with these values already exists.")) from exc
    for name, values in m2m.items():
        getattr(locked, name).set(values)
    _ensure_in_scope(actor, locked)
    audit(actor=actor, action=action, obj=locked, before=before, reason=reason)
    return locked


@transaction.atomic
def delete_record(*, actor: Any, obj: models.Model, action: str, reason: str = "") -> None:
    model = type(obj)
    locked = lock_for(model, actor, "delete", obj.pk)
    before = snapshot(locked)
    pk, repr_ = locked.pk, str(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError(
            _("%(obj)s is still used by other records and cannot be deleted.") % {"obj": repr_},
            status=409,
            code="conflict",
        ) from exc
    audit(
        actor=actor,
        action=action,
        object_type=model._meta.label_lower,
        object_id=str(pk),
        before=before,
        after=None,
        reason=reason,
    )


class CrudServices(NamedTuple, Generic[M]):
    create: Callable[..., M]
    update: Callable[..., M]
    delete: Callable[..., None]


def crud_services(model: type[M], prefix: str) -> CrudServices[M]:
    """Typed create/update/delete services for a record without lifecycle rules of its own."""

    def create(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> M:
        return create_record(
            actor=actor, model=model, data=data, action=f"{prefix}.create", reason=reason
        )

    def update(*, actor: Any, obj: M, data: Mapping[str, Any], reason: str = "") -> M:
        return update_record(
            actor=actor, obj=obj, data=data, action=f"{prefix}.update", reason=reason
        )

    def delete(*, actor: Any, obj: M, reason: str = "") -> None:
        delete_record(actor=actor, obj=obj, action=f"{prefix}.delete", reason=reason)

    for fn, verb in ((create, "create"), (update, "update"), (delete, "delete")):
        fn.__name__ = fn.__qualname__ = f"{prefix}_{verb}"
    return CrudServices(create, update, delete)


def next_reference(model: type[models.Model], prefix: str, year: int) -> str:
    """The next free ``PREFIX-YYYY-NNNNN`` reference (call inside the creating transaction)."""
    stem = f"{prefix}-{year}-"
    last = (
        # a range, not startswith: SQLite's LIKE is case-insensitive and cannot use the index
        model._default_manager.filter(reference__gte=stem, reference__lt=stem + "~")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    n = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:05d}"
