"""The permission choke point.

``restrict(queryset, user, action)`` is the only way records are read: pages, the API, exports,
search and jobs all start from it. A model declares how it is scoped with ``access_policy``:

* ``"reference"`` – shared reference data (nations, coalitions, catalogue, capabilities, rates):
  every member sees it; coordinators and admins change it.
* ``"national"`` – reference data that belongs to a nation (organisations, nodes, with a
  ``nation`` field): everyone sees it; that nation's editors and coordinators change it.
* ``"owned"`` – records with an ``owner`` nation and a releasability (``released_to`` nations and
  ``released_to_coalitions``): visible to the owner nation, to nations it is released to directly or
  through a coalition they belong to, and to command staff (coordinators). Only the owner nation's
  editors and coordinators change them.
* ``"child:<field>"`` – records that follow their parent (pledge lines follow their pledge).
* ``"command"`` – the command's own work (allocation plans, jobs): members of the command nation
  and coordinators see it; coordinators run it; approving needs the command nation.
* ``"audit"`` – the audit trail: coordinators and admins read all of it; nobody writes through
  the application (``core.audit`` appends). A record's history is shown with the record.

Roles give actions: viewer view; editor view, add, change, delete; approver view, approve;
coordinator (command staff) and admin all of them. ``approve`` on owned records (validating a
requirement, accepting a pledge line) is the command's act: it needs the approve action *and*
membership of the command nation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

ACTIONS = ("view", "add", "change", "delete", "approve")
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "editor": frozenset({"view", "add", "change", "delete"}),
    "approver": frozenset({"view", "approve"}),
    "coordinator": frozenset(ACTIONS),
    "admin": frozenset(ACTIONS),
}
ROLES = tuple(ROLE_ACTIONS)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ActorContext:
    user_id: int | None
    nation_id: int | None
    nation_code: str
    roles: frozenset[str]
    actions: frozenset[str]
    is_coordinator: bool
    is_command: bool
    time_zone: str = ""

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None and self.nation_id is not None


ANONYMOUS = ActorContext(None, None, "", frozenset(), frozenset(), False, False)


def actor_context(user: Any) -> ActorContext:
    """The acting user's nation, roles and allowed actions (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_convoy_ctx", None)
    if cached is not None:
        return cached
    from convoy.nations.models import Membership

    membership = Membership.objects.select_related("nation").filter(user_id=user.pk).first()
    if membership is None:
        ctx = ActorContext(user.pk, None, "", frozenset(), frozenset(), False, False)
    else:
        roles = frozenset(r for r in membership.roles if r in ROLE_ACTIONS)
        actions = frozenset(a for r in roles for a in ROLE_ACTIONS[r])
        is_command = membership.nation.code == settings.CONVOY_COMMAND_NATION
        ctx = ActorContext(
            user_id=user.pk,
            nation_id=membership.nation_id,
            nation_code=membership.nation.code,
            roles=roles,
            actions=actions,
            is_coordinator=bool(roles & {"coordinator", "admin"}),
            is_command=is_command,
            time_zone=membership.time_zone,
        )
    user._convoy_ctx = ctx
    return ctx


def policy_of(model: type[models.Model]) -> str:
    return str(getattr(model, "access_policy", "reference"))


def _through(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name).remote_field.through  # type: ignore[union-attr]


def _owned_visible_q(model: type[models.Model], ctx: ActorContext) -> Q:
    nation_id = ctx.nation_id
    released = _through(model, "released_to")
    released_c = _through(model, "released_to_coalitions")
    own_fk = f"{model._meta.model_name}_id"
    direct = released.objects.filter(**{own_fk: OuterRef("pk"), "nation_id": nation_id})
    via_coalition = released_c.objects.filter(
        **{own_fk: OuterRef("pk"), "coalition__members__id": nation_id}
    )
    return Q(owner_id=nation_id) | Q(Exists(direct)) | Q(Exists(via_coalition))


def scope_q(model: type[models.Model], ctx: ActorContext, action: str) -> Q | None:
    """The filter for ``action`` on ``model``: ``None`` is everything, ``Q(pk__in=[])`` nothing."""
    nothing = Q(pk__in=[])
    if not ctx.authenticated or action not in ctx.actions:
        return nothing
    policy = policy_of(model)
    if policy == "audit":  # the trail: command staff search it; nobody edits it
        return None if action == "view" and ctx.is_coordinator else nothing
    if policy == "command":  # the command's own work (plans, jobs)
        if not (ctx.is_command or ctx.is_coordinator):
            return nothing
        if action == "view":
            return None
        if action == "approve":
            return None if ctx.is_command else nothing
        return None if ctx.is_coordinator else nothing
    if policy.startswith("child:"):
        parent_field = policy.split(":", 1)[1]
        parent_model = model._meta.get_field(parent_field).related_model
        assert parent_model is not None and not isinstance(parent_model, str)
        parent_q = scope_q(parent_model, ctx, action)
        if parent_q is None:
            return None
        return Q(**{f"{parent_field}__in": parent_model._default_manager.filter(parent_q)})
    if action == "view":
        if policy == "owned" and not ctx.is_coordinator:
            return _owned_visible_q(model, ctx)
        return None
    if action == "approve":
        return None if ctx.is_command else nothing
    # add / change / delete
    if ctx.is_coordinator:
        return None
    if policy == "owned":
        return Q(owner_id=ctx.nation_id)
    if policy == "national":
        return Q(nation_id=ctx.nation_id)
    return nothing  # reference data: coordinators only


def restrict(queryset: QuerySet[M], user: Any, action: str = "view") -> QuerySet[M]:
    """The records of ``queryset`` on which ``user`` may perform ``action``.

    For ``change``/``delete``/``approve`` the result is also limited to what the user can see,
    so that an action on an invisible record answers "not found", never "forbidden".
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    ctx = actor_context(user)
    model = queryset.model
    q = scope_q(model, ctx, action)
    if action != "view":
        view_q = scope_q(model, ctx, "view")
        if view_q is not None:
            queryset = queryset.filter(view_q)
    if q is None:
        return queryset
    return queryset.filter(q)


def can_add(user: Any, model: type[models.Model]) -> bool:
    """Whether ``user`` may create records of ``model`` at all (scope is checked on save)."""
    ctx = actor_context(user)
    if not ctx.authenticated or "add" not in ctx.actions:
        return False
    policy = policy_of(model)
    if policy == "audit":
        return False
    if policy in ("reference", "command"):
        return ctx.is_coordinator
    return True


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may perform ``action`` on ``obj`` (one query)."""
    manager = type(obj)._default_manager
    return restrict(manager.all(), user, action).filter(pk=obj.pk).exists()
